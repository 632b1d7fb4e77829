package onboarding_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/landing"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// arrival is the start of the address a sign-up sends its admin to: the
// new clinic's /welcome, with the hand-off token after it.
func arrival(s *apptest.Server, sub string) string {
	return "http://" + sub + ".localhost:" + s.Port + "/welcome?token="
}

// isArrival reports whether loc is sub's /welcome with a token.
func isArrival(s *apptest.Server, sub, loc string) bool {
	tok, ok := strings.CutPrefix(loc, arrival(s, sub))
	return ok && len(tok) == 43 && !strings.ContainsAny(tok, "&#/?")
}

// startWithDashboard is start with the dashboard, where a sign-up lands.
func startWithDashboard(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, landing.New(), onboarding.New(), settings.New(), signin.New(), dashboard.New())
}

// A sign-up ends signed in on the new clinic's dashboard, which shows the
// first steps once; the hand-off works once, and only on its clinic.
func TestSignUpLandsSignedInOnTheDashboard(t *testing.T) {
	t.Parallel()
	s := startWithDashboard(t)
	c := s.Client(t)
	r := onboard(t, s, c, form("sunrise"))
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !isArrival(s, "sunrise", loc) {
		t.Fatalf("sign-up: %d Location %q, want 303 %s…", r.StatusCode, loc, arrival(s, "sunrise"))
	}
	path := strings.TrimPrefix(loc, "http://sunrise.localhost:"+s.Port)

	// Another clinic's host does not know the token, and trying it there
	// does not use it up.
	other := s.NewClinic(t, "bayview")
	stranger := s.Client(t)
	apptest.WantRedirect(t, "sunrise's token on bayview", stranger.Get(other.Host, path), "/login")
	apptest.WantToLogin(t, "bayview's dashboard after the refused token", stranger.Get(other.Host, "/dashboard"))

	// The browser follows the redirect: signed in, on the dashboard.
	w := c.Get("sunrise.localhost", path)
	apptest.WantRedirect(t, "GET /welcome", w, "/dashboard")
	for _, h := range w.Header.Values("Set-Cookie") {
		if strings.Contains(strings.ToLower(h), "domain=") {
			t.Errorf("the hand-off sets a cookie for a wider domain: %s", h)
		}
	}
	d := c.Get("sunrise.localhost", "/dashboard")
	apptest.WantStatus(t, "the dashboard after the hand-off", d, http.StatusOK)
	panel := d.Doc(t).Find("article.welcome")
	if panel.Length() != 1 || !strings.Contains(panel.Text(), "Welcome to Ward") {
		t.Fatalf("no welcome on the first dashboard:\n%s", d.Body)
	}
	if panel.Find(`a[href="/settings"]`).Length() != 1 {
		t.Errorf("the welcome does not lead to the clinic's settings:\n%s", panel.Text())
	}
	if again := c.Get("sunrise.localhost", "/dashboard"); again.Doc(t).Find("article.welcome").Length() != 0 {
		t.Error("the welcome shows again on the next visit")
	}

	// Used once, the token signs no one else in.
	late := s.Client(t)
	r = late.Get("sunrise.localhost", path)
	apptest.WantRedirect(t, "the token a second time", r, "/login")
	if got := apptest.Flash(t, late.Follow("sunrise.localhost", r)); !strings.Contains(got, "expired or was used already") {
		t.Errorf("the sign-in page says %q after a used token", got)
	}
	apptest.WantToLogin(t, "the dashboard after a used token", late.Get("sunrise.localhost", "/dashboard"))
}

// A hand-off token works for tenant.HandoffTTL.
func TestSignUpHandoffExpires(t *testing.T) {
	t.Parallel()
	s := startWithDashboard(t)
	c := s.Client(t)
	r := onboard(t, s, c, form("sunrise"))
	loc := r.Header.Get("Location")
	if !isArrival(s, "sunrise", loc) {
		t.Fatalf("sign-up: %d Location %q", r.StatusCode, loc)
	}
	s.Clock.Advance(tenant.HandoffTTL)
	r = c.Get("sunrise.localhost", strings.TrimPrefix(loc, "http://sunrise.localhost:"+s.Port))
	apptest.WantRedirect(t, "a token past its time", r, "/login")
	apptest.WantToLogin(t, "the dashboard after an expired token", c.Get("sunrise.localhost", "/dashboard"))
}

// The sign-up page keeps the typed address in its preview after an error,
// and does not offer itself in the header.
func TestSignUpPageAfterAnError(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	page := c.Get("localhost", "/tenant-onboard")
	if doc := page.Doc(t); doc.Find(`header a[href="/tenant-onboard"]`).Length() != 0 || strings.Contains(page.Body, "Start a free trial") {
		t.Error(`the sign-up page offers "Start a free trial" in its header`)
	} else if doc.Find(`header a[href="/find-clinic"]`).Length() != 1 {
		t.Error("the sign-up page's header has no Sign in link")
	}
	v := form("mynewclinic")
	v.Set("adminPassword", "short")
	r := c.PostForm("localhost", "/tenant-onboard", v)
	apptest.WantStatus(t, "a short password", r, http.StatusUnprocessableEntity)
	status := r.Doc(t).Find("#subdomain-status").Text()
	if want := "mynewclinic.localhost:" + s.Port; !strings.Contains(status, want) {
		t.Errorf("after an error the address preview says %q, want it to show %s", status, want)
	}
	if strings.Contains(r.Body, "Start a free trial") {
		t.Error(`the sign-up page offers "Start a free trial" after an error`)
	}

	// Elsewhere on the platform the header has both.
	doc := c.Get("localhost", "/").Doc(t)
	if doc.Find(`header a[href="/tenant-onboard"]`).Length() != 1 || doc.Find(`header a[href="/find-clinic"]`).Length() != 1 {
		t.Error("the landing page's header lacks Start a free trial or Sign in")
	}
}
