package staff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"
)

// newPassword passes the password rules and is nobody's old password.
const newPassword = "velvet otter climbs marble stairs"

func startWard(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), staff.New())
}

// start gives a test that moves the clock a Ward of its own: tests that
// share one must see the same time throughout.
func start(t *testing.T) (*apptest.Server, *apptest.Clinic) {
	t.Helper()
	t.Parallel()
	s := startWard(t)
	return s, s.NewClinic(t, "sunrise")
}

// TestStaff runs side by side, on one Ward, the tests that leave the clock
// alone; each makes a clinic of its own (a subdomain no other uses). Most
// of their time is password hashing, so running two at once on two cores
// is what saves it.
func TestStaff(t *testing.T) {
	t.Parallel()
	startWard(t).Parallel(t, testRolesAndRoutes, testAddPerson, testChangeRoleWithHTMX, testDeactivateAndReactivate,
		testLastAdminStays, testLastAdminRuleHoldsUnderRace, testTOTPQRCodeShows, testStaffRightsGiveNoMoreThanOnesOwnRole,
		testTOTPOnAndOff)
}

func user(t *testing.T, cl *apptest.Clinic, id string) *auth.User {
	t.Helper()
	u, err := auth.UserByID(context.Background(), cl.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// defaultRoles reads the grants new clinics get from policies/.
type defaultRoles struct {
	Roles []struct {
		Key    string              `json:"key"`
		Name   string              `json:"name"`
		Grants map[string][]string `json:"grants"`
	} `json:"roles"`
}

func loadDefaultRoles(t *testing.T) defaultRoles {
	t.Helper()
	b, err := os.ReadFile("../../policies/default_roles.json")
	if err != nil {
		t.Fatal(err)
	}
	var d defaultRoles
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func granted(grants map[string][]string, resource, action string) bool {
	for _, res := range []string{resource, "*"} {
		if acts := grants[res]; slices.Contains(acts, action) || slices.Contains(acts, "*") {
			return true
		}
	}
	return false
}

func testRolesAndRoutes(t *testing.T, s *apptest.Server) {
	a := s.NewClinic(t, "roles")
	roles := loadDefaultRoles(t)
	if len(roles.Roles) != 6 {
		t.Fatalf("%d default roles, want 6", len(roles.Roles))
	}
	routes := []struct {
		path             string
		resource, action string // "" = any signed-in user
	}{
		{"/staff", "staff", "read"},
		{"/staff/new", "staff", "create"},
		{"/dashboard", "dashboard", "read"},
		{"/profile", "", ""},
	}
	// One person takes each role in turn: a role applies from the next
	// request (see testChangeRoleWithHTMX), and a person and a sign-in per
	// role would cost two password hashes each.
	u := s.NewUser(t, a, "receptionist", "Sam Someone", "sam@sunrise.test")
	c := s.SignedIn(t, a.Host, u.Email)
	for _, role := range roles.Roles {
		t.Run(role.Key, func(t *testing.T) {
			if err := auth.SetRole(context.Background(), a.DB, u.ID, role.Key, s.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			for _, rt := range routes {
				want := http.StatusOK
				if rt.resource != "" && !granted(role.Grants, rt.resource, rt.action) {
					want = http.StatusForbidden
				}
				// The brief's expectations, independent of the file.
				if role.Key == rbac.AdminKey && want != http.StatusOK || role.Key != rbac.AdminKey && strings.HasPrefix(rt.path, "/staff") && want != http.StatusForbidden {
					t.Fatalf("default_roles.json gives %s %s: %d", role.Key, rt.path, want)
				}
				r := c.Get(a.Host, rt.path)
				apptest.WantStatus(t, role.Key+" GET "+rt.path, r, want)
				if rt.path != "/profile" {
					continue
				}
				nav := r.Doc(t).Find(`header nav a[href="/staff"]`)
				if canSee := granted(role.Grants, "staff", "read"); (nav.Length() > 0) != canSee {
					t.Fatalf("%s sees the Staff link: %v, want %v", role.Key, nav.Length() > 0, canSee)
				}
				if strings.Contains(r.Doc(t).Find("header nav").Text(), "Staff") != granted(role.Grants, "staff", "read") {
					t.Fatalf("%s: nav text %q", role.Key, r.Doc(t).Find("header nav").Text())
				}
			}
		})
	}
}

var inviteLink = regexp.MustCompile(`http://[^\s/]+/invitation\?token=([A-Za-z0-9_-]+)`)

func testAddPerson(t *testing.T, s *apptest.Server) {
	a := s.NewClinic(t, "adding")
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	users := a.DB.Collection(auth.UsersCollection)
	apptest.WantStatus(t, "new person form", c.Get(a.Host, "/staff/new"), http.StatusOK)

	r := c.PostForm(a.Host, "/staff", url.Values{"name": {"  Dora Doctor "}, "email": {"Dora@Sunrise.test"}, "roleKey": {"doctor"}})
	apptest.WantRedirect(t, "add", r, "/staff")
	u, err := auth.UserByEmail(context.Background(), a.DB, "dora@sunrise.test")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Dora Doctor" || u.RoleKey != "doctor" || u.Status != auth.UserActive || u.PasswordHash == "" {
		t.Fatalf("created user %+v", u)
	}
	for _, guess := range []string{"", apptest.Password, "dora@sunrise.test", "Dora Doctor"} {
		if auth.CheckPassword(u.PasswordHash, guess) {
			t.Fatalf("the new user's password is %q", guess)
		}
	}
	c.WantFlash(a.Host, r, "dora@sunrise.test was added and has been sent an email to choose a password.")
	if !strings.Contains(c.Get(a.Host, "/staff").Body, "Dora Doctor") {
		t.Fatal("the staff list does not show the new person")
	}

	ms := apptest.Find[mail.Message](t, a.DB.Collection(mail.Collection), db.Eq("to", "dora@sunrise.test"))
	if len(ms) != 1 || ms[0].Key != "invite:"+u.ID {
		t.Fatalf("invitation mails %+v", ms)
	}
	m := inviteLink.FindStringSubmatch(ms[0].Text)
	if m == nil {
		t.Fatalf("the invitation has no link: %q", ms[0].Text)
	}
	entries := apptest.Find[audit.Entry](t, a.DB.Collection(audit.Collection), db.Eq("action", audit.UserCreate))
	if len(entries) != 1 || entries[0].Target != "user:"+u.ID || entries[0].ActorID != a.Admin.ID || entries[0].After != "Dora Doctor <dora@sunrise.test> as doctor" {
		t.Fatalf("user.create audit entries %+v", entries)
	}

	// The invitation lets Dora choose her password and sign in.
	dora := s.Client(t)
	apptest.WantStatus(t, "invitation link", dora.Get(a.Host, "/invitation?token="+m[1]), http.StatusOK)
	apptest.WantRedirect(t, "choose password", dora.PostForm(a.Host, "/password/reset", url.Values{"token": {m[1]}, "password": {newPassword}, "confirm": {newPassword}}), "/login")
	apptest.WantRedirect(t, "Dora signs in", dora.Login(a.Host, "dora@sunrise.test", newPassword), "/dashboard")

	// Invalid forms: 422 with a message beside the field, nothing created.
	n := apptest.Count(t, users, db.Filter{})
	c.Get(a.Host, "/staff/new")
	for _, tc := range []struct {
		name          string
		form          url.Values
		field, substr string
	}{
		{"duplicate email", url.Values{"name": {"Dora Again"}, "email": {"DORA@sunrise.test"}, "roleKey": {"nurse"}}, "email", "already signs in with this email"},
		{"admin's email", url.Values{"name": {"Copy"}, "email": {a.Admin.Email}, "roleKey": {"nurse"}}, "email", "already signs in with this email"},
		{"invalid email", url.Values{"name": {"Nobody"}, "email": {"not-an-email"}, "roleKey": {"nurse"}}, "email", "Enter an email address such as"},
		{"email with a display name", url.Values{"name": {"Nobody"}, "email": {"Eve <eve@sunrise.test>"}, "roleKey": {"nurse"}}, "email", "Enter an email address such as"},
		{"missing email", url.Values{"name": {"Nobody"}, "email": {""}, "roleKey": {"nurse"}}, "email", "Enter an email address."},
		{"missing name", url.Values{"name": {"   "}, "email": {"x@sunrise.test"}, "roleKey": {"nurse"}}, "name", "Enter the person's name."},
		{"long name", url.Values{"name": {strings.Repeat("n", 101)}, "email": {"y@sunrise.test"}, "roleKey": {"nurse"}}, "name", "at most 100"},
		{"name with a right-to-left override", url.Values{"name": {"Dora \u202erotcoD"}, "email": {"y@sunrise.test"}, "roleKey": {"nurse"}}, "name",
			"Name may not contain characters that change the direction of text."},
		{"name not UTF-8", url.Values{"name": {"Dora \xff"}, "email": {"y@sunrise.test"}, "roleKey": {"nurse"}}, "name",
			"Name may not contain characters that are not valid UTF-8 text."},
		{"name on two lines", url.Values{"name": {"Dora\r\nDoctor"}, "email": {"y@sunrise.test"}, "roleKey": {"nurse"}}, "name", "Name must be on one line."},
		{"unknown role", url.Values{"name": {"Nobody"}, "email": {"z@sunrise.test"}, "roleKey": {"superuser"}}, "roleKey", "Choose a role."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.PostForm(a.Host, "/staff", tc.form)
			apptest.WantStatus(t, "add", r, http.StatusUnprocessableEntity)
			if msg := r.Doc(t).Find("#e-" + tc.field).Text(); !strings.Contains(msg, tc.substr) {
				t.Fatalf("message beside %s: %q, want %q", tc.field, msg, tc.substr)
			}
		})
	}
	if after := apptest.Count(t, users, db.Filter{}); after != n {
		t.Fatalf("invalid forms created %d users", after-n)
	}
}

// withNurse makes a clinic with a nurse, Nina, and signs in her and the
// admin; the admin is on the staff list, ready to post its forms.
func withNurse(t *testing.T, s *apptest.Server, sub string) (a *apptest.Clinic, nina *auth.User, ninaC, admin *apptest.Client) {
	t.Helper()
	a = s.NewClinic(t, sub)
	nina = s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	ninaC, admin = s.SignedIn(t, a.Host, nina.Email), s.SignedIn(t, a.Host, a.Admin.Email)
	admin.Get(a.Host, "/staff")
	return a, nina, ninaC, admin
}

func testChangeRoleWithHTMX(t *testing.T, s *apptest.Server) {
	a, nina, ninaC, c := withNurse(t, s, "role-change")
	apptest.WantStatus(t, "nurse on /staff", ninaC.Get(a.Host, "/staff"), http.StatusForbidden)
	r := c.PostForm(a.Host, "/staff/"+nina.ID+"/role", url.Values{"roleKey": {"admin"}, "confirm": {"1"}}, "HX-Request", "true", "HX-Target", "user-"+nina.ID)
	apptest.WantStatus(t, "role change", r, http.StatusOK)
	if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `<tr id="user-`+nina.ID+`"`) {
		t.Fatalf("htmx answer is not the row fragment:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, "Role changed to Admin.") {
		t.Fatalf("the row does not say what changed:\n%s", r.Body)
	}
	if got := user(t, a, nina.ID).RoleKey; got != "admin" {
		t.Fatalf("role is %q", got)
	}
	if n := apptest.Count(t, a.DB.Collection(audit.Collection), db.And(db.Eq("action", audit.UserUpdate), db.Eq("target", "user:"+nina.ID),
		db.Eq("before", "role nurse"), db.Eq("after", "role admin"))); n != 1 {
		t.Fatalf("%d user.update audit entries for the role change", n)
	}
	// The new role applies from Nina's next request, without signing in again.
	apptest.WantStatus(t, "Nina on /staff as admin", ninaC.Get(a.Host, "/staff"), http.StatusOK)

	// An unknown role: the row comes back with the reason (422 so htmx swaps it).
	r = c.PostForm(a.Host, "/staff/"+nina.ID+"/role", url.Values{"roleKey": {"superuser"}, "confirm": {"1"}}, "HX-Request", "true")
	apptest.WantStatus(t, "unknown role", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "Choose a role.") || strings.Contains(r.Body, "<html") {
		t.Fatalf("unknown role answer:\n%s", r.Body)
	}
	if got := user(t, a, nina.ID).RoleKey; got != "admin" {
		t.Fatalf("role is %q after a refused change", got)
	}
	// Without htmx: back to the list.
	apptest.WantRedirect(t, "role change without htmx", c.PostForm(a.Host, "/staff/"+nina.ID+"/role", url.Values{"roleKey": {"nurse"}, "confirm": {"1"}}), "/staff")
	// Someone of another clinic, or no one: 404.
	b := s.NewClinic(t, "role-change-other")
	apptest.WantStatus(t, "another clinic's user", c.PostForm(a.Host, "/staff/"+b.Admin.ID+"/role", url.Values{"roleKey": {"nurse"}, "confirm": {"1"}}), http.StatusNotFound)
	if got := user(t, b, b.Admin.ID).RoleKey; got != "admin" {
		t.Fatalf("clinic B's admin became %q", got)
	}
}

func testDeactivateAndReactivate(t *testing.T, s *apptest.Server) {
	a, nina, ninaC, c := withNurse(t, s, "deactivating")
	apptest.WantStatus(t, "Nina's dashboard", ninaC.Get(a.Host, "/dashboard"), http.StatusOK)
	r := c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}}, "HX-Request", "true")
	apptest.WantStatus(t, "deactivate", r, http.StatusOK)
	if !strings.Contains(r.Body, "Deactivated") || strings.Contains(r.Body, "<html") {
		t.Fatalf("deactivation row:\n%s", r.Body)
	}
	if got := user(t, a, nina.ID).Status; got != auth.UserInactive {
		t.Fatalf("status %q", got)
	}

	// Nina's open session ends on her next request; she cannot sign in.
	apptest.WantToLogin(t, "Nina's next request", ninaC.Get(a.Host, "/dashboard"))
	r = s.Client(t).Login(a.Host, nina.Email, apptest.Password)
	if r.StatusCode == http.StatusSeeOther || r.StatusCode < 400 {
		t.Fatalf("a deactivated user signed in: %d", r.StatusCode)
	}

	apptest.WantRedirect(t, "reactivate", c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"active"}}), "/staff")
	apptest.WantRedirect(t, "Nina signs in again", s.Client(t).Login(a.Host, nina.Email, apptest.Password), "/dashboard")
	// The session ended by the deactivation stays ended.
	apptest.WantToLogin(t, "Nina's old session", ninaC.Get(a.Host, "/dashboard"))

	apptest.WantStatus(t, "unknown status", c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"deleted"}}), http.StatusBadRequest)
	if n := apptest.Count(t, a.DB.Collection(audit.Collection), db.And(db.Eq("action", audit.UserUpdate), db.Eq("target", "user:"+nina.ID))); n != 2 {
		t.Fatalf("%d user.update audit entries, want 2", n)
	}
}

const lastAdmin = "only active administrator"

func testLastAdminStays(t *testing.T, s *apptest.Server) {
	a := s.NewClinic(t, "last-admin")
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	c.Get(a.Host, "/staff")
	admin := a.Admin.ID

	refused := func(what string, r *apptest.Response, htmx bool) {
		t.Helper()
		want := http.StatusConflict
		if htmx {
			want = http.StatusUnprocessableEntity
		}
		apptest.WantStatus(t, what, r, want)
		if !strings.Contains(r.Body, lastAdmin) {
			t.Fatalf("%s: the answer does not explain:\n%s", what, r.Body)
		}
		if u := user(t, a, admin); u.RoleKey != rbac.AdminKey || u.Status != auth.UserActive {
			t.Fatalf("%s: the last admin is now %s/%s", what, u.RoleKey, u.Status)
		}
	}
	refused("deactivate the only admin", c.PostForm(a.Host, "/staff/"+admin+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}}), false)
	refused("demote the only admin", c.PostForm(a.Host, "/staff/"+admin+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}}), false)
	refused("demote the only admin (htmx)", c.PostForm(a.Host, "/staff/"+admin+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}}, "HX-Request", "true"), true)
	refused("deactivate the only admin (htmx)", c.PostForm(a.Host, "/staff/"+admin+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}}, "HX-Request", "true"), true)

	// A deactivated admin does not count.
	gone := s.NewUser(t, a, rbac.AdminKey, "Gone Admin", "gone@sunrise.test")
	if err := auth.SetStatus(context.Background(), a.DB, gone.ID, auth.UserInactive, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	refused("demote with only a deactivated second admin", c.PostForm(a.Host, "/staff/"+admin+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}}), false)

	// With a second active admin, the first may step down; then the second
	// is the last one.
	second := s.NewUser(t, a, rbac.AdminKey, "Second Admin", "second@sunrise.test")
	apptest.WantRedirect(t, "first admin steps down", c.PostForm(a.Host, "/staff/"+admin+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}}), "/staff")
	apptest.WantStatus(t, "former admin on /staff", c.Get(a.Host, "/staff"), http.StatusForbidden)
	c2 := s.SignedIn(t, a.Host, second.Email)
	c2.Get(a.Host, "/staff")
	admin = second.ID
	refused("deactivate the new only admin", c2.PostForm(a.Host, "/staff/"+second.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}}), false)
}

// Two admins who step down at the same moment must not leave the clinic
// without an active administrator: the count and the change are one step
// under the clinic's admin lock (a unique-key claim, DESIGN.md "Atomicity").
func testLastAdminRuleHoldsUnderRace(t *testing.T, s *apptest.Server) {
	a := s.NewClinic(t, "race")
	second := s.NewUser(t, a, rbac.AdminKey, "Second Admin", "second@sunrise.test")
	c1 := s.SignedIn(t, a.Host, a.Admin.Email)
	c2 := s.SignedIn(t, a.Host, second.Email)
	active := func() int64 {
		return apptest.Count(t, a.DB.Collection(auth.UsersCollection), db.And(db.Eq("roleKey", rbac.AdminKey), db.Eq("status", auth.UserActive)))
	}
	for round := range 10 {
		c1.Get(a.Host, "/staff")
		c2.Get(a.Host, "/staff")
		reqs := []struct {
			c  *apptest.Client
			id string
		}{{c1, a.Admin.ID}, {c2, second.ID}}
		statuses := make([]int, 2)
		apptest.AtOnce(len(reqs), func(i int) {
			if r, err := reqs[i].c.TryPost(a.Host, "/staff/"+reqs[i].id+"/role", url.Values{"roleKey": {"doctor"}, "confirm": {"1"}}); err == nil {
				statuses[i] = r.StatusCode
			}
		})
		if n := active(); n == 0 {
			t.Fatalf("round %d: both admins stepped down at once (%v): the clinic has no active administrator", round, statuses)
		}
		// One stepped down, the other was told why not.
		if slices.Sort(statuses); statuses[0] != http.StatusSeeOther || statuses[1] != http.StatusConflict {
			t.Fatalf("round %d: statuses %v, want one 303 and one 409", round, statuses)
		}
		// Put both back for the next round.
		for _, id := range []string{a.Admin.ID, second.ID} {
			if err := auth.SetRole(context.Background(), a.DB, id, rbac.AdminKey, s.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestProfilePasswordChange(t *testing.T) {
	s, a := start(t)
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	here := s.SignedIn(t, a.Host, nina.Email)
	there := s.SignedIn(t, a.Host, nina.Email)
	admin := s.SignedIn(t, a.Host, a.Admin.Email)
	s.Clock.Advance(time.Minute)

	apptest.WantStatus(t, "profile", here.Get(a.Host, "/profile"), http.StatusOK)
	for _, tc := range []struct {
		name                      string
		current, password, repeat string
		field                     string
	}{
		{"wrong current password", "not my password", newPassword, newPassword, "current"},
		{"no current password", "", newPassword, newPassword, "current"},
		{"weak new password", apptest.Password, "password1", "password1", "password"},
		{"own email in it", apptest.Password, "nina@sunrise.test is me", "nina@sunrise.test is me", "password"},
		{"not repeated", apptest.Password, newPassword, newPassword + "x", "confirm"},
	} {
		r := here.PostForm(a.Host, "/profile/password", url.Values{"current": {tc.current}, "password": {tc.password}, "confirm": {tc.repeat}})
		apptest.WantStatus(t, tc.name, r, http.StatusUnprocessableEntity)
		if r.Doc(t).Find("#e-"+tc.field).Length() == 0 {
			t.Fatalf("%s: no message beside %s", tc.name, tc.field)
		}
	}
	if !auth.CheckPassword(user(t, a, nina.ID).PasswordHash, apptest.Password) {
		t.Fatal("a refused change changed the password")
	}

	r := here.PostForm(a.Host, "/profile/password", url.Values{"current": {apptest.Password}, "password": {newPassword}, "confirm": {newPassword}})
	apptest.WantRedirect(t, "change", r, "/profile")
	// This session continues, and shows the confirmation kept in it.
	here.WantFlash(a.Host, r, "Your password was changed.")
	// The session continues for writes too (its CSRF token follows the new session id).
	apptest.WantStatus(t, "profile write after the change", here.PostForm(a.Host, "/profile/totp/start", url.Values{}), http.StatusOK)
	apptest.WantToLogin(t, "Nina's other session", there.Get(a.Host, "/dashboard"))
	apptest.WantStatus(t, "someone else's session", admin.Get(a.Host, "/dashboard"), http.StatusOK)
	if n := apptest.Count(t, a.DB.Collection(audit.Collection), db.And(db.Eq("action", audit.PasswordChange), db.Eq("actorId", nina.ID), db.Eq("target", "user:"+nina.ID))); n != 1 {
		t.Fatalf("%d password.change audit entries", n)
	}
	apptest.WantStatus(t, "old password", s.Client(t).Login(a.Host, nina.Email, apptest.Password), http.StatusUnprocessableEntity)
	apptest.WantRedirect(t, "new password", s.Client(t).Login(a.Host, nina.Email, newPassword), "/dashboard")
}

// startTOTP makes a clinic whose admin has started turning on two-step
// sign-in on the profile page, and returns the set-up page.
func startTOTP(t *testing.T, s *apptest.Server, sub string) (*apptest.Clinic, *apptest.Client, *apptest.Response) {
	t.Helper()
	a, c := s.NewSignedInClinic(t, sub)
	c.Get(a.Host, "/profile")
	r := c.PostForm(a.Host, "/profile/totp/start", url.Values{})
	apptest.WantStatus(t, "start", r, http.StatusOK)
	return a, c, r
}

// The authenticator QR code is a data: URL; html/template would replace a
// plain string with "#ZgotmplZ" and people would have to type the key.
func testTOTPQRCodeShows(t *testing.T, s *apptest.Server) {
	_, _, r := startTOTP(t, s, "totp-qr")
	src, _ := r.Doc(t).Find("img").Attr("src")
	if !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR code <img src=%.40q…>, want a data:image/png URL", src)
	}
}

// Deactivation ends a person's sessions for good: reactivating them (a
// mis-click corrected) before their next request must not bring the old
// sessions back.
func TestReactivationDoesNotReviveSessions(t *testing.T) {
	s, a := start(t)
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	ninaC := s.SignedIn(t, a.Host, nina.Email)
	s.Clock.Advance(time.Minute)
	c := s.SignedIn(t, a.Host, a.Admin.Email)
	c.Get(a.Host, "/staff")
	r := c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}}, "HX-Request", "true")
	if !strings.Contains(r.Body, "signed out everywhere") {
		t.Fatalf("deactivation row:\n%s", r.Body)
	}
	apptest.WantRedirect(t, "reactivate", c.PostForm(a.Host, "/staff/"+nina.ID+"/status", url.Values{"status": {"active"}}), "/staff")
	apptest.WantToLogin(t, "Nina's session from before the deactivation", ninaC.Get(a.Host, "/dashboard"))
}

// Staff rights give no more than one's own role: someone whose role was
// given staff rights (a nurse who also manages the rota) may give only roles
// whose every permission her role holds, and may change only the accounts
// of people whose role is within hers — never make herself or anyone a
// Doctor or an Admin, nor touch an Admin's account.
func testStaffRightsGiveNoMoreThanOnesOwnRole(t *testing.T, s *apptest.Server) {
	a := s.NewClinic(t, "rights")
	ctx := context.Background()
	grant := func(role, resource, action string) {
		t.Helper()
		if _, err := s.Ward.RBAC().SetGrant(ctx, s.DB, a.DB, role, resource, action, true); err != nil {
			t.Fatal(err)
		}
	}
	for _, act := range []string{"read", "create", "update"} {
		grant("nurse", "staff", act)
	}
	desk, err := rbac.CreateRole(ctx, a.DB, "Front desk", s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	grant(desk.Key, "patients", "read")
	if _, err := s.Platform.Tenants().NewPolicyVersion(ctx, a.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	manager := s.NewUser(t, a, "nurse", "Olga Office", "olga@sunrise.test")
	doctor := s.NewUser(t, a, "doctor", "Dan Doctor", "dan@sunrise.test")
	fiona := s.NewUser(t, a, desk.Key, "Fiona Desk", "fiona@sunrise.test")
	c := s.SignedIn(t, a.Host, manager.Email)

	page := c.Get(a.Host, "/staff")
	apptest.WantStatus(t, "staff list", page, http.StatusOK)
	doc := page.Doc(t)
	var offered []string
	doc.Find("#user-" + fiona.ID + " option").Each(func(_ int, o *goquery.Selection) { offered = append(offered, o.AttrOr("value", "")) })
	if slices.Sort(offered); !slices.Equal(offered, []string{desk.Key, "nurse"}) {
		t.Errorf("roles offered to someone with the Nurse role and staff rights: %v, want only Front desk and Nurse", offered)
	}
	for _, u := range []*auth.User{a.Admin, doctor} {
		if doc.Find("#user-"+u.ID+" form").Length() != 0 {
			t.Errorf("%s's row has controls for someone whose role holds less", u.Name)
		}
	}
	if doc.Find("#user-"+fiona.ID+" form").Length() == 0 {
		t.Error("Fiona's row (Front desk) has no controls")
	}

	for _, tc := range []struct{ what, path, field, value string }{
		{"make herself an Admin", "/staff/" + manager.ID + "/role", "roleKey", rbac.AdminKey},
		{"make herself a Doctor", "/staff/" + manager.ID + "/role", "roleKey", "doctor"},
		{"make Fiona a Doctor", "/staff/" + fiona.ID + "/role", "roleKey", "doctor"},
		{"change the doctor's role", "/staff/" + doctor.ID + "/role", "roleKey", desk.Key},
		{"deactivate the doctor", "/staff/" + doctor.ID + "/status", "status", auth.UserInactive},
		{"deactivate the admin", "/staff/" + a.Admin.ID + "/status", "status", auth.UserInactive},
		{"demote the admin", "/staff/" + a.Admin.ID + "/role", "roleKey", "nurse"},
	} {
		apptest.WantStatus(t, tc.what, c.PostForm(a.Host, tc.path, url.Values{tc.field: {tc.value}, "confirm": {"1"}}), http.StatusForbidden)
	}
	for _, role := range []string{rbac.AdminKey, "doctor"} {
		r := c.PostForm(a.Host, "/staff", url.Values{"name": {"Eve"}, "email": {"eve@sunrise.test"}, "roleKey": {role}})
		apptest.WantStatus(t, "add someone as "+role, r, http.StatusUnprocessableEntity)
		if msg := r.Doc(t).Find("#e-roleKey").Text(); !strings.Contains(msg, "your own role has") {
			t.Errorf("add someone as %s: message %q", role, msg)
		}
	}
	want := map[string]string{manager.ID: "nurse", doctor.ID: "doctor", fiona.ID: desk.Key, a.Admin.ID: rbac.AdminKey}
	for id, role := range want {
		if u := user(t, a, id); u.RoleKey != role || u.Status != auth.UserActive {
			t.Errorf("%s is %s/%s after refused changes", u.Name, u.RoleKey, u.Status)
		}
	}
	if n := apptest.Count(t, a.DB.Collection(auth.UsersCollection), db.Eq("email", "eve@sunrise.test")); n != 0 {
		t.Error("a refused person was created")
	}

	// What her role covers still works.
	apptest.WantRedirect(t, "make Fiona a nurse", c.PostForm(a.Host, "/staff/"+fiona.ID+"/role", url.Values{"roleKey": {"nurse"}, "confirm": {"1"}}), "/staff")
	apptest.WantRedirect(t, "add a front-desk person", c.PostForm(a.Host, "/staff", url.Values{"name": {"Rita"}, "email": {"rita@sunrise.test"}, "roleKey": {desk.Key}}), "/staff")
}

// Wrong current passwords on the profile page count as failed sign-ins: a
// session left open cannot be used to guess the password without limit.
func TestProfileLimitsCurrentPasswordGuesses(t *testing.T) {
	s, a := start(t)
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	c := s.SignedIn(t, a.Host, nina.Email)
	c.Get(a.Host, "/profile")
	for i := range auth.MaxAccountFailures {
		form := url.Values{"current": {"guess " + string(rune('a'+i))}, "password": {newPassword}, "confirm": {newPassword}}
		r := c.PostForm(a.Host, "/profile/password", form)
		apptest.WantStatus(t, "wrong guess", r, http.StatusUnprocessableEntity)
	}
	r := c.PostForm(a.Host, "/profile/password", url.Values{"current": {apptest.Password}, "password": {newPassword}, "confirm": {newPassword}})
	apptest.WantStatus(t, "right password after too many guesses", r, http.StatusTooManyRequests)
	if msg := r.Doc(t).Find("#e-current").Text(); !strings.Contains(msg, "Try again in 15 minutes") {
		t.Errorf("message %q", msg)
	}
	r = c.PostForm(a.Host, "/profile/totp/disable", url.Values{"current": {apptest.Password}})
	apptest.WantStatus(t, "turning off two-step sign-in meanwhile", r, http.StatusTooManyRequests)
	if !auth.CheckPassword(user(t, a, nina.ID).PasswordHash, apptest.Password) {
		t.Fatal("the password was changed while guesses were blocked")
	}
	s.Clock.Advance(auth.FailureWindow + time.Second)
	c = s.SignedIn(t, a.Host, nina.Email)
	c.Get(a.Host, "/profile")
	apptest.WantRedirect(t, "after the window", c.PostForm(a.Host, "/profile/password", url.Values{"current": {apptest.Password}, "password": {newPassword}, "confirm": {newPassword}}), "/profile")
}

// Turning on two-step sign-in needs the password too: an open session alone
// must not tie the account to someone else's phone. A refused form shows
// the same key again, so the app need not scan a new one. Turning it off
// needs the password as well.
func testTOTPOnAndOff(t *testing.T, s *apptest.Server) {
	a, c, r := startTOTP(t, s, "totp-on")
	secret := r.Doc(t).Find(`input[name="secret"]`).AttrOr("value", "")
	code, err := totp.GenerateCode(secret, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "not the password"} {
		r = c.PostForm(a.Host, "/profile/totp/enable", url.Values{"secret": {secret}, "code": {code}, "current": {pw}})
		apptest.WantStatus(t, "enable with password "+strconv.Quote(pw), r, http.StatusUnprocessableEntity)
		d := r.Doc(t)
		if msg := d.Find("#e-totpCurrent").Text(); msg != "That is not your current password." {
			t.Errorf("message %q", msg)
		}
		if again := d.Find(`input[name="secret"]`).AttrOr("value", ""); again != secret {
			t.Errorf("the form shows key %q again, want the same %q", again, secret)
		}
	}
	if user(t, a, a.Admin.ID).TOTPEnabled {
		t.Fatal("two-step sign-in was turned on without the password")
	}
	r = c.PostForm(a.Host, "/profile/totp/enable", url.Values{"secret": {secret}, "code": {code}, "current": {apptest.Password}})
	apptest.WantStatus(t, "enable", r, http.StatusOK)
	if !user(t, a, a.Admin.ID).TOTPEnabled {
		t.Fatal("not turned on with the right password and code")
	}
	if msg := apptest.Flash(t, r); !strings.HasPrefix(msg, "Two-step sign-in is on.") {
		t.Errorf("message %q", msg)
	}
	if n := r.Doc(t).Find(".recovery-codes li").Length(); n != auth.RecoveryCodeCount {
		t.Errorf("%d recovery codes shown, want %d", n, auth.RecoveryCodeCount)
	}

	r = c.PostForm(a.Host, "/profile/totp/disable", url.Values{"current": {apptest.Password}})
	apptest.WantRedirect(t, "disable", r, "/profile")
	c.WantFlash(a.Host, r, "Two-step sign-in is off.")
	if user(t, a, a.Admin.ID).TOTPEnabled {
		t.Fatal("still on after turning it off")
	}
	for _, action := range []string{audit.TOTPEnable, audit.TOTPDisable} {
		if n := apptest.Count(t, a.DB.Collection(audit.Collection), db.And(db.Eq("action", action), db.Eq("target", "user:"+a.Admin.ID))); n != 1 {
			t.Errorf("%d %s audit entries", n, action)
		}
	}
}
