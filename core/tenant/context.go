package tenant

import (
	"context"

	"github.com/wardclinic/ward/core/db"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	dbKey
)

// WithTenant returns ctx carrying the clinic and its scoped database handle.
func WithTenant(ctx context.Context, t *Tenant, tdb *db.Tenant) context.Context {
	ctx = context.WithValue(ctx, tenantKey, t)
	return context.WithValue(ctx, dbKey, tdb)
}

// FromContext returns the request's clinic, or nil on the platform host.
func FromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(tenantKey).(*Tenant)
	return t
}

// DB returns the request's tenant-scoped database handle. It panics outside
// a clinic request: that is a programming error (a clinic route always has
// its tenant), never a way to reach unscoped data.
func DB(ctx context.Context) *db.Tenant {
	d, ok := ctx.Value(dbKey).(*db.Tenant)
	if !ok {
		panic("tenant.DB called outside a clinic request")
	}
	return d
}
