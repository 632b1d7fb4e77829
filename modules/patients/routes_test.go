package patients_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// The header's search answers as the person types with links to the first
// matches, reported as shown; without htmx it is the list's search; every
// signed-in page of someone who may read patients carries it.
func TestQuickSearch(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez"))
	register(t, c, cl.Host, person("Ada", "Lovelace"))

	if d := c.Get(cl.Host, "/dashboard"); d.Doc(t).Find(`form[data-quick-search] input#quick-q[hx-get="/patients/quick"]`).Length() != 1 {
		t.Fatalf("the dashboard has no patient search:\n%s", d.Body)
	}
	r := c.Get(cl.Host, "/patients/quick?q=nun", "HX-Request", "true", "HX-Target", "quick-results")
	links := r.Doc(t).Find("a[data-quick-result]")
	if r.StatusCode != http.StatusOK || links.Length() != 1 || links.AttrOr("href", "") != "/patients/"+id ||
		!strings.Contains(links.Text(), "Núñez, Zoë") || strings.Contains(r.Body, "Lovelace") || strings.Contains(r.Body, "<html") {
		t.Fatalf("quick search: %d\n%s", r.StatusCode, r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	es := apptest.Find[audit.Entry](t, cl.DB.Collection(audit.Collection), db.And(db.Eq("action", "patient.list"), db.Eq("route", "GET /patients/quick")))
	if len(es) != 1 || len(es[0].Records) != 1 || es[0].Records[0].ID != id {
		t.Errorf("audit of the search: %+v", es)
	}
	if r := c.Get(cl.Host, "/patients/quick?q=zzz", "HX-Request", "true"); !strings.Contains(r.Body, "No patient matches") {
		t.Errorf("no match:\n%s", r.Body)
	}
	if r := c.Get(cl.Host, "/patients/quick?q=", "HX-Request", "true"); strings.TrimSpace(r.Body) != "" {
		t.Errorf("an empty search shows %q", r.Body)
	}
	apptest.WantRedirect(t, "without htmx", c.Get(cl.Host, "/patients/quick?q=Zo%C3%AB+N"), "/patients?q=Zo%C3%AB+N")

	// Staff who may not read patients have no search and no answer.
	other := s.NewUser(t, cl, "medical_representative", "Mo Rep", "mo@quick.test")
	mc := s.SignedIn(t, cl.Host, other.Email)
	if d := mc.Get(cl.Host, "/dashboard"); strings.Contains(d.Body, "data-quick-search") {
		t.Error("a user who may not read patients has the patient search")
	}
	apptest.WantStatus(t, "quick search without patients:read", mc.Get(cl.Host, "/patients/quick?q=nun", "HX-Request", "true"), http.StatusForbidden)
}

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
