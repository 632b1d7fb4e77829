package appointments_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/modules/appointments"
)

// testDemo fills a clinic's calendar as `ward seed demo` does: a month of
// appointments within the providers' hours, none of a provider or patient
// overlapping another that holds time, each such one holding its claims.
func testDemo(t *testing.T, e env) {
	ctx := context.Background()
	for range 40 {
		e.patient(t)
	}
	nurse := e.s.NewUser(t, e.cl, "nurse", "Nia Nurse", "nia@demo.test")
	now := e.s.Clock.Now()
	n, err := appointments.SeedDemo(ctx, e.cl.DB, appointments.Demo{Providers: []string{e.doctor.ID, nurse.ID},
		Zone: time.UTC, Seed: 7, Now: now, Back: 2, Ahead: 2})
	if err != nil || n < 20 {
		t.Fatalf("demo: %d appointments, %v", n, err)
	}
	stored := apptest.Find[appt](t, e.cl.DB.Collection("appointments"), db.Filter{})
	if len(stored) != n {
		t.Fatalf("%d stored, %d reported", len(stored), n)
	}
	busy := map[string][]appt{}
	statuses := map[string]int{}
	for _, a := range stored {
		statuses[a.Status]++
		if a.Status != "cancelled" && a.Status != "no-show" {
			busy["provider:"+a.ProviderID] = append(busy["provider:"+a.ProviderID], a)
			busy["patient:"+a.PatientID] = append(busy["patient:"+a.PatientID], a)
			if got := e.claims(t, a.ID); got != int64(2*a.Minutes/5) {
				t.Fatalf("%+v holds %d claims", a, got)
			}
		}
		if local := a.Start.In(time.UTC); local.Hour() < 8 || local.Hour() >= 18 {
			t.Fatalf("%+v outside the clinic's hours", a)
		}
	}
	for who, as := range busy {
		sort.Slice(as, func(i, j int) bool { return as[i].Start.Before(as[j].Start) })
		for i := 1; i < len(as); i++ {
			if as[i].Start.Before(as[i-1].Start.Add(time.Duration(as[i-1].Minutes) * time.Minute)) {
				t.Fatalf("%s: %+v overlaps %+v", who, as[i-1], as[i])
			}
		}
	}
	for _, s := range []string{"completed", "booked", "cancelled"} {
		if statuses[s] == 0 {
			t.Fatalf("no %s appointment in the demo: %v", s, statuses)
		}
	}
	if again, err := appointments.SeedDemo(ctx, e.cl.DB, appointments.Demo{Providers: []string{e.doctor.ID}, Zone: time.UTC, Seed: 8, Now: now}); err != nil || again != 0 {
		t.Fatalf("a second demo over the calendar: %d, %v", again, err)
	}
}
