// Package onboarding lets a clinic sign itself up on the platform host: it
// validates the form, limits how many clinics are signed up from one
// address and in all, claims the subdomain and provisions the clinic (trial
// subscription, default roles, admin account, settings, the mail asking the
// admin to confirm their address), then sends the admin to the new clinic's
// sign-in page. On the clinic's host it confirms the address (verify.go).
package onboarding

import (
	"embed"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the onboarding module.
type Module struct {
	kit.Base
	platform *kit.Platform
}

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("onboarding", templates)} }

// ProvisionPlatform keeps the platform services: onboarding creates
// clinics, which are not the request's.
func (m *Module) ProvisionPlatform(p *kit.Platform) error {
	m.platform = p
	return nil
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Platform(http.MethodGet, "/tenant-onboard", m.show)
	r.Platform(http.MethodPost, "/tenant-onboard", m.submit)
	r.Platform(http.MethodGet, "/tenant-onboard/subdomain", m.checkSubdomain)

	// The link in the mail proves the address: no sign-in needed.
	r.Clinic(http.MethodGet, "/email/verify", app.Public, m.showConfirm)
	r.Clinic(http.MethodPost, "/email/verify", app.Public, m.confirm)
	r.Clinic(http.MethodPost, "/email/verify/resend", resendAccess, m.resend)
}

// resendAccess is who may have the link sent again, and sees the banner:
// the clinic's administrators.
var resendAccess = app.Allow("settings", "update")
