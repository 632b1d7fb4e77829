// Package services is the clinic's price list: the services it offers, each
// with a code, a usual duration, a price and a tax rate. Appointments take
// a service's duration from it, invoices its price. It is the example of a
// module written with the kit (modules/README.md): one versioned record
// type, as pages and as JSON under /api/services.
package services

import (
	"context"
	"embed"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/records"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the services module.
type Module struct{ kit.Base }

// Service is one entry of the price list. As JSON it is what the API
// answers: records.Meta's id, version, active and dates, and the Fields.
type Service struct {
	records.Meta `bson:",inline"`
	Fields       `bson:",inline"`
	NameKey      string `bson:"nameKey" json:"-"` // the name in lower case: the list's order and search
}

// Fields are what people set, in the API's units.
type Fields struct {
	Name    string `bson:"name" json:"name"`
	Code    string `bson:"code" json:"code"`       // upper case, unique in the clinic
	Minutes int    `bson:"minutes" json:"minutes"` // the usual duration
	Price   int64  `bson:"price" json:"price"`     // minor units of the clinic's currency: 2550 is 25.50 USD
	TaxRate int    `bson:"taxRate" json:"taxRate"` // basis points: 1250 is 12.5 %
}

var kind = records.Kind{Collection: "services", Revisions: "service_revisions", Ref: "serviceId"}

// The actions the module records in the audit log.
const (
	actionCreate  = "service.create"
	actionUpdate  = "service.update"
	actionArchive = "service.archive"
	actionRestore = "service.restore"
)

// New returns the module.
func New() *Module { return &Module{kit.NewBase("services", templates)} }

// Indexes implements app.IndexDeclarer: the list in name order (and a
// search by name), the codes (unique: a duplicate fails the write), the
// revisions.
func (m *Module) Indexes() []db.Index {
	return append(kind.Indexes(),
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "active", "nameKey"}},
		db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "code"}, Unique: true})
}

// KeepsMoney implements app.MoneyKeeper: prices are in the clinic's currency.
func (m *Module) KeepsMoney(ctx context.Context, tdb *db.Tenant) (bool, error) {
	n, _, err := tdb.Collection(kind.Collection).CountUpTo(ctx, db.Filter{}, 1)
	return n > 0, err
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "services", Label: "Services and prices", Actions: []string{"read", "create", "update", "delete"},
		Description: "See the clinic's services and prices, add and change them, archive and restore them (delete = archive: nothing is erased)."}}
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Services", Href: "/services", Resource: "services", Group: app.GroupBilling, Order: 70}}
}

// AuditActions implements app.AuditDeclarer.
func (m *Module) AuditActions() []audit.Action {
	const link = "/services/"
	return []audit.Action{{Code: actionCreate, Label: "Added a service", Says: "added the service", Link: link},
		{Code: actionUpdate, Label: "Changed a service", Says: "changed the service", Link: link},
		{Code: actionArchive, Label: "Archived a service", Says: "archived the service", Link: link},
		{Code: actionRestore, Label: "Restored a service", Says: "restored the service", Link: link}}
}

// Routes implements app.RouteDeclarer. A page and its API twin share a
// handler, which reads a form or JSON and answers a page or the envelope.
func (m *Module) Routes(r *app.Routes) {
	read, create := app.Allow("services", "read"), app.Allow("services", "create")
	update, archive := app.Allow("services", "update"), app.Allow("services", "delete")
	for _, api := range []string{"", "/api"} {
		r.Clinic(http.MethodGet, api+"/services", read, m.list)
		r.Clinic(http.MethodPost, api+"/services", create, m.submit)
		r.Clinic(http.MethodGet, api+"/services/:id", read, m.show)
		r.Clinic(http.MethodPost, api+"/services/:id/archive", archive, m.archive)
		r.Clinic(http.MethodPost, api+"/services/:id/restore", archive, m.restore)
	}
	r.Clinic(http.MethodGet, "/services/new", create, m.form)
	r.Clinic(http.MethodGet, "/services/:id/edit", update, m.form)
	r.Clinic(http.MethodPost, "/services/:id", update, m.submit)
	r.Clinic(http.MethodPut, "/api/services/:id", update, m.submit)
}
