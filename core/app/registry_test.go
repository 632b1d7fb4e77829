package app_test

import (
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// fake is a module assembled from parts, to check what registration refuses.
type fake struct {
	name    string
	routes  func(r *app.Routes)
	indexes []db.Index
	tmpl    fs.FS
}

func (f fake) Name() string { return f.name }

type withRoutes struct{ fake }

func (w withRoutes) Routes(r *app.Routes) { w.routes(r) }

type withIndexes struct{ fake }

func (w withIndexes) Indexes() []db.Index { return w.indexes }

type withPermissions struct{ fake }

func (w withPermissions) Permissions() []app.Permission {
	return []app.Permission{{Resource: "charts", Label: "Charts", Actions: []string{"read"}, Clinical: true}}
}

type withTemplates struct{ fake }

func (w withTemplates) Templates() fs.FS { return w.tmpl }

func ok(c *gin.Context) error { return nil }

func TestRegistrationRefusesMistakes(t *testing.T) {
	cfg, _ := config.Load(func(string) string { return "" })
	cases := []struct {
		name    string
		modules []app.Module
		want    string
	}{
		{"duplicate module", []app.Module{fake{name: "a"}, fake{name: "a"}}, `module "a" registered twice`},
		{"route without permission", []app.Module{withRoutes{fake{name: "a", routes: func(r *app.Routes) {
			r.Clinic(http.MethodGet, "/x", app.Access{}, ok)
		}}}}, "declares no permission"},
		{"duplicate route", []app.Module{
			withRoutes{fake{name: "a", routes: func(r *app.Routes) { r.Clinic(http.MethodGet, "/x", app.SignedIn, ok) }}},
			withRoutes{fake{name: "b", routes: func(r *app.Routes) { r.Clinic(http.MethodGet, "/x", app.SignedIn, ok) }}},
		}, `declared by both "a" and "b"`},
		{"index not led by tenantId", []app.Module{withIndexes{fake{name: "a", indexes: []db.Index{
			{Collection: "c", Keys: []string{"name"}},
		}}}}, "must start with tenantId"},
		{"template that does not parse", []app.Module{withTemplates{fake{name: "a", tmpl: fstest.MapFS{
			"x.html": {Data: []byte(`{{define "content"}}{{.Broken}`)},
		}}}}, "templates: a/x"},
		{"clinical resource with no audit log", []app.Module{withPermissions{fake{name: "a"}}},
			`resource "charts" is clinical but Ward has no audit log`},
		{"page without content", []app.Module{withTemplates{fake{name: "a", tmpl: fstest.MapFS{
			"x.html": {Data: []byte(`<p>hi</p>`)},
		}}}}, `defines no "content"`},
	}
	for _, c := range cases {
		_, err := app.New(app.Deps{Config: cfg, Templates: templates.FS, Static: static.FS}, c.modules...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
