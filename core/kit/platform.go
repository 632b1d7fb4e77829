package kit

import (
	"context"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
)

// Platform is the services for work across clinics: creating a clinic,
// changing one's status or subscription. Only platform modules
// (PlatformModule) and the operator's commands are given it.
type Platform struct{ s *Services }

// Tenants is the registry of clinics.
func (p *Platform) Tenants() *tenant.Registry { return p.s.tenants }

// Signups paces clinic sign-ups per address.
func (p *Platform) Signups() *tenant.Signups { return p.s.signups }

// Links builds the absolute addresses of the platform and of clinics, from
// PUBLIC_URL.
func (p *Platform) Links() *tenant.Resolver { return p.s.resolver }

// Clinic is the data handle of the clinic with id: for a clinic being made
// or administered, never the request's (modules use Services.Clinic).
func (p *Platform) Clinic(id string) *db.Tenant { return p.s.store.ForTenant(id) }

// Seed writes what a new clinic starts with: the default roles, its
// settings, and what every module seeds (app.TenantSeeder), each step safe
// to repeat. Onboarding and the tests make clinics with it.
func (p *Platform) Seed(ctx context.Context, tdb *db.Tenant, st settings.Settings, now time.Time) error {
	if err := rbac.SeedDefaults(ctx, p.s.store, tdb, now); err != nil {
		return err
	}
	if err := settings.Create(ctx, tdb, st, now); err != nil {
		return err
	}
	for _, m := range p.s.modules {
		if s, ok := m.(app.TenantSeeder); ok {
			if err := s.SeedTenant(ctx, tdb, now); err != nil {
				return fmt.Errorf("module %q: seeding: %w", m.Name(), err)
			}
		}
	}
	return nil
}

// Purge deletes a half-made clinic (see tenant.Registry.Purge).
func (p *Platform) Purge(ctx context.Context, id string) error {
	return p.s.tenants.Purge(ctx, p.s.store, id, p.s.Now())
}

// StripeConfig is how Ward reaches Stripe: STRIPE_SECRET_KEY,
// STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE. With no key, clinics pay by
// bank transfer only (recorded by an operator).
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// APIBase is the API's address: empty for Stripe's own, another for
	// tests (a stand-in server).
	APIBase string
}

// Stripe is the Stripe configuration.
func (p *Platform) Stripe() StripeConfig {
	c := p.s.config
	return StripeConfig{SecretKey: c.StripeKey, WebhookSecret: c.StripeWebhook, APIBase: c.StripeAPIBase}
}
