package ics_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardclinic/ward/core/ics"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Plain text", "Plain text"},
		{"Smith, Jane", `Smith\, Jane`},
		{"Room 2; first floor", `Room 2\; first floor`},
		{`C:\clinic`, `C:\\clinic`},
		{"line one\nline two", `line one\nline two`},
		{"windows\r\nbreak", `windows\nbreak`},
		{"old mac\rbreak", `old mac\nbreak`},
		{`all: \ ; , ` + "\n", `all: \\ \; \, \n`},
	} {
		got := ics.Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		back := strings.ReplaceAll(strings.ReplaceAll(tc.in, "\r\n", "\n"), "\r", "\n")
		if u := ics.Unescape(got); u != back {
			t.Errorf("Unescape(%q) = %q, want %q", got, u, back)
		}
	}
}

func TestUnescape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`a\Nb`, "a\nb"},
		{`trailing\`, `trailing\`},
		{`\\n`, `\n`},
		{`colon\:kept`, `colon:kept`},
	} {
		if got := ics.Unescape(tc.in); got != tc.want {
			t.Errorf("Unescape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFold(t *testing.T) {
	long := "SUMMARY:" + strings.Repeat("x", 200)
	for _, tc := range []struct {
		name string
		in   string
		want []string // the lines, without CRLF
	}{
		{"short", "A:b", []string{"A:b"}},
		{"exactly 75", strings.Repeat("a", 75), []string{strings.Repeat("a", 75)}},
		{"76", strings.Repeat("a", 76), []string{strings.Repeat("a", 75), " a"}},
		{"long", long, []string{long[:75], " " + long[75:149], " " + long[149:]}},
		// "é" is two octets: the first line would end inside it at 75.
		{"utf-8", strings.Repeat("a", 74) + "éé", []string{strings.Repeat("a", 74), " éé"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ics.Fold(tc.in)
			if want := strings.Join(tc.want, "\r\n") + "\r\n"; got != want {
				t.Fatalf("Fold = %q, want %q", got, want)
			}
			for _, l := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
				if len(l) > ics.MaxLine || !utf8.ValidString(l) {
					t.Errorf("line %q: %d octets", l, len(l))
				}
			}
		})
	}
}

func TestWriteAndParse(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	start := time.Date(2026, 3, 3, 10, 30, 0, 0, zone) // 08:30 UTC
	ev := ics.Event{
		UID:      "appointment-42@ward",
		Sequence: 3,
		Stamp:    time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Start:    start,
		End:      start.Add(45 * time.Minute),
		Summary:  "Appointment at Clinic Smith, Jones; Partners — " + strings.Repeat("ü", 40),
		Location: `12 High St\Suite 4` + "\nSpringfield",
		Description: "With Dr. Dana Doctor.\nPlease arrive ten minutes early, and bring your card; " +
			"call us to change the time.",
	}
	for _, method := range []string{"", ics.MethodPublish, ics.MethodRequest} {
		data := ics.Calendar{Method: method, Events: []ics.Event{ev}}.Bytes()
		s := string(data)
		for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "DTSTART:20260303T083000Z\r\n", "DTEND:20260303T091500Z\r\n",
			"UID:appointment-42@ward\r\n", "END:VEVENT\r\nEND:VCALENDAR\r\n", `SUMMARY:Appointment at Clinic Smith\, Jones\; Partners`} {
			if !strings.Contains(s, want) {
				t.Errorf("calendar lacks %q:\n%s", want, s)
			}
		}
		if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\r") {
			t.Errorf("a line ends without CRLF:\n%q", s)
		}
		cal, err := ics.Parse(data)
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, s)
		}
		wantMethod := method
		if wantMethod == "" {
			wantMethod = ics.MethodPublish
		}
		if cal.Method != wantMethod || cal.ProdID != ics.DefaultProdID || len(cal.Events) != 1 {
			t.Fatalf("calendar: %+v", cal)
		}
		got := cal.Events[0]
		if !got.Start.Equal(ev.Start) || !got.End.Equal(ev.End) || !got.Stamp.Equal(ev.Stamp) || got.Start.Location() != time.UTC {
			t.Errorf("times: %v–%v stamp %v", got.Start, got.End, got.Stamp)
		}
		if got.UID != ev.UID || got.Sequence != 3 || got.Summary != ev.Summary || got.Location != ev.Location || got.Description != ev.Description {
			t.Errorf("event read back:\n%+v\nwant\n%+v", got, ev)
		}
	}
}

func TestNoLocationNoLine(t *testing.T) {
	at := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
	s := string(ics.Calendar{Events: []ics.Event{{UID: "u", Stamp: at, Start: at, End: at.Add(time.Hour), Summary: "x"}}}.Bytes())
	if strings.Contains(s, "LOCATION") || strings.Contains(s, "DESCRIPTION") {
		t.Fatalf("empty properties written:\n%s", s)
	}
}

func TestParseRefuses(t *testing.T) {
	ok := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260303T083000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if cal, err := ics.Parse([]byte(ok)); err != nil || len(cal.Events) != 1 || cal.Events[0].UID != "x" {
		t.Fatalf("Parse(valid) = %+v, %v", cal, err)
	}
	for _, tc := range []struct{ name, in string }{
		{"bare LF", strings.ReplaceAll(ok, "\r\n", "\n")},
		{"one bare LF", strings.Replace(ok, "VERSION:2.0\r\n", "VERSION:2.0\n", 1)},
		{"no final CRLF", strings.TrimSuffix(ok, "\r\n")},
		{"long line", strings.Replace(ok, "UID:x", "UID:"+strings.Repeat("x", 80), 1)},
		{"local time", strings.Replace(ok, "083000Z", "083000", 1)},
		{"no end", strings.TrimSuffix(ok, "END:VCALENDAR\r\n")},
		{"unclosed event", strings.Replace(ok, "END:VEVENT\r\n", "", 1)},
		{"no colon", strings.Replace(ok, "VERSION:2.0", "VERSION", 1)},
		{"continuation first", " x\r\n" + ok},
		{"after end", ok + "X:y\r\n"},
	} {
		if _, err := ics.Parse([]byte(tc.in)); !errors.Is(err, ics.ErrMalformed) {
			t.Errorf("%s: Parse = %v, want ErrMalformed", tc.name, err)
		}
	}
}
