// Package patients is the clinic's patient registry: list and search,
// registration with a duplicate warning, the patient page with its
// timeline, versioned edits, archive and restore — as pages and as the JSON
// API under /api/patients. It is the model other clinical modules follow:
// routes declare their permission, data goes through the clinic's scoped
// handle, every view and change is audited.
package patients

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the patients module.
type Module struct {
	s        *kit.Services
	render   *web.Renderer
	timeline []TimelineSource
}

var (
	_ app.Module             = (*Module)(nil)
	_ kit.Provisioner        = (*Module)(nil)
	_ app.TemplateProvider   = (*Module)(nil)
	_ app.RouteDeclarer      = (*Module)(nil)
	_ app.IndexDeclarer      = (*Module)(nil)
	_ app.PermissionDeclarer = (*Module)(nil)
	_ app.NavDeclarer        = (*Module)(nil)
	_ app.AuditDeclarer      = (*Module)(nil)
)

// New returns the module.
func New() *Module { return &Module{} }

// Name implements app.Module.
func (m *Module) Name() string { return "patients" }

// Provision keeps the services and collects the modules that add entries to a
// patient's timeline.
func (m *Module) Provision(s *kit.Services) error {
	m.s, m.render = s, s.Render
	for _, mod := range s.Modules() {
		if ts, ok := mod.(TimelineSource); ok {
			m.timeline = append(m.timeline, ts)
		}
	}
	return nil
}

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	return templates
}

// Indexes implements app.IndexDeclarer.
func (m *Module) Indexes() []db.Index { return indexes }

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "patients", Label: "Patients", Actions: []string{"read", "create", "update", "delete"},
		Description: "Find and open patient records, register patients, edit them, archive and restore them (delete = archive: nothing is erased).",
		Clinical:    true}}
}

// AuditActions implements app.AuditDeclarer.
func (m *Module) AuditActions() []audit.Action {
	return []audit.Action{
		{Code: actionView, Label: "Opened a patient record"},
		{Code: actionList, Label: "Listed patients"},
		{Code: actionCreate, Label: "Registered a patient"},
		{Code: actionUpdate, Label: "Changed a patient record"},
		{Code: actionArchive, Label: "Archived a patient record"},
		{Code: actionRestore, Label: "Restored a patient record"},
	}
}

// The actions the module records in the audit log.
const (
	actionView    = "patient.view"
	actionList    = "patient.list"
	actionCreate  = "patient.create"
	actionUpdate  = "patient.update"
	actionArchive = "patient.archive"
	actionRestore = "patient.restore"
)

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Patients", Href: "/patients", Resource: "patients", Order: 10}}
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	read, create := app.Allow("patients", "read"), app.Allow("patients", "create")
	update, archive := app.Allow("patients", "update"), app.Allow("patients", "delete")

	r.Clinic(http.MethodGet, "/patients", read, m.list)
	r.Clinic(http.MethodGet, "/patients/new", create, m.showNew)
	r.Clinic(http.MethodPost, "/patients", create, m.create)
	r.Clinic(http.MethodGet, "/patients/duplicates", create, m.duplicates)
	r.Clinic(http.MethodGet, "/patients/:id", read, m.show)
	r.Clinic(http.MethodGet, "/patients/:id/edit", update, m.edit)
	r.Clinic(http.MethodPost, "/patients/:id", update, m.update)
	r.Clinic(http.MethodPost, "/patients/:id/archive", archive, m.archive)
	r.Clinic(http.MethodPost, "/patients/:id/restore", archive, m.restore)

	r.Clinic(http.MethodGet, "/api/patients", read, m.apiList)
	r.Clinic(http.MethodPost, "/api/patients", create, m.apiCreate)
	r.Clinic(http.MethodGet, "/api/patients/:id", read, m.apiGet)
	r.Clinic(http.MethodPut, "/api/patients/:id", update, m.apiUpdate)
	r.Clinic(http.MethodPost, "/api/patients/:id/archive", archive, m.apiArchive)
	r.Clinic(http.MethodPost, "/api/patients/:id/restore", archive, m.apiRestore)
}
