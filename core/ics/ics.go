// Package ics writes iCalendar (RFC 5545) files of events, the ".ics" a
// calendar program adds to its owner's calendar from a mail attachment, and
// reads them back (Parse) for the tests of what is written.
//
// What is written keeps to the parts of the format every calendar program
// reads: CRLF line ends, lines folded at 75 octets (never inside a UTF-8
// character), text values escaped, times in UTC ("20260302T090000Z").
package ics

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Methods of a calendar: PUBLISH offers events to be added; REQUEST
// invites (and needs an organizer and attendees, which Ward does not
// write).
const (
	MethodPublish = "PUBLISH"
	MethodRequest = "REQUEST"
)

// ContentType is the media type of a calendar file with method.
func ContentType(method string) string {
	return "text/calendar; charset=utf-8; method=" + method
}

// DefaultProdID names the program that wrote a calendar.
const DefaultProdID = "-//Ward//Clinic appointments//EN"

// Calendar is one calendar file.
type Calendar struct {
	ProdID string // DefaultProdID when empty
	Method string // MethodPublish when empty
	Events []Event
}

// Event is one event. Its UID stays the same through every version of the
// event (a rescheduled appointment), so a calendar program replaces the
// copy it holds; Sequence grows with each version.
type Event struct {
	UID         string
	Sequence    int64
	Stamp       time.Time // when this version was written (DTSTAMP)
	Start, End  time.Time
	Summary     string
	Location    string // left out when empty
	Description string // left out when empty
}

// MaxLine is the longest a line may be, in octets, without its CRLF.
const MaxLine = 75

// Bytes is the calendar as an .ics file.
func (c Calendar) Bytes() []byte {
	var w writer
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", Escape(or(c.ProdID, DefaultProdID)))
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", or(c.Method, MethodPublish))
	for _, e := range c.Events {
		w.event(e)
	}
	w.line("END", "VCALENDAR")
	return w.b.Bytes()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type writer struct{ b bytes.Buffer }

func (w *writer) event(e Event) {
	w.line("BEGIN", "VEVENT")
	w.line("UID", Escape(e.UID))
	w.line("SEQUENCE", strconv.FormatInt(e.Sequence, 10))
	w.line("DTSTAMP", FormatTime(e.Stamp))
	w.line("DTSTART", FormatTime(e.Start))
	w.line("DTEND", FormatTime(e.End))
	w.line("SUMMARY", Escape(e.Summary))
	if e.Location != "" {
		w.line("LOCATION", Escape(e.Location))
	}
	if e.Description != "" {
		w.line("DESCRIPTION", Escape(e.Description))
	}
	w.line("STATUS", "CONFIRMED")
	w.line("TRANSP", "OPAQUE")
	w.line("END", "VEVENT")
}

// line writes "name:value" folded, with its CRLF.
func (w *writer) line(name, value string) {
	w.b.WriteString(Fold(name + ":" + value))
}

// Fold splits a content line into lines of at most MaxLine octets, each
// after the first starting with a space, every one ended by CRLF. It never
// cuts a UTF-8 character in two.
func Fold(line string) string {
	var b strings.Builder
	limit := MaxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = MaxLine - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// Escape writes s as a TEXT value: backslash, semicolon and comma escaped,
// every line break (CRLF, CR or LF) as \n.
func Escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return textEscaper.Replace(s)
}

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)

// timeLayout is a UTC date-time ("form 2" of RFC 5545).
const timeLayout = "20060102T150405Z"

// FormatTime writes t in UTC, to the second.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }
