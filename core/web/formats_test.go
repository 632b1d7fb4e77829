package web_test

import (
	"testing"
	"time"

	"github.com/wardclinic/ward/core/web"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	nairobi, err := time.LoadLocation("Africa/Nairobi") // UTC+3
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2026, 3, 4, 22, 30, 0, 0, time.UTC) // 5 March 01:30 in Nairobi
	dob := time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                string
		f                   web.Formats
		day, date, datetime string
	}{
		{"the platform's (zero)", web.Formats{}, "04 Mar 1990", "04 Mar 2026", "04 Mar 2026 22:30"},
		{"ISO, Nairobi, 24 h", web.Formats{DateLayout: "2006-01-02", Zone: nairobi}, "1990-03-04", "2026-03-05", "2026-03-05 01:30"},
		{"US, Nairobi, 12 h", web.Formats{DateLayout: "01/02/2006", Zone: nairobi, Clock12: true}, "03/04/1990", "03/05/2026", "03/05/2026 1:30 AM"},
	} {
		if got := tc.f.Day(dob); got != tc.day {
			t.Errorf("%s: Day = %q, want %q (a calendar date never moves with the zone)", tc.name, got, tc.day)
		}
		if got := tc.f.Date(late); got != tc.date {
			t.Errorf("%s: Date = %q, want %q", tc.name, got, tc.date)
		}
		if got := tc.f.DateTime(late); got != tc.datetime {
			t.Errorf("%s: DateTime = %q, want %q", tc.name, got, tc.datetime)
		}
	}
	f := web.Formats{DateLayout: "02/01/2006", Zone: nairobi, Currency: "KWD"}
	if f.DateTime(time.Time{}) != "" || f.Day(time.Time{}) != "" || f.ISO(time.Time{}) != "" {
		t.Error("a zero time is not written")
	}
	if got := f.ISO(late); got != "2026-03-05T01:30:00+03:00" {
		t.Errorf("ISO = %q", got)
	}
	if got := f.Money(1250); got != "KWD 1.250" {
		t.Errorf("Money = %q", got)
	}
}
