package ics

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrMalformed is returned by Parse for a file that breaks the rules this
// package writes by.
var ErrMalformed = errors.New("ics: malformed calendar")

// Parse reads a calendar written as Bytes writes one. It is strict where
// Bytes must be exact — every line ends in CRLF and is at most MaxLine
// octets, times are UTC — so the tests of what is written can rely on it.
// Properties it does not know are skipped.
func Parse(data []byte) (*Calendar, error) {
	lines, err := unfold(string(data))
	if err != nil {
		return nil, err
	}
	var cal *Calendar
	var ev *Event
	done := false
	for i, l := range lines {
		name, value, ok := splitLine(l)
		if !ok {
			return nil, fmt.Errorf("%w: line %d has no value: %q", ErrMalformed, i+1, l)
		}
		switch {
		case done:
			return nil, fmt.Errorf("%w: line %d after END:VCALENDAR", ErrMalformed, i+1)
		case name == "BEGIN" && value == "VCALENDAR" && cal == nil:
			cal = &Calendar{}
		case cal == nil:
			return nil, fmt.Errorf("%w: line %d before BEGIN:VCALENDAR", ErrMalformed, i+1)
		case name == "BEGIN" && value == "VEVENT" && ev == nil:
			ev = &Event{}
		case name == "END" && value == "VEVENT" && ev != nil:
			cal.Events = append(cal.Events, *ev)
			ev = nil
		case name == "END" && value == "VCALENDAR" && ev == nil:
			done = true
		case name == "BEGIN" || name == "END":
			return nil, fmt.Errorf("%w: line %d: %s:%s out of place", ErrMalformed, i+1, name, value)
		case ev != nil:
			if err := ev.set(name, value); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, i+1, err)
			}
		default:
			cal.set(name, value)
		}
	}
	if !done {
		return nil, fmt.Errorf("%w: no END:VCALENDAR", ErrMalformed)
	}
	return cal, nil
}

// unfold splits data into content lines, joining folded ones.
func unfold(data string) ([]string, error) {
	if !strings.HasSuffix(data, "\r\n") {
		return nil, fmt.Errorf("%w: the last line does not end in CRLF", ErrMalformed)
	}
	raw := strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n")
	var out []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("%w: line %d ends without CRLF", ErrMalformed, i+1)
		}
		if len(l) > MaxLine {
			return nil, fmt.Errorf("%w: line %d is %d octets long", ErrMalformed, i+1, len(l))
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(out) == 0 {
				return nil, fmt.Errorf("%w: the first line continues nothing", ErrMalformed)
			}
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// splitLine splits "NAME;PARAM=x:value" into the name (without
// parameters, upper case) and the value.
func splitLine(l string) (name, value string, ok bool) {
	head, value, ok := strings.Cut(l, ":")
	if !ok {
		return "", "", false
	}
	name, _, _ = strings.Cut(head, ";")
	return strings.ToUpper(name), value, true
}

func (c *Calendar) set(name, value string) {
	switch name {
	case "PRODID":
		c.ProdID = Unescape(value)
	case "METHOD":
		c.Method = value
	}
}

func (e *Event) set(name, value string) error {
	var err error
	switch name {
	case "UID":
		e.UID = Unescape(value)
	case "SEQUENCE":
		e.Sequence, err = strconv.ParseInt(value, 10, 64)
	case "DTSTAMP":
		e.Stamp, err = ParseTime(value)
	case "DTSTART":
		e.Start, err = ParseTime(value)
	case "DTEND":
		e.End, err = ParseTime(value)
	case "SUMMARY":
		e.Summary = Unescape(value)
	case "LOCATION":
		e.Location = Unescape(value)
	case "DESCRIPTION":
		e.Description = Unescape(value)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// ParseTime reads a UTC date-time ("20260302T090000Z").
func ParseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// Unescape reads a TEXT value: \\ \; \, and \n (or \N) become what they
// stand for.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i == len(s)-1 {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
