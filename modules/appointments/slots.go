package appointments

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
	"github.com/wardclinic/ward/modules/appointments/schedule"
)

// slotsCollection holds the claims: one document per resource and unit an
// appointment holds, unique on {tenantId, resource, unit}.
const slotsCollection = "appointment_slots"

// Unit is the step of the schedule: appointments start and last whole units.
const Unit = 5 * time.Minute

// orphanAge is how old a claim that guards nothing must be before
// another booking may take it over: long enough that the booking or move
// which made it has finished.
const orphanAge = time.Minute

// slot is one claim: resource ("provider:<id>", "patient:<id>",
// "room:<id>") holds unit (5-minute steps since the Unix epoch) for an
// appointment since at.
type slot struct {
	ID            string    `bson:"_id"`
	Resource      string    `bson:"resource"`
	Unit          int64     `bson:"unit"`
	AppointmentID string    `bson:"appointmentId"`
	At            time.Time `bson:"at"`
}

// key is one resource's unit.
type key struct {
	resource string
	unit     int64
}

// units are the units [start, end) covers (both on whole units).
func units(start, end time.Time) []int64 {
	step := int64(Unit / time.Second)
	first, last := start.Unix()/step, end.Unix()/step
	out := make([]int64, 0, max(last-first, 0))
	for u := first; u < last; u++ {
		out = append(out, u)
	}
	return out
}

// roomKey is a room as its claims name it: "Room 2", "room 2" and
// "ROOM  2" are one room.
func roomKey(room string) string { return strings.Join(strings.Fields(strings.ToLower(room)), " ") }

// heldEnd is when the appointment lets its time go: its end, or, for one
// completed before its end, the five-minute step after it was completed
// (never before its start).
func (a *Appointment) heldEnd() time.Time {
	if a.Status == StatusCompleted && a.CompletedAt != nil {
		done := a.CompletedAt.Truncate(Unit)
		if done.Before(*a.CompletedAt) {
			done = done.Add(Unit)
		}
		if done.Before(a.End) {
			return schedule.Later(done, a.Start)
		}
	}
	return a.End
}

// holdingTime are the statuses of appointments that hold their time (a
// completed one until it was completed, see heldEnd).
var holdingTime = []string{StatusRequested, StatusBooked, StatusArrived, StatusInConsultation, StatusCompleted}

// holdsTime reports whether an appointment in status keeps its time.
func holdsTime(status string) bool { return slices.Contains(holdingTime, status) }

// claimsTime reports whether the appointment holds claims of its units:
// it holds its time and was not booked over others on purpose.
func (a *Appointment) claimsTime() bool { return !a.Overbooked && holdsTime(a.Status) }

// resources are what an appointment occupies: its provider, its patient
// (once it has a record) and its room if it has one.
func (a *Appointment) resources() []string {
	rs := []string{"provider:" + a.ProviderID}
	if a.PatientID != "" { // a request online has no patient record yet
		rs = append(rs, "patient:"+a.PatientID)
	}
	if a.RoomID != "" {
		rs = append(rs, "room:"+roomKey(a.RoomID))
	}
	return rs
}

// keys are every (resource, unit) the appointment holds while it holds
// its time, provider first:
// two bookings of one provider's time race on the same first claim.
func (a *Appointment) keys() []key {
	var out []key
	for _, r := range a.resources() {
		for _, u := range units(a.Start, a.heldEnd()) {
			out = append(out, key{r, u})
		}
	}
	return out
}

// errTaken is a booking refused by a claim: Blocker is the appointment in
// the way.
type errTaken struct{ Blocker string }

func (e *errTaken) Error() string { return "appointments: time taken by " + e.Blocker }

// slots claims and releases one clinic's units.
type slots struct {
	tdb   *db.Tenant
	store records.Store[Appointment, *Appointment]
	now   time.Time
}

func (s slots) coll() *db.Collection { return s.tdb.Collection(slotsCollection) }

// claim takes keys for the appointment id, all or none. A key held by a
// claim that guards nothing (see orphan) is taken over; any other holder
// is *errTaken naming its appointment. It returns the ids of the claims
// it made.
func (s slots) claim(ctx context.Context, id string, keys []key) ([]string, error) {
	const tries = 20 // each try takes over at least one orphan, or ends
	for range tries {
		ids, err := s.insert(ctx, id, keys)
		if !db.IsDuplicate(err) {
			return ids, err
		}
		in, err := s.inTheWay(ctx, id, keys)
		if err != nil {
			return nil, err
		}
		if in == nil {
			continue // the holder let go meanwhile
		}
		gone, err := s.orphan(ctx, in)
		if err != nil {
			return nil, err
		}
		if gone.IsAll() {
			return nil, &errTaken{Blocker: in.AppointmentID}
		}
		if _, err := s.coll().DeleteMany(ctx, gone); err != nil {
			return nil, err
		}
	}
	return nil, &errTaken{}
}

// insert inserts the claims; on failure those it made are deleted again
// (by their ids: a reschedule's other claims stay).
func (s slots) insert(ctx context.Context, id string, keys []key) ([]string, error) {
	docs, ids := make([]any, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		ids[i] = db.NewID()
		docs[i] = slot{ID: ids[i], Resource: k.resource, Unit: k.unit, AppointmentID: id, At: s.now}
	}
	err := s.coll().InsertMany(ctx, docs)
	if err != nil {
		_, _ = s.coll().DeleteMany(context.WithoutCancel(ctx), db.In(db.IDField, ids))
		return nil, err
	}
	return ids, nil
}

// insertFor inserts claims of many appointments at once (keys[i] for
// appointment ids[i]), none of which may be taken: demo data and imports,
// which know their appointments do not overlap.
func (s slots) insertFor(ctx context.Context, keys []key, ids []string) error {
	docs := make([]any, len(keys))
	for i, k := range keys {
		docs[i] = slot{ID: db.NewID(), Resource: k.resource, Unit: k.unit, AppointmentID: ids[i], At: s.now}
	}
	return s.coll().InsertMany(ctx, docs)
}

// drop deletes claims by id (a reschedule that did not happen).
func (s slots) drop(ctx context.Context, ids []string) {
	if len(ids) > 0 {
		_, _ = s.coll().DeleteMany(context.WithoutCancel(ctx), db.In(db.IDField, ids))
	}
}

// inTheWay is a claim of another appointment on one of keys, or nil.
func (s slots) inTheWay(ctx context.Context, id string, keys []key) (*slot, error) {
	var res []string
	var us []int64
	want, seenR, seenU := map[key]bool{}, map[string]bool{}, map[int64]bool{}
	for _, k := range keys {
		want[k] = true
		if !seenR[k.resource] {
			seenR[k.resource] = true
			res = append(res, k.resource)
		}
		if !seenU[k.unit] {
			seenU[k.unit] = true
			us = append(us, k.unit)
		}
	}
	var found []slot
	if err := s.coll().Find(ctx, db.And(db.In("resource", res), db.In("unit", us)), &found, db.FindOptions{Limit: 1000}); err != nil {
		return nil, err
	}
	for i := range found {
		if f := &found[i]; f.AppointmentID != id && want[key{f.Resource, f.Unit}] {
			return f, nil
		}
	}
	return nil, nil
}

// orphan is what to clear when the claim in the way guards nothing: all
// the claims of an appointment that was never stored or has let its time
// go, or this one claim when its appointment lives at another time (a
// reschedule or a release that died half way). A claim younger than
// orphanAge may belong to a booking still at work: it stands. A claim that
// stands is the empty filter.
func (s slots) orphan(ctx context.Context, in *slot) (db.Filter, error) {
	if s.now.Sub(in.At) < orphanAge {
		return db.Filter{}, nil
	}
	a, err := s.store.Get(ctx, in.AppointmentID)
	switch {
	case errors.Is(err, records.ErrNotFound):
		return db.Eq("appointmentId", in.AppointmentID), nil
	case err != nil:
		return db.Filter{}, err
	case !a.claimsTime():
		return db.Eq("appointmentId", in.AppointmentID), nil
	case !slices.Contains(a.keys(), key{in.Resource, in.Unit}):
		return db.ID(in.ID), nil
	}
	return db.Filter{}, nil
}

// release deletes the appointment's claims except keep.
func (s slots) release(ctx context.Context, id string, keep []key) error {
	var held []slot
	if err := s.coll().Find(ctx, db.Eq("appointmentId", id), &held, db.FindOptions{Limit: 10000}); err != nil {
		return err
	}
	stay := map[key]bool{}
	for _, k := range keep {
		stay[k] = true
	}
	var drop []string
	for _, h := range held {
		if !stay[key{h.Resource, h.Unit}] {
			drop = append(drop, h.ID)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	_, err := s.coll().DeleteMany(context.WithoutCancel(ctx), db.In(db.IDField, drop))
	return err
}
