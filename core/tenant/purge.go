package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// ErrNotProvisioning is returned by Purge for a clinic that is (or has
// just become) a working clinic: it is never purged.
var ErrNotProvisioning = errors.New("tenant: not a half-made clinic")

// Purge deletes everything a half-made clinic has — its documents in every
// collection, its access rules, and last its tenant record, which frees the
// subdomain. Onboarding uses it for attempts that failed or were interrupted;
// nothing in Ward purges a clinic that was ever active.
//
// A slow onboarding may finish while a later attempt purges it. Both claim
// the clinic's end first (FinishClaim): the one that gets it goes on, the
// other stops, so a clinic is never made active with its records deleted.
func (r *Registry) Purge(ctx context.Context, store *db.Store, id string, now time.Time) error {
	t, err := r.ByID(ctx, id)
	if err == ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Status != StatusProvisioning {
		return fmt.Errorf("%w: %s is %s", ErrNotProvisioning, t.Subdomain, t.Status)
	}
	tdb := store.ForTenant(id)
	if err := FinishClaim(ctx, tdb, now); errors.Is(err, db.ErrClaimed) {
		// Finishing takes milliseconds; a claim this old was left by an
		// attempt that failed or died before making the clinic active.
		var c struct {
			At time.Time `bson:"at"`
		}
		if err := tdb.Collection(db.ClaimsCollection).FindOne(ctx, finishKey, &c); err != nil {
			return err
		}
		if now.Sub(c.At) < finishTimeout {
			return fmt.Errorf("%w: %s is finishing", ErrNotProvisioning, t.Subdomain)
		}
	} else if err != nil {
		return err
	}
	names, err := store.Platform("purge a half-made clinic").CollectionNames(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if db.IsPlatform(n) || n == db.ClaimsCollection {
			continue // the record, rules and claims below; sessions and failures expire
		}
		if _, err := tdb.Collection(n).DeleteMany(ctx, db.Filter{}); err != nil {
			return fmt.Errorf("tenant: purge %s: %w", n, err)
		}
	}
	if err := rbac.DeleteDomain(ctx, store, id); err != nil {
		return err
	}
	if err := r.deleteProvisioning(ctx, id); err != nil {
		return err
	}
	// Last, with the record gone: an onboarding that claims the end now
	// finds no record to make active.
	_, err = tdb.Collection(db.ClaimsCollection).DeleteMany(ctx, db.Filter{})
	return err
}

// FinishClaim claims the end of a clinic's set-up: onboarding before it
// makes the clinic active, Purge before it deletes anything. Exactly one of
// them gets it (db.ErrClaimed for the other).
func FinishClaim(ctx context.Context, tdb *db.Tenant, now time.Time) error {
	return tdb.Claim(ctx, "onboarding", "finish", now)
}

var finishKey = db.And(db.Eq("kind", "onboarding"), db.Eq("key", "finish"))

// finishTimeout is how long after claiming the end an onboarding may still
// make its clinic active.
const finishTimeout = time.Minute
