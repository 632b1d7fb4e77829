package app_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/signin"
)

// gated is a module with a gate: it marks the routes it checked and
// refuses a request that asks it to.
type gated struct{}

func (gated) Name() string { return "gated" }
func (gated) Routes(r *app.Routes) {
	ok := func(c *gin.Context) error { c.String(http.StatusOK, "ran"); return nil }
	r.Clinic(http.MethodGet, "/gated", app.SignedIn, ok)
	r.Clinic(http.MethodGet, "/ungated", app.Public.EvenLapsed(), ok)
}
func (gated) Gate(r app.Route) web.HandlerFunc {
	if r.Access.Lapsed {
		return nil
	}
	return func(c *gin.Context) error {
		if c.Query("refuse") != "" {
			return web.Forbidden("The gate refused.")
		}
		c.Header("X-Gated", r.Path)
		return nil
	}
}

// A module's gate runs on its routes and others' after the access guard
// (someone not signed in is sent to sign in first), its error is the
// answer, and a route it returns no check for is not gated.
func TestGatesRunAfterTheAccessGuard(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), gated{})
	cl := s.NewClinic(t, "gates")
	anon := s.Client(t)
	r := anon.Get(cl.Host, "/gated")
	apptest.WantToLogin(t, "not signed in", r)
	if r.Header.Get("X-Gated") != "" {
		t.Error("the gate ran before the access guard")
	}
	c := s.SignedIn(t, cl.Host, cl.Admin.Email)
	if r := c.Get(cl.Host, "/gated"); r.StatusCode != http.StatusOK || r.Body != "ran" || r.Header.Get("X-Gated") != "/gated" {
		t.Errorf("gated route: %d %q X-Gated %q", r.StatusCode, r.Body, r.Header.Get("X-Gated"))
	}
	if r := c.Get(cl.Host, "/gated?refuse=1"); r.StatusCode != http.StatusForbidden || r.Header.Get("X-Gated") != "" {
		t.Errorf("refused: %d", r.StatusCode)
	}
	if r := c.Get(cl.Host, "/login"); r.Header.Get("X-Gated") != "" {
		t.Error("another module's route open to lapsed clinics was gated")
	}
	if r := anon.Get(cl.Host, "/ungated?refuse=1"); r.StatusCode != http.StatusOK || r.Header.Get("X-Gated") != "" {
		t.Errorf("ungated route: %d X-Gated %q", r.StatusCode, r.Header.Get("X-Gated"))
	}
	if got := app.Public.EvenLapsed().String(); got != "public (even lapsed)" {
		t.Errorf("String() = %q", got)
	}
}
