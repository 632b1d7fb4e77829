package signin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
)

// enableTOTP turns on two-step sign-in for the signed-in client through the
// profile page and returns the secret and the recovery codes.
func enableTOTP(t *testing.T, s *apptest.Server, c *apptest.Client, host string) (string, []string) {
	t.Helper()
	apptest.WantStatus(t, "profile", c.Get(host, "/profile"), http.StatusOK)
	r := c.PostForm(host, "/profile/totp/start", url.Values{})
	apptest.WantStatus(t, "start", r, http.StatusOK)
	// The key is shown for typing in by hand: "Key: <code>SECRET</code>".
	var secret string
	r.Doc(t).Find("p").Each(func(_ int, p *goquery.Selection) {
		if strings.HasPrefix(strings.TrimSpace(p.Text()), "Key:") {
			secret = strings.TrimSpace(p.Find("code").Text())
		}
	})
	if secret == "" {
		t.Fatalf("no key on the set-up page\n%s", r.Body)
	}

	wrong := c.PostForm(host, "/profile/totp/enable", url.Values{"secret": {secret}, "code": {"000000"}, "current": {apptest.Password}})
	if code, _ := totp.GenerateCode(secret, s.Clock.Now()); code != "000000" {
		apptest.WantStatus(t, "enable with a wrong code", wrong, http.StatusUnprocessableEntity)
	}

	code, err := totp.GenerateCode(secret, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = c.PostForm(host, "/profile/totp/enable", url.Values{"secret": {secret}, "code": {code}, "current": {apptest.Password}})
	apptest.WantStatus(t, "enable", r, http.StatusOK)
	var codes []string
	r.Doc(t).Find(".recovery-codes code").Each(func(_ int, sel *goquery.Selection) { codes = append(codes, sel.Text()) })
	if len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d\n%s", len(codes), auth.RecoveryCodeCount, r.Body)
	}
	return secret, codes
}

// wrongCode returns a six-digit code that is not valid now or a step either side.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"123456", "654321", "000000"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// passwordStep signs in with the password and expects to be asked for the
// second factor.
func passwordStep(t *testing.T, c *apptest.Client, host, email string) {
	t.Helper()
	apptest.WantRedirect(t, "password step", c.Login(host, email, apptest.Password), "/login/code")
	r := c.Get(host, "/login/code")
	apptest.WantStatus(t, "code page", r, http.StatusOK)
}

func submitCode(c *apptest.Client, host, code string) *apptest.Response {
	return c.PostForm(host, "/login/code", url.Values{"code": {code}})
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	secret, recovery := enableTOTP(t, s, c, a.Host)
	if n := len(auditEntries(t, a, audit.TOTPEnable)); n != 1 {
		t.Fatalf("%d totp.enable audit entries", n)
	}
	apptest.WantRedirect(t, "logout", c.PostForm(a.Host, "/logout", url.Values{}), "/login")
	s.Clock.Advance(2 * time.Minute) // a fresh code for the next sign-in

	// Password accepted: a pending session, which signs no one in.
	c = s.Client(t)
	before := sessionIDs(t, s)
	passwordStep(t, c, a.Host, a.Admin.Email)
	pending := newIDs(before, sessionIDs(t, s))
	if len(pending) != 1 {
		t.Fatalf("the password step made sessions %v, want one pending session", pending)
	}
	for _, path := range []string{"/dashboard", "/profile", "/staff"} {
		apptest.WantToLogin(t, path+" between password and code", c.Get(a.Host, path))
	}
	c.Get(a.Host, "/login/code")

	r := submitCode(c, a.Host, wrongCode(t, secret, s.Clock.Now()))
	apptest.WantStatus(t, "wrong code", r, http.StatusUnprocessableEntity)
	if r.Doc(t).Find("#e-code").Length() == 0 {
		t.Fatalf("no message for a wrong code\n%s", r.Body)
	}
	apptest.WantToLogin(t, "dashboard after a wrong code", c.Get(a.Host, "/dashboard"))
	if es := auditEntries(t, a, audit.SignInFailure); len(es) != 1 || es[0].ActorID != a.Admin.ID || es[0].After != "wrong second factor" {
		t.Fatalf("signin.failure audit entries %+v, want one naming the admin and the wrong code", es)
	}
	c.Get(a.Host, "/login/code")

	code, err := totp.GenerateCode(secret, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	apptest.WantRedirect(t, "right code", submitCode(c, a.Host, code), "/dashboard")
	apptest.WantStatus(t, "dashboard", c.Get(a.Host, "/dashboard"), http.StatusOK)
	after := newIDs(before, sessionIDs(t, s))
	if len(after) != 1 || after[0] == pending[0] || exists(t, s, pending[0]) {
		t.Fatalf("after the code the sessions are %v; the pending one (%s) must be replaced", after, pending[0])
	}

	// The same code, seen over a shoulder, does not open a second session.
	other := s.Client(t)
	passwordStep(t, other, a.Host, a.Admin.Email)
	apptest.WantStatus(t, "replayed code", submitCode(other, a.Host, code), http.StatusUnprocessableEntity)
	apptest.WantToLogin(t, "dashboard after a replayed code", other.Get(a.Host, "/dashboard"))

	// A recovery code works, once, in upper case and with spaces too.
	other.Get(a.Host, "/login/code")
	apptest.WantRedirect(t, "recovery code", submitCode(other, a.Host, " "+strings.ToUpper(recovery[3])+" "), "/dashboard")
	apptest.WantStatus(t, "dashboard after recovery", other.Get(a.Host, "/dashboard"), http.StatusOK)
	third := s.Client(t)
	passwordStep(t, third, a.Host, a.Admin.Email)
	apptest.WantStatus(t, "recovery code again", submitCode(third, a.Host, recovery[3]), http.StatusUnprocessableEntity)
	third.Get(a.Host, "/login/code")
	apptest.WantRedirect(t, "another recovery code", submitCode(third, a.Host, recovery[4]), "/dashboard")
}

func TestTOTPPendingSession(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	secret, _ := enableTOTP(t, s, c, a.Host)
	s.Clock.Advance(2 * time.Minute)

	t.Run("code page without a password", func(t *testing.T) {
		fresh := s.Client(t)
		apptest.WantRedirect(t, "code page", fresh.Get(a.Host, "/login/code"), "/login")
		fresh.Get(a.Host, "/login")
		code, _ := totp.GenerateCode(secret, s.Clock.Now())
		r := submitCode(fresh, a.Host, code)
		apptest.WantToLogin(t, "code without password", r)
		apptest.WantToLogin(t, "dashboard", fresh.Get(a.Host, "/dashboard"))
	})

	t.Run("the second factor expires", func(t *testing.T) {
		p := s.Client(t)
		passwordStep(t, p, a.Host, a.Admin.Email)
		s.Clock.Advance(6 * time.Minute)
		code, _ := totp.GenerateCode(secret, s.Clock.Now())
		r := submitCode(p, a.Host, code)
		apptest.WantToLogin(t, "code after 6 minutes", r)
		apptest.WantToLogin(t, "dashboard", p.Get(a.Host, "/dashboard"))
	})

	t.Run("wrong codes lock the account", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		p := s.Client(t)
		passwordStep(t, p, a.Host, a.Admin.Email)
		for range 5 {
			p.Get(a.Host, "/login/code")
			apptest.WantStatus(t, "wrong code", submitCode(p, a.Host, wrongCode(t, secret, s.Clock.Now())), http.StatusUnprocessableEntity)
		}
		p.Get(a.Host, "/login/code")
		code, _ := totp.GenerateCode(secret, s.Clock.Now())
		apptest.WantStatus(t, "right code after 5 wrong ones", submitCode(p, a.Host, code), http.StatusTooManyRequests)
		apptest.WantToLogin(t, "dashboard", p.Get(a.Host, "/dashboard"))
	})
}

func TestTOTPDisable(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	enableTOTP(t, s, c, a.Host)
	c.Get(a.Host, "/profile")
	r := c.PostForm(a.Host, "/profile/totp/disable", url.Values{"current": {"not my password"}})
	apptest.WantStatus(t, "disable with a wrong password", r, http.StatusUnprocessableEntity)
	wantRedirectTo(t, "disable", c.PostForm(a.Host, "/profile/totp/disable", url.Values{"current": {apptest.Password}}), "/profile")
	if n := len(auditEntries(t, a, audit.TOTPDisable)); n != 1 {
		t.Fatalf("%d totp.disable audit entries", n)
	}
	apptest.WantRedirect(t, "sign-in without a second factor", s.Client(t).Login(a.Host, a.Admin.Email, apptest.Password), "/dashboard")
}

// The code that proved the app works when two-step sign-in was turned on
// is used up: the very same code cannot open a session at sign-in during
// the next 30-60 seconds (auth.VerifySecondFactor: "each code works once";
// RFC 6238 §5.2). At commit 8172871 auth.EnableTOTP only validated the code
// and this failed; the uncommitted change to core/auth/totp.go claims it.
func TestTOTPEnableCodeNotReplayableAtSignIn(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	secret, _ := enableTOTP(t, s, c, a.Host)
	enableCode, _ := totp.GenerateCode(secret, s.Clock.Now())

	other := s.Client(t)
	passwordStep(t, other, a.Host, a.Admin.Email)
	r := submitCode(other, a.Host, enableCode)
	if r.StatusCode == http.StatusSeeOther {
		t.Fatalf("the code used to turn two-step sign-in on was accepted again at sign-in (303 %s)", r.Header.Get("Location"))
	}
}
