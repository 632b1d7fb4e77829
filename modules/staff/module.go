// Package staff is where a clinic manages its people: the staff list,
// adding someone (they get an email to choose their password), changing
// roles, deactivating and reactivating (each change of access confirmed
// first), sending a new invitation to who has not chosen a password yet;
// and every user's own profile page (password, two-step sign-in).
package staff

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

// Module is the staff module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("staff", templates)} }

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/staff", app.Allow("staff", "read"), m.list)
	r.Clinic(http.MethodGet, "/staff/new", app.Allow("staff", "create"), m.showNew)
	r.Clinic(http.MethodPost, "/staff", app.Allow("staff", "create"), m.create)
	r.Clinic(http.MethodGet, "/staff/:id/role", app.Allow("staff", "update"), m.showConfirmRole)
	r.Clinic(http.MethodPost, "/staff/:id/role", app.Allow("staff", "update"), m.changeRole)
	r.Clinic(http.MethodGet, "/staff/:id/deactivate", app.Allow("staff", "update"), m.confirmDeactivate)
	r.Clinic(http.MethodPost, "/staff/:id/status", app.Allow("staff", "update"), m.changeStatus)
	r.Clinic(http.MethodPost, "/staff/:id/invitation", app.Allow("staff", "update"), m.resendInvitation)

	r.Clinic(http.MethodGet, "/profile", app.SignedIn, m.profile)
	r.Clinic(http.MethodPost, "/profile/password", app.SignedIn, m.changePassword)
	r.Clinic(http.MethodPost, "/profile/totp/start", app.SignedIn, m.startTOTP)
	r.Clinic(http.MethodPost, "/profile/totp/enable", app.SignedIn, m.enableTOTP)
	r.Clinic(http.MethodPost, "/profile/totp/disable", app.SignedIn, m.disableTOTP)
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{
		{Label: "Staff", Href: "/staff", Resource: "staff", Group: app.GroupAdmin, Order: 80},
		{Label: "My profile", Href: "/profile", Group: app.GroupUser, Order: 99},
	}
}

// Indexes implements app.IndexDeclarer.
func (m *Module) Indexes() []db.Index { return indexes }

// AuditActions implements app.AuditDeclarer: what the module records besides
// core's staff actions (audit.UserCreate, audit.UserUpdate).
func (m *Module) AuditActions() []audit.Action {
	return []audit.Action{
		{Code: actionInvite, Label: "Sent a staff member a new invitation", Says: "sent a new invitation to"},
	}
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "staff", Label: "Staff", Actions: []string{"read", "create", "update"},
		Description: "See the staff list, add people, change their role, deactivate them."}}
}
