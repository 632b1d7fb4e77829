// Package apptest starts a whole Ward for tests: the embedded database in a
// temporary directory (or, with WARD_TEST_ENGINE=mongo, a database of its
// own on the mongo engine), the given modules, a real HTTP server on
// 127.0.0.1, and clients that speak to any *.localhost host name (a clinic's
// subdomain) with their own cookie jars. It is imported only by tests.
package apptest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// Start time of every test clock: a fixed, ordinary Monday morning.
var Epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Options adjust the test server.
type Options struct {
	DataDir string            // default: a new temporary directory
	Env     map[string]string // extra environment for config.Load
	Setup   func(a *app.App)  // runs after the App is built, before Start
	// UnreportedViews lets a clinical route answer without reporting what
	// it showed (see app.OnUnreportedView); otherwise that fails the test.
	UnreportedViews bool
}

// Server is a running Ward.
type Server struct {
	App      *app.App
	Ward     *kit.Ward
	Platform *kit.Platform
	DB       *db.Store
	Clock    *clock.Fixed
	Port     string
	http     *httptest.Server
	addr     string // where clients dial: the test server's listener, or Elsewhere's address
}

// Elsewhere stands for a Ward that runs outside the test binary's own
// servers — another process serving 127.0.0.1:port, on the same database —
// so that its Client signs in and posts there as on a test server. Only
// Client and URL may be used on it.
func Elsewhere(port string) *Server { return &Server{Port: port, addr: "127.0.0.1:" + port} }

// Start starts Ward with the given modules and waits until it is ready. The
// server and database stop when the test ends.
func Start(t testing.TB, o Options, modules ...app.Module) *Server {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	// The listener comes first: links are built from PUBLIC_URL, which
	// names the port the test's requests go to.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() }) // if start-up fails before the server takes it
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// bcrypt's lowest cost (the lowest production allows, there): hashing
	// at the default would take most of the suite's time, and tests check
	// passwords, not bcrypt's strength.
	cost := "4"
	if o.Env["APP_ENV"] == "production" {
		cost = "10"
	}
	env := map[string]string{"DATA_DIR": o.DataDir, "PUBLIC_URL": "http://localhost:" + port, "PASSWORD_HASH_COST": cost}
	if _, own := o.Env["MONGODB_URI"]; !own {
		if uri := engineURI(t, o.DataDir); uri != "" {
			env["MONGODB_URI"] = uri
		}
	}
	for k, v := range o.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(io.Discard)
	if testing.Verbose() {
		log = zerolog.New(zerolog.NewTestWriter(t))
	}
	store, err := db.Open(db.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(Epoch)
	w, err := kit.Build(kit.Options{Config: cfg, Log: log, Store: store, Clock: clk, Templates: templates.FS, Static: static.FS}, modules...)
	if err != nil {
		_ = store.Close(context.Background())
		t.Fatal(err)
	}
	a := w.App
	if o.Setup != nil {
		o.Setup(a)
	}
	if !o.UnreportedViews {
		failUnreportedViews(t, a)
	}
	h, err := a.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Every query the test makes must be served by a declared index.
	dbtest.CheckQueries(t, store)
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	hs.Start()
	s := &Server{App: a, Ward: w, Platform: w.Platform, DB: store, Clock: clk, Port: port, http: hs, addr: hs.Listener.Addr().String()}
	t.Cleanup(func() {
		hs.Close()
		_ = store.Close(context.Background())
	})
	return s
}

// failUnreportedViews fails t if a clinical route showed something without
// reporting it (audit.Shown): every module's tests check the rule.
func failUnreportedViews(t testing.TB, a *app.App) {
	var mu sync.Mutex
	var routes []string
	a.OnUnreportedView(func(r app.Route) {
		mu.Lock()
		defer mu.Unlock()
		routes = append(routes, r.Method+" "+r.Path)
	})
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(routes) > 0 {
			t.Errorf("clinical routes answered without reporting what they showed (audit.Shown): %v", routes)
		}
	})
}

// EngineVar picks the engine every suite started with Start runs on (see
// dbtest.EngineVar), so the module suites can be run once on each.
const EngineVar = dbtest.EngineVar

// mongoURIs holds the database each data directory stands for on the mongo
// engine: a test that starts Ward twice on one DataDir finds its data again,
// as it does on the embedded store.
var mongoURIs sync.Map // data directory → URI

// engineURI is the MONGODB_URI of the engine EngineVar asks for ("" for the
// embedded store).
func engineURI(t testing.TB, dataDir string) string {
	t.Helper()
	switch e := os.Getenv(EngineVar); e {
	case "", "sqlite":
		return ""
	case "mongo":
		if uri, ok := mongoURIs.Load(dataDir); ok {
			return uri.(string)
		}
		uri := dbtest.MongoURI(t)
		mongoURIs.Store(dataDir, uri)
		return uri
	default:
		t.Fatalf("%s=%q: want sqlite or mongo", EngineVar, e)
		return ""
	}
}

// URL returns the address of path on host ("localhost" is the platform,
// "sunrise.localhost" a clinic).
func (s *Server) URL(host, path string) string {
	return "http://" + host + ":" + s.Port + path
}

// Client is a browser-like client: its own cookie jar, no redirect following
// (tests look at the 303 themselves), every host name dialled to the server.
type Client struct {
	t      testing.TB
	s      *Server
	HTTP   *http.Client
	mu     sync.Mutex        // guards tokens: a client may send from several goroutines
	tokens map[string]string // host → the CSRF token of the last page seen there
}

// Client returns a new client with an empty cookie jar.
func (s *Server) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	addr := s.addr
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 32,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &Client{t: t, s: s, tokens: map[string]string{}, HTTP: &http.Client{
		Jar:           jar,
		Transport:     tr,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r *Response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Count counts the documents of c matching filter, failing the test on error.
func Count(t testing.TB, c *db.Collection, filter db.Filter) int64 {
	t.Helper()
	n, err := c.Count(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// WantStatus fails the test unless r has the status.
func WantStatus(t testing.TB, what string, r *Response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.StatusCode, want, r.Body)
	}
}

// WantRedirect fails the test unless r is a 303 to exactly loc.
func WantRedirect(t testing.TB, what string, r *Response, loc string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != loc {
		t.Fatalf("%s: %d Location %q, want 303 %q\n%s", what, r.StatusCode, r.Header.Get("Location"), loc, r.Body)
	}
}

// WantToLogin fails the test unless r sends the visitor to sign in.
func WantToLogin(t testing.TB, what string, r *Response) {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || (loc != "/login" && !strings.HasPrefix(loc, "/login?")) {
		t.Fatalf("%s: %d Location %q, want 303 /login\n%s", what, r.StatusCode, loc, r.Body)
	}
}

// Do sends req and reads the whole answer.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	r, err := c.Try(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// Try is Do that returns its error instead of failing the test: for
// requests sent off the test's goroutine (AtOnce).
func (c *Client) Try(req *http.Request) (*Response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.mu.Lock()
		c.tokens[req.URL.Hostname()] = string(m[1])
		c.mu.Unlock()
	}
	return &Response{Response: resp, Body: string(b)}, nil
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// Token returns the CSRF token of the last page this client saw on host.
func (c *Client) Token(host string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens[host]
}

// Get fetches path on host; headers are name, value pairs.
func (c *Client) Get(host, path string, headers ...string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.s.URL(host, path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	setHeaders(req, headers)
	return c.Do(req)
}

// PostForm posts form values to path on host, as a browser on that host
// would: same-origin headers, and the CSRF token of the last page seen on the
// host unless the form has one (GET the form's page first, as a person would).
func (c *Client) PostForm(host, path string, form url.Values, headers ...string) *Response {
	c.t.Helper()
	r, err := c.TryPost(host, path, form, headers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// TryPost is PostForm that returns its error instead of failing the test:
// for posts sent off the test's goroutine (AtOnce).
func (c *Client) TryPost(host, path string, form url.Values, headers ...string) (*Response, error) {
	req := c.FormRequest(host, path, form)
	setHeaders(req, headers)
	return c.Try(req)
}

// FormRequest is the request PostForm sends, for a test that changes it
// (a cookie of its own) or sends it later (several at once).
func (c *Client) FormRequest(host, path string, form url.Values) *http.Request {
	c.t.Helper()
	if _, ok := form["csrf_token"]; !ok && c.Token(host) != "" {
		form = cloneValues(form)
		form.Set("csrf_token", c.Token(host))
	}
	return c.rawRequest(host, path, form)
}

// PostRaw posts form values exactly as given (no CSRF token added), with
// same-origin headers that headers may override.
func (c *Client) PostRaw(host, path string, form url.Values, headers ...string) *Response {
	c.t.Helper()
	req := c.rawRequest(host, path, form)
	setHeaders(req, headers)
	return c.Do(req)
}

// rawRequest is a same-origin POST of form, exactly as given.
func (c *Client) rawRequest(host, path string, form url.Values) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.s.URL(host, path), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+host+":"+c.s.Port)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

func setHeaders(req *http.Request, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
