// Package text checks the free text people type into Ward — names, notes,
// addresses — whether it comes from a form or the JSON API. Every module
// checks its free-text fields here, so that one rule decides what Ward
// stores and shows back: text that is what it looks like. It must never let
// through bytes that are not UTF-8, control characters, or characters that
// reorder or hide text (a right-to-left override turns "Sunrise" into
// something else on screen, in a mail subject or in the audit log).
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field describes one free-text field.
type Field struct {
	// Label names the field at the start of a message: "Clinic name".
	Label string
	// Max is the most characters the field holds, counted in characters
	// (runes), not bytes: "é" and "診" count one each. Every field has one.
	Max int
	// Multiline fields (textareas) may hold tabs and line breaks; line
	// breaks are stored as "\n" whatever the browser sent.
	Multiline bool
	// Required fields may not be left empty.
	Required bool
	// Missing is the message for an empty required field when "Enter the
	// <label>." does not say it well ("Enter your name.").
	Missing string
}

// Check returns s trimmed of surrounding white space, with line breaks
// normalised in a multi-line field, or a message for the person saying
// what is wrong. A message never repeats the value: it is shown beside the
// field and returned by the API.
func (f Field) Check(s string) (clean, message string) {
	if !utf8.ValidString(s) {
		return "", f.Label + " may not contain characters that are not valid UTF-8 text."
	}
	if f.Multiline {
		s = lineBreaks.Replace(s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if f.Required {
			return "", f.missing()
		}
		return "", ""
	}
	for _, r := range s {
		if msg := f.refuse(r); msg != "" {
			return "", msg
		}
	}
	if utf8.RuneCountInString(s) > f.Max {
		return "", fmt.Sprintf("Use at most %d characters.", f.Max)
	}
	return s, ""
}

// lineBreaks turns every way of breaking a line into "\n": browsers send
// "\r\n" from a textarea, and text pasted from word processors may carry
// Unicode's line and paragraph separators.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n")

func (f Field) missing() string {
	if f.Missing != "" {
		return f.Missing
	}
	first, size := utf8.DecodeRuneInString(f.Label)
	return "Enter the " + string(unicode.ToLower(first)) + f.Label[size:] + "."
}

// refuse says why r may not be in the field, or "" when it may.
func (f Field) refuse(r rune) string {
	switch {
	case r == '\n' || r == '\t':
		if f.Multiline {
			return ""
		}
		if r == '\t' {
			return f.Label + " may not contain control characters."
		}
		return f.Label + " must be on one line."
	case r == '\r' || r == '\u2028' || r == '\u2029':
		// Only a single-line field still has them: Check turned them into
		// "\n" in a multi-line one.
		return f.Label + " must be on one line."
	case unicode.IsControl(r): // C0, DEL and C1, NUL included
		return f.Label + " may not contain control characters."
	case bidi(r):
		return f.Label + " may not contain characters that change the direction of text."
	case invisible(r):
		return f.Label + " may not contain invisible characters."
	}
	return ""
}

// bidi reports whether r is one of Unicode's directional formatting
// characters: embeddings and overrides, isolates, and the implicit marks.
// Text in right-to-left scripts needs none of them to display right.
func bidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// invisible reports whether r is drawn as nothing: a format character
// (zero-width space, byte order mark, soft hyphen, tag characters, …) or
// another of Unicode's default-ignorable code points (the Hangul fillers).
// Such characters make two different texts look the same, or hide text
// from the reader and not from the machine. The zero-width non-joiner and
// joiner stay: names in Persian and other scripts, and emoji, need them.
func invisible(r rune) bool {
	if r == '\u200c' || r == '\u200d' {
		return false
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}
