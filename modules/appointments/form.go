package appointments

import (
	"github.com/wardclinic/ward/modules/appointments/schedule"
	"strconv"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/text"
)

// maxRepeats is the most appointments one recurring booking makes: a
// year of weekly visits.
const maxRepeats = 52

// maxEvery is the longest gap, in weeks, between the appointments of a
// recurring booking.
const maxEvery = 52

// BookingForm is the booking form as typed: the date and time on the clinic's
// clock, the duration in minutes (empty: the service's), and an optional
// repeat every Every weeks, Times times in all.
type BookingForm struct {
	PatientID    string
	PatientLabel string // the patient field ("q"): the chosen patient, or what was typed
	ProviderID   string
	ServiceID    string
	Date         string // YYYY-MM-DD
	Time         string // HH:MM
	Minutes      string
	Room         string
	Reason       string
	Every        string // weeks between appointments of a series
	Times        string // how many appointments in all (1: no repeat)
	// Overbook asks to book over other appointments on purpose (the
	// second, deliberate click after a conflict); Confirm books outside
	// working hours after the warning.
	Overbook bool
	Confirm  bool
}

// BookingFormFrom reads the HTML form. A "Book anyway" outside working
// hours (confirm) holds for the times it was given for only: the form
// carries them back (confirmed, see When), and a change of time is checked
// again.
func BookingFormFrom(get func(string) string) BookingForm {
	t := func(k string) string { return strings.TrimSpace(get(k)) }
	f := BookingForm{PatientID: t("patientId"), PatientLabel: t("q"), ProviderID: t("providerId"), ServiceID: t("serviceId"),
		Date: t("date"), Time: t("time"), Minutes: t("minutes"), Room: get("roomId"), Reason: get("reason"),
		Every: t("every"), Times: t("times"), Overbook: get("overbook") == "1"}
	f.Confirm = get("confirm") == "1" || get("confirmed") == f.When()
	return f
}

// When names the times the form asks for: who, when, how long, how often.
func (f BookingForm) When() string {
	return strings.Join([]string{f.ProviderID, f.Date, f.Time, f.Minutes, f.Every, f.Times}, "|")
}

// BookingInput is a valid booking form: Start in UTC, Times appointments Every
// weeks apart (Times 1: one appointment).
type BookingInput struct {
	PatientID, ProviderID, ServiceID, Room, Reason string
	Start                                          time.Time
	Minutes                                        int
	Every, Times                                   int
	// local is the date and clock typed, in the clinic's zone: the
	// appointments of a series keep its clock across a change of the
	// clocks.
	local time.Time
}

var (
	bookRoomField   = text.Field{Label: "Room", Max: 64}
	bookReasonField = text.Field{Label: "Reason", Max: 500, Multiline: true}
)

// Parse validates the form for a clinic in zone. serviceMinutes is the
// usual duration of the chosen service (0 when none is chosen): an empty
// duration takes it, rounded up to whole five-minute steps. errs is empty
// when the booking may be tried.
func (f BookingForm) Parse(zone *time.Location, serviceMinutes int) (b BookingInput, errs map[string]string) {
	errs = map[string]string{}
	b = BookingInput{PatientID: f.PatientID, ProviderID: f.ProviderID, ServiceID: f.ServiceID, Every: 1, Times: 1}
	if b.PatientID == "" {
		errs["patientId"] = "Choose the patient: type a name or patient number and pick them from the list."
	}
	if b.ProviderID == "" {
		errs["providerId"] = "Choose who the patient sees."
	}
	if start, msg := localStart(f.Date, f.Time, zone); msg != nil {
		for k, v := range msg {
			errs[k] = v
		}
	} else {
		b.local, b.Start = start, start.UTC()
	}
	b.Minutes = minutesOf(f.Minutes, serviceMinutes, errs)
	if clean, msg := bookRoomField.Check(f.Room); msg != "" {
		errs["roomId"] = msg
	} else {
		b.Room = clean
	}
	if clean, msg := bookReasonField.Check(f.Reason); msg != "" {
		errs["reason"] = msg
	} else {
		b.Reason = clean
	}
	b.Every, b.Times = repeatOf(f.Every, f.Times, errs)
	return b, errs
}

// localStart is the instant of date and clock (HH:MM) in zone. A clock
// the zone skips (the hour the clocks go forward) is refused rather than
// moved.
func localStart(date, clock string, zone *time.Location) (time.Time, map[string]string) {
	errs := map[string]string{}
	d, err := time.Parse(time.DateOnly, date)
	switch {
	case date == "":
		errs["date"] = "Choose the day."
	case err != nil:
		errs["date"] = "Give the day as YYYY-MM-DD, for example 2026-03-14."
	}
	hh, mm, ok := clockOf(clock)
	switch {
	case clock == "":
		errs["time"] = "Choose the time."
	case !ok:
		errs["time"] = "Give the time as HH:MM on the 24-hour clock, for example 09:30."
	case mm%5 != 0:
		errs["time"] = "Appointments start on a five-minute step (9:00, 9:05, 9:10…)."
	}
	if len(errs) > 0 {
		return time.Time{}, errs
	}
	t := schedule.At(d.Year(), d.Month(), d.Day(), hh*60+mm, zone) // a time that happens twice: its first, as working hours read it
	if l := t.In(zone); l.Hour() != hh || l.Minute() != mm {
		errs["time"] = "The clocks go forward then: " + clock + " does not exist on that day. Choose another time."
		return time.Time{}, errs
	}
	return t, nil
}

// clockOf reads HH:MM (or HH:MM:SS with zero seconds, as some browsers
// send a time field).
func clockOf(s string) (h, m int, ok bool) {
	s = strings.TrimSuffix(s, ":00.000")
	if len(s) == 8 && strings.HasSuffix(s, ":00") {
		s = s[:5]
	}
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// minutesOf is the duration typed, or the service's rounded up to whole
// five-minute steps; a message goes into errs under "minutes".
func minutesOf(typed string, serviceMinutes int, errs map[string]string) int {
	if typed == "" {
		if serviceMinutes <= 0 {
			errs["minutes"] = "Enter how many minutes the appointment lasts, or choose a service to take its usual duration."
			return 0
		}
		return serviceRow{Minutes: serviceMinutes}.span()
	}
	n, err := strconv.Atoi(typed)
	if msg := lengthProblem(n, err); msg != "" {
		errs["minutes"] = msg
	}
	return n
}

// repeatOf reads "every N weeks, K times": empty means once.
func repeatOf(every, times string, errs map[string]string) (int, int) {
	k := 1
	if times != "" {
		n, err := strconv.Atoi(times)
		if err != nil || n < 1 || n > maxRepeats {
			errs["times"] = "Book 1 to " + strconv.Itoa(maxRepeats) + " appointments in all."
			return 1, 1
		}
		k = n
	}
	if k == 1 {
		return 1, 1
	}
	n := 1
	if every != "" {
		var err error
		if n, err = strconv.Atoi(every); err != nil || n < 1 || n > maxEvery {
			errs["every"] = "Repeat every 1 to " + strconv.Itoa(maxEvery) + " weeks."
			return 1, k
		}
	}
	return n, k
}

// Starts are the starts of the booking's appointments, in UTC: the same
// clock of the clinic every Every weeks (across a change of the clocks:
// each day is built from its date, never by adding hours). A clock the
// zone skips on one of the days moves forward as time.Date moves it.
func (b BookingInput) Starts() []time.Time {
	out := make([]time.Time, b.Times)
	l := b.local
	if l.IsZero() {
		l = b.Start
	}
	for i := range out {
		out[i] = schedule.At(l.Year(), l.Month(), l.Day()+7*b.Every*i, l.Hour()*60+l.Minute(), l.Location()).UTC()
	}
	return out
}

// prefilled is the booking form prefilled for a provider and a start (a
// click on free time in the calendar), on the clinic's clock.
func prefilled(providerID string, start time.Time, zone *time.Location) BookingForm {
	f := BookingForm{ProviderID: providerID}
	if !start.IsZero() {
		l := start.In(zone)
		f.Date, f.Time = l.Format(time.DateOnly), l.Format("15:04")
	}
	return f
}
