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
	r.Clinic(http.MethodGet, "/", app.Public, m.frontDoor)
	r.Clinic(http.MethodGet, "/login", app.Public, m.showLogin)
	r.Clinic(http.MethodPost, "/login", app.Public, m.login)
	r.Clinic(http.MethodGet, "/login/code", app.Public, m.showCode)
	r.Clinic(http.MethodPost, "/login/code", app.Public, m.code)
	r.Clinic(http.MethodPost, "/logout", app.SignedIn, m.logout)
	r.Clinic(http.MethodGet, "/password/forgot", app.Public, m.showForgot)
	r.Clinic(http.MethodPost, "/password/forgot", app.Public, m.forgot)
	r.Clinic(http.MethodGet, "/password/reset", app.Public, m.showReset)
	r.Clinic(http.MethodPost, "/password/reset", app.Public, m.reset)
	r.Clinic(http.MethodGet, "/welcome", app.Public, m.welcome)
	r.Clinic(http.MethodGet, "/invitation", app.Public, m.showInvitation)
}
