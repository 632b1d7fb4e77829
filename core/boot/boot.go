// Package boot assembles Ward: the core services every module may depend on,
// then the App with the given modules. The ward command and the test harness
// both start Ward through it, so tests run the same wiring as production.
package boot

import (
	"fmt"
	"io/fs"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/rbac"
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

	templates, static fs.FS
}

// NewCore builds the core services on an open store.
func NewCore(cfg *config.Config, log zerolog.Logger, store *db.Store, clk clock.Clock, templates, static fs.FS) *Core {
	if clk == nil {
		clk = clock.System{}
	}
	reg := tenant.NewRegistry(store)
	return &Core{
		Config:    cfg,
		Log:       log,
		DB:        store,
		Clock:     clk,
		Tenants:   reg,
		Resolver:  tenant.NewResolver(cfg.BaseDomain, cfg.TrustedProxies, reg, store),
		templates: templates,
		static:    static,
	}
}

// App builds the App with the modules and core's own indexes and host
// resolution.
func (c *Core) App(modules ...app.Module) (*app.App, error) {
	a, err := app.New(app.Deps{Config: c.Config, Log: c.Log, DB: c.DB, Clock: c.Clock, Templates: c.templates, Static: c.static}, modules...)
	if err != nil {
		return nil, fmt.Errorf("start-up refused: %w", err)
	}
	a.SetHostResolver(c.Resolver)
	a.AddIndexes("core/db", append(db.ClaimIndexes, db.SequenceIndexes...)...)
	a.AddIndexes("core/tenant", append(tenant.Indexes, tenant.SettingsIndexes...)...)
	a.AddIndexes("core/auth", auth.Indexes...)
	a.AddIndexes("core/rbac", rbac.Indexes...)
	a.AddIndexes("core/mail", mail.Indexes...)
	return a, nil
}
