// Package roles is the clinic's role editor: which roles exist and what each
// may do. Admins pick a role and switch its permissions on and off in a grid
// of the permission catalogue (every module's resources and actions); they
// create, rename and delete custom roles. Every change is audited and bumps
// the clinic's policy version: this instance applies it from the next
// request, other instances once their cached tenant record expires (15 s).
//
// The Admin role is never edited (see rbac.AdminKey): whatever happens to
// the other roles, a clinic keeps someone who can manage roles.
package roles

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the roles module.
type Module struct {
	s         *kit.Services
	render    *web.Renderer
	catalogue catalogue
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
func (m *Module) Name() string { return "roles" }

// Provision keeps the renderer and builds the catalogue the grid shows from
// every module's permissions (collected before any module is provisioned).
func (m *Module) Provision(s *kit.Services) error {
	m.s, m.render = s, s.Render
	m.catalogue = newCatalogue(s.Permissions())
	return nil
}

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	return templates
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/roles", app.Allow("roles", "read"), m.list)
	r.Clinic(http.MethodPost, "/roles", app.Allow("roles", "create"), m.create)
	r.Clinic(http.MethodPost, "/roles/:key/grants", app.Allow("roles", "update"), m.toggle)
	r.Clinic(http.MethodPost, "/roles/:key/rename", app.Allow("roles", "update"), m.rename)
	r.Clinic(http.MethodPost, "/roles/:key/delete", app.Allow("roles", "delete"), m.delete)
}

// Permissions implements app.PermissionDeclarer: the roles editor's own
// resource. Core's other resources are declared by the modules that serve
// them (staff, settings, audit); should two modules declare one resource,
// the catalogue merges them into one row.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{
		{Resource: "roles", Label: "Roles and permissions", Actions: []string{"read", "create", "update", "delete"},
			Description: "See roles and what they may do; create, rename and delete roles; change their permissions."},
	}
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Roles", Href: "/roles", Resource: "roles", Order: 90}}
}
