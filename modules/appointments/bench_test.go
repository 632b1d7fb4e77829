package appointments

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/services"
	settingsmod "github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// BenchmarkDayView measures the day calendar through real HTTP for a
// clinic of 10 providers with 30 appointments each (and a half-full day
// of 3 each, to compare): the round trips per request must not grow with
// the appointments (patients and services are read with one query each).
func BenchmarkDayView(b *testing.B) {
	s := apptest.Start(b, apptest.Options{}, signin.New(), dashboard.New(), patients.New(), services.New(), settingsmod.New(), New())
	for _, per := range []int{3, 30} {
		b.Run(fmt.Sprintf("providers=10/appointments=%d", per), func(b *testing.B) {
			cl := s.NewClinic(b, fmt.Sprintf("bench%d", per))
			seedDay(b, s, cl, 10, per)
			c := s.SignedIn(b, cl.Host, cl.Admin.Email)
			path := "/appointments?date=2030-01-07"
			c.Get(cl.Host, path) // warm the caches
			b.ReportAllocs()
			b.ResetTimer()
			before := s.DB.Commands()
			for b.Loop() {
				if r := c.Get(cl.Host, path); r.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, r.StatusCode)
				}
			}
			b.ReportMetric(float64(s.DB.Commands()-before)/float64(b.N), "roundtrips/op")
		})
	}
}

// seedDay stores providers (doctors) with per appointments each on
// 7 January 2030, every one with its own patient and a service.
func seedDay(b *testing.B, s *apptest.Server, cl *apptest.Clinic, providers, per int) {
	ctx := context.Background()
	svc := db.NewID()
	if err := cl.DB.Collection("services").Insert(ctx, map[string]any{"_id": svc, "name": "Consultation", "nameKey": "consultation",
		"code": "CONS", "minutes": 15, "active": true}); err != nil {
		b.Fatal(err)
	}
	store := records.For[Appointment](cl.DB, kind)
	day := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
	n := 0
	for p := range providers {
		u := s.NewUser(b, cl, "doctor", fmt.Sprintf("Doctor %02d", p), fmt.Sprintf("doc%d@%s.test", p, cl.Subdomain))
		var recs []*Appointment
		for i := range per {
			n++
			pid := db.NewID()
			if err := cl.DB.Collection("patients").Insert(ctx, map[string]any{"_id": pid, "active": true, "number": n,
				"firstName": "Pat", "lastName": fmt.Sprintf("Number%d", n)}); err != nil {
				b.Fatal(err)
			}
			start := day.Add(time.Duration(i) * 20 * time.Minute)
			recs = append(recs, &Appointment{PatientID: pid, ProviderID: u.ID, ServiceID: svc, Status: StatusBooked,
				Span: Span{Start: start, Minutes: 15, End: start.Add(15 * time.Minute)}})
		}
		if err := store.Import(ctx, recs, cl.Admin.ID, s.Clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
