// Package patients is the clinic's patient registry: list and search,
// registration with a duplicate warning, the patient page with its
// timeline, versioned edits, archive and restore — as pages and as the JSON
// API under /api/patients. It is the model other clinical modules follow:
// routes declare their permission, data goes through the clinic's scoped
// handle, every view and change is audited.
package patients

import (
	"embed"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the patients module.
type Module struct {
	kit.Base
	timeline []app.TimelineSource
}

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("patients", templates)} }

// Provision keeps the services and collects the modules that add entries to a
// patient's timeline.
func (m *Module) Provision(s *kit.Services) error {
	if err := m.Base.Provision(s); err != nil {
		return err
	}
	for _, mod := range s.Modules() {
		if ts, ok := mod.(app.TimelineSource); ok {
			m.timeline = append(m.timeline, ts)
		}
	}
	return nil
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
		{Code: actionView, Label: "Opened a patient record", Says: "opened the record of", Plural: "patients", Link: "/patients/"},
		{Code: actionList, Label: "Listed patients", Says: "viewed a list showing", Plural: "patients", Link: "/patients/"},
		{Code: actionCreate, Label: "Registered a patient", Says: "registered the patient", Link: "/patients/"},
		{Code: actionUpdate, Label: "Changed a patient record", Says: "changed the record of", Link: "/patients/"},
		{Code: actionArchive, Label: "Archived a patient record", Says: "archived the record of", Link: "/patients/"},
		{Code: actionRestore, Label: "Restored a patient record", Says: "restored the record of", Link: "/patients/"},
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
	return []app.NavEntry{{Label: "Patients", Href: "/patients", Resource: "patients", Group: app.GroupFrontDesk, Order: 10}}
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	read, create := app.Allow("patients", "read"), app.Allow("patients", "create")
	update, archive := app.Allow("patients", "update"), app.Allow("patients", "delete")

	r.Clinic(http.MethodGet, "/patients", read, m.list)
	r.Clinic(http.MethodGet, "/patients/new", create, m.showNew)
	r.Clinic(http.MethodPost, "/patients", create, m.create)
	r.Clinic(http.MethodGet, "/patients/duplicates", create, m.duplicates)
	r.Clinic(http.MethodGet, "/patients/quick", read, m.quick)
	r.Clinic(http.MethodGet, "/patients/:id", read, m.show)
	r.Clinic(http.MethodGet, "/patients/:id/edit", update, m.edit)
	r.Clinic(http.MethodPost, "/patients/:id", update, m.update)
	r.Clinic(http.MethodGet, "/patients/:id/archive", archive, m.confirmArchive)
	r.Clinic(http.MethodPost, "/patients/:id/archive", archive, m.archive)
	r.Clinic(http.MethodPost, "/patients/:id/restore", archive, m.restore)

	r.Clinic(http.MethodGet, "/api/patients", read, m.apiList)
	r.Clinic(http.MethodPost, "/api/patients", create, m.apiCreate)
	r.Clinic(http.MethodGet, "/api/patients/:id", read, m.apiGet)
	r.Clinic(http.MethodPut, "/api/patients/:id", update, m.apiUpdate)
	r.Clinic(http.MethodPost, "/api/patients/:id/archive", archive, m.archive)
	r.Clinic(http.MethodPost, "/api/patients/:id/restore", archive, m.restore)
}
