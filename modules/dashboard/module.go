// Package dashboard is where staff land after signing in: a greeting, the
// clinic's trial or subscription status, and the places they may go; the
// admin who has just signed their clinic up also sees the first steps, once.
package dashboard

import (
	"embed"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
)

var indexPage = web.NewPage("dashboard/index")

//go:embed templates/*.html
var templates embed.FS

// Module is the dashboard module.
type Module struct{ kit.Base }

// New returns the module.
func New() *Module { return &Module{Base: kit.NewBase("dashboard", templates)} }

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/dashboard", app.Allow("dashboard", "read"), m.show)
}

// Nav implements app.NavDeclarer.
func (m *Module) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Dashboard", Href: "/dashboard", Resource: "dashboard", Order: 0}}
}

// Permissions implements app.PermissionDeclarer.
func (m *Module) Permissions() []app.Permission {
	return []app.Permission{{Resource: "dashboard", Label: "Dashboard", Actions: []string{"read"}, Description: "See the day's overview after signing in."}}
}

type view struct {
	Greeting  string
	Name      string
	Trial     bool
	DaysLeft  int
	ExpiresAt time.Time
	// Welcome: the person has just signed their clinic up; the page shows
	// the first steps they may take, this once.
	Welcome    bool
	FirstSteps []step
}

// step is one of the first things to do in a new clinic.
type step struct {
	Href, Label, Rest string
	Resource, Action  string // who may take it
}

// firstSteps are what a new clinic's admin does first, in order.
var firstSteps = []step{
	{"/staff/new", "Add your staff", ": each gets an email to choose their password, and a role that decides what they may see and do.", "staff", "create"},
	{"/patients/new", "Register your first patient", ".", "patients", "create"},
	{"/settings", "Set the clinic's settings", ": its name, time zone, currency and date format.", "settings", "update"},
	{"/services/new", "Add your services", " and their prices.", "services", "create"},
}

func (m *Module) show(c *gin.Context) error {
	u, t := m.S.User(c), m.S.Tenant(c)
	now := m.S.Now().In(m.S.Zone(c)) // "good morning" where the clinic is
	v := view{Greeting: greeting(now), Name: u.Name, Trial: t.Subscription.Plan == "trial", ExpiresAt: t.Subscription.ExpiresAt}
	v.DaysLeft = int(t.Subscription.ExpiresAt.Sub(now).Hours()/24 + 0.999)
	welcome, err := m.S.Welcome(c)
	if err != nil {
		// The welcome is a courtesy: the dashboard shows without it.
		logging.FromContext(c.Request.Context()).Warn().Err(err).Msg("reading the welcome failed")
	}
	if welcome {
		v.Welcome, v.FirstSteps = true, m.stepsFor(c)
	}
	return m.S.Render.Page(c, http.StatusOK, indexPage, web.Page{Title: "Dashboard", Data: v})
}

// stepsFor are the first steps the signed-in user may take.
func (m *Module) stepsFor(c *gin.Context) []step {
	var out []step
	for _, st := range firstSteps {
		if ok, err := m.S.Can(c, st.Resource, st.Action); err == nil && ok {
			out = append(out, st)
		}
	}
	return out
}

func greeting(t time.Time) string {
	switch h := t.Hour(); {
	case h < 12:
		return "Good morning"
	case h < 18:
		return "Good afternoon"
	default:
		return "Good evening"
	}
}
