package appointments

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBookingFormParse(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ok := BookingForm{PatientID: "p1", ProviderID: "d1", Date: "2026-03-14", Time: "09:30", Minutes: "30"}
	with := func(change func(*BookingForm)) BookingForm { f := ok; change(&f); return f }
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	cases := []struct {
		name    string
		form    BookingForm
		zone    *time.Location
		service int // the chosen service's minutes
		start   time.Time
		minutes int
		every   int
		times   int
		errs    []string // the fields with a message
	}{
		{name: "valid in UTC", form: ok, zone: time.UTC, start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "the clinic's clock, winter", form: ok, zone: berlin, start: utc("2026-03-14T08:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "the clinic's clock, summer", form: with(func(f *BookingForm) { f.Date = "2026-07-01" }), zone: berlin,
			start: utc("2026-07-01T07:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "seconds from a time field", form: with(func(f *BookingForm) { f.Time = "09:30:00" }), zone: time.UTC,
			start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "the service's minutes", form: with(func(f *BookingForm) { f.Minutes = "" }), zone: time.UTC, service: 20,
			start: utc("2026-03-14T09:30:00Z"), minutes: 20, every: 1, times: 1},
		{name: "the service's minutes rounded up", form: with(func(f *BookingForm) { f.Minutes = "" }), zone: time.UTC, service: 17,
			start: utc("2026-03-14T09:30:00Z"), minutes: 20, every: 1, times: 1},
		{name: "typed minutes win over the service's", form: ok, zone: time.UTC, service: 60,
			start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "weekly, 10 times", form: with(func(f *BookingForm) { f.Every, f.Times = "1", "10" }), zone: time.UTC,
			start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 1, times: 10},
		{name: "every 2 weeks, 52 times", form: with(func(f *BookingForm) { f.Every, f.Times = "2", "52" }), zone: time.UTC,
			start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 2, times: 52},
		{name: "once ignores the gap", form: with(func(f *BookingForm) { f.Every, f.Times = "x", "1" }), zone: time.UTC,
			start: utc("2026-03-14T09:30:00Z"), minutes: 30, every: 1, times: 1},
		{name: "limits", form: with(func(f *BookingForm) {
			f.Time, f.Minutes, f.Room, f.Reason = "23:55", "720", strings.Repeat("r", 64), strings.Repeat("x", 500)
		}),
			zone: time.UTC, start: utc("2026-03-14T23:55:00Z"), minutes: 720, every: 1, times: 1},

		{name: "empty form", form: BookingForm{}, zone: time.UTC, errs: []string{"date", "minutes", "patientId", "providerId", "time"}},
		{name: "no patient", form: with(func(f *BookingForm) { f.PatientID = "" }), zone: time.UTC, errs: []string{"patientId"}},
		{name: "bad date", form: with(func(f *BookingForm) { f.Date = "14/03/2026" }), zone: time.UTC, errs: []string{"date"}},
		{name: "no such day", form: with(func(f *BookingForm) { f.Date = "2026-02-30" }), zone: time.UTC, errs: []string{"date"}},
		{name: "bad time", form: with(func(f *BookingForm) { f.Time = "9.30" }), zone: time.UTC, errs: []string{"time"}},
		{name: "hour 24", form: with(func(f *BookingForm) { f.Time = "24:00" }), zone: time.UTC, errs: []string{"time"}},
		{name: "off the five-minute step", form: with(func(f *BookingForm) { f.Time = "09:32" }), zone: time.UTC, errs: []string{"time"}},
		{name: "a clock the spring change skips", form: with(func(f *BookingForm) { f.Date, f.Time = "2026-03-29", "02:30" }), zone: berlin, errs: []string{"time"}},
		{name: "no minutes, no service", form: with(func(f *BookingForm) { f.Minutes = "" }), zone: time.UTC, errs: []string{"minutes"}},
		{name: "too short", form: with(func(f *BookingForm) { f.Minutes = "0" }), zone: time.UTC, errs: []string{"minutes"}},
		{name: "too long", form: with(func(f *BookingForm) { f.Minutes = "725" }), zone: time.UTC, errs: []string{"minutes"}},
		{name: "not whole steps", form: with(func(f *BookingForm) { f.Minutes = "12" }), zone: time.UTC, errs: []string{"minutes"}},
		{name: "room too long", form: with(func(f *BookingForm) { f.Room = strings.Repeat("r", 65) }), zone: time.UTC, errs: []string{"roomId"}},
		{name: "reason hides text", form: with(func(f *BookingForm) { f.Reason = "check\u202eup" }), zone: time.UTC, errs: []string{"reason"}},
		{name: "53 times", form: with(func(f *BookingForm) { f.Times = "53" }), zone: time.UTC, errs: []string{"times"}},
		{name: "zero times", form: with(func(f *BookingForm) { f.Times = "0" }), zone: time.UTC, errs: []string{"times"}},
		{name: "every 0 weeks", form: with(func(f *BookingForm) { f.Every, f.Times = "0", "3" }), zone: time.UTC, errs: []string{"every"}},
		{name: "every 53 weeks", form: with(func(f *BookingForm) { f.Every, f.Times = "53", "3" }), zone: time.UTC, errs: []string{"every"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, errs := tc.form.Parse(tc.zone, tc.service)
			if keys := slices.Sorted(maps.Keys(errs)); !slices.Equal(keys, tc.errs) {
				t.Fatalf("messages for %v, want %v: %v", keys, tc.errs, errs)
			}
			for k, msg := range errs {
				if msg == "" {
					t.Errorf("%s: empty message", k)
				}
			}
			if len(tc.errs) > 0 {
				return
			}
			if !b.Start.Equal(tc.start) || b.Start.Location() != time.UTC || b.Minutes != tc.minutes || b.Every != tc.every || b.Times != tc.times {
				t.Errorf("booking = start %s, %d min, every %d × %d; want %s, %d min, every %d × %d",
					b.Start, b.Minutes, b.Every, b.Times, tc.start, tc.minutes, tc.every, tc.times)
			}
		})
	}
}

// A weekly series keeps the clinic's clock across a change of the clocks.
func TestBookingStarts(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f := BookingForm{PatientID: "p", ProviderID: "d", Date: "2026-03-21", Time: "09:00", Minutes: "30", Every: "1", Times: "3"}
	b, errs := f.Parse(berlin, 0)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := b.Starts()
	want := []string{"2026-03-21T08:00:00Z", "2026-03-28T08:00:00Z", "2026-04-04T07:00:00Z"}
	if len(got) != len(want) {
		t.Fatalf("%d starts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Format(time.RFC3339) != want[i] {
			t.Errorf("start %d = %s, want %s", i, got[i].Format(time.RFC3339), want[i])
		}
		if c := got[i].In(berlin).Format("15:04"); c != "09:00" {
			t.Errorf("start %d on the clinic's clock %s, want 09:00", i, c)
		}
	}
	// 02:30 happens twice in Berlin on 25 October 2026: the first, in
	// summer time, as working hours read it.
	twice := BookingForm{PatientID: "p", ProviderID: "d", Date: "2026-10-25", Time: "02:30", Minutes: "30", Every: "1", Times: "1"}
	if b, errs := twice.Parse(berlin, 0); len(errs) > 0 || b.Start.Format(time.RFC3339) != "2026-10-25T00:30:00Z" {
		t.Errorf("02:30 on the autumn change: %v %v, want 00:30 UTC", b.Start, errs)
	}
	every2 := BookingInput{Start: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), Every: 2, Times: 2}
	if s := every2.Starts(); s[1].Format(time.DateOnly) != "2026-01-19" {
		t.Errorf("every 2 weeks: second on %s", s[1].Format(time.DateOnly))
	}
}

func TestBookingFormFrom(t *testing.T) {
	t.Parallel()
	v := map[string]string{"patientId": " p ", "providerId": "d", "date": "2026-03-14", "time": "09:30", "minutes": " 30 ",
		"roomId": "Room 2", "reason": "Check-up", "every": "1", "times": "4", "overbook": "1", "confirm": "1"}
	f := BookingFormFrom(func(k string) string { return v[k] })
	want := BookingForm{PatientID: "p", ProviderID: "d", Date: "2026-03-14", Time: "09:30", Minutes: "30", Room: "Room 2",
		Reason: "Check-up", Every: "1", Times: "4", Overbook: true, Confirm: true}
	if f != want {
		t.Errorf("form = %+v, want %+v", f, want)
	}
	// "Book anyway" outside working hours holds for the times it was
	// given for, and for no other.
	delete(v, "confirm")
	v["confirmed"] = f.When()
	if !BookingFormFrom(func(k string) string { return v[k] }).Confirm {
		t.Error("the confirmation of the same times was lost")
	}
	v["time"] = "18:30"
	if BookingFormFrom(func(k string) string { return v[k] }).Confirm {
		t.Error("a confirmation carried over to another time")
	}
	if p := prefilled("d1", time.Date(2026, 7, 1, 7, 30, 0, 0, time.UTC), time.FixedZone("X", 2*3600)); p.Date != "2026-07-01" || p.Time != "09:30" || p.ProviderID != "d1" {
		t.Errorf("prefilled = %+v", p)
	}
}
