package web_test

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/templates"
)

// A source's partials/*.html are shared by its pages, and only by its
// pages; they are not pages themselves.
func TestSourcePartials(t *testing.T) {
	t.Parallel()
	mod := fstest.MapFS{
		"a.html":          {Data: []byte(`{{define "content"}}[{{template "m/cell" "A"}}]{{end}}`)},
		"b.html":          {Data: []byte(`{{define "content"}}[{{template "m/cell" "B"}}]{{end}}`)},
		"partials/x.html": {Data: []byte(`{{define "m/cell"}}<td>{{.}}</td>{{end}}`)},
	}
	other := fstest.MapFS{"c.html": {Data: []byte(`{{define "content"}}{{template "m/cell" "C"}}{{end}}`)}}
	asset := template.FuncMap{"asset": func(p string) string { return "/static/" + p }}
	r, err := web.NewRenderer(web.Templates{Shared: templates.FS, Funcs: asset, Sources: []web.Source{{Prefix: "m", FS: mod}, {Prefix: "o", FS: other}}})
	if err != nil {
		t.Fatal(err)
	}
	render := func(page string) (string, error) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		err := r.Page(c, http.StatusOK, web.NewPage(page), web.Page{Title: "t"})
		return w.Body.String(), err
	}
	if _, err := render("o/c"); err == nil {
		t.Error("another source's page used the partial")
	}
	web.NewPage("m/x")
	if missing := r.Missing(); len(missing) != 1 || missing[0].String() != "m/x" {
		t.Errorf("a partial became a page: missing %v", missing)
	}
	for _, page := range []string{"m/a", "m/b"} {
		body, err := render(page)
		if err != nil {
			t.Fatal(err)
		}
		if want := "<td>" + strings.ToUpper(page[2:]) + "</td>"; !strings.Contains(body, want) {
			t.Errorf("%s: no %s in %.200s", page, want, body)
		}
	}
}
