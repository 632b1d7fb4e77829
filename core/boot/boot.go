// Package boot assembles Ward: the core services every module may depend on,
// then the App with the given modules. The ward command and the test harness
// both start Ward through it, so tests run the same wiring as production.
package boot

import (
	"context"
	"fmt"
	"io/fs"

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
	"github.com/wardclinic/ward/core/tenant"
)

// Core holds the services modules are built with.
type Core struct {
	Config   *config.Config
	Log      zerolog.Logger
	DB       *db.Store
	Clock    clock.Clock
	Tenants  *tenant.Registry
	Resolver *tenant.Resolver
	Sessions *session.Manager
	CSRF     *csrf.Guard
	RBAC     *rbac.Enforcer
	Access   *access.Guard
	Limiter  *auth.Limiter
	Devices  *auth.Devices
	Signups  *tenant.Signups
	Mail     *mail.Sender

	templates, static fs.FS
}

// NewCore builds the core services on an open store.
func NewCore(cfg *config.Config, log zerolog.Logger, store *db.Store, clk clock.Clock, templates, static fs.FS) (*Core, error) {
	if clk == nil {
		clk = clock.System{}
	}
	key, err := secret(cfg)
	if err != nil {
		return nil, fmt.Errorf("session secret: %w", err)
	}
	enf := rbac.NewEnforcer(store, rbac.DefaultCacheSize)
	sender, err := mail.NewSender(store, log, cfg.SMTPURL, cfg.MailFrom)
	if err != nil {
		return nil, err
	}
	reg := tenant.NewRegistry(store)
	sessions := session.NewManager(store, key, cfg.Production())
	return &Core{
		Config:    cfg,
		Log:       log,
		DB:        store,
		Clock:     clk,
		Tenants:   reg,
		Resolver:  tenant.NewResolver(cfg.BaseDomain, cfg.PublicURL, cfg.TrustedProxies, reg, store),
		Sessions:  sessions,
		CSRF:      csrf.New(key, cfg.Production(), sessions.ID),
		RBAC:      enf,
		Access:    &access.Guard{Sessions: sessions, RBAC: enf, Clock: clk},
		Limiter:   auth.NewLimiter(store),
		Devices:   auth.NewDevices(key, cfg.Production()),
		Signups:   tenant.NewSignups(store),
		Mail:      sender,
		templates: templates,
		static:    static,
	}, nil
}

// App builds the App with the modules, core's own indexes, host resolution,
// sessions, CSRF protection and access control.
func (c *Core) App(modules ...app.Module) (*app.App, error) {
	a, err := app.New(app.Deps{Config: c.Config, Log: c.Log, DB: c.DB, Clock: c.Clock, Templates: c.templates, Static: c.static,
		Audit: auditInClinic}, modules...)
	if err != nil {
		return nil, fmt.Errorf("start-up refused: %w", err)
	}
	c.Access.Render = a.Render
	a.SetHostResolver(c.Resolver)
	a.Use(c.Sessions.Middleware())
	a.SetCSRF(c.CSRF)
	a.AddClinicMiddleware(c.Access.Middleware)
	a.Render.Decorate(c.Access.Decorate(a.Nav()))

	a.AddIndexes("core/db", db.ClaimIndexes...)
	a.AddIndexes("core/db", db.SequenceIndexes...)
	a.AddIndexes("core/tenant", tenant.Indexes...)
	a.AddIndexes("core/tenant", tenant.SettingsIndexes...)
	a.AddIndexes("core/tenant", tenant.SignupIndexes...)
	a.AddIndexes("core/auth", auth.Indexes...)
	a.AddIndexes("core/auth", auth.FailureIndexes...)
	a.AddIndexes("core/auth", auth.ResetIndexes...)
	a.AddIndexes("core/session", session.Indexes...)
	a.AddIndexes("core/rbac", rbac.Indexes...)
	a.AddIndexes("core/mail", mail.Indexes...)
	a.AddIndexes("core/audit", audit.Indexes...)
	return a, nil
}

// auditInClinic appends e to the log of the request's clinic, by its
// signed-in user: what core records of the views modules report.
func auditInClinic(ctx context.Context, e audit.Entry) error {
	if u := auth.FromContext(ctx); u != nil {
		e.ActorID, e.ActorEmail = u.ID, u.Email
	}
	return audit.Record(ctx, tenant.DB(ctx), e)
}
