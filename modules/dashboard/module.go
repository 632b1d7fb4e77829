// Package dashboard is where staff land after signing in: a greeting, the
// clinic's trial or subscription status, and the places they may go.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

var indexPage = web.NewPage("dashboard/index")

//go:embed templates/*.html
var templates embed.FS

// Module is the dashboard module.
type Module struct {
	s *kit.Services
}

var (
	_ app.Module             = (*Module)(nil)
	_ kit.Provisioner        = (*Module)(nil)
	_ app.TemplateProvider   = (*Module)(nil)
	_ app.RouteDeclarer      = (*Module)(nil)
	_ app.NavDeclarer        = (*Module)(nil)
	_ app.PermissionDeclarer = (*Module)(nil)
)

// New returns the module.
func New() *Module { return &Module{} }

// Name implements app.Module.
func (m *Module) Name() string { return "dashboard" }

// Provision keeps the services.
func (m *Module) Provision(s *kit.Services) error { m.s = s; return nil }

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	return templates
}

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
}

func (m *Module) show(c *gin.Context) error {
	ctx := c.Request.Context()
	u, t := auth.FromContext(ctx), tenant.FromContext(ctx)
	now := m.s.Now().In(tenant.Zone(ctx, tenant.DB(ctx))) // "good morning" where the clinic is
	v := view{Greeting: greeting(now), Name: u.Name, Trial: t.Subscription.Plan == "trial", ExpiresAt: t.Subscription.ExpiresAt}
	v.DaysLeft = int(t.Subscription.ExpiresAt.Sub(now).Hours()/24 + 0.999)
	return m.s.Render.Page(c, http.StatusOK, indexPage, web.Page{Title: "Dashboard", Data: v})
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
