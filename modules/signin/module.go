// Package signin is how staff enter and leave their clinic: the sign-in
// page, sign-out, and the clinic host's front door.
package signin

import (
	"embed"
	"net/http"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
)

//go:embed templates/*.html
var templates embed.FS

// Module is the sign-in module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("signin", templates)} }

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	// Signing in and out and resetting a password work whatever the
	// clinic's subscription: a lapsed clinic's admin must reach the
	// subscription page.
	open := app.Public.EvenLapsed()
	r.Clinic(http.MethodGet, "/", open, m.frontDoor)
	r.Clinic(http.MethodGet, "/login", open, m.showLogin)
	r.Clinic(http.MethodPost, "/login", open, m.login)
	r.Clinic(http.MethodGet, "/login/code", open, m.showCode)
	r.Clinic(http.MethodPost, "/login/code", open, m.code)
	r.Clinic(http.MethodPost, "/logout", app.SignedIn.EvenLapsed(), m.logout)
	r.Clinic(http.MethodGet, "/password/forgot", open, m.showForgot)
	r.Clinic(http.MethodPost, "/password/forgot", open, m.forgot)
	r.Clinic(http.MethodGet, "/password/reset", open, m.showReset)
	r.Clinic(http.MethodPost, "/password/reset", open, m.reset)
	r.Clinic(http.MethodGet, "/welcome", open, m.welcome)
	r.Clinic(http.MethodGet, "/invitation", open, m.showInvitation)
}
