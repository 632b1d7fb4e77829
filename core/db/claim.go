package db

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Claims are the atomic primitive Ward builds counters, version checks,
// locks and leases on. Both of Ward's engines make a single update atomic,
// but not every MongoDB-compatible server a clinic may point Ward at does
// (FerretDB v1 reads, changes and writes back with no check). An insert
// against a unique index is atomic everywhere: exactly one of many
// concurrent inserts of the same key wins, the others get ErrDuplicate.

// ClaimsCollection holds one document per claimed key.
const ClaimsCollection = "claims"

// claim is one claimed key.
type claim struct {
	Kind  string    `bson:"kind"`
	Key   string    `bson:"key"`
	At    time.Time `bson:"at"`
	Owner string    `bson:"owner,omitempty"`
}

// number is one number of a sequence, handed out.
type number struct {
	Kind string    `bson:"kind"`
	N    int64     `bson:"n"`
	At   time.Time `bson:"at"`
}

// ErrClaimed is returned by Claim when the key was already claimed.
var ErrClaimed = errors.New("db: already claimed")

// ClaimIndexes is the unique index claims rely on.
var ClaimIndexes = []Index{{
	Collection: ClaimsCollection,
	Keys:       []string{TenantField, "kind", "key"},
	Unique:     true,
}}

// Claim records that (kind, key) is taken for this tenant. The first caller
// wins; every later or concurrent caller gets ErrClaimed.
func (t *Tenant) Claim(ctx context.Context, kind, key string, at time.Time) error {
	err := t.Collection(ClaimsCollection).Insert(ctx, claim{Kind: kind, Key: key, At: at})
	if IsDuplicate(err) {
		return ErrClaimed
	}
	return err
}

// Release removes a claim (for claims that are leases, not history).
func (t *Tenant) Release(ctx context.Context, kind, key string) error {
	_, err := t.Collection(ClaimsCollection).Delete(ctx, And(Eq("kind", kind), Eq("key", key)))
	return err
}

// platformClaim is a claim held by the platform rather than a clinic (a
// job's lease across instances). Its tenantId is stored as "" rather than
// left out: SQLite and FerretDB let documents that lack an indexed field
// repeat under a unique index, so only a value makes the key unique.
type platformClaim struct {
	Tenant string    `bson:"tenantId"`
	Kind   string    `bson:"kind"`
	Key    string    `bson:"key"`
	At     time.Time `bson:"at"`
}

// Claim records that (kind, key) is taken by the platform, as Tenant.Claim
// does for a clinic: the first caller wins, every other gets ErrClaimed.
// Platform claims never collide with a clinic's.
func (p *Platform) Claim(ctx context.Context, kind, key string, at time.Time) error {
	err := p.Collection(ClaimsCollection).Insert(ctx, platformClaim{Kind: kind, Key: key, At: at})
	if IsDuplicate(err) {
		return ErrClaimed
	}
	return err
}

// ReleaseBefore removes the platform's claims of kind taken before t:
// leases whose time is over.
func (p *Platform) ReleaseBefore(ctx context.Context, kind string, t time.Time) error {
	_, err := p.Collection(ClaimsCollection).DeleteMany(ctx, And(Eq(TenantField, ""), Eq("kind", kind), Lt("at", t)))
	return err
}

// ErrLocked is returned by Lock when another holder kept the lock for the
// whole wait.
var ErrLocked = errors.New("db: locked by another change")

// Lock waits briefly for the tenant's lock named key and returns the
// function that releases it. It serialises a check and the write that
// depends on it ("is someone else still an administrator?") across requests
// and instances. A lock older than stale (taken at the caller's clock) is
// held by a process that died and is broken.
func (t *Tenant) Lock(ctx context.Context, key string, now time.Time, stale time.Duration) (unlock func(), err error) {
	const kind = "lock"
	claims := t.Collection(ClaimsCollection)
	// owner makes unlock remove this holder's claim only, never one taken
	// after this holder's was broken as stale.
	owner := NewID()
	this := And(Eq("kind", kind), Eq("key", key))
	mine := And(this, Eq("owner", owner))
	release := func() {
		// Not on the request's context: a request given up on must still
		// release (a claim left behind blocks everyone until it is stale).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lockIO)
		defer cancel()
		_, _ = claims.Delete(rctx, mine)
	}
	// The database calls do not use the request's context either: a call
	// abandoned by the driver may still be carried out by the database,
	// leaving a claim no one holds. The context is checked between tries.
	dbctx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), lockIO)
	}
	for range lockTries {
		ictx, cancel := dbctx()
		err := claims.Insert(ictx, claim{Kind: kind, Key: key, At: now, Owner: owner})
		cancel()
		if err == nil {
			if ctx.Err() != nil {
				release()
				return nil, ctx.Err()
			}
			return release, nil
		}
		if !IsDuplicate(err) {
			release() // in case the insert was carried out after all
			return nil, err
		}
		var held struct {
			At time.Time `bson:"at"`
		}
		ictx, cancel = dbctx()
		err = claims.FindOne(ictx, this, &held)
		cancel()
		switch {
		case errors.Is(err, ErrNotFound): // released meanwhile: try again at once
			continue
		case err != nil:
			return nil, err
		case now.Sub(held.At) > stale:
			// Delete only the stale claim seen, never a fresh one taken since.
			ictx, cancel = dbctx()
			_, err := claims.Delete(ictx, And(this, Eq("at", held.At)))
			cancel()
			if err != nil {
				return nil, err
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lockWait):
		}
	}
	return nil, ErrLocked
}

// Lock waits up to lockTries × lockWait (about two seconds); each database
// call may take lockIO.
const (
	lockTries = 80
	lockWait  = 25 * time.Millisecond
	lockIO    = 5 * time.Second
)

// SequencesCollection holds one document per number handed out.
const SequencesCollection = "sequences"

// SequenceIndexes is the unique index sequences rely on.
var SequenceIndexes = []Index{{
	Collection: SequencesCollection,
	Keys:       []string{TenantField, "kind", "-n"},
	Unique:     true,
}}

// Next hands out the next number of a per-tenant sequence (patient numbers,
// invoice numbers): it reads the highest number so far and claims the one
// after it by inserting {kind, n}; when a concurrent caller took that number
// it tries the following one.
//
// Only the latest numbers are kept (see prune), so the collection stays
// small. A caller stalled for hundreds of numbers could then be handed an old number
// again: the collection the numbers end up in must have its own unique index
// on them (patients do), which turns that into a duplicate error to retry.
func (t *Tenant) Next(ctx context.Context, kind string, at time.Time) (int64, error) {
	seq := t.Collection(SequencesCollection)
	var last struct {
		N int64 `bson:"n"`
	}
	err := seq.FindOne(ctx, Eq("kind", kind), &last, Desc("n"))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	for n := last.N + 1; n <= last.N+1000; n++ {
		err := seq.Insert(ctx, number{Kind: kind, N: n, At: at})
		if err == nil {
			if n%pruneEvery == 0 {
				t.prune(ctx, kind, n)
			}
			return n, nil
		}
		if !IsDuplicate(err) {
			return 0, err
		}
	}
	return 0, fmt.Errorf("db: sequence %q: no free number after 1000 tries", kind)
}

// Reserve hands out count consecutive numbers of a sequence at once (bulk
// imports, demo data) and returns the first. Every number is inserted, so a
// concurrent Next moves past the block instead of reusing a number in it;
// if a concurrent caller took a number first, Reserve fails and may be
// retried.
func (t *Tenant) Reserve(ctx context.Context, kind string, count int, at time.Time) (int64, error) {
	seq := t.Collection(SequencesCollection)
	var last struct {
		N int64 `bson:"n"`
	}
	err := seq.FindOne(ctx, Eq("kind", kind), &last, Desc("n"))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	docs := make([]any, count)
	for i := range docs {
		docs[i] = number{Kind: kind, N: last.N + 1 + int64(i), At: at}
	}
	if err := seq.InsertMany(ctx, docs); err != nil {
		return 0, fmt.Errorf("db: reserving %d numbers of %q: %w", count, kind, err)
	}
	t.prune(ctx, kind, last.N+int64(count))
	return last.N + 1, nil
}

// Sequence documents kept behind the highest number, and how often the older
// ones are removed.
const (
	keepNumbers = 500
	pruneEvery  = 100
)

// prune removes the sequence's documents far below n. It is housekeeping: a
// failure is harmless and ignored.
func (t *Tenant) prune(ctx context.Context, kind string, n int64) {
	if n <= keepNumbers {
		return
	}
	_, _ = t.Collection(SequencesCollection).DeleteMany(ctx, And(Eq("kind", kind), Lte("n", n-keepNumbers)))
}
