// Package landing is the platform host's front page: what Ward is and the way
// into onboarding. It is also the smallest complete module — a name, its
// templates, one route — and a good first read.
package landing

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
)

var indexPage = web.NewPage("landing/index")

//go:embed templates/*.html
var templates embed.FS

// Module is the landing page module.
type Module struct {
	render *web.Renderer
}

// Compile-time checks of the capabilities this module has.
var (
	_ app.Module           = (*Module)(nil)
	_ kit.Provisioner      = (*Module)(nil)
	_ app.TemplateProvider = (*Module)(nil)
	_ app.RouteDeclarer    = (*Module)(nil)
)

// New returns the module.
func New() *Module { return &Module{} }

// Name implements app.Module.
func (m *Module) Name() string { return "landing" }

// Provision keeps the renderer.
func (m *Module) Provision(s *kit.Services) error {
	m.render = s.Render
	return nil
}

// Templates implements app.TemplateProvider.
func (m *Module) Templates() fs.FS {
	return templates
}

// Routes implements app.RouteDeclarer.
func (m *Module) Routes(r *app.Routes) {
	r.Platform(http.MethodGet, "/", m.index)
}

func (m *Module) index(c *gin.Context) error {
	return m.render.Page(c, http.StatusOK, indexPage, web.Page{Title: "Clinic management for small practices"})
}
