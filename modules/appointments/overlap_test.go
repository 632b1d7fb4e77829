package appointments_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
)

// testOverlaps books a first appointment, then a second one for the same
// provider (one per case) and another patient: refused exactly when their spans overlap,
// whatever the offsets the times are written in.
func testOverlaps(t *testing.T, e env) {
	for _, tc := range []struct {
		name          string
		first, second string // start/minutes
		firstMin      int
		secondMin     int
		overlap       bool
	}{
		{"inside", "2030-02-04T09:00:00Z", "2030-02-04T09:10:00Z", 60, 15, true},
		{"straddling the start", "2030-02-05T09:00:00Z", "2030-02-05T08:45:00Z", 30, 30, true},
		{"straddling the end", "2030-02-06T09:00:00Z", "2030-02-06T09:25:00Z", 30, 30, true},
		{"around it", "2030-02-07T09:00:00Z", "2030-02-07T08:00:00Z", 30, 180, true},
		{"identical", "2030-02-08T09:00:00Z", "2030-02-08T09:00:00Z", 30, 30, true},
		{"touching after", "2030-02-11T09:00:00Z", "2030-02-11T09:30:00Z", 30, 30, false},
		{"touching before", "2030-02-12T09:00:00Z", "2030-02-12T08:30:00Z", 30, 30, false},
		{"the same instant in another offset", "2030-02-13T09:00:00Z", "2030-02-13T10:15:00+01:00", 30, 30, true},
		{"across midnight", "2030-02-14T23:30:00Z", "2030-02-15T00:15:00Z", 60, 30, true},
		{"after a span across midnight", "2030-02-16T23:30:00Z", "2030-02-17T00:30:00Z", 60, 30, false},
		// Berlin springs forward at 02:00 on 29 March 2026: 01:30+01:00
		// for 90 minutes ends at 04:00+02:00, an hour of wall clock later.
		{"across the spring DST change", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00", 90, 30, true},
		{"after the spring DST change", "2026-03-29T01:30:00+01:00", "2026-03-29T04:00:00+02:00", 90, 30, false},
		// and falls back at 03:00 on 25 October 2026: 02:30 happens twice.
		{"the second 02:30 of the autumn change", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", 30, 30, false},
		{"across the autumn DST change", "2026-10-25T02:00:00+02:00", "2026-10-25T02:15:00+01:00", 90, 30, true},
	} {
		doc := e.s.NewUser(t, e.cl, "doctor", "Doctor "+tc.name, strings.ReplaceAll(tc.name, " ", "-")+"@overlaps.test")
		first := e.mustBook(t, booking(e.patient(t), doc.ID, tc.first, tc.firstMin, ""))
		st, _, in := e.book(t, e.admin, booking(e.patient(t), doc.ID, tc.second, tc.secondMin, ""))
		switch {
		case tc.overlap && (st != http.StatusConflict || in != first.ID):
			t.Errorf("%s: %d naming %q, want 409 naming the first", tc.name, st, in)
		case !tc.overlap && st != http.StatusCreated:
			t.Errorf("%s: %d, want 201", tc.name, st)
		}
	}
}

// testClinicDay lists a clinic day in the clinic's zone: the 23-hour day
// of the spring change in Berlin holds what starts between its two local
// midnights, and nothing of the days around it.
func testClinicDay(t *testing.T, e env) {
	ctx := context.Background()
	st, err := settings.Load(ctx, e.cl.DB)
	if err != nil {
		t.Fatal(err)
	}
	st.Timezone = "Europe/Berlin"
	if err := settings.Save(ctx, e.cl.DB, st, e.s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	before := e.mustBook(t, booking(e.patient(t), e.doctor.ID, "2026-03-28T23:55:00+01:00", 5, ""))
	first := e.mustBook(t, booking(e.patient(t), e.doctor.ID, "2026-03-29T00:00:00+01:00", 30, ""))
	last := e.mustBook(t, booking(e.patient(t), e.doctor.ID, "2026-03-29T23:55:00+02:00", 5, ""))
	after := e.mustBook(t, booking(e.patient(t), e.doctor.ID, "2026-03-30T00:00:00+02:00", 5, ""))
	code, out, _ := e.call(t, e.admin, http.MethodGet, "/api/appointments?date=2026-03-29", "")
	if code != http.StatusOK {
		t.Fatalf("the day: %d", code)
	}
	var ids []string
	for _, a := range apptest.Data[struct{ Appointments []appt }](t, out).Appointments {
		ids = append(ids, a.ID)
	}
	if want := []string{first.ID, last.ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("29 March in Berlin: %v, want %v (not %s before nor %s after)", ids, want, before.ID, after.ID)
	}
}

// testOwnStatus: a doctor moves their own patients along, not another
// provider's, and neither reschedules nor cancels.
func testOwnStatus(t *testing.T, e env) {
	other := e.s.NewUser(t, e.cl, "doctor", "Olu Other", "olu@own.test")
	mine := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	theirs := e.mustBook(t, booking(e.patient(t), other.ID, at(9, 0), 30, ""))
	doc := e.s.SignedIn(t, e.cl.Host, e.doctor.Email)
	move := func(id string, body string) int {
		st, _, _ := e.call(t, doc, http.MethodPost, "/api/appointments/"+id+"/status", body)
		return st
	}
	if st := move(mine.ID, `{"status":"arrived","version":1}`); st != http.StatusOK {
		t.Fatalf("the doctor records an arrival of their own appointment: %d", st)
	}
	if st := move(theirs.ID, `{"status":"arrived","version":1}`); st != http.StatusForbidden {
		t.Fatalf("the doctor records an arrival for another doctor: %d, want 403", st)
	}
	if st := move(mine.ID, `{"status":"cancelled","version":2,"reason":"r"}`); st != http.StatusForbidden {
		t.Fatalf("the doctor cancels: %d, want 403", st)
	}
}

// testTimeline: the patient's page lists their next appointments apart
// from past ones.
func testTimeline(t *testing.T, e env) {
	r, out := e.admin.API(e.cl.Host, http.MethodPost, "/api/patients",
		`{"firstName":"Tina","lastName":"Timeline","dateOfBirth":"1980-01-02","sex":"female"}`)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("patient: %d %s", r.StatusCode, r.Body)
	}
	p := apptest.Data[struct{ ID string }](t, out).ID
	now := e.s.Clock.Now().UTC().Truncate(time.Hour)
	e.mustBook(t, booking(p, e.doctor.ID, now.Add(-48*time.Hour).Format(time.RFC3339), 20, `,"reason":"Check-up"`))
	e.mustBook(t, booking(p, e.doctor.ID, now.Add(72*time.Hour).Format(time.RFC3339), 25, ""))
	page := e.admin.Get(e.cl.Host, "/patients/"+p).Body
	up, past := strings.Index(page, "Upcoming"), strings.Index(page, "Past")
	if up < 0 || past < up || !strings.Contains(page[up:past], "25 min with Dana Doctor") ||
		!strings.Contains(page[past:], "20 min with Dana Doctor") || !strings.Contains(page[past:], "Check-up") {
		t.Fatalf("the patient's timeline:\n%s", page)
	}
}

// testServiceMinutes: a booking of a service without minutes lasts the
// service's usual time.
func testServiceMinutes(t *testing.T, e env) {
	id := db.NewID()
	if err := e.cl.DB.Collection("services").Insert(context.Background(), map[string]any{"_id": id, "active": true, "minutes": 45}); err != nil {
		t.Fatal(err)
	}
	a := e.mustBook(t, fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":%q,"serviceId":%q}`, e.patient(t), e.doctor.ID, at(9, 0), id))
	if a.Minutes != 45 {
		t.Fatalf("minutes %d, want the service's 45", a.Minutes)
	}
}

// testCompletedEarly: an appointment completed before its end lets the
// rest of its time go, from the next five-minute step: a booking of it
// succeeds, one of the time it used is refused.
func testCompletedEarly(t *testing.T, e env) {
	now := e.s.Clock.Now().UTC().Truncate(time.Hour)
	start := now.Add(-20 * time.Minute) // began 20 minutes ago, for an hour
	a := e.mustBook(t, booking(e.patient(t), e.doctor.ID, start.Format(time.RFC3339), 60, ""))
	for i, st := range []string{"arrived", "in-consultation", "completed"} {
		if code, _ := e.status(t, a.ID, st, int64(i+1), ""); code != http.StatusOK {
			t.Fatalf("%s: %d", st, code)
		}
	}
	// Completed at the clock's minute: the units up to the next step stay.
	done := e.s.Clock.Now().UTC()
	next := done.Truncate(5 * time.Minute)
	if next.Before(done) {
		next = next.Add(5 * time.Minute)
	}
	if want := int64(2 * int(next.Sub(start)/(5*time.Minute))); e.claims(t, a.ID) != want {
		t.Fatalf("the completed appointment holds %d claims, want %d", e.claims(t, a.ID), want)
	}
	e.mustBook(t, booking(e.patient(t), e.doctor.ID, next.Format(time.RFC3339), 15, ""))
	e.wantTaken(t, "the time it used", booking(e.patient(t), e.doctor.ID, start.Format(time.RFC3339), 5, ""), a.ID)
	free := e.freeStarts(t, start, 60)
	if len(free) == 0 || free[0].Before(next) {
		t.Fatalf("free times %v offer the time the completed appointment used (until %v)", free, next)
	}
}

// freeStarts are the doctor's next free starts from from (the API).
func (e env) freeStarts(t *testing.T, from time.Time, minutes int) []time.Time {
	t.Helper()
	_, out, _ := e.call(t, e.admin, http.MethodGet, fmt.Sprintf("/api/appointments/free?providerId=%s&minutes=%d&from=%s&max=3",
		e.doctor.ID, minutes, from.Format(time.DateOnly)), "")
	var got []time.Time
	for _, s := range apptest.Data[struct{ Slots []struct{ Start time.Time } }](t, out).Slots {
		got = append(got, s.Start)
	}
	return got
}

// testStrayClaim: a claim of a live appointment at a time it no longer
// holds (a move that died half way) stands for a minute, then is taken
// over alone — the appointment keeps its own claims.
func testStrayClaim(t *testing.T, e env) {
	a := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, ""))
	now := e.s.Clock.Now()
	for _, c := range []struct {
		hour int
		at   time.Time
	}{{14, now}, {15, now.Add(-2 * time.Minute)}} {
		stray := map[string]any{"_id": db.NewID(), "resource": "provider:" + e.doctor.ID,
			"unit": day.Add(time.Duration(c.hour)*time.Hour).Unix() / 300, "appointmentId": a.ID, "at": c.at}
		if err := e.cl.DB.Collection("appointment_slots").Insert(context.Background(), stray); err != nil {
			t.Fatal(err)
		}
	}
	e.wantTaken(t, "a stray claim of a move maybe still at work", booking(e.patient(t), e.doctor.ID, at(14, 0), 30, ""), a.ID)
	e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(15, 0), 30, ""))
	if n := e.claims(t, a.ID); n != 12+1 {
		t.Fatalf("the appointment holds %d claims after the takeover, want its 12 and the young stray", n)
	}
}

// testRoomSpelling: a room is one room however its name is typed.
func testRoomSpelling(t *testing.T, e env) {
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@rooms.test")
	first := e.mustBook(t, booking(e.patient(t), e.doctor.ID, at(9, 0), 30, `,"roomId":"Room 2"`))
	e.wantTaken(t, "the room in other letters", booking(e.patient(t), nurse.ID, at(9, 10), 10, `,"roomId":"  room   2 "`), first.ID)
}
