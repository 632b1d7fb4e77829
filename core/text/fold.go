package text

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and removes accents: "Zoë Ñúñez" → "zoe nunez",
// "Łukasz Groß" → "lukasz gross"; curly apostrophes become straight ones.
func Fold(s string) string {
	// A transformer chain keeps state: one per call, never shared.
	folder := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(folder, s)
	if err != nil {
		out = s
	}
	return letters.Replace(strings.ToLower(strings.TrimSpace(out)))
}

// letters spells the letters that have no accent to remove as people type
// them on a plain keyboard.
var letters = strings.NewReplacer(
	"ł", "l", "ø", "o", "æ", "ae", "œ", "oe", "ß", "ss", "đ", "d", "ð", "d", "þ", "th", "ı", "i",
	"\u2019", "'", "\u2018", "'", "\u02bc", "'",
)

// EditDistance is the Levenshtein distance between a and b, in runes: how
// many letters to add, remove or change to make one the other ("Jon" and
// "John" are 1 apart).
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
