// Package onboarding lets a clinic sign itself up on the platform host: it
// validates the form, claims the subdomain and provisions the clinic (trial
// subscription, default roles, admin account, settings, welcome mail), then
// sends the admin to the new clinic's sign-in page.
package onboarding

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/boot"
	"github.com/wardclinic/ward/core/web"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the onboarding module.
type Module struct {
	core   *boot.Core
	app    *app.App
	render *web.Renderer
}

var (
	_ app.Module           = (*Module)(nil)
	_ app.Provisioner      = (*Module)(nil)
	_ app.TemplateProvider = (*Module)(nil)
	_ app.RouteDeclarer    = (*Module)(nil)
)

// New returns the module.
func New(core *boot.Core) *Module { return &Module{core: core} }

// Name implements app.Module.
func (m *Module) Name() string { return "onboarding" }

// Provision keeps the app (its renderer and the modules' seed hooks).
func (m *Module) Provision(a *app.App) error {
	m.app = a
	m.render = a.Render
	return nil
}

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Platform(http.MethodGet, "/tenant-onboard", m.show)
	r.Platform(http.MethodPost, "/tenant-onboard", m.submit)
	r.Platform(http.MethodGet, "/tenant-onboard/subdomain", m.checkSubdomain)
}
