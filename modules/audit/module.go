// Package audit lets a clinic's admins read the clinic's audit log: who did
// what, when (in the clinic's time zone), to what, and from where, filtered
// by person, action and dates, newest first. It only reads: the log is
// append-only and this module has no route that changes it.
package audit

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the audit log module.
type Module struct {
	actions *audit.Catalogue
	render  *web.Renderer
}

var (
	_ app.Module             = (*Module)(nil)
	_ kit.Provisioner        = (*Module)(nil)
	_ app.TemplateProvider   = (*Module)(nil)
	_ app.RouteDeclarer      = (*Module)(nil)
	_ app.PermissionDeclarer = (*Module)(nil)
	_ app.NavDeclarer        = (*Module)(nil)
)

// New returns the module.
func New() *Module { return &Module{} }

// Name implements app.Module.
func (m *Module) Name() string { return "audit" }

// Provision keeps the renderer and the catalogue of every action Ward
// declares, which the filter offers and the rows name by their labels.
func (m *Module) Provision(s *kit.Services) error {
	m.render, m.actions = s.Render, s.Actions()
	return nil
}

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	return templates
}

// Routes implements app.RouteDeclarer. Reading only: there is deliberately
// no route that edits or deletes an entry.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/audit", app.Allow("audit", "read"), m.list)
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "audit", Label: "Audit log", Actions: []string{"read"},
		Description: "Read the record of who signed in, who opened which patient records and who changed what."}}
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Audit log", Href: "/audit", Resource: "audit", Order: 97}}
}
