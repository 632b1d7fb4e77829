// Package landing is the platform host's front page: what Ward does today and
// the way into onboarding. It is also the smallest complete module — a name, its
// templates, one route — and a good first read.
package landing

import (
	"embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/policies"
)

var indexPage = web.NewPage("landing/index")

//go:embed templates/*.html
var templates embed.FS

// Module is the landing page module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("landing", templates)} }

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Platform(http.MethodGet, "/", m.index)
}

// view is what the landing page shows besides its text.
type view struct {
	Domain    string // clinics are its subdomains
	TrialDays int
}

func (m *Module) index(c *gin.Context) error {
	return m.S.Render.Page(c, http.StatusOK, indexPage, web.Page{Title: "Clinic management for small practices",
		Data: view{Domain: m.S.PlatformHost(), TrialDays: trialDays}})
}

// trialDays is the length of a new clinic's free trial (the trial plan's).
var trialDays = policies.SubscriptionPlans().Trial().Days
