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
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the roles module.
type Module struct {
	kit.Base
	catalogue catalogue
}

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("roles", templates)} }

// Provision keeps the services and builds the catalogue the grid shows from
// every module's permissions (collected before any module is provisioned).
func (m *Module) Provision(s *kit.Services) error {
	if err := m.Base.Provision(s); err != nil {
		return err
	}
	m.catalogue = newCatalogue(s.Permissions())
	return nil
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
	return []app.NavEntry{{Label: "Roles", Href: "/roles", Resource: "roles", Group: app.GroupAdmin, Order: 90}}
}
