package auth

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
)

// Brute-force limits: after this many failed sign-ins in the window, further
// attempts are refused until old failures leave the window.
const (
	FailureWindow      = 15 * time.Minute
	MaxAccountFailures = 5
	MaxIPFailures      = 20
)

// FailuresCollection holds one document per failed sign-in. Counting
// documents is correct under concurrency on every store; a counter updated
// with $inc loses updates on the embedded database. It is a platform
// collection: the per-IP limit spans every clinic.
const FailuresCollection = "signin_failures"

// FailureIndexes serve the two counts.
var FailureIndexes = []db.Index{
	{Collection: FailuresCollection, Platform: true, Keys: bson.D{{Key: "tenantId", Value: 1}, {Key: "email", Value: 1}, {Key: "at", Value: -1}}},
	{Collection: FailuresCollection, Platform: true, Keys: bson.D{{Key: "ip", Value: 1}, {Key: "at", Value: -1}}},
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
	if _, err := l.coll.InsertOne(ctx, bson.D{
		{Key: "_id", Value: id}, {Key: "tenantId", Value: tenantID}, {Key: "email", Value: email},
		{Key: "ip", Value: ip}, {Key: "at", Value: now},
	}); err != nil {
		return nil, time.Time{}, err
	}
	a = &Attempt{l: l, id: id}
	since := now.Add(-FailureWindow)
	for _, limit := range []struct {
		q   bson.D
		max int64
	}{
		{bson.D{{Key: "tenantId", Value: tenantID}, {Key: "email", Value: email}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}}, MaxAccountFailures},
		{bson.D{{Key: "ip", Value: ip}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}}, MaxIPFailures},
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
	_, err := a.l.coll.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: a.id}})
	return err
}

// until is when enough failures have left the window for one more attempt.
func (l *Limiter) until(ctx context.Context, q bson.D, skip int64, now time.Time) time.Time {
	var fs []struct {
		At time.Time `bson:"at"`
	}
	_ = l.coll.Find(ctx, q, &fs, db.FindOptions{Sort: bson.D{{Key: "at", Value: 1}}, Skip: skip, Limit: 1})
	if len(fs) == 0 {
		return now.Add(FailureWindow)
	}
	return fs[0].At.Add(FailureWindow)
}

// Forget removes an account's failures after a successful sign-in.
func (l *Limiter) Forget(ctx context.Context, tenantID, email string) error {
	_, err := l.coll.DeleteMany(ctx, bson.D{{Key: "tenantId", Value: tenantID}, {Key: "email", Value: email}})
	return err
}

// DeleteOlderThan removes failures that left every window (cleanup job).
func (l *Limiter) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return l.coll.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: t}}}})
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
