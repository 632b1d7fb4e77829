package auth

import (
	"context"
	"strconv"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// Limits on password and code checks, after OWASP's device cookies: a check
// from a known device of the account (a valid device cookie, see Devices)
// is judged by that device's own failures only; any other check by the
// account's failures from unknown devices, which slow guessing down rather
// than lock the account, and by its address's failures in its clinic. So
// guesses from elsewhere, or from a clinic's shared address, never lock
// people out of the devices they sign in from.
const (
	// FailureWindow: a known device with MaxDeviceFailures failures in it
	// waits until the oldest leaves it; so does an address with
	// MaxIPFailures failures from unknown devices in one clinic.
	FailureWindow     = 15 * time.Minute
	MaxDeviceFailures = 5
	MaxIPFailures     = 20
	// MaxAccountFailures failures of an account from unknown devices are
	// free; each further check from an unknown device waits Delay(n) after
	// the account's last failure, n its failures from unknown devices.
	MaxAccountFailures = 5
	MaxDelay           = 15 * time.Minute
	// DelayMemory is how long an account's failures from unknown devices
	// count for its delay (unless a sign-in from an unknown device or a
	// password reset clears them), and how long failures are kept. It is
	// far longer than MaxDelay: with a memory as short as the longest wait,
	// a guesser who waits it out starts over with free guesses (about 870
	// guesses a day; with a day's memory, about 110).
	DelayMemory = 24 * time.Hour
)

// Delay is how long a check from an unknown device waits after the
// account's last failure when the account has n failures from unknown
// devices: nothing for the first MaxAccountFailures, then one second,
// doubling with each failure, at most MaxDelay.
func Delay(n int) time.Duration {
	over := n - MaxAccountFailures
	switch {
	case over < 0:
		return 0
	case over > 30: // 2^30 s is beyond any MaxDelay, and the shift stays in range
		return MaxDelay
	}
	return min(time.Second<<over, MaxDelay)
}

// delayFailures is how many of an account's failures decide its delay:
// with more, it is MaxDelay anyway.
var delayFailures = func() int {
	n := MaxAccountFailures
	for Delay(n) < MaxDelay {
		n++
	}
	return n
}()

// FailuresCollection holds one document per failed check: counting the
// documents is correct under concurrency on every engine and lets old
// failures leave a window one by one. It is a platform collection (the
// limiter is core's), but every count is within one clinic.
const FailuresCollection = "signin_failures"

// FailureIndexes serve the counts (by account and device, by address and
// device), and the clean-up job's delete by age.
var FailureIndexes = []db.Index{
	{Collection: FailuresCollection, Platform: true, Keys: []string{db.TenantField, "email", "device", "-at"}},
	{Collection: FailuresCollection, Platform: true, Keys: []string{db.TenantField, "ip", "device", "-at"}},
	{Collection: FailuresCollection, Platform: true, Keys: []string{"at"}},
}

// failure is one failed (or in-flight) check.
type failure struct {
	ID       string    `bson:"_id"`
	TenantID string    `bson:"tenantId"`
	Email    string    `bson:"email"`
	IP       string    `bson:"ip"`
	Device   string    `bson:"device"` // "" from an unknown device
	At       time.Time `bson:"at"`
}

// Source is who makes a check: the clinic, the account's email (typed: it
// may belong to no one), the client's address, and the nonce of the
// browser's device cookie for the account ("" when it has no valid one).
type Source struct {
	TenantID string
	Email    string
	IP       string
	Device   string
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

// Begin records an attempt by s and reports whether it may go ahead. A
// refused attempt is removed at once (waiting out a refusal is never made
// longer by asking again), and wait says how long until the next may be
// made. Nothing waits here: the caller answers at once.
func (l *Limiter) Begin(ctx context.Context, s Source, now time.Time) (a *Attempt, wait time.Duration, err error) {
	id := db.NewID()
	if err := l.coll.Insert(ctx, failure{ID: id, TenantID: s.TenantID, Email: s.Email, IP: s.IP, Device: s.Device, At: now}); err != nil {
		return nil, 0, err
	}
	a = &Attempt{l: l, id: id}
	wait, err = l.wait(ctx, s, id, now)
	if err != nil {
		_ = a.Cancel(ctx) // nothing was checked
		return nil, 0, err
	}
	if wait > 0 {
		return nil, wait, a.Cancel(ctx)
	}
	return a, 0, nil
}

// wait is how long the attempt id of s must wait, judged by the failures
// stored (its own among them).
func (l *Limiter) wait(ctx context.Context, s Source, id string, now time.Time) (time.Duration, error) {
	since := now.Add(-FailureWindow)
	if s.Device != "" {
		return l.windowWait(ctx, db.And(db.Eq(db.TenantField, s.TenantID), db.Eq("email", s.Email), db.Eq("device", s.Device), db.Gt("at", since)), MaxDeviceFailures, now)
	}
	w, err := l.windowWait(ctx, db.And(db.Eq(db.TenantField, s.TenantID), db.Eq("ip", s.IP), db.Eq("device", ""), db.Gt("at", since)), MaxIPFailures, now)
	if err != nil || w > 0 {
		return w, err
	}
	return l.delay(ctx, s, id, now)
}

// windowWait is the wait when the failures q counts (this attempt among
// them) reach limit: until enough of them leave FailureWindow.
func (l *Limiter) windowWait(ctx context.Context, q db.Filter, limit int64, now time.Time) (time.Duration, error) {
	n, err := l.coll.Count(ctx, q)
	if err != nil {
		return 0, err
	}
	earlier := n - 1
	if earlier < limit {
		return 0, nil
	}
	var fs []struct {
		At time.Time `bson:"at"`
	}
	if err := l.coll.Find(ctx, q, &fs, db.FindOptions{Sort: []db.Order{db.Asc("at")}, Skip: earlier - limit, Limit: 1}); err != nil {
		return 0, err
	}
	until := now.Add(FailureWindow)
	if len(fs) == 1 {
		until = fs[0].At.Add(FailureWindow)
	}
	return max(until.Sub(now), time.Second), nil
}

// delay is the progressive wait of a check from an unknown device: Delay
// of the account's other failures from unknown devices, counted from the
// last of them.
func (l *Limiter) delay(ctx context.Context, s Source, id string, now time.Time) (time.Duration, error) {
	var fs []struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	q := db.And(db.Eq(db.TenantField, s.TenantID), db.Eq("email", s.Email), db.Eq("device", ""), db.Gt("at", now.Add(-DelayMemory)))
	if err := l.coll.Find(ctx, q, &fs, db.FindOptions{Sort: []db.Order{db.Desc("at")}, Limit: int64(delayFailures) + 1}); err != nil {
		return 0, err
	}
	n, last := 0, time.Time{}
	for _, f := range fs {
		if f.ID == id || n == delayFailures {
			continue
		}
		n++
		if f.At.After(last) {
			last = f.At
		}
	}
	if d := Delay(n); d > 0 && now.Before(last.Add(d)) {
		return last.Add(d).Sub(now), nil
	}
	return 0, nil
}

// Cancel removes the attempt: the password or code was right, or the
// attempt was refused before any check.
func (a *Attempt) Cancel(ctx context.Context) error {
	_, err := a.l.coll.Delete(context.WithoutCancel(ctx), db.ID(a.id))
	return err
}

// Succeeded clears the failures a successful sign-in by s was judged by:
// its device's, or the account's from unknown devices. A known device's
// sign-in leaves the others' failures alone: it must not give a guesser
// elsewhere a fresh start.
func (l *Limiter) Succeeded(ctx context.Context, s Source) error {
	_, err := l.coll.DeleteMany(ctx, db.And(db.Eq(db.TenantField, s.TenantID), db.Eq("email", s.Email), db.Eq("device", s.Device)))
	return err
}

// Forget removes every failure of an account (its password was reset).
func (l *Limiter) Forget(ctx context.Context, tenantID, email string) error {
	_, err := l.coll.DeleteMany(ctx, db.And(db.Eq(db.TenantField, tenantID), db.Eq("email", email)))
	return err
}

// DeleteOlderThan removes failures that left every window (cleanup job).
func (l *Limiter) DeleteOlderThan(ctx context.Context, t time.Time) (int64, error) {
	return l.coll.DeleteMany(ctx, db.Lt("at", t))
}

// WaitSeconds is a wait in whole seconds, rounded up: for Retry-After.
func WaitSeconds(d time.Duration) int { return max(int((d+time.Second-1)/time.Second), 1) }

// WaitText says a wait for messages, rounded up: "1 second", "40 seconds",
// "2 minutes", "15 minutes".
func WaitText(d time.Duration) string {
	n, unit := WaitSeconds(d), "second"
	if n >= 60 {
		n, unit = (n+59)/60, "minute"
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func init() { db.ReservePlatform(FailuresCollection) }
