package appointments

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/modules/appointments/schedule"
)

// Demo is what SeedDemo fills a clinic's calendar with.
type Demo struct {
	Providers []string // user ids of staff who see patients
	Services  []string // service ids, optional
	Zone      *time.Location
	Seed      uint64
	Now       time.Time
	// Back and Ahead are how many days before and after today are
	// filled: two weeks each way when zero.
	Back, Ahead int
}

// SeedDemo gives a clinic working hours (the clinic open Monday to Friday
// 08:00–18:00 and Saturday morning; each provider their own week) and a
// realistic month of appointments: two weeks behind (completed, the odd
// no-show and cancellation), today (some arrived, one in consultation) and
// two weeks ahead (booked), most of each provider's hours filled. Every
// appointment holding time holds its claims, as a booking would. A clinic
// with appointments already keeps its calendar as it is. It returns how
// many appointments it stored.
func SeedDemo(ctx context.Context, tdb *db.Tenant, d Demo) (int, error) {
	rng := rand.New(rand.NewPCG(d.Seed, d.Seed^0x5851f42d4c957f2d))
	if err := seedHours(ctx, tdb, d); err != nil {
		return 0, err
	}
	if n, err := tdb.Collection(kind.Collection).Count(ctx, db.Filter{}); err != nil || n > 0 {
		return 0, err
	}
	var patients []struct {
		ID string `bson:"_id"`
	}
	if err := tdb.Collection("patients").Find(ctx, db.Eq("active", true), &patients, db.FindOptions{Limit: 5000}); err != nil {
		return 0, err
	}
	if len(patients) == 0 || len(d.Providers) == 0 {
		return 0, nil
	}
	clinic, err := clinicHours(ctx, tdb)
	if err != nil {
		return 0, err
	}
	hours := map[string]schedule.Hours{clinicOwner: clinic}
	for _, p := range d.Providers {
		if hours[p], err = hoursOfProvider(ctx, tdb, clinic, p); err != nil {
			return 0, err
		}
	}
	st := records.For[Appointment](tdb, kind)
	sl := slots{tdb: tdb, store: st, now: d.Now}
	today := d.Now.In(d.Zone)
	held := map[key]bool{} // every unit claimed so far: a patient is never in two places
	total := 0
	for offset := -cmp.Or(d.Back, 14); offset <= cmp.Or(d.Ahead, 14); offset++ {
		day := time.Date(today.Year(), today.Month(), today.Day()+offset, 0, 0, 0, 0, d.Zone)
		var kept []*Appointment
		var claims []key
		var claimOf []string
		for _, p := range d.Providers {
			for _, r := range openFrom(hours[clinicOwner], hours[p], day.Year(), day.Month(), day.Day(), d.Zone) {
				for _, a := range demoDay(rng, d, p, r, func() string { return patients[rng.IntN(len(patients))].ID }) {
					if !a.claimsTime() {
						kept = append(kept, a)
						continue
					}
					ks := a.keys()
					if slices.ContainsFunc(ks, func(k key) bool { return held[k] }) {
						continue // the patient is booked elsewhere then
					}
					for _, k := range ks {
						held[k] = true
						claimOf = append(claimOf, a.ID)
					}
					claims, kept = append(claims, ks...), append(kept, a)
				}
			}
		}
		if len(kept) == 0 {
			continue
		}
		if err := sl.insertFor(ctx, claims, claimOf); err != nil {
			return total, fmt.Errorf("appointments: demo: %w", err)
		}
		if err := st.Import(ctx, kept, "demo", d.Now); err != nil {
			return total, fmt.Errorf("appointments: demo: %w", err)
		}
		total += len(kept)
	}
	return total, nil
}

// demoDay fills one open range of a provider: mostly back to back, with
// gaps, each appointment 15, 20 or 30 minutes.
func demoDay(rng *rand.Rand, d Demo, provider string, r schedule.Range, patient func() string) []*Appointment {
	var out []*Appointment
	reasons := []string{"Check-up", "Follow-up", "Blood pressure review", "Vaccination", "Cough and fever", "Back pain",
		"Prescription renewal", "Test results", "Skin rash", "Headaches", ""}
	for t := r.Start; ; {
		minutes := []int{15, 20, 30, 30}[rng.IntN(4)]
		end := t.Add(time.Duration(minutes) * time.Minute)
		if end.After(r.End) {
			return out
		}
		if rng.IntN(10) < 3 { // a gap
			t = t.Add(15 * time.Minute)
			continue
		}
		a := &Appointment{Meta: records.Meta{ID: db.NewID(), Active: true}, PatientID: patient(), ProviderID: provider,
			Reason: reasons[rng.IntN(len(reasons))], Span: Span{Start: t.UTC(), Minutes: minutes, End: end.UTC()}}
		if len(d.Services) > 0 {
			a.ServiceID = d.Services[rng.IntN(len(d.Services))]
		}
		a.Status = demoStatus(rng, a, d.Now)
		if a.Status == StatusArrived {
			at := a.Start.Add(-time.Duration(rng.IntN(15)) * time.Minute)
			a.ArrivedAt = &at
		}
		if a.Status == StatusCancelled {
			a.CancelledBy, a.CancelReason = "demo", "The patient called to cancel."
		}
		out = append(out, a)
		t = end
	}
}

// demoStatus is where an appointment would be at now: done in the past,
// under way now, booked ahead; a few cancelled or missed.
func demoStatus(rng *rand.Rand, a *Appointment, now time.Time) string {
	roll := rng.IntN(100)
	switch {
	case roll < 4:
		return StatusCancelled
	case a.End.Before(now) && roll < 8:
		return StatusNoShow
	case a.End.Before(now):
		return StatusCompleted
	case !a.Start.After(now):
		return StatusInConsultation
	case a.Start.Sub(now) < 45*time.Minute:
		return StatusArrived
	}
	return StatusBooked
}

// seedHours saves the demo clinic's opening hours and its providers'
// working hours, unless the clinic has its own already.
func seedHours(ctx context.Context, tdb *db.Tenant, d Demo) error {
	st := records.For[Schedule](tdb, scheduleKind)
	h := func(from, to int) schedule.Interval { return schedule.Interval{From: from * 60, To: to * 60} }
	var clinic schedule.Week
	for day := time.Monday; day <= time.Friday; day++ {
		clinic[day] = []schedule.Interval{h(8, 18)}
	}
	clinic[time.Saturday] = []schedule.Interval{h(9, 13)}
	weeks := []schedule.Week{clinic}
	for i := range d.Providers {
		var w schedule.Week
		for day := time.Monday; day <= time.Friday; day++ {
			switch i % 3 {
			case 0: // mornings and afternoons with a lunch break
				w[day] = []schedule.Interval{{From: 8*60 + 30, To: 12*60 + 30}, {From: 13*60 + 30, To: 17*60 + 30}}
			case 1: // three long days and Saturday morning
				if day == time.Monday || day == time.Wednesday || day == time.Friday {
					w[day] = []schedule.Interval{h(9, 17)}
				}
			default:
				w[day] = []schedule.Interval{h(8, 16)}
			}
		}
		if i%3 == 1 {
			w[time.Saturday] = []schedule.Interval{h(9, 13)}
		}
		weeks = append(weeks, w)
	}
	for i, owner := range append([]string{clinicOwner}, d.Providers...) {
		if s, err := scheduleOf(ctx, tdb, owner); err != nil || s != nil {
			if err != nil {
				return err
			}
			continue
		}
		s := &Schedule{Meta: records.Meta{ID: db.NewID(), Active: true}, Owner: owner, Week: docOf(weeks[i])}
		if err := st.Create(ctx, s, "demo", d.Now); err != nil && !db.IsDuplicate(err) {
			return err
		}
	}
	return nil
}
