package tenant

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// Sign-up limits: signing up a clinic is open to anyone, and each clinic
// made sends mail and holds data, so the clinics made in the last hour are
// counted from each client address and across the platform.
const (
	SignupWindow    = time.Hour
	MaxSignupsPerIP = 3
	MaxSignups      = 50
)

// SignupsCollection holds one document per clinic made (or being made) by
// the sign-up form: counting the documents in the window is correct under
// concurrency on every engine, as the sign-in limits are (core/auth).
const SignupsCollection = "clinic_signups"

// SignupIndexes serve the two counts and the clean-up by age.
var SignupIndexes = []db.Index{
	{Collection: SignupsCollection, Platform: true, Keys: []string{"ip", "at"}},
	{Collection: SignupsCollection, Platform: true, Keys: []string{"at"}},
}

type signup struct {
	ID string    `bson:"_id"`
	IP string    `bson:"ip"`
	At time.Time `bson:"at"`
}

// Signups counts clinics made through the sign-up form.
type Signups struct {
	coll *db.Collection
}

// NewSignups returns the sign-up counter on store.
func NewSignups(store *db.Store) *Signups {
	return &Signups{coll: store.Platform("clinic sign-ups").Collection(SignupsCollection)}
}

// SignupLimitError refuses a sign-up over a limit.
type SignupLimitError struct {
	PerIP bool      // the client's own limit, not the platform's
	Until time.Time // when one more sign-up will be allowed
}

func (e *SignupLimitError) Error() string {
	if e.PerIP {
		return "tenant: too many clinics signed up from this address"
	}
	return "tenant: too many clinics signed up"
}

// Signup is one sign-up in progress, counted until cancelled.
type Signup struct {
	s  *Signups
	id string
}

// Begin records a sign-up from ip and reports whether it may go ahead
// (*SignupLimitError if not). It is recorded before counting, so sign-ups
// sent at the same moment count each other: counting first would let
// every one in flight past the limit. A refused one is removed at once.
func (s *Signups) Begin(ctx context.Context, ip string, now time.Time) (*Signup, error) {
	ip = Network(ip) // an IPv6 client counts by its /64
	id := db.NewID()
	if err := s.coll.Insert(ctx, signup{ID: id, IP: ip, At: now}); err != nil {
		return nil, err
	}
	su := &Signup{s: s, id: id}
	since := now.Add(-SignupWindow)
	for _, limit := range []struct {
		q     db.Filter
		max   int64
		perIP bool
	}{
		{db.And(db.Eq("ip", ip), db.Gt("at", since)), MaxSignupsPerIP, true},
		{db.Gt("at", since), MaxSignups, false},
	} {
		n, err := s.coll.Count(ctx, limit.q)
		if err != nil {
			_ = su.Cancel(ctx)
			return nil, err
		}
		if earlier := n - 1; earlier >= limit.max { // this sign-up is one of the n
			until := s.until(ctx, limit.q, earlier-limit.max, now)
			if err := su.Cancel(ctx); err != nil {
				return nil, err
			}
			return nil, &SignupLimitError{PerIP: limit.perIP, Until: until}
		}
	}
	return su, nil
}

// Cancel removes a sign-up that made no clinic.
func (su *Signup) Cancel(ctx context.Context) error {
	_, err := su.s.coll.Delete(context.WithoutCancel(ctx), db.ID(su.id))
	return err
}

// until is when enough sign-ups have left the window for one more.
func (s *Signups) until(ctx context.Context, q db.Filter, skip int64, now time.Time) time.Time {
	var first []signup
	_ = s.coll.Find(ctx, q, &first, db.FindOptions{Sort: []db.Order{db.Asc("at")}, Skip: skip, Limit: 1})
	if len(first) == 0 {
		return now.Add(SignupWindow)
	}
	return first[0].At.Add(SignupWindow)
}

// DeleteOlderThan removes sign-ups that left the window (clean-up job).
func (s *Signups) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return s.coll.DeleteMany(ctx, db.Lt("at", t))
}

func init() { db.ReservePlatform(SignupsCollection) }
