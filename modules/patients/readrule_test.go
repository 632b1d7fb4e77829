package patients_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/rbac"
)

// A role that may change or archive patients but not read them sees no
// patient: the edit form, the archive confirmation and the API's answer all
// show the record.
func TestChangingAPatientNeedsReadingThem(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := context.Background()
	cl, admin := start(t, s)
	id := register(t, admin, cl.Host, person("Zoë", "Núñez"))
	clerk, err := rbac.CreateRole(ctx, cl.DB, "Clerk", s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range [][2]string{{"dashboard", "read"}, {"patients", "update"}, {"patients", "delete"}} {
		if _, err := s.Ward.RBAC().SetGrant(ctx, s.DB, cl.DB, clerk.Key, g[0], g[1], true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Platform.Tenants().NewPolicyVersion(ctx, cl.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	u := s.NewUser(t, cl, clerk.Key, "Cleo Clerk", "cleo@sunrise.test")
	c := s.SignedIn(t, cl.Host, u.Email)
	for _, path := range []string{"/patients/" + id + "/edit", "/patients/" + id + "/archive"} {
		apptest.WantStatus(t, "GET "+path, c.Get(cl.Host, path), http.StatusForbidden)
	}
	c.Get(cl.Host, "/dashboard")
	apptest.WantStatus(t, "POST archive", c.PostForm(cl.Host, "/patients/"+id+"/archive", url.Values{"version": {"1"}, "confirm": {"1"}}), http.StatusForbidden)
	if r, _ := c.API(cl.Host, http.MethodPost, "/api/patients/"+id+"/archive", `{"version":1}`); r.StatusCode != http.StatusForbidden {
		t.Errorf("API archive: %d, want 403", r.StatusCode)
	}
}
