// Package onboarding lets a clinic sign itself up on the platform host: it
// validates the form, limits how many clinics are signed up from one
// address and in all, claims the subdomain and provisions the clinic (trial
// subscription, default roles, admin account, settings, the mail asking the
// admin to confirm their address), then sends the admin to the new clinic's
// host with a one-time hand-off that signs them in there (modules/signin
// uses it). On the clinic's host it confirms the address (verify.go). It is
// also how people sign in from the platform host: "find my clinic"
// (find.go).
package onboarding

import (
	"context"
	"embed"
	"net/http"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/tenant"
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

	// Signing in from the platform host: "find my clinic" (find.go).
	r.Platform(http.MethodGet, "/login", m.toFind)
	r.Platform(http.MethodGet, findPath, m.showFind)
	r.Platform(http.MethodPost, findPath, m.findByAddress)
	r.Platform(http.MethodPost, findPath+"/email", m.findByEmail)

	// The link in the mail proves the address: no sign-in needed.
	r.Clinic(http.MethodGet, "/email/verify", app.Public.EvenLapsed(), m.showConfirm)
	r.Clinic(http.MethodPost, "/email/verify", app.Public.EvenLapsed(), m.confirm)
	r.Clinic(http.MethodPost, "/email/verify/resend", resendAccess, m.resend)
}

// Jobs implements app.JobDeclarer: what the sign-up and "find my clinic"
// leave behind is removed once it can no longer be used.
func (m *Module) Jobs() []app.Job {
	return []app.Job{
		{Name: "delete expired sign-up hand-offs", Every: time.Hour, Single: true, Run: func(ctx context.Context) error {
			_, err := m.platform.DeleteExpiredHandoffs(ctx)
			return err
		}},
		{Name: "delete old find-my-clinic requests", Every: time.Hour, Single: true, Run: func(ctx context.Context) error {
			_, err := m.platform.Finds().DeleteOlderThan(ctx, m.S.Now().Add(-tenant.FindWindow))
			return err
		}},
	}
}

// resendAccess is who may have the link sent again, and sees the banner:
// the clinic's administrators.
var resendAccess = app.Allow("settings", "update")
