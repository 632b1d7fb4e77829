package signin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"
)

// start runs a Ward of the test's own, with the sign-in, dashboard and
// staff modules and any more given, and makes one clinic in it: sunrise.
// The tests here move the clock or count every session: they share no Ward.
func start(t *testing.T, env map[string]string, more ...app.Module) (*apptest.Server, *apptest.Clinic) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Env: env}, append([]app.Module{signin.New(), dashboard.New(), staff.New()}, more...)...)
	return s, s.NewClinic(t, "sunrise")
}

// wantRedirectTo fails the test unless r is a 303 to path, with or without
// a query: for pages of other modules, whose query is theirs to choose.
func wantRedirectTo(t *testing.T, what string, r *apptest.Response, path string) {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || (loc != path && !strings.HasPrefix(loc, path+"?")) {
		t.Fatalf("%s: %d Location %q, want 303 %s\n%s", what, r.StatusCode, loc, path, r.Body)
	}
}

// setCookie returns the cookie named name set by the response, or nil.
func setCookie(r *apptest.Response, name string) *http.Cookie {
	for _, ck := range r.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// rawSetCookie returns the Set-Cookie header line for name.
func rawSetCookie(r *apptest.Response, name string) string {
	for _, h := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, name+"=") {
			return h
		}
	}
	return ""
}

// jarCookie is the value of the client's cookie name for host ("" if none).
func jarCookie(t *testing.T, s *apptest.Server, c *apptest.Client, host, name string) string {
	t.Helper()
	u, _ := url.Parse(s.URL(host, "/"))
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// withCookie sends GET path to host carrying exactly the given session cookie,
// from a client that has no cookies of its own.
func withCookie(t *testing.T, s *apptest.Server, host, path, name, value string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL(host, path), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", name+"="+value)
	return s.Client(t).Do(req)
}

func platform(s *apptest.Server, coll string) *db.Collection {
	return s.DB.Platform("test").Collection(coll)
}

// sessionIDs lists the stored session documents.
func sessionIDs(t *testing.T, s *apptest.Server) []string {
	t.Helper()
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := platform(s, session.Collection).Find(context.Background(), db.Filter{}, &docs, db.FindOptions{}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	slices.Sort(ids)
	return ids
}

// newSessions returns the ids of the sessions that f starts.
func newSessions(t *testing.T, s *apptest.Server, f func()) []string {
	t.Helper()
	before := sessionIDs(t, s)
	f()
	return newIDs(before, sessionIDs(t, s))
}

// newIDs returns the ids in after that are not in before.
func newIDs(before, after []string) []string {
	var out []string
	for _, id := range after {
		if !slices.Contains(before, id) {
			out = append(out, id)
		}
	}
	return out
}

func exists(t *testing.T, s *apptest.Server, id string) bool {
	t.Helper()
	ok, err := s.Ward.Sessions().Exists(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// auditEntries are the clinic's audit entries of action.
func auditEntries(t *testing.T, cl *apptest.Clinic, action string) []audit.Entry {
	t.Helper()
	return apptest.Find[audit.Entry](t, cl.DB.Collection(audit.Collection), db.Eq("action", action))
}

const wrongMsg = "Wrong email or password."

func TestLogin(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	b := s.NewClinic(t, "moonrise")
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	ctx := context.Background()
	if err := auth.SetStatus(ctx, a.DB, nina.ID, auth.UserInactive, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}

	t.Run("happy path", func(t *testing.T) {
		c := s.Client(t)
		r := c.Login(a.Host, "  Admin@Sunrise.TEST ", apptest.Password) // case and spaces do not matter
		apptest.WantRedirect(t, "login", r, "/dashboard")
		if setCookie(r, "ward_session") == nil {
			t.Fatal("login set no session cookie")
		}
		r = c.Get(a.Host, "/dashboard")
		apptest.WantStatus(t, "dashboard", r, http.StatusOK)
		if h1 := r.Doc(t).Find("h1").Text(); !strings.Contains(h1, "Ada Admin") {
			t.Fatalf("dashboard greets %q, want the user's name", h1)
		}
		// The request began with no one signed in; the entry still names
		// who signed in.
		if es := auditEntries(t, a, audit.SignInSuccess); len(es) != 1 || es[0].ActorID != a.Admin.ID ||
			es[0].ActorEmail != a.Admin.Email || es[0].IP == "" || !es[0].At.Equal(s.Clock.Now()) {
			t.Fatalf("signin.success audit entries %+v, want one naming the admin", es)
		}
	})

	// Every refusal that could tell an attacker whether an account exists
	// must read and answer the same.
	refusals := []struct{ name, email, password string }{
		{"wrong password", "admin@sunrise.test", "not the password at all"},
		{"unknown email", "nobody@sunrise.test", apptest.Password},
		{"another clinic's user", b.Admin.Email, apptest.Password},
		{"deactivated user, wrong password", nina.Email, "not the password at all"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			c := s.Client(t)
			before := sessionIDs(t, s)
			r := c.Login(a.Host, tc.email, tc.password)
			apptest.WantStatus(t, "login", r, http.StatusUnprocessableEntity)
			if msg := apptest.FormError(t, r); msg != wrongMsg {
				t.Fatalf("message %q, want %q", msg, wrongMsg)
			}
			if setCookie(r, "ward_session") != nil || len(newIDs(before, sessionIDs(t, s))) != 0 {
				t.Fatal("a refused sign-in started a session")
			}
			if r := c.Get(a.Host, "/dashboard"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("dashboard after a refused sign-in: %d", r.StatusCode)
			}
		})
	}
	// A wrong password proves nothing about who typed it: the entries name
	// the email tried, and no user.
	failures := auditEntries(t, a, audit.SignInFailure)
	if len(failures) != len(refusals) {
		t.Fatalf("%d signin.failure audit entries, want %d", len(failures), len(refusals))
	}
	for _, e := range failures {
		if e.ActorID != "" || e.ActorEmail == "" || e.After != "" {
			t.Fatalf("signin.failure entry %+v: want the email tried, no user, no reason", e)
		}
	}

	t.Run("another clinic's user signs in at their own clinic", func(t *testing.T) {
		apptest.WantRedirect(t, "login at B", s.Client(t).Login(b.Host, b.Admin.Email, apptest.Password), "/dashboard")
	})

	t.Run("deactivated user with the right password", func(t *testing.T) {
		c := s.Client(t)
		r := c.Login(a.Host, nina.Email, apptest.Password)
		if r.StatusCode == http.StatusSeeOther || r.StatusCode < 400 {
			t.Fatalf("a deactivated user signed in: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if msg := apptest.FormError(t, r); !strings.Contains(msg, "deactivated") {
			t.Fatalf("message %q, want it to say the account is deactivated", msg)
		}
		if setCookie(r, "ward_session") != nil {
			t.Fatal("a deactivated user got a session cookie")
		}
		apptest.WantToLogin(t, "dashboard", c.Get(a.Host, "/dashboard"))
		var deactivated []audit.Entry
		for _, e := range auditEntries(t, a, audit.SignInFailure) {
			if e.After == "deactivated" {
				deactivated = append(deactivated, e)
			}
		}
		if len(deactivated) != 1 || deactivated[0].ActorID != nina.ID || deactivated[0].ActorEmail != nina.Email {
			t.Fatalf("deactivated sign-in entries %+v, want one naming Nina", deactivated)
		}
	})
}

func TestLoginNext(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	for _, tc := range []struct{ next, want string }{
		{"/staff?tab=people", "/staff?tab=people"},
		{"/profile", "/profile"},
		{"//evil.example", "/dashboard"},
		{"/\\evil.example", "/dashboard"},
		{"http://evil.example", "/dashboard"},
		{"https://evil.example/dashboard", "/dashboard"},
		{"/\t/evil.example", "/dashboard"},
		{"evil.example", "/dashboard"},
		{"javascript:alert(1)", "/dashboard"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			c := s.Client(t)
			// The sign-in page only carries a next it would honour.
			page := c.Get(a.Host, "/login?next="+url.QueryEscape(tc.next))
			v, ok := page.Doc(t).Find(`input[name="next"]`).Attr("value")
			if tc.want == "/dashboard" && ok {
				t.Fatalf("sign-in page carries next=%q", v)
			}
			if tc.want != "/dashboard" && v != tc.next {
				t.Fatalf("sign-in page carries next=%q, want %q", v, tc.next)
			}
			r := c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}, "next": {tc.next}})
			apptest.WantRedirect(t, "login", r, tc.want)
			// Signed in, /login?next= obeys the same rule.
			apptest.WantRedirect(t, "login page when signed in", c.Get(a.Host, "/login?next="+url.QueryEscape(tc.next)), tc.want)
		})
	}

	t.Run("a protected page sends to sign-in and back", func(t *testing.T) {
		c := s.Client(t)
		apptest.WantRedirect(t, "staff", c.Get(a.Host, "/staff?tab=people"), "/login?next="+url.QueryEscape("/staff?tab=people"))
		page := c.Get(a.Host, "/login?next="+url.QueryEscape("/staff?tab=people"))
		next, _ := page.Doc(t).Find(`input[name="next"]`).Attr("value")
		r := c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}, "next": {next}})
		apptest.WantRedirect(t, "login", r, "/staff?tab=people")
		apptest.WantStatus(t, "staff", c.Get(a.Host, "/staff?tab=people"), http.StatusOK)
	})
}

func TestSessionCookieDevelopment(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	page := c.Get(a.Host, "/login")
	r := c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}})
	apptest.WantRedirect(t, "login", r, "/dashboard")

	ck := setCookie(r, "ward_session")
	if ck == nil {
		t.Fatalf("no ward_session cookie in %q", r.Header.Values("Set-Cookie"))
	}
	raw := rawSetCookie(r, "ward_session")
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.Secure {
		t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, no Domain, not Secure", raw)
	}
	if strings.Contains(strings.ToLower(raw), "domain=") {
		t.Fatalf("session cookie %q has a Domain attribute: it would reach sibling clinics", raw)
	}
	if ck.MaxAge <= 0 || time.Duration(ck.MaxAge)*time.Second > session.MaxAge {
		t.Fatalf("session cookie Max-Age %d, want (0, %v]", ck.MaxAge, session.MaxAge)
	}

	anon := setCookie(page, "ward_csrf")
	if anon == nil {
		t.Fatal("the sign-in page set no anonymous CSRF cookie")
	}
	if !anon.HttpOnly || anon.Path != "/" || anon.Domain != "" || anon.Secure || anon.SameSite != http.SameSiteLaxMode {
		t.Fatalf("CSRF cookie %q: want HttpOnly, SameSite=Lax, Path=/, host-only", rawSetCookie(page, "ward_csrf"))
	}
	// The jar keeps clinic cookies to their own host.
	b := s.NewClinic(t, "moonrise")
	if v := jarCookie(t, s, c, b.Host, "ward_session"); v != "" {
		t.Fatal("the session cookie of sunrise is sent to moonrise")
	}
}

func TestSessionCookieProduction(t *testing.T) {
	t.Parallel()
	s, a := start(t, map[string]string{"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("0123456789abcdef", 3)})
	c := s.Client(t)
	page := c.Get(a.Host, "/login")
	apptest.WantStatus(t, "login page", page, http.StatusOK)
	anon := setCookie(page, "__Host-ward_csrf")
	if anon == nil || !anon.Secure || anon.Path != "/" || anon.Domain != "" {
		t.Fatalf("CSRF cookie %q: want __Host-ward_csrf, Secure, Path=/, host-only", page.Header.Values("Set-Cookie"))
	}
	// The jar does not send Secure cookies over http: send it by hand.
	req := c.FormRequest(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}})
	req.Header.Set("Cookie", anon.Name+"="+anon.Value)
	r := c.Do(req)
	apptest.WantRedirect(t, "login", r, "/dashboard")

	if ck := setCookie(r, "ward_session"); ck != nil {
		t.Fatalf("production uses the development cookie name: %q", rawSetCookie(r, "ward_session"))
	}
	ck := setCookie(r, "__Host-ward_session")
	if ck == nil {
		t.Fatalf("no __Host-ward_session cookie in %q", r.Header.Values("Set-Cookie"))
	}
	raw := rawSetCookie(r, "__Host-ward_session")
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || strings.Contains(strings.ToLower(raw), "domain=") {
		t.Fatalf("production session cookie %q: want Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", raw)
	}
	if r.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("production answers without Strict-Transport-Security")
	}
}

func TestSessionIDChangesAtLogin(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	signIn := func() { c.SignIn(a.Host, a.Admin.Email, apptest.Password) }

	first := newSessions(t, s, signIn)
	cookie1 := jarCookie(t, s, c, a.Host, "ward_session")
	if len(first) != 1 || cookie1 == "" {
		t.Fatalf("first sign-in made sessions %v, cookie %q", first, cookie1)
	}

	// Signing in again from the same browser (with a session already)
	// replaces the session: new id, old document gone.
	second := newSessions(t, s, signIn)
	cookie2 := jarCookie(t, s, c, a.Host, "ward_session")
	if len(second) != 1 || second[0] == first[0] {
		t.Fatalf("after the second sign-in the sessions are %v (first was %v)", second, first)
	}
	if cookie2 == cookie1 {
		t.Fatal("the session cookie did not change at sign-in")
	}
	if exists(t, s, first[0]) {
		t.Fatal("the session from before the second sign-in still exists")
	}
	// The old cookie is worthless.
	apptest.WantToLogin(t, "old cookie", withCookie(t, s, a.Host, "/dashboard", "ward_session", cookie1))
	apptest.WantStatus(t, "new cookie", withCookie(t, s, a.Host, "/dashboard", "ward_session", cookie2), http.StatusOK)
}

func TestLogout(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	ids := newSessions(t, s, func() { c.SignIn(a.Host, a.Admin.Email, apptest.Password) })
	if len(ids) != 1 {
		t.Fatalf("sign-in made sessions %v", ids)
	}
	old := jarCookie(t, s, c, a.Host, "ward_session")

	r := c.PostForm(a.Host, "/logout", url.Values{})
	apptest.WantRedirect(t, "logout", r, "/login")
	if ck := setCookie(r, "ward_session"); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("logout did not delete the cookie: %q", rawSetCookie(r, "ward_session"))
	}
	if exists(t, s, ids[0]) {
		t.Fatal("the session document survived logout")
	}
	if es := auditEntries(t, a, audit.SignOut); len(es) != 1 || es[0].ActorID != a.Admin.ID || es[0].ActorEmail != a.Admin.Email {
		t.Fatalf("signout audit entries %+v, want one by the admin", es)
	}
	apptest.WantToLogin(t, "dashboard after logout", c.Get(a.Host, "/dashboard"))
	// Someone who copied the cookie before the logout gets nothing.
	apptest.WantRedirect(t, "replayed cookie", withCookie(t, s, a.Host, "/dashboard", "ward_session", old), "/login?next=%2Fdashboard")
	apptest.WantToLogin(t, "replayed cookie on /profile", withCookie(t, s, a.Host, "/profile", "ward_session", old))
}

func TestSessionOfAnotherClinic(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	b := s.NewClinic(t, "moonrise")
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	cookie := jarCookie(t, s, c, a.Host, "ward_session")
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	for _, path := range []string{"/dashboard", "/profile", "/staff"} {
		apptest.WantToLogin(t, "A's cookie on B "+path, withCookie(t, s, b.Host, path, "ward_session", cookie))
	}
	r := withCookie(t, s, b.Host, "/login", "ward_session", cookie)
	apptest.WantStatus(t, "B's sign-in page with A's cookie", r, http.StatusOK)
	if strings.Contains(r.Body, a.Admin.Name) {
		t.Fatal("B's sign-in page shows A's user")
	}
	// A's session is untouched by the attempt.
	apptest.WantStatus(t, "A's dashboard", c.Get(a.Host, "/dashboard"), http.StatusOK)
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	id := newSessions(t, s, func() { c.SignIn(a.Host, a.Admin.Email, apptest.Password) })[0]

	// Activity keeps the session alive well past one idle period.
	for range 3 {
		s.Clock.Advance(29 * time.Minute)
		apptest.WantStatus(t, "dashboard after 29 idle minutes", c.Get(a.Host, "/dashboard"), http.StatusOK)
	}
	s.Clock.Advance(settings.DefaultIdleMinutes*time.Minute + time.Minute)
	apptest.WantRedirect(t, "dashboard after 31 idle minutes", c.Get(a.Host, "/dashboard"), "/login?next=%2Fdashboard")
	if exists(t, s, id) {
		t.Fatal("the idle session was not deleted")
	}
}

func TestAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	// A clinic with a very long idle timeout still signs people out after
	// seven days.
	if _, err := a.DB.Collection(settings.Collection).Update(context.Background(), db.Filter{},
		db.Set("idleMinutes", 30*24*60)); err != nil {
		t.Fatal(err)
	}
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	s.Clock.Advance(6 * 24 * time.Hour)
	apptest.WantStatus(t, "dashboard after 6 days", c.Get(a.Host, "/dashboard"), http.StatusOK)
	s.Clock.Advance(2 * 24 * time.Hour)
	apptest.WantToLogin(t, "dashboard after 8 days", c.Get(a.Host, "/dashboard"))

	// And with the default settings, 8 days later is long gone.
	c2 := s.SignedIn(t, a.Host, a.Admin.Email)
	s.Clock.Advance(8 * 24 * time.Hour)
	apptest.WantToLogin(t, "dashboard after 8 days (default settings)", c2.Get(a.Host, "/dashboard"))
}

// From an unknown device, an account's first five failures are free; then
// each sign-in waits, at once answered 429 with the wait, whatever the
// password. Asking again during the wait does not lengthen it, and the
// right password afterwards signs in and clears the account's failures.
func TestSlowDownPerAccount(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	failures := platform(s, auth.FailuresCollection)
	byAccount := db.And(db.Eq(db.TenantField, a.ID), db.Eq("email", a.Admin.Email))

	c := s.Client(t)
	for i := range auth.MaxAccountFailures {
		r := c.Login(a.Host, a.Admin.Email, "wrong password number "+string(rune('a'+i)))
		apptest.WantStatus(t, "wrong password", r, http.StatusUnprocessableEntity)
	}
	if n := apptest.Count(t, failures, byAccount); n != auth.MaxAccountFailures {
		t.Fatalf("%d failure documents, want %d", n, auth.MaxAccountFailures)
	}

	for range 3 {
		r := c.Login(a.Host, a.Admin.Email, apptest.Password)
		apptest.WantStatus(t, "6th attempt with the right password", r, http.StatusTooManyRequests)
		if msg := apptest.FormError(t, r); !strings.Contains(msg, "Too many failed sign-in attempts") || !strings.Contains(msg, "try again in 1 second,") ||
			!strings.Contains(msg, "reset your password") {
			t.Fatalf("message %q", msg)
		}
		if ra := r.Header.Get("Retry-After"); ra != "1" {
			t.Fatalf("Retry-After %q, want 1 (a refusal does not lengthen the wait)", ra)
		}
		if setCookie(r, "ward_session") != nil {
			t.Fatal("a sign-in that must wait got a session")
		}
	}
	if n := apptest.Count(t, failures, byAccount); n != auth.MaxAccountFailures {
		t.Fatalf("refused attempts are counted: %d failure documents", n)
	}

	// Another account from the same address does not wait.
	apptest.WantRedirect(t, "another account", s.Client(t).Login(a.Host, "nina@sunrise.test", apptest.Password), "/dashboard")

	s.Clock.Advance(time.Second)
	apptest.WantRedirect(t, "after the wait", c.Login(a.Host, a.Admin.Email, apptest.Password), "/dashboard")
	if n := apptest.Count(t, failures, byAccount); n != 0 {
		t.Fatalf("%d failure documents remain after a successful sign-in", n)
	}
}

// The per-address limit counts within one clinic: twenty failures from an
// address in one clinic stop unknown devices there, not in the clinic next
// door.
func TestLockoutPerAddress(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	b := s.NewClinic(t, "moonrise")
	failures := platform(s, auth.FailuresCollection)
	c := s.Client(t)
	// Each failure for a different email: no single account is near its limit.
	for i := range auth.MaxIPFailures {
		email := fmt.Sprintf("guess%d@sunrise.test", i)
		apptest.WantStatus(t, "guess "+email, c.Login(a.Host, email, "guessing"), http.StatusUnprocessableEntity)
	}
	if n := apptest.Count(t, failures, db.And(db.Eq(db.TenantField, a.ID), db.Eq("ip", "127.0.0.1"))); n != auth.MaxIPFailures {
		t.Fatalf("%d failure documents for 127.0.0.1, want %d", n, auth.MaxIPFailures)
	}
	r := s.Client(t).Login(a.Host, a.Admin.Email, apptest.Password)
	apptest.WantStatus(t, "right password at sunrise", r, http.StatusTooManyRequests)
	if msg := apptest.FormError(t, r); !strings.Contains(msg, "Too many failed sign-in attempts") || !strings.Contains(msg, "try again in 15 minutes") {
		t.Fatalf("message %q", msg)
	}
	apptest.WantRedirect(t, "right password at moonrise, from the same address", s.Client(t).Login(b.Host, b.Admin.Email, apptest.Password), "/dashboard")

	s.Clock.Advance(auth.FailureWindow + time.Minute)
	apptest.WantRedirect(t, "after the window", s.Client(t).Login(a.Host, a.Admin.Email, apptest.Password), "/dashboard")
}

// A person whose session has expired opens the sign-in page directly (a
// bookmark, a restored tab) and signs in at the first try: GET /login ends
// the expired session, and the page's CSRF token must be bound to the
// visitor, not to the ended session.
func TestSignInAfterExpiredSession(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	s.Clock.Advance(time.Hour)

	page := c.Get(a.Host, "/login")
	apptest.WantStatus(t, "sign-in page", page, http.StatusOK)
	r := c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}})
	apptest.WantRedirect(t, "sign-in from a page rendered while the old session was ended", r, "/dashboard")
}

// Guesses sent at the same moment count each other: each attempt is
// recorded before its password is checked, so no more than the limit are
// ever checked in one window.
func TestLockoutHoldsAgainstConcurrentGuesses(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	const n = 30
	clients := make([]*apptest.Client, n)
	for i := range clients {
		clients[i] = s.Client(t)
		clients[i].Get(a.Host, "/login")
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	apptest.AtOnce(n, func(i int) {
		r := clients[i].PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {fmt.Sprintf("wrong guess %d", i)}})
		mu.Lock()
		statuses[r.StatusCode]++
		mu.Unlock()
	})
	checked, refused := statuses[http.StatusUnprocessableEntity], statuses[http.StatusTooManyRequests]
	if checked > auth.MaxAccountFailures || checked+refused != n {
		t.Fatalf("statuses %v: at most %d guesses may be checked, the rest refused", statuses, auth.MaxAccountFailures)
	}
	if docs := apptest.Count(t, platform(s, auth.FailuresCollection), db.And(db.Eq(db.TenantField, a.ID), db.Eq("email", a.Admin.Email))); docs != int64(checked) {
		t.Fatalf("%d failure documents for %d checked guesses: refused attempts must not be kept", docs, checked)
	}
}

// Without trusted proxies, X-Forwarded-For does not change the address the
// per-IP limit counts.
func TestForwardedForDoesNotResetTheAddressLimit(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	for i := range auth.MaxIPFailures {
		c.Get(a.Host, "/login")
		r := c.PostForm(a.Host, "/login", url.Values{"email": {fmt.Sprintf("guess%d@sunrise.test", i)}, "password": {"x"}},
			"X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i+1), "X-Real-IP", "10.1.1.1")
		apptest.WantStatus(t, "guess", r, http.StatusUnprocessableEntity)
	}
	c.Get(a.Host, "/login")
	r := c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}}, "X-Forwarded-For", "10.9.9.9")
	apptest.WantStatus(t, "after 20 failures from this address, with another X-Forwarded-For", r, http.StatusTooManyRequests)
}
