package kit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
)

// EachClinic calls fn for every active clinic, one after another, for a
// module's background job (a job has no request, so no clinic of its own):
// with the clinic's data handle, a copy of its settings (the defaults, and
// the registry's name, for a clinic that has none) and a context that
// carries the clinic as a request's does (tenant.FromContext, tenant.DB)
// and logs under its subdomain. Clinics that are being made, inactive or
// suspended by the operator (tenant.Status) are skipped: their pages are
// closed too. A clinic whose subscription has lapsed is not: its records
// stand, and its patients' appointments (and their reminders) still come.
//
// A clinic whose fn fails does not stop the others: the errors are logged
// and returned together once every clinic has had its turn. A cancelled
// ctx stops the walk.
func (s *Services) EachClinic(ctx context.Context, fn func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error) error {
	ts, err := s.tenants.List(ctx)
	if err != nil {
		return fmt.Errorf("kit: list clinics: %w", err)
	}
	var errs []error
	for i := range ts {
		t := &ts[i]
		if t.Status != tenant.StatusActive {
			continue
		}
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if err := s.inClinic(ctx, t, fn); err != nil {
			logging.FromContext(ctx).Error().Err(err).Str("tenant", t.Subdomain).Msg("clinic's part of a job failed")
			errs = append(errs, fmt.Errorf("clinic %s: %w", t.Subdomain, err))
		}
	}
	return errors.Join(errs...)
}

// inClinic runs fn for the clinic t.
func (s *Services) inClinic(ctx context.Context, t *tenant.Tenant, fn func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error) error {
	tdb := s.store.ForTenant(t.ID)
	l := logging.FromContext(ctx).With().Str("tenant", t.Subdomain).Logger()
	ctx = tenant.WithTenant(logging.WithLogger(ctx, l), t, tdb)
	st, err := settings.Cached(ctx, tdb)
	if err != nil {
		return err
	}
	own := *st
	if own.ClinicName == "" {
		own.ClinicName = t.Name
	}
	return fn(ctx, tdb, own)
}

// UsersWhoCan returns the clinic's active users whose role may do action
// on resource (the clinic's admins: "settings", "update"), for a job that
// writes to them. It reads the clinic's grants afresh.
func (s *Services) UsersWhoCan(ctx context.Context, tdb *db.Tenant, resource, action string) ([]auth.User, error) {
	grants, err := rbac.Grants(ctx, s.store, tdb.ID())
	if err != nil {
		return nil, err
	}
	var roles []string
	for role, g := range grants {
		if g.Has(resource, action) {
			roles = append(roles, role)
		}
	}
	if len(roles) == 0 {
		return nil, nil
	}
	slices.Sort(roles)
	var users []auth.User
	err = tdb.Collection(auth.UsersCollection).Find(ctx, db.In("roleKey", roles), &users, db.FindOptions{Sort: []db.Order{db.Asc("roleKey")}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u auth.User) bool { return u.Status != auth.UserActive }), nil
}

// ClinicLink is the absolute address of path on the clinic a job works on
// (the one EachClinic put in ctx), built from PUBLIC_URL: for mail.
func (s *Services) ClinicLink(ctx context.Context, path string) string {
	return s.resolver.ClinicURL(tenant.FromContext(ctx).Subdomain, path)
}
