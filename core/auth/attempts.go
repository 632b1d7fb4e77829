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

// Limiter counts failed sign-ins.
type Limiter struct {
	coll *db.Collection
}

// NewLimiter returns the limiter on store.
func NewLimiter(store *db.Store) *Limiter {
	return &Limiter{coll: store.Platform("sign-in failures").Collection(FailuresCollection)}
}

// Blocked reports whether sign-in for (tenant, email) from ip is refused now,
// and until when at the latest.
func (l *Limiter) Blocked(ctx context.Context, tenantID, email, ip string, now time.Time) (bool, time.Time, error) {
	since := now.Add(-FailureWindow)
	byAccount := bson.D{{Key: "tenantId", Value: tenantID}, {Key: "email", Value: email}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}}
	n, err := l.coll.Count(ctx, byAccount)
	if err != nil {
		return false, time.Time{}, err
	}
	if n >= MaxAccountFailures {
		return true, l.until(ctx, byAccount, n-MaxAccountFailures, now), nil
	}
	byIP := bson.D{{Key: "ip", Value: ip}, {Key: "at", Value: bson.D{{Key: "$gt", Value: since}}}}
	n, err = l.coll.Count(ctx, byIP)
	if err != nil {
		return false, time.Time{}, err
	}
	if n >= MaxIPFailures {
		return true, l.until(ctx, byIP, n-MaxIPFailures, now), nil
	}
	return false, time.Time{}, nil
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

// Fail records a failed sign-in.
func (l *Limiter) Fail(ctx context.Context, tenantID, email, ip string, now time.Time) error {
	_, err := l.coll.InsertOne(ctx, bson.D{
		{Key: "_id", Value: db.NewID()}, {Key: "tenantId", Value: tenantID}, {Key: "email", Value: email},
		{Key: "ip", Value: ip}, {Key: "at", Value: now},
	})
	return err
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
