// Package tenant knows Ward's clinics: the tenant registry (a platform
// collection), resolving a request's host to its clinic, and carrying the
// clinic in the request context. It never reads one clinic's data for
// another: everything tenant-owned goes through db.Tenant handles.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/cache"
	"github.com/wardclinic/ward/core/db"
)

// Statuses of a tenant.
const (
	// StatusProvisioning: onboarding has not finished; the clinic is not
	// reachable and a stale one may be cleaned up and claimed again.
	StatusProvisioning = "provisioning"
	StatusActive       = "active"
	StatusInactive     = "inactive"
	StatusSuspended    = "suspended"
)

// Collection is the platform collection of tenants.
const Collection = "tenants"

// Indexes are the registry's indexes: a subdomain belongs to one tenant,
// guaranteed by the database, not by a check before the insert.
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{"subdomain"}, Unique: true, Platform: true},
	{Collection: Collection, Keys: []string{"status"}, Platform: true},
}

// Subscription is the clinic's plan.
type Subscription struct {
	Plan      string    `bson:"plan"`   // "trial", "standard", …
	Status    string    `bson:"status"` // "trialing", "active", "past_due", "canceled"
	ExpiresAt time.Time `bson:"expiresAt"`
	// Revision names the subscription's last change: every change sets a
	// new one (a payment sets its own id). A payment names the revision it
	// extends, and one payment only can extend each (see
	// SetSubscription), so two payments taken at once both count.
	Revision string `bson:"revision,omitempty"`
}

// Tenant is one clinic.
type Tenant struct {
	ID           string       `bson:"_id"`
	Name         string       `bson:"name"`
	Subdomain    string       `bson:"subdomain"`
	Status       string       `bson:"status"`
	Subscription Subscription `bson:"subscription"`
	// PolicyVersion changes whenever the clinic's permissions change, so
	// every instance reloads them.
	PolicyVersion string    `bson:"policyVersion"`
	CreatedAt     time.Time `bson:"createdAt"`
	UpdatedAt     time.Time `bson:"updatedAt"`
	// EmailUnconfirmed: the admin who signed the clinic up has not yet
	// confirmed their email address. The clinic works; its mail waits
	// (core/mail's hold) and its admins are asked to confirm.
	EmailUnconfirmed bool `bson:"emailUnconfirmed,omitempty"`
}

// ErrNotFound is returned when no tenant has the subdomain or id.
var ErrNotFound = errors.New("tenant: not found")

// ErrTaken is returned when the subdomain already belongs to a tenant.
var ErrTaken = errors.New("tenant: subdomain taken")

// Registry reads and changes tenant records.
type Registry struct {
	coll  *db.Collection
	cache *cache.TTL[*Tenant]
}

// NewRegistry returns the registry on store.
func NewRegistry(store *db.Store) *Registry {
	return &Registry{coll: store.Platform("tenant registry").Collection(Collection), cache: cache.New[*Tenant](maxCached)}
}

// BySubdomain returns the tenant with the subdomain, in any status.
func (r *Registry) BySubdomain(ctx context.Context, sub string) (*Tenant, error) {
	var t Tenant
	err := r.coll.FindOne(ctx, db.Eq("subdomain", sub), &t)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ByID returns the tenant with the id.
func (r *Registry) ByID(ctx context.Context, id string) (*Tenant, error) {
	var t Tenant
	err := r.coll.FindOne(ctx, db.ID(id), &t)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// List returns every tenant, by subdomain.
func (r *Registry) List(ctx context.Context) ([]Tenant, error) {
	var ts []Tenant
	err := r.coll.Find(ctx, db.Filter{}, &ts, db.FindOptions{Sort: []db.Order{db.Asc("subdomain")}})
	return ts, err
}

// Insert creates t. The unique index on subdomain makes this the claim of
// the subdomain: a concurrent insert of the same subdomain gets ErrTaken.
func (r *Registry) Insert(ctx context.Context, t *Tenant) error {
	err := r.coll.Insert(ctx, t)
	if db.IsDuplicate(err) {
		return ErrTaken
	}
	if err != nil {
		return fmt.Errorf("tenant: insert %s: %w", t.Subdomain, err)
	}
	r.cache.Forget(t.Subdomain)
	return nil
}

// SetStatus changes the tenant's status (StatusActive, …). Like every
// change below, it drops the tenant from the cache and reports false when
// no such tenant exists (any more).
func (r *Registry) SetStatus(ctx context.Context, id, status string, now time.Time) (bool, error) {
	return r.update(ctx, id, db.Set("status", status), now)
}

// SetName changes the clinic's name.
func (r *Registry) SetName(ctx context.Context, id, name string, now time.Time) (bool, error) {
	return r.update(ctx, id, db.Set("name", name), now)
}

// SetExpiry changes when the clinic's subscription ends.
func (r *Registry) SetExpiry(ctx context.Context, id string, expiresAt, now time.Time) (bool, error) {
	return r.update(ctx, id, db.Set("subscription.expiresAt", expiresAt).Set("subscription.revision", db.NewID()), now)
}

// SetSubscription replaces the clinic's subscription with sub, if its
// revision is still from (a payment read the subscription, computed the
// new end from it and must not overwrite a change made since). It reports
// false when the clinic does not exist or its revision has moved on. The
// condition holds across processes on MongoDB and the embedded database,
// where an update is atomic; on a server that applies updates without
// checking the filter again (FerretDB v1) the payments' unique revision
// claim (core/kit) is what keeps two payments from both extending one
// period.
func (r *Registry) SetSubscription(ctx context.Context, id, from string, sub Subscription, now time.Time) (bool, error) {
	rev := db.Eq("subscription.revision", from)
	if from == "" {
		rev = db.Or(rev, db.Missing("subscription.revision"))
	}
	n, err := r.coll.Update(ctx, db.And(db.ID(id), rev), db.Set("subscription", sub).Set("updatedAt", now))
	if err != nil {
		return false, err
	}
	r.cache.ForgetIf(func(_ string, t *Tenant) bool { return t != nil && t.ID == id })
	return n == 1, nil
}

// EmailConfirmed records that the clinic's admin confirmed their email
// address.
func (r *Registry) EmailConfirmed(ctx context.Context, id string, now time.Time) (bool, error) {
	return r.update(ctx, id, db.Unset("emailUnconfirmed"), now)
}

// NewPolicyVersion gives the clinic a new policy version, so every instance
// reloads its permissions.
func (r *Registry) NewPolicyVersion(ctx context.Context, id string, now time.Time) (bool, error) {
	return r.update(ctx, id, db.Set("policyVersion", db.NewID()), now)
}

// update applies u and the change time to the tenant with id, and drops it
// from the cache.
func (r *Registry) update(ctx context.Context, id string, u db.Update, now time.Time) (matched bool, err error) {
	n, err := r.coll.Update(ctx, db.ID(id), u.Set("updatedAt", now))
	if err != nil {
		return false, err
	}
	r.cache.ForgetIf(func(_ string, t *Tenant) bool { return t != nil && t.ID == id })
	return n == 1, nil
}

// deleteProvisioning removes a clinic's record while it is still being
// set up; a record that went active meanwhile stays.
func (r *Registry) deleteProvisioning(ctx context.Context, id string) error {
	_, err := r.coll.Delete(ctx, db.And(db.ID(id), db.Eq("status", StatusProvisioning)))
	r.cache.ForgetIf(func(_ string, t *Tenant) bool { return t != nil && t.ID == id })
	return err
}

// InvalidateCache drops every cached tenant (operator commands change tenants
// from another process; tests use it after changing records directly).
func (r *Registry) InvalidateCache() { r.cache.Clear() }

func init() { db.ReservePlatform(Collection) }
