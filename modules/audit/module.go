// Package audit lets a clinic's admins read the clinic's audit log, newest
// first: each entry as a sentence ("Amina Otieno opened the record of John
// Doe (P-000001)") linked to what it was about, when (in the clinic's
// formats), with its codes, ids, address and request in its details.
// Filters: person, action (every declared action, by label), days in the
// clinic's time zone, and record ("/audit?record=patient:<id>": the
// entries about it, the lists that showed it included). It only reads: the
// log is append-only and this module has no route that changes it.
package audit

import (
	"embed"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the audit log module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("audit", templates)} }

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
	return []app.NavEntry{{Label: "Audit log", Href: "/audit", Resource: "audit", Group: app.GroupAdmin, Order: 97}}
}
