package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/csrf"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/web"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// flashApp is a gin engine with the real session middleware over a store on
// the engine WARD_TEST_ENGINE names, and the CSRF guard bound to it as in
// core/boot. /page stands for the renderer: it takes the message and prints
// what the visitor's page would carry.
type flashApp struct {
	m      *session.Manager
	srv    *httptest.Server
	client *http.Client
}

func newFlashApp(t *testing.T) *flashApp {
	t.Helper()
	store := dbtest.Open(t, session.Indexes...)
	m := session.NewManager(store, secret, false)
	guard := csrf.New(secret, false, m.ID)
	signIn := func(c *gin.Context) {
		now := time.Now()
		if err := m.Start(c, session.Data{UserID: "u1", TenantID: "t1", AuthAt: now, CreatedAt: now, LastSeen: now}); err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
		}
	}
	e := gin.New()
	e.Use(m.Middleware())
	e.GET("/page", func(c *gin.Context) {
		_, signed := m.Current(c)
		c.String(http.StatusOK, "flash=%s|signed=%v|session=%s|token=%s", web.TakeFlash(c), signed, m.ID(c), guard.Token(c))
	})
	e.GET("/set", func(c *gin.Context) {
		web.Flash(c, c.Query("msg"))
		web.Redirect(c, "/page")
	})
	e.GET("/same", func(c *gin.Context) {
		web.Flash(c, "Saved.")
		c.String(http.StatusOK, "%q %q", web.TakeFlash(c), web.TakeFlash(c))
	})
	e.GET("/signin", signIn)
	e.POST("/login", func(c *gin.Context) {
		if err := guard.Check(c); err != nil {
			c.AbortWithStatus(http.StatusForbidden)
			return
		}
		signIn(c)
		web.Flash(c, "Welcome back.")
		web.Redirect(c, "/page")
	})
	e.GET("/logout", func(c *gin.Context) {
		if err := m.End(c); err != nil {
			c.AbortWithError(http.StatusInternalServerError, err)
			return
		}
		web.Flash(c, "You signed out.")
		web.Redirect(c, "/page")
	})
	e.GET("/flash-then-signin", func(c *gin.Context) {
		web.Flash(c, "Lost.")
		signIn(c)
		web.Redirect(c, "/page")
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &flashApp{m: m, srv: srv, client: &http.Client{Jar: jar}}
}

// page is what /page printed.
type page struct {
	flash, session, token string
	signed                bool
}

func parsePage(t *testing.T, body string) page {
	t.Helper()
	var p page
	for part := range strings.SplitSeq(body, "|") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "flash":
			p.flash = v
		case "signed":
			p.signed = v == "true"
		case "session":
			p.session = v
		case "token":
			p.token = v
		default:
			t.Fatalf("not a page: %q", body)
		}
	}
	return p
}

// do sends a request, following redirects with the visitor's cookies, and
// returns the final response and its body.
func (a *flashApp) do(t *testing.T, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func (a *flashApp) page(t *testing.T, path string) page {
	t.Helper()
	res, body := a.do(t, http.MethodGet, path, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	return parsePage(t, body)
}

func (a *flashApp) exists(t *testing.T, id string) bool {
	t.Helper()
	ok, err := a.m.Exists(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestFlashSetThenTake(t *testing.T) {
	t.Parallel()
	a := newFlashApp(t)
	res, body := a.do(t, http.MethodGet, "/same", nil, nil)
	if res.StatusCode != http.StatusOK || body != `"Saved." ""` {
		t.Fatalf("Flash then TakeFlash twice in one request: %d %s", res.StatusCode, body)
	}
	if p := a.page(t, "/page"); p.flash != "" {
		t.Fatalf("a message already shown is shown again: %q", p.flash)
	}
}

// A visitor who is not signed in (a password was just reset) sees the
// message on the page the redirect leads to, once; the session made for it
// signs no one in, its CSRF token works, and signing in replaces it.
func TestFlashAnonymous(t *testing.T) {
	t.Parallel()
	a := newFlashApp(t)
	if p := a.page(t, "/page"); p.flash != "" || p.session != "" {
		t.Fatalf("a new visitor: %+v", p)
	}
	p := a.page(t, "/set?msg="+url.QueryEscape("Your password was changed. <Sign in>"))
	if p.flash != "Your password was changed. <Sign in>" {
		t.Fatalf("after the redirect the page shows %q", p.flash)
	}
	if p.signed || p.session == "" || !a.exists(t, p.session) {
		t.Fatalf("the message's session: %+v", p)
	}
	again := a.page(t, "/page")
	if again.flash != "" {
		t.Fatalf("reloading shows the message again: %q", again.flash)
	}
	if again.session != p.session || again.token != p.token {
		t.Fatalf("taking the message changed the session or the CSRF token: %+v, then %+v", p, again)
	}

	// The form on that page signs in: its token passes the guard, and the
	// session made for the message is deleted (Start gives a new id).
	res, body := a.do(t, http.MethodPost, "/login", url.Values{csrf.FieldName: {again.token}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("signing in from the page that showed the message: %d %s", res.StatusCode, body)
	}
	in := parsePage(t, body)
	if !in.signed || in.flash != "Welcome back." || in.session == p.session {
		t.Fatalf("after signing in: %+v (message session %s)", in, p.session)
	}
	if a.exists(t, p.session) {
		t.Fatal("the session made for the message survived sign-in")
	}
	if res, _ := a.do(t, http.MethodPost, "/login", url.Values{csrf.FieldName: {again.token}}, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the token of the replaced session still passes: %d", res.StatusCode)
	}
}

func TestFlashSignedIn(t *testing.T) {
	t.Parallel()
	a := newFlashApp(t)
	a.do(t, http.MethodGet, "/signin", nil, nil)
	before := a.page(t, "/page")
	if !before.signed {
		t.Fatal("not signed in")
	}
	p := a.page(t, "/set?msg=Changes+saved.")
	if p.flash != "Changes saved." || !p.signed || p.session != before.session {
		t.Fatalf("signed in, after the redirect: %+v (session before %s)", p, before.session)
	}
	if again := a.page(t, "/page"); again.flash != "" || !again.signed {
		t.Fatalf("reload: %+v", again)
	}
}

// Start and End replace the session: a message set after them is kept,
// one set before Start is gone with the old session.
func TestFlashAroundSignInAndOut(t *testing.T) {
	t.Parallel()
	a := newFlashApp(t)
	if p := a.page(t, "/flash-then-signin"); p.flash != "" || !p.signed {
		t.Fatalf("a message set before Start: %+v", p)
	}
	signedIn := a.page(t, "/page")
	out := a.page(t, "/logout")
	if out.flash != "You signed out." || out.signed {
		t.Fatalf("after sign-out: %+v", out)
	}
	if out.session == "" || out.session == signedIn.session || a.exists(t, signedIn.session) {
		t.Fatalf("sign-out: the message's session %q, the ended one %q (still stored: %v)", out.session, signedIn.session, a.exists(t, signedIn.session))
	}
	if again := a.page(t, "/page"); again.flash != "" || again.signed {
		t.Fatalf("reload after sign-out: %+v", again)
	}
}

// htmx follows HX-Redirect with a whole page; a fragment request in between
// leaves the message for it.
func TestFlashWaitsForAWholePage(t *testing.T) {
	t.Parallel()
	a := newFlashApp(t)
	hx := http.Header{htmx.HeaderRequest: {"true"}}
	res, _ := a.do(t, http.MethodGet, "/set?msg=Patient+archived.", nil, hx)
	if res.StatusCode != http.StatusOK || res.Header.Get(htmx.HeaderRedirect) != "/page" {
		t.Fatalf("htmx redirect: %d %q", res.StatusCode, res.Header.Get(htmx.HeaderRedirect))
	}
	if _, body := a.do(t, http.MethodGet, "/page", nil, hx); parsePage(t, body).flash != "" {
		t.Fatalf("a fragment took the message: %s", body)
	}
	boosted := http.Header{htmx.HeaderRequest: {"true"}, htmx.HeaderBoosted: {"true"}}
	if _, body := a.do(t, http.MethodGet, "/page", nil, boosted); parsePage(t, body).flash != "Patient archived." {
		t.Fatalf("the whole page after the fragment: %s", body)
	}
}

// Without the session middleware there is nowhere to keep a message:
// nothing is kept and nothing fails.
func TestFlashWithoutSessions(t *testing.T) {
	t.Parallel()
	e := gin.New()
	e.GET("/", func(c *gin.Context) {
		web.Flash(c, "Saved.")
		c.String(http.StatusOK, "[%s]", web.TakeFlash(c))
	})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK || w.Body.String() != "[]" || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("%d %q %q", w.Code, w.Body.String(), w.Header().Get("Set-Cookie"))
	}
}

func TestFlashPartial(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{"", ""},
		{"Changes saved.", `<p class="flash" role="status">Changes saved.</p>`},
		{"<b>x</b> & y", `<p class="flash" role="status">&lt;b&gt;x&lt;/b&gt; &amp; y</p>`},
	} {
		if got := partial(t, "flash", web.Page{Flash: tc.msg}); got != tc.want {
			t.Errorf("flash %q:\n got %s\nwant %s", tc.msg, got, tc.want)
		}
	}
}
