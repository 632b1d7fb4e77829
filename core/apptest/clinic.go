package apptest

import (
	"context"
	"testing"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
)

// Password is the password of every user the helpers create.
const Password = "correct horse battery staple"

// Clinic is a clinic made for a test.
type Clinic struct {
	ID        string
	Subdomain string
	Host      string // "sub.localhost"
	Admin     *auth.User
	DB        *db.Tenant
}

// NewClinic creates an active clinic the way onboarding does (default
// roles, settings, every module's seed data) and an admin (admin@SUB.test),
// without going through the onboarding pages.
func (s *Server) NewClinic(t testing.TB, sub string) *Clinic {
	t.Helper()
	ctx := context.Background()
	now := s.Clock.Now()
	tn := &tenant.Tenant{ID: db.NewID(), Name: "Clinic " + sub, Subdomain: sub, Status: tenant.StatusActive,
		Subscription: tenant.Subscription{Plan: "trial", Status: "trialing", ExpiresAt: now.AddDate(0, 0, 7)}, CreatedAt: now, UpdatedAt: now}
	if err := s.Platform.Tenants().Insert(ctx, tn); err != nil {
		t.Fatal(err)
	}
	tdb := s.Platform.Clinic(tn.ID)
	if err := s.Platform.Seed(ctx, tdb, settings.Settings{ClinicName: tn.Name, Timezone: "UTC", Currency: "USD"}, now); err != nil {
		t.Fatal(err)
	}
	c := &Clinic{ID: tn.ID, Subdomain: sub, Host: sub + ".localhost", DB: tdb}
	c.Admin = s.NewUser(t, c, "admin", "Ada Admin", "admin@"+sub+".test")
	return c
}

// NewUser adds a user with a role to the clinic, with Password.
func (s *Server) NewUser(t testing.TB, c *Clinic, roleKey, name, email string) *auth.User {
	t.Helper()
	u := &auth.User{Name: name, Email: email, RoleKey: roleKey}
	if err := auth.CreateUser(context.Background(), c.DB, u, Password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return u
}
