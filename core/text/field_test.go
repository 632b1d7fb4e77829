package text_test

import (
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/text"
)

func TestCheck(t *testing.T) {
	var (
		name  = text.Field{Label: "Clinic name", Max: 10, Required: true}
		notes = text.Field{Label: "Notes", Max: 10, Multiline: true}
		mine  = text.Field{Label: "Your name", Max: 10, Required: true, Missing: "Enter your name."}
	)
	const (
		control   = "Clinic name may not contain control characters."
		oneLine   = "Clinic name must be on one line."
		direction = "Clinic name may not contain characters that change the direction of text."
		invisible = "Clinic name may not contain invisible characters."
		notUTF8   = "Clinic name may not contain characters that are not valid UTF-8 text."
		tooLong   = "Use at most 10 characters."
	)
	cases := []struct {
		name  string
		field text.Field
		in    string
		clean string // when valid
		msg   string // "" → valid
	}{
		{"plain", name, "Sunrise", "Sunrise", ""},
		{"trimmed", name, "  Sunrise \t", "Sunrise", ""},
		{"trimmed of line breaks around", name, "\r\nSunrise\n", "Sunrise", ""},
		{"inner spaces kept", name, "Sun  rise", "Sun  rise", ""},
		{"accents and other scripts", name, "Clínic 診療所", "Clínic 診療所", ""},
		{"Persian with a zero-width non-joiner", name, "مهر\u200cناز", "مهر\u200cناز", ""},
		{"emoji with a zero-width joiner", name, "Dr 👩\u200d⚕️", "Dr 👩\u200d⚕️", ""},
		{"right-to-left text itself", name, "עברית", "עברית", ""},

		{"required and empty", name, "", "", "Enter the clinic name."},
		{"required and only spaces", name, " \t ", "", "Enter the clinic name."},
		{"required with its own message", mine, "", "", "Enter your name."},
		{"optional and empty", notes, "  ", "", ""},

		{"10 characters of 2 bytes", name, strings.Repeat("é", 10), strings.Repeat("é", 10), ""},
		{"11 characters", name, strings.Repeat("é", 11), "", tooLong},
		{"10 characters after trimming", name, "  " + strings.Repeat("a", 10) + "  ", strings.Repeat("a", 10), ""},

		{"not UTF-8", name, "Sun\xffrise", "", notUTF8},
		{"a lone continuation byte", name, "Sun\x80", "", notUTF8},
		{"an encoded surrogate", name, "Sun\xed\xa0\x80", "", notUTF8},
		{"NUL", name, "Sun\x00rise", "", control},
		{"a bell", name, "Sun\arise", "", control},
		{"DEL", name, "Sun\x7frise", "", control},
		{"a C1 control", name, "Sun\u0085rise", "", control},
		{"escape", name, "Sun\x1b[2J", "", control},
		{"a tab inside one line", name, "Sun\trise", "", control},
		{"CR LF inside one line", name, "Sun\r\nrise", "", oneLine},
		{"LF inside one line", name, "Sun\nrise", "", oneLine},
		{"CR inside one line", name, "Sun\rrise", "", oneLine},
		{"line separator inside one line", name, "Sun\u2028rise", "", oneLine},
		{"paragraph separator inside one line", name, "Sun\u2029rise", "", oneLine},

		{"right-to-left override", name, "Sun\u202erise", "", direction},
		{"left-to-right embedding", name, "Sun\u202arise", "", direction},
		{"pop directional formatting", name, "Sun\u202crise", "", direction},
		{"right-to-left isolate", name, "Sun\u2067rise", "", direction},
		{"pop directional isolate", name, "Sun\u2069rise", "", direction},
		{"left-to-right mark", name, "Sun\u200erise", "", direction},
		{"right-to-left mark", name, "Sun\u200frise", "", direction},
		{"Arabic letter mark", name, "Sun\u061crise", "", direction},

		{"byte order mark", name, "\ufeffSunrise", "", invisible},
		{"zero-width space", name, "Sun\u200brise", "", invisible},
		{"word joiner", name, "Sun\u2060rise", "", invisible},
		{"soft hyphen", name, "Sun\u00adrise", "", invisible},
		{"invisible times", name, "Sun\u2062rise", "", invisible},
		{"a tag character", name, "Sun\U000e0041", "", invisible},
		{"Hangul filler", name, "\u3164", "", invisible},
		{"interlinear annotation", name, "Sun\ufff9rise", "", invisible},

		{"multi-line keeps tabs and line breaks", notes, "a\tb\nc", "a\tb\nc", ""},
		{"multi-line CR LF becomes LF", notes, "a\r\nb\r\n", "a\nb", ""},
		{"multi-line lone CR becomes LF", notes, "a\rb", "a\nb", ""},
		{"multi-line line separator becomes LF", notes, "a\u2028b\u2029c", "a\nb\nc", ""},
		{"multi-line CR LF counts as one character", notes, strings.Repeat("a\r\n", 5), strings.TrimSuffix(strings.Repeat("a\n", 5), "\n"), ""},
		{"multi-line NUL", notes, "a\x00b", "", "Notes may not contain control characters."},
		{"multi-line vertical tab", notes, "a\vb", "", "Notes may not contain control characters."},
		{"multi-line form feed", notes, "a\fb", "", "Notes may not contain control characters."},
		{"multi-line right-to-left override", notes, "a\u202eb", "", "Notes may not contain characters that change the direction of text."},
		{"multi-line not UTF-8", notes, "a\xc3", "", "Notes may not contain characters that are not valid UTF-8 text."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clean, msg := tc.field.Check(tc.in)
			if msg != tc.msg {
				t.Errorf("Check(%q) message = %q, want %q", tc.in, msg, tc.msg)
			}
			if msg == "" && clean != tc.clean {
				t.Errorf("Check(%q) = %q, want %q", tc.in, clean, tc.clean)
			}
			if msg != "" && clean != "" {
				t.Errorf("Check(%q) refused but returned %q", tc.in, clean)
			}
		})
	}
}

// A message is shown beside the field and returned by the API: it never
// repeats what was typed.
func TestCheckNeverEchoesTheValue(t *testing.T) {
	f := text.Field{Label: "Name", Max: 5, Required: true}
	for _, in := range []string{"SECRET\x00", "SECRET\u202e", "SECRET\xff", "SECRETSECRET", "SECRET\n"} {
		if _, msg := f.Check(in); msg == "" || strings.Contains(msg, "SECRET") {
			t.Errorf("Check(%q) = %q", in, msg)
		}
	}
}
