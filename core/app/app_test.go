package app_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/landing"
)

var notesPage = web.NewPage("notes/list")

// notes is a small module used only here: a page with a form, a POST that
// redirects, and an index.
type notes struct{ render *web.Renderer }

func (n *notes) Name() string                    { return "notes" }
func (n *notes) Provision(s *kit.Services) error { n.render = s.Render; return nil }
func (n *notes) Indexes() []db.Index {
	return []db.Index{{Collection: "notes", Keys: []string{"tenantId", "title"}, Unique: true}}
}
func (n *notes) Templates() fs.FS {
	return fstest.MapFS{"list.html": {Data: []byte(
		`{{define "content"}}<section id="notes"><h1>Notes</h1><form method="post" action="/notes">{{template "field" (dict "Name" "title" "Label" "Title" "Value" "" "Error" (index .Errors "title"))}}</form></section>{{end}}`)}}
}
func (n *notes) Routes(r *app.Routes) {
	r.Platform(http.MethodGet, "/notes", func(c *gin.Context) error {
		return n.render.Page(c, http.StatusOK, notesPage, web.Page{Title: "Notes"})
	})
	r.Platform(http.MethodPost, "/notes", func(c *gin.Context) error {
		if strings.TrimSpace(c.PostForm("title")) == "" {
			return n.render.Page(c, http.StatusUnprocessableEntity, notesPage, web.Page{Errors: map[string]string{"title": "Give the note a title."}})
		}
		web.Redirect(c, "/notes")
		return nil
	})
	r.Platform(http.MethodGet, "/boom", func(c *gin.Context) error {
		return context.DeadlineExceeded // an internal error: must not reach the person
	})
}

func TestHealthReadyAndLandingPage(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New())
	c := s.Client(t)

	if r := c.Get("localhost", "/healthz"); r.StatusCode != 200 || r.Body != "ok" {
		t.Fatalf("healthz: %d %q", r.StatusCode, r.Body)
	}
	if r := c.Get("localhost", "/readyz"); r.StatusCode != 200 {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.Body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequest(http.MethodHead, s.URL("localhost", path), nil)
		if r := c.Do(req); r.StatusCode != 200 || r.Body != "" {
			t.Fatalf("HEAD %s: %d %q", path, r.StatusCode, r.Body)
		}
	}
	r := c.Get("localhost", "/")
	if r.StatusCode != 200 {
		t.Fatalf("landing: %d", r.StatusCode)
	}
	doc := r.Doc(t)
	if got := doc.Find("h1").First().Text(); !strings.Contains(got, "Ward") {
		t.Errorf("landing h1 = %q", got)
	}
	if doc.Find(`a[href="/tenant-onboard"]`).Length() == 0 {
		t.Error("landing page has no link to onboarding")
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Error("no X-Request-ID header")
	}
	for h, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"Cache-Control":          "no-store",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	// Static files linked from the page are served, versioned and cacheable.
	href, _ := doc.Find(`link[href*="css/ward.css"]`).Attr("href")
	if !strings.Contains(href, "?v=") {
		t.Fatalf("stylesheet href %q is not versioned", href)
	}
	st := c.Get("localhost", href)
	if st.StatusCode != 200 || !strings.Contains(st.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("static: %d %q", st.StatusCode, st.Header.Get("Cache-Control"))
	}
	if r := c.Get("localhost", "/static/nope.css"); r.StatusCode != 404 {
		t.Errorf("missing static file: %d", r.StatusCode)
	}
}

func TestUnknownPathsAndHosts(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New(), &notes{})
	c := s.Client(t)
	r := c.Get("localhost", "/no-such-page")
	if r.StatusCode != 404 || !strings.Contains(r.Body, "no page at this address") {
		t.Fatalf("unknown path: %d", r.StatusCode)
	}
	if !strings.Contains(r.Body, "<html") {
		t.Error("404 is not a full page")
	}
	r = c.Get("localhost", "/boom")
	if r.StatusCode != 500 {
		t.Fatalf("internal error: %d", r.StatusCode)
	}
	if strings.Contains(r.Body, "deadline") || !strings.Contains(r.Body, r.Header.Get("X-Request-ID")) {
		t.Errorf("500 page leaks the error or lacks the request id:\n%s", r.Body)
	}
}

func TestFragmentForHTMXAndRedirects(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, landing.New(), &notes{})
	c := s.Client(t)

	full := c.Get("localhost", "/notes")
	if !strings.Contains(full.Body, "<html") || !strings.Contains(full.Body, `id="notes"`) {
		t.Fatalf("normal request did not get the full page")
	}
	frag := c.Get("localhost", "/notes", "HX-Request", "true")
	if strings.Contains(frag.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(frag.Body), `<section id="notes">`) {
		t.Fatalf("htmx request did not get the fragment:\n%s", frag.Body)
	}
	if v := frag.Header.Get("Vary"); !strings.Contains(v, "HX-Request") {
		t.Errorf("Vary = %q", v)
	}
	boosted := c.Get("localhost", "/notes", "HX-Request", "true", "HX-Boosted", "true")
	if !strings.Contains(boosted.Body, "<html") {
		t.Error("boosted request must get the full page")
	}
	restore := c.Get("localhost", "/notes", "HX-Request", "true", "HX-History-Restore-Request", "true")
	if !strings.Contains(restore.Body, "<html") {
		t.Error("history restore must get the full page")
	}

	ok := url.Values{"title": {"Buy gauze"}}
	r := c.PostForm("localhost", "/notes", ok)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes" {
		t.Fatalf("POST: %d Location=%q", r.StatusCode, r.Header.Get("Location"))
	}
	r = c.PostForm("localhost", "/notes", ok, "HX-Request", "true")
	if r.StatusCode != http.StatusOK || r.Header.Get("HX-Redirect") != "/notes" {
		t.Fatalf("htmx POST: %d HX-Redirect=%q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	r = c.PostForm("localhost", "/notes", url.Values{"title": {" "}})
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid POST: %d", r.StatusCode)
	}
	if msg := r.Doc(t).Find("#e-title").Text(); msg != "Give the note a title." {
		t.Errorf("field message = %q", msg)
	}
}

func TestDeclaredIndexExistsAndStartTwice(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		s := apptest.Start(t, apptest.Options{DataDir: dir}, &notes{})
		names, err := s.DB.IndexNames(context.Background(), "notes")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, "tenantId_1_title_1") {
			t.Fatalf("start %d: indexes on notes = %v", i+1, names)
		}
		_ = s.DB.Close(context.Background())
	}
}
