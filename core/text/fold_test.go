package text_test

import (
	"testing"

	"github.com/wardclinic/ward/core/text"
)

func TestFold(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":               "",
		"Zoë Ñúñez":      "zoe nunez",
		"  ZOË  ":        "zoe",
		"Núñez":          "nunez",
		"García":         "garcia",
		"Müller":         "muller",
		"Chloé":          "chloe",
		"Çelik":          "celik",
		"Öztürk":         "ozturk",
		"O'Brien":        "o'brien",
		"Mary-Jane":      "mary-jane",
		"Zoe\u0308":      "zoe", // already decomposed
		"Ångström":       "angstrom",
		"Dvořák":         "dvorak",
		"SMITH":          "smith",
		"José María":     "jose maria",
		"Nguyễn":         "nguyen",
		"Łukasz":         "lukasz", // typed "l" on most keyboards; "ł" folds too
		"Groß":           "gross",
		"Ægir Østergård": "aegir ostergard",
		"O\u2019Brien":   "o'brien", // the apostrophe phones and Macs type
		"Đorđević":       "dordevic",
		"Hernández 42":   "hernandez 42",
	}
	for in, want := range cases {
		if got := text.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"jon", "john", 1}, {"john", "jon", 1}, {"smith", "smyth", 1}, {"zoe", "zoë", 1},
		{"ann lee", "lee ann", 6}, {"", "abc", 3}, {"kitten", "sitting", 3},
	} {
		if got := text.EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
