package dashboard_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/services"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

func start(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), settings.New(), services.New())
}

// arrive signs u in on the clinic with a sign-up's hand-off, as the
// browser does after signing the clinic up, and returns the dashboard.
func arrive(t *testing.T, s *apptest.Server, cl *apptest.Clinic, u *auth.User) (*apptest.Client, *apptest.Response) {
	t.Helper()
	tok, err := s.Platform.Handoff(context.Background(), cl.ID, u.ID, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client(t)
	apptest.WantRedirect(t, "GET /welcome", c.Get(cl.Host, "/welcome?token="+tok), "/dashboard")
	d := c.Get(cl.Host, "/dashboard")
	apptest.WantStatus(t, "the dashboard", d, http.StatusOK)
	return c, d
}

func TestWelcome(t *testing.T) {
	s := start(t)
	s.Parallel(t, testWelcomeOnceAfterSignUp, testNoWelcomeOnSignIn)
}

// After the hand-off the dashboard shows the first steps the person may
// take, once.
func testWelcomeOnceAfterSignUp(t *testing.T, s *apptest.Server) {
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	c, d := arrive(t, s, cl, cl.Admin)
	panel := d.Doc(t).Find("article.welcome")
	if panel.Length() != 1 {
		t.Fatalf("no welcome after the sign-up:\n%s", d.Body)
	}
	for _, href := range []string{"/settings", "/services/new"} {
		if panel.Find(`a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("the welcome has no link to %s:\n%s", href, panel.Text())
		}
	}
	if again := c.Get(cl.Host, "/dashboard"); again.Doc(t).Find("article.welcome").Length() != 0 {
		t.Error("the welcome shows again")
	}

	// Each step is offered only to who may take it.
	nurse := s.NewUser(t, cl, "nurse", "Nina Nurse", "nina@"+cl.Subdomain+".test")
	_, d = arrive(t, s, cl, nurse)
	if panel := d.Doc(t).Find("article.welcome"); panel.Length() != 1 || panel.Find(`a[href="/settings"]`).Length() != 0 {
		t.Errorf("a nurse's welcome:\n%s", panel.Text())
	}
}

// Signing in shows no welcome.
func testNoWelcomeOnSignIn(t *testing.T, s *apptest.Server) {
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	c := s.SignedIn(t, cl.Host, cl.Admin.Email)
	if d := c.Get(cl.Host, "/dashboard"); d.Doc(t).Find("article.welcome").Length() != 0 {
		t.Error("a welcome after an ordinary sign-in")
	}
}

// A welcome is for a new clinic: a day on, the dashboard no longer looks
// for one (this test moves the clock: its own Ward).
func TestNoWelcomeForAnOlderClinic(t *testing.T) {
	t.Parallel()
	s := start(t)
	cl := s.NewClinic(t, "sunrise")
	s.Clock.Advance(25 * time.Hour)
	if _, d := arrive(t, s, cl, cl.Admin); d.Doc(t).Find("article.welcome").Length() != 0 {
		t.Error("a welcome on a clinic made more than a day ago")
	}
}
