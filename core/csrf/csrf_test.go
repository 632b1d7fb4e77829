package csrf_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/csrf"
)

const host = "sunrise.localhost:8080"

var secret = []byte("0123456789abcdef0123456789abcdef")

func init() { gin.SetMode(gin.TestMode) }

// sessionKey is where these tests put the "signed-in session id" the guard
// asks for.
const sessionKey = "test.session"

func newGuard(key []byte, production bool) *csrf.Guard {
	return csrf.New(key, production, func(c *gin.Context) string { return c.GetString(sessionKey) })
}

// request describes one request to check.
type request struct {
	method  string
	session string // signed-in session id, "" for a visitor
	cookies []*http.Cookie
	form    url.Values
	headers map[string]string
}

func (r request) context() (*gin.Context, *httptest.ResponseRecorder) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	var body *strings.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, "http://"+host+"/staff", body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range r.cookies {
		req.AddCookie(ck)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	c.Request = req
	if r.session != "" {
		c.Set(sessionKey, r.session)
	}
	return c, w
}

func check(g *csrf.Guard, r request) error {
	c, _ := r.context()
	return g.Check(c)
}

// anonymous renders a page for a visitor who has no cookie yet and returns
// the token and the binding cookie it set.
func anonymous(t *testing.T, g *csrf.Guard) (string, *http.Cookie) {
	t.Helper()
	c, w := request{method: http.MethodGet}.context()
	tok := g.Token(c)
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("token for a visitor set %d cookies, want 1", len(cookies))
	}
	return tok, cookies[0]
}

func sameOrigin() map[string]string {
	return map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://" + host}
}

func TestSafeMethodsPass(t *testing.T) {
	g := newGuard(secret, false)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		err := check(g, request{method: m, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}})
		if err != nil {
			t.Errorf("%s without a token from another site: %v", m, err)
		}
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if err := check(g, request{method: m, headers: sameOrigin()}); !errors.Is(err, csrf.ErrInvalid) {
			t.Errorf("%s without a token: %v, want ErrInvalid", m, err)
		}
	}
}

func TestAnonymousToken(t *testing.T) {
	g := newGuard(secret, false)
	tok, ck := anonymous(t, g)
	if ck.Name != "ward_csrf" || len(ck.Value) < 32 || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.Secure || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("binding cookie %+v: want ward_csrf, 32+ random characters, HttpOnly, Path=/, host-only, Lax", ck)
	}
	if tok == "" || strings.Contains(tok, ck.Value) {
		t.Fatalf("token %q must be derived from, not contain, the cookie", tok)
	}

	// The same visitor (same cookie) gets the same token on the next page, and
	// no new cookie.
	c, w := request{method: http.MethodGet, cookies: []*http.Cookie{ck}}.context()
	if again := g.Token(c); again != tok {
		t.Fatalf("token changed between pages: %q, %q", tok, again)
	}
	if n := len(w.Result().Cookies()); n != 0 {
		t.Fatalf("a visitor with a binding cookie got %d new cookies", n)
	}
	// Within a request, Token is computed once.
	if g.Token(c) != tok {
		t.Fatal("the token differs within one request")
	}

	otherTok, otherCk := anonymous(t, g)
	if otherTok == tok || otherCk.Value == ck.Value {
		t.Fatal("two visitors got the same binding")
	}

	for _, tc := range []struct {
		name string
		r    request
		ok   bool
	}{
		{"form field", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {tok}}}, true},
		{"htmx header", request{cookies: []*http.Cookie{ck}, headers: map[string]string{"X-CSRF-Token": tok}}, true},
		{"header wins over a wrong form field", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {"nope"}}, headers: map[string]string{"X-CSRF-Token": tok}}, true},
		{"no token", request{cookies: []*http.Cookie{ck}, form: url.Values{}}, false},
		{"wrong token", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {wrong(tok)}}}, false},
		{"token without its cookie", request{form: url.Values{"csrf_token": {tok}}}, false},
		{"another visitor's token", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {otherTok}}}, false},
		{"the cookie value as token", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {ck.Value}}}, false},
		{"a short planted cookie", request{cookies: []*http.Cookie{{Name: "ward_csrf", Value: "short"}}, form: url.Values{"csrf_token": {tok}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(g, tc.r)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, csrf.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}

	// Another secret (another deployment) does not accept the token.
	if err := check(newGuard([]byte("another secret of thirty-two chars!"), false), request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {tok}}}); !errors.Is(err, csrf.ErrInvalid) {
		t.Fatalf("a token from another secret: %v", err)
	}
}

func TestSessionBoundToken(t *testing.T) {
	g := newGuard(secret, false)
	anonTok, ck := anonymous(t, g)

	c, w := request{method: http.MethodGet, session: "session-one", cookies: []*http.Cookie{ck}}.context()
	tok := g.Token(c)
	if len(w.Result().Cookies()) != 0 {
		t.Fatal("a signed-in visitor got an anonymous binding cookie")
	}
	if tok == anonTok {
		t.Fatal("signing in did not change the token")
	}
	c2, _ := request{method: http.MethodGet, session: "session-two"}.context()
	if g.Token(c2) == tok {
		t.Fatal("two sessions share a token")
	}

	for _, tc := range []struct {
		name string
		r    request
		ok   bool
	}{
		{"own session", request{session: "session-one", form: url.Values{"csrf_token": {tok}}}, true},
		{"own session, header", request{session: "session-one", headers: map[string]string{"X-CSRF-Token": tok}}, true},
		{"another session", request{session: "session-two", form: url.Values{"csrf_token": {tok}}}, false},
		{"after sign-out", request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {tok}}}, false},
		{"pre-sign-in token once signed in", request{session: "session-one", cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {anonTok}}}, false},
		{"wrong token", request{session: "session-one", form: url.Values{"csrf_token": {"x" + tok}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(g, tc.r)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, csrf.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestForgetAfterSignIn(t *testing.T) {
	g := newGuard(secret, false)
	_, ck := anonymous(t, g)
	c, _ := request{method: http.MethodPost, cookies: []*http.Cookie{ck}}.context()
	before := g.Token(c)
	c.Set(sessionKey, "new-session")
	if g.Token(c) != before {
		t.Fatal("Token is not cached within the request")
	}
	g.Forget(c)
	after := g.Token(c)
	if after == before {
		t.Fatal("after Forget the token is still the pre-sign-in one")
	}
	if err := check(g, request{session: "new-session", form: url.Values{"csrf_token": {after}}}); err != nil {
		t.Fatalf("the token rendered after sign-in is refused: %v", err)
	}
}

func TestCrossOriginRefusedEvenWithToken(t *testing.T) {
	g := newGuard(secret, false)
	c, _ := request{method: http.MethodGet, session: "s1"}.context()
	tok := g.Token(c)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"same origin", sameOrigin(), true},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, true},
		{"no browser headers", nil, true},
		{"sibling clinic", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://moonrise.localhost:8080"}, false},
		{"another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, false},
		{"sibling clinic, old browser", map[string]string{"Origin": "http://moonrise.localhost:8080"}, false},
		{"other port, old browser", map[string]string{"Origin": "http://sunrise.localhost:9090"}, false},
		{"matching origin, old browser", map[string]string{"Origin": "http://" + host}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(g, request{session: "s1", form: url.Values{"csrf_token": {tok}}, headers: tc.headers})
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, csrf.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestProductionCookie(t *testing.T) {
	g := newGuard(secret, true)
	tok, ck := anonymous(t, g)
	if ck.Name != "__Host-ward_csrf" || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("production binding cookie %+v: want __Host-ward_csrf, Secure, Path=/, host-only", ck)
	}
	if err := check(g, request{cookies: []*http.Cookie{ck}, form: url.Values{"csrf_token": {tok}}}); err != nil {
		t.Fatalf("refused: %v", err)
	}
	// The development cookie name means nothing in production.
	dev := &http.Cookie{Name: "ward_csrf", Value: ck.Value}
	if err := check(g, request{cookies: []*http.Cookie{dev}, form: url.Values{"csrf_token": {tok}}}); !errors.Is(err, csrf.ErrInvalid) {
		t.Fatalf("a non-__Host- cookie was accepted in production: %v", err)
	}
}

// wrong returns tok with its first character changed.
func wrong(tok string) string {
	if tok[0] == 'A' {
		return "B" + tok[1:]
	}
	return "A" + tok[1:]
}
