package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/templates"
)

func init() { gin.SetMode(gin.TestMode) }

// partial renders one shared partial, parsed from its own file, with data.
func partial(t *testing.T, name string, data any) string {
	t.Helper()
	set, err := template.New("").ParseFS(templates.FS, "partials/"+name+".html")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := set.ExecuteTemplate(&b, name, data); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		headers  map[string]string
		status   int
		location string
		hx       string
	}{
		{"a browser's form post", nil, http.StatusSeeOther, "/patients/p1", ""},
		{"htmx", map[string]string{htmx.HeaderRequest: "true"}, http.StatusOK, "", "/patients/p1"},
		{"boosted htmx", map[string]string{htmx.HeaderRequest: "true", htmx.HeaderBoosted: "true"}, http.StatusOK, "", "/patients/p1"},
		{"not htmx's header value", map[string]string{htmx.HeaderRequest: "1"}, http.StatusSeeOther, "/patients/p1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/patients", nil)
			for k, v := range tc.headers {
				c.Request.Header.Set(k, v)
			}
			web.Redirect(c, "/patients/p1")
			c.Writer.WriteHeaderNow()
			if w.Code != tc.status || w.Header().Get("Location") != tc.location || w.Header().Get(htmx.HeaderRedirect) != tc.hx {
				t.Fatalf("status %d, Location %q, HX-Redirect %q", w.Code, w.Header().Get("Location"), w.Header().Get(htmx.HeaderRedirect))
			}
		})
	}
}

// newRenderer parses Ward's shared templates and error page, as the app does.
func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	errs, err := fs.Sub(templates.FS, "errors")
	if err != nil {
		t.Fatal(err)
	}
	asset := template.FuncMap{"asset": func(p string) string { return "/static/" + p }}
	r, err := web.NewRenderer(web.Templates{Shared: templates.FS, Funcs: asset, Sources: []web.Source{{Prefix: "errors", FS: errs}},
		Decorators: []web.Decorator{func(c *gin.Context, g *web.Globals) { g.RequestID = logging.RequestID(c.Request.Context()) }}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// secretCause stands for what an internal error may carry (a query, a
// connection string): it must reach the log, never the response.
const secretCause = "dial mongodb://admin:hunter2@db"

func TestFail(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	for _, tc := range []struct {
		name   string
		path   string
		htmx   bool
		err    error
		status int
		json   string   // the API envelope, exactly
		page   []string // what the HTML must contain
		layout bool     // the whole page, not only its content
		logged string   // in the log line, "" for none at error level
		hidden string   // never in the response
	}{
		{name: "API validation", path: "/api/patients", err: web.Invalid(map[string]string{"lastName": "Required."}),
			status: 422, json: `{"error":"Please correct the highlighted fields.","fields":{"lastName":"Required."},"success":false}`},
		{name: "API not found", path: "/api/patients/x", err: web.NotFound("No such patient."),
			status: 404, json: `{"error":"No such patient.","success":false}`},
		{name: "API internal", path: "/api/patients", err: errors.New(secretCause),
			status: 500, json: `{"error":"Something went wrong on our side.","success":false}`, logged: secretCause, hidden: "hunter2"},
		{name: "page not found", path: "/patients/x", err: web.NotFound("No such patient."),
			status: 404, page: []string{"404 · Not Found", "No such patient."}, layout: true},
		{name: "wrapped conflict", path: "/patients/x", err: fmt.Errorf("saving: %w", web.Conflict("Someone else changed this patient.")),
			status: 409, page: []string{"409 · Conflict", "Someone else changed this patient."}, layout: true},
		{name: "refusal with a cause", path: "/roles", err: &web.Error{Status: 403, Message: "Not yours.", Err: errors.New(secretCause), Link: "/dashboard", LinkText: "Back"},
			status: 403, page: []string{"Not yours.", `href="/dashboard"`, "Back"}, layout: true, hidden: "hunter2"},
		{name: "page internal", path: "/patients", err: errors.New(secretCause),
			status: 500, page: []string{"Something went wrong on our side.", "req-42"}, layout: true, logged: secretCause, hidden: "hunter2"},
		{name: "htmx internal", path: "/patients", htmx: true, err: errors.New(secretCause),
			status: 500, page: []string{"Something went wrong on our side.", "req-42"}, logged: secretCause, hidden: "hunter2"},
		{name: "unavailable", path: "/patients", err: web.Unavailable("The database is starting."),
			status: 503, page: []string{"The database is starting.", "req-42"}, layout: true, logged: "The database is starting."},
		{name: "bad request", path: "/patients", err: web.BadRequest("That is not a date."),
			status: 400, page: []string{"That is not a date."}, layout: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, tc.path, nil)
			c.Request = c.Request.WithContext(logging.WithRequest(c.Request.Context(), "req-42", zerolog.New(&log).Level(zerolog.InfoLevel)))
			if tc.htmx {
				c.Request.Header.Set(htmx.HeaderRequest, "true")
			}
			r.Fail(c, tc.err)
			body := w.Body.String()
			if w.Code != tc.status || !c.IsAborted() {
				t.Fatalf("status %d (aborted %v), want %d: %s", w.Code, c.IsAborted(), tc.status, body)
			}
			if tc.json != "" {
				var got, want any
				if err := json.Unmarshal([]byte(body), &got); err != nil {
					t.Fatalf("not JSON: %s", body)
				}
				_ = json.Unmarshal([]byte(tc.json), &want)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("envelope %s, want %s", body, tc.json)
				}
			}
			for _, s := range tc.page {
				if !strings.Contains(body, s) {
					t.Errorf("the page lacks %q:\n%s", s, body)
				}
			}
			if tc.page != nil && strings.Contains(body, "<!doctype html>") != tc.layout {
				t.Errorf("whole page %v, want %v", !tc.layout, tc.layout)
			}
			if tc.hidden != "" && strings.Contains(body, tc.hidden) {
				t.Errorf("the response shows the cause: %s", body)
			}
			if got := log.String(); (tc.logged != "") != strings.Contains(got, `"level":"error"`) || !strings.Contains(got, tc.logged) {
				t.Errorf("log %q, want an error line with %q", got, tc.logged)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	e := gin.New()
	e.GET("/api/ok", r.Handle(func(c *gin.Context) error {
		web.OK(c, http.StatusCreated, gin.H{"id": "p1"})
		return nil
	}))
	e.GET("/api/fail", r.Handle(func(c *gin.Context) error { return web.Forbidden("Not allowed.") }))
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/api/ok", http.StatusCreated, `{"data":{"id":"p1"},"success":true}`},
		{"/api/fail", http.StatusForbidden, `{"error":"Not allowed.","success":false}`},
	} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if w.Code != tc.status || w.Body.String() != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.path, w.Code, w.Body.String(), tc.status, tc.body)
		}
	}
}

func TestError(t *testing.T) {
	t.Parallel()
	cause := errors.New("no rows")
	e := &web.Error{Status: 404, Message: "No such patient.", Err: cause}
	if e.Error() != "No such patient.: no rows" || !errors.Is(e, cause) {
		t.Fatalf("Error() %q, Is(cause) %v", e.Error(), errors.Is(e, cause))
	}
	if web.NotFound("Gone.").Error() != "Gone." {
		t.Fatal("an error without a cause is its message")
	}
	for i, tc := range []struct {
		err    *web.Error
		status int
	}{
		{web.NotFound(""), 404}, {web.Forbidden(""), 403}, {web.BadRequest(""), 400},
		{web.Conflict(""), 409}, {web.Invalid(nil), 422}, {web.Unavailable(""), 503},
	} {
		if tc.err.Status != tc.status {
			t.Errorf("constructor %d: status %d, want %d", i, tc.err.Status, tc.status)
		}
	}
}

func TestIsAPI(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{"/api/patients": true, "/api/": true, "/api": false, "/apiary": false, "/patients": false} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodGet, path, nil)
		if web.IsAPI(c) != want {
			t.Errorf("IsAPI(%s) = %v", path, !want)
		}
	}
}
