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
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/policies"
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

type withNav struct{ fake }

func (w withNav) Nav() []app.NavEntry {
	return []app.NavEntry{{Label: "Charts", Href: "/charts", Resource: "charts"}}
}

// pagecheck renders a page its templates do not define.
var _ = web.NewPage("pagecheck/missing")

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
		{"route needing a permission no module declares", []app.Module{
			withRoutes{fake{name: "a", routes: func(r *app.Routes) { r.Clinic(http.MethodGet, "/y", app.Allow("charts", "print"), ok) }}},
			withPermissions{fake{name: "b"}},
		}, `module "a": GET /y requires charts:print, which no module declares`},
		{"navigation entry for an unknown resource", []app.Module{withNav{fake{name: "a"}}},
			`navigation entry "Charts": resource "charts" has no read permission`},
		{"page rendered but not defined", []app.Module{withTemplates{fake{name: "pagecheck", tmpl: fstest.MapFS{
			"list.html": {Data: []byte(`{{define "content"}}{{end}}`)},
		}}}}, `module "pagecheck": page "pagecheck/missing" is rendered but no template defines it`},
		{"default role granting an undeclared action", []app.Module{withPermissions{fake{name: "a"}}},
			`default role "Clerk" grants charts:print, but the module declaring "charts" has no action "print"`},
		{"clinic route with no access guard", []app.Module{withRoutes{fake{name: "a", routes: func(r *app.Routes) {
			r.Clinic(http.MethodGet, "/x", app.SignedIn, ok)
		}}}}, `module "a": GET /x is a clinic route but Ward has no access guard`},
		{"page without content", []app.Module{withTemplates{fake{name: "a", tmpl: fstest.MapFS{
			"x.html": {Data: []byte(`<p>hi</p>`)},
		}}}}, `defines no "content"`},
	}
	for _, c := range cases {
		roles := []policies.Role{{Key: "clerk", Name: "Clerk", Grants: map[string][]string{"charts": {"print"}, "later": {"read"}}}}
		_, err := app.New(app.Deps{Config: cfg, Templates: templates.FS, Static: static.FS, Roles: roles}, c.modules...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
