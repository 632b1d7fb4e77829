package web

import (
	"time"

	"github.com/wardclinic/ward/core/money"
)

// Formats write dates, times and money as the clinic chose: its date
// format, its time zone, a 24- or 12-hour clock and its currency. Every
// page has the clinic's as .G.Fmt; templates print through it
// ({{$.G.Fmt.DateTime .At}}), never with a layout of their own. The zero
// value (the platform's pages) writes "23 Jul 2026", 24 h, UTC.
type Formats struct {
	DateLayout string         // a Go layout, such as "02 Jan 2006"
	Clock12    bool           // "2:30 PM" rather than "14:30"
	Zone       *time.Location // nil: UTC
	Currency   string         // ISO 4217 code
}

// DefaultDateLayout is the date format of clinics that chose none.
const DefaultDateLayout = "02 Jan 2006"

func (f Formats) layout() string {
	if f.DateLayout == "" {
		return DefaultDateLayout
	}
	return f.DateLayout
}

func (f Formats) in(t time.Time) time.Time {
	if f.Zone == nil {
		return t.UTC()
	}
	return t.In(f.Zone)
}

// Day writes a calendar date — a date of birth, a day someone picked — as
// it was stored, with no time zone: the 3rd is the 3rd everywhere.
func (f Formats) Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(f.layout())
}

// Date writes the clinic's day of an instant (when something happened).
func (f Formats) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.in(t).Format(f.layout())
}

// Time writes the clinic's time of day of an instant.
func (f Formats) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if f.Clock12 {
		return f.in(t).Format("3:04 PM")
	}
	return f.in(t).Format("15:04")
}

// DateTime writes an instant as the clinic's date and time of day.
func (f Formats) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.Date(t) + " " + f.Time(t)
}

// ISO writes an instant for a <time datetime="…"> attribute.
func (f Formats) ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.in(t).Format(time.RFC3339)
}

// Money writes an amount in minor units of the clinic's currency:
// "USD 1,234.50", "JPY 1,200".
func (f Formats) Money(minor int64) string { return money.Format(minor, f.Currency) }
