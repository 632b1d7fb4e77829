// Package kit is what a module works with. A module is handed one
// *Services at start (Provision) and everything it reaches through it is
// either stateless (the renderer, the clock, the logger) or bound to the
// request: the clinic's data handle, its settings and policy, the signed-in
// user, links to the clinic's pages, its outbox. A module cannot name a
// clinic other than the request's.
//
// Work that is not one clinic's — creating clinics — is done with
// *Platform, handed only to modules that declare themselves platform
// modules (PlatformModule); the import rules test lists them.
package kit

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/csrf"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

// Provisioner is a module that keeps the services it is given at start,
// before its routes are collected.
type Provisioner interface {
	Provision(s *Services) error
}

// PlatformModule is a module that works across clinics (onboarding): it is
// given the platform services besides the module services.
type PlatformModule interface {
	ProvisionPlatform(p *Platform) error
}

// Services are what a module is given. The exported fields are the same
// for every request; the methods read the request's clinic and user.
type Services struct {
	Render *web.Renderer
	Clock  clock.Clock
	Log    zerolog.Logger

	config   *config.Config
	store    *db.Store
	tenants  *tenant.Registry
	resolver *tenant.Resolver
	sessions *session.Manager
	csrf     *csrf.Guard
	rbac     *rbac.Enforcer
	access   *access.Guard
	limiter  *auth.Limiter
	devices  *auth.Devices
	signups  *tenant.Signups
	finds    *tenant.Finds
	modules  []app.Module
	app      *app.App
	actions  *audit.Catalogue
	rules    subscription.Rules
}

// Now is the clock's time.
func (s *Services) Now() time.Time { return s.Clock.Now() }

// Modules returns every registered module, for modules that collect
// contributions from others (a patient's timeline).
func (s *Services) Modules() []app.Module { return append([]app.Module(nil), s.modules...) }

// Permissions is the permission catalogue of every module.
func (s *Services) Permissions() []app.Permission { return s.app.Permissions() }

// Actions is the catalogue of audit actions: core's and every module's.
func (s *Services) Actions() *audit.Catalogue { return s.actions }

// Clinic is the request's clinic data handle: every query through it is
// limited to the clinic.
func (s *Services) Clinic(c *gin.Context) *db.Tenant { return tenant.DB(c.Request.Context()) }

// Tenant is the request's clinic record (name, subdomain, subscription).
func (s *Services) Tenant(c *gin.Context) *tenant.Tenant {
	return tenant.FromContext(c.Request.Context())
}

// User is the signed-in user (nil on a public route with no one signed in).
func (s *Services) User(c *gin.Context) *auth.User { return auth.FromContext(c.Request.Context()) }

// Settings are the request's clinic's settings, as recently read (a change
// on another instance shows within the clinic cache's lifetime): a copy,
// the caller's to change and save.
func (s *Services) Settings(c *gin.Context) (*settings.Settings, error) {
	st, err := settings.Cached(c.Request.Context(), s.Clinic(c))
	if err != nil {
		return nil, err
	}
	own := *st
	return &own, nil
}

// Zone is the clinic's time zone.
func (s *Services) Zone(c *gin.Context) *time.Location {
	return settings.Zone(c.Request.Context(), s.Clinic(c))
}

// Link is the absolute address of path on the request's clinic, built from
// PUBLIC_URL (never from the request's Host header): for mail.
func (s *Services) Link(c *gin.Context, path string) string {
	return s.resolver.ClinicURL(s.Tenant(c).Subdomain, path)
}

// Can reports whether the signed-in user may do action on resource.
func (s *Services) Can(c *gin.Context, resource, action string) (bool, error) {
	return s.access.Can(c, resource, action)
}

// Mail queues m in the clinic's outbox; the sender delivers it.
func (s *Services) Mail(c *gin.Context, m mail.Message) error {
	return mail.Queue(c.Request.Context(), s.Clinic(c), m, s.Now())
}

// Rename sets the request's clinic's name in the tenant registry (the
// settings page); false when the clinic is gone.
func (s *Services) Rename(c *gin.Context, name string) (bool, error) {
	return s.tenants.SetName(c.Request.Context(), s.Tenant(c).ID, name, s.Now())
}

// Policy is the request's clinic's access policy: its roles' grants.
func (s *Services) Policy(c *gin.Context) Policy {
	return Policy{s: s, tdb: s.Clinic(c), t: s.Tenant(c)}
}

// Policy edits one clinic's roles and grants.
type Policy struct {
	s   *Services
	tdb *db.Tenant
	t   *tenant.Tenant
}

// Grants returns every role's grants, by role key.
func (p Policy) Grants(ctx context.Context) (map[string]rbac.GrantSet, error) {
	return rbac.Grants(ctx, p.s.store, p.tdb.ID())
}

// SetGrant grants (on) or revokes a permission of a role; false when
// nothing changed.
func (p Policy) SetGrant(ctx context.Context, roleKey, resource, action string, on bool) (bool, error) {
	return p.s.rbac.SetGrant(ctx, p.s.store, p.tdb, roleKey, resource, action, on)
}

// DeleteRole deletes a role no one holds.
func (p Policy) DeleteRole(ctx context.Context, key string) (*rbac.Role, error) {
	return rbac.DeleteRole(ctx, p.tdb, p.s.rbac, key)
}

// Changed tells every Ward instance that the clinic's policy changed, so
// cached decisions are dropped on their next request.
func (p Policy) Changed(ctx context.Context) (bool, error) {
	return p.s.tenants.NewPolicyVersion(ctx, p.t.ID, p.s.Now())
}

// SignIn is sign-in's part of the services: sessions, the limiter of
// failed attempts and remembered devices, each bound to the request.
func (s *Services) SignIn() SignIn { return SignIn{s: s} }

// SignIn starts and ends sessions and paces attempts.
type SignIn struct{ s *Services }

// Current is the request's session data, if someone is signed in.
func (a SignIn) Current(c *gin.Context) (session.Data, bool) { return a.s.sessions.Current(c) }

// Start signs d in with a new session id, for the request's clinic, and
// drops the CSRF token bound to the session before.
func (a SignIn) Start(c *gin.Context, d session.Data) error {
	d.TenantID = a.s.Tenant(c).ID
	if err := a.s.sessions.Start(c, d); err != nil {
		return err
	}
	a.s.csrf.Forget(c)
	return nil
}

// End ends the request's session.
func (a SignIn) End(c *gin.Context) error { return a.s.sessions.End(c) }

// Source is who is trying to sign in as email on the request's clinic, for
// the limiter (u is the user when the email is known).
func (a SignIn) Source(c *gin.Context, email string, u *auth.User) auth.Source {
	return a.s.devices.Source(c.Request, a.s.Tenant(c).ID, c.ClientIP(), email, u)
}

// Begin starts an attempt; wait > 0 says it must wait that long first.
func (a SignIn) Begin(c *gin.Context, src auth.Source) (*auth.Attempt, time.Duration, error) {
	return a.s.limiter.Begin(c.Request.Context(), src, a.s.Now())
}

// Succeeded clears the failures of src.
func (a SignIn) Succeeded(c *gin.Context, src auth.Source) error {
	return a.s.limiter.Succeeded(c.Request.Context(), src)
}

// Forget clears every failure recorded against email in the request's
// clinic (after a password reset).
func (a SignIn) Forget(c *gin.Context, email string) error {
	return a.s.limiter.Forget(c.Request.Context(), a.s.Tenant(c).ID, email)
}

// Remember marks this browser as one u signed in from.
func (a SignIn) Remember(c *gin.Context, u *auth.User) error {
	return a.s.devices.Remember(c.Writer, c.Request, u)
}
