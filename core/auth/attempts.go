package auth

import (
	"context"
	"strconv"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// Brute-force limits: after this many failed sign-ins in the window, further
// attempts are refused until old failures leave the window.
const (
	FailureWindow      = 15 * time.Minute
	MaxAccountFailures = 5
	MaxIPFailures      = 20
)

// FailuresCollection holds one document per failed sign-in: counting the
// documents in the window is correct under concurrency on every engine and
// lets old failures leave the window one by one. It is a platform
// collection: the per-IP limit spans every clinic.
const FailuresCollection = "signin_failures"

// FailureIndexes serve the two counts, and the clean-up job's delete by age.
var FailureIndexes = []db.Index{
	{Collection: FailuresCollection, Platform: true, Keys: []string{db.TenantField, "email", "-at"}},
	{Collection: FailuresCollection, Platform: true, Keys: []string{"ip", "-at"}},
	{Collection: FailuresCollection, Platform: true, Keys: []string{"at"}},
}

// failure is one failed (or in-flight) sign-in.
type failure struct {
	ID       string    `bson:"_id"`
	TenantID string    `bson:"tenantId"`
	Email    string    `bson:"email"`
	IP       string    `bson:"ip"`
	At       time.Time `bson:"at"`
}

// Limiter counts failed sign-ins (and other password and code checks).
type Limiter struct {
	coll *db.Collection
}

// NewLimiter returns the limiter on store.
func NewLimiter(store *db.Store) *Limiter {
	return &Limiter{coll: store.Platform("sign-in failures").Collection(FailuresCollection)}
}

// Attempt is one password or code check in progress. It is recorded as a
// failure before the check, so guesses sent at the same moment count each
// other: checking first and recording after would let every request in
// flight past the limit.
type Attempt struct {
	l  *Limiter
	id string
}

// Begin records an attempt for (tenant, email) from ip and reports whether
// it may go ahead. A refused attempt is removed at once (it does not
// lengthen the lockout) and until says when the next one may be made.
func (l *Limiter) Begin(ctx context.Context, tenantID, email, ip string, now time.Time) (a *Attempt, until time.Time, err error) {
	id := db.NewID()
	if err := l.coll.Insert(ctx, failure{ID: id, TenantID: tenantID, Email: email, IP: ip, At: now}); err != nil {
		return nil, time.Time{}, err
	}
	a = &Attempt{l: l, id: id}
	since := now.Add(-FailureWindow)
	for _, limit := range []struct {
		q   db.Filter
		max int64
	}{
		{db.And(db.Eq(db.TenantField, tenantID), db.Eq("email", email), db.Gt("at", since)), MaxAccountFailures},
		{db.And(db.Eq("ip", ip), db.Gt("at", since)), MaxIPFailures},
	} {
		n, err := l.coll.Count(ctx, limit.q)
		if err != nil {
			_ = a.Cancel(ctx) // nothing was checked
			return nil, time.Time{}, err
		}
		if earlier := n - 1; earlier >= limit.max { // this attempt is one of the n
			until := l.until(ctx, limit.q, earlier-limit.max, now)
			return nil, until, a.Cancel(ctx)
		}
	}
	return a, time.Time{}, nil
}

// Cancel removes the attempt: the password or code was right, or the
// attempt was refused before any check.
func (a *Attempt) Cancel(ctx context.Context) error {
	_, err := a.l.coll.Delete(context.WithoutCancel(ctx), db.ID(a.id))
	return err
}

// until is when enough failures have left the window for one more attempt.
func (l *Limiter) until(ctx context.Context, q db.Filter, skip int64, now time.Time) time.Time {
	var fs []struct {
		At time.Time `bson:"at"`
	}
	_ = l.coll.Find(ctx, q, &fs, db.FindOptions{Sort: []db.Order{db.Asc("at")}, Skip: skip, Limit: 1})
	if len(fs) == 0 {
		return now.Add(FailureWindow)
	}
	return fs[0].At.Add(FailureWindow)
}

// Forget removes an account's failures after a successful sign-in.
func (l *Limiter) Forget(ctx context.Context, tenantID, email string) error {
	_, err := l.coll.DeleteMany(ctx, db.And(db.Eq(db.TenantField, tenantID), db.Eq("email", email)))
	return err
}

// DeleteOlderThan removes failures that left every window (cleanup job).
func (l *Limiter) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return l.coll.DeleteMany(ctx, db.Lt("at", t))
}

// WaitMinutes says a wait in whole minutes, rounded up, for messages:
// "1 minute", "15 minutes".
func WaitMinutes(d time.Duration) string {
	n := max(int((d+time.Minute-1)/time.Minute), 1)
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}

func init() { db.ReservePlatform(FailuresCollection) }
