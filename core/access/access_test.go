package access_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"
)

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"", ""},
		{"/", "/"},
		{"/dashboard", "/dashboard"},
		{"/patients?q=ann+lee&page=2", "/patients?q=ann+lee&page=2"},
		{"/staff#row", "/staff#row"},
		{"//evil.example", ""},
		{"//evil.example/login", ""},
		{"/\\evil.example", ""},
		{"\\\\evil.example", ""},
		{"/staff\\..\\..\\", ""},
		{"http://evil.example", ""},
		{"https://evil.example/dashboard", ""},
		{"http:/evil.example", ""},
		{"javascript:alert(1)", ""},
		{"evil.example", ""},
		{"dashboard", ""},
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{" /dashboard", ""},
	} {
		if got := access.SafeNext(tc.next); got != tc.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// apiModule adds one JSON route that needs the staff:read permission.
type apiModule struct{}

func (apiModule) Name() string { return "apitest" }

func (apiModule) Routes(r *app.Routes) {
	r.Clinic(http.MethodGet, "/api/staff-count", app.Allow("staff", "read"), func(c *gin.Context) error {
		web.OK(c, http.StatusOK, 1)
		return nil
	})
}

func start(t *testing.T) (*apptest.Server, *apptest.Clinic) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), staff.New(), apiModule{})
	return s, s.NewClinic(t, "sunrise")
}

func envelope(t *testing.T, r *apptest.Response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.Body)
	}
	return m
}

func TestUnauthenticated(t *testing.T) {
	s, a := start(t)
	c := s.Client(t)

	r := c.Get(a.Host, "/staff?tab=all")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next="+url.QueryEscape("/staff?tab=all") {
		t.Fatalf("page: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = c.Get(a.Host, "/staff", "HX-Request", "true")
	if r.StatusCode != http.StatusUnauthorized || r.Header.Get("HX-Redirect") != "/login?next=%2Fstaff" {
		t.Fatalf("htmx: %d HX-Redirect %q", r.StatusCode, r.Header.Get("HX-Redirect"))
	}
	r = c.Get(a.Host, "/api/staff-count")
	if r.StatusCode != http.StatusUnauthorized || envelope(t, r)["success"] != false {
		t.Fatalf("API: %d %s", r.StatusCode, r.Body)
	}
	// A write is not sent back to after sign-in.
	c.Get(a.Host, "/login")
	r = c.PostForm(a.Host, "/staff/"+a.Admin.ID+"/status", url.Values{"status": {"inactive"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("POST: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if u, _ := auth.UserByID(context.Background(), a.DB, a.Admin.ID); u.Status != auth.UserActive {
		t.Fatal("an anonymous POST deactivated the admin")
	}
}

func TestForbidden(t *testing.T) {
	s, a := start(t)
	s.NewUser(t, a, "receptionist", "Rita Reception", "rita@sunrise.test")
	c := s.Client(t)
	c.SignIn(a.Host, "rita@sunrise.test", apptest.Password)

	r := c.Get(a.Host, "/staff")
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Your role does not allow this") {
		t.Fatalf("page: %d\n%s", r.StatusCode, r.Body)
	}
	if r := c.Get(a.Host, "/staff", "HX-Request", "true"); r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, "<html") {
		t.Fatalf("htmx: %d\n%s", r.StatusCode, r.Body)
	}
	r = c.Get(a.Host, "/api/staff-count")
	if r.StatusCode != http.StatusForbidden || envelope(t, r)["success"] != false {
		t.Fatalf("API: %d %s", r.StatusCode, r.Body)
	}
	r = c.PostForm(a.Host, "/staff/"+a.Admin.ID+"/status", url.Values{"status": {"inactive"}})
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("POST: %d", r.StatusCode)
	}
	if u, _ := auth.UserByID(context.Background(), a.DB, a.Admin.ID); u.Status != auth.UserActive {
		t.Fatal("a receptionist deactivated the admin")
	}
}

func TestSessionOfDeletedUserEnds(t *testing.T) {
	s, a := start(t)
	u := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	c := s.Client(t)
	c.SignIn(a.Host, u.Email, apptest.Password)
	if r := c.Get(a.Host, "/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", r.StatusCode)
	}
	if _, err := a.DB.Collection(auth.UsersCollection).Delete(context.Background(), db.ID(u.ID)); err != nil {
		t.Fatal(err)
	}
	r := c.Get(a.Host, "/dashboard")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("dashboard of a deleted user: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestRenamedRoleShowsAtOnce: the role a page names is cached, but a
// change to the clinic's roles (a new policy version) shows on the next
// page.
func TestRenamedRoleShowsAtOnce(t *testing.T) {
	s, a := start(t)
	u := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	c := s.Client(t)
	c.SignIn(a.Host, u.Email, apptest.Password)
	role := func() string {
		t.Helper()
		r := c.Get(a.Host, "/dashboard")
		apptest.WantStatus(t, "dashboard", r, http.StatusOK)
		return strings.TrimSpace(r.Doc(t).Find(".user-role").Text())
	}
	if got := role(); got != "Nurse" {
		t.Fatalf("the page names the role %q", got)
	}
	ctx := context.Background()
	if _, err := rbac.RenameRole(ctx, a.DB, "nurse", "Ward nurse", s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Platform.Tenants().NewPolicyVersion(ctx, a.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := role(); got != "Ward nurse" {
		t.Errorf("after the rename the page names the role %q", got)
	}
}
