package tenant

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// Purge deletes everything a half-made clinic has — its documents in every
// collection, its access rules, and last its tenant record, which frees the
// subdomain. Onboarding uses it for attempts that failed or were interrupted;
// nothing in Ward purges a clinic that was ever active.
func (r *Registry) Purge(ctx context.Context, store *db.Store, id string) error {
	t, err := r.ByID(ctx, id)
	if err == ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Status != StatusProvisioning {
		return fmt.Errorf("tenant: refusing to purge %s: it is %s", t.Subdomain, t.Status)
	}
	names, err := store.Platform("purge a half-made clinic").CollectionNames(ctx)
	if err != nil {
		return err
	}
	tdb := store.ForTenant(id)
	for _, n := range names {
		if db.IsPlatform(n) {
			continue // the record and rules below; sessions and failures expire
		}
		if _, err := tdb.Collection(n).DeleteMany(ctx, bson.D{}); err != nil {
			return fmt.Errorf("tenant: purge %s: %w", n, err)
		}
	}
	if err := rbac.DeleteDomain(ctx, store, id); err != nil {
		return err
	}
	return r.deleteProvisioning(ctx, id)
}
