package roles_test

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/roles"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"

	auditmod "github.com/wardclinic/ward/modules/audit"
)

const password = "tidal ginger lantern orbit"

// start runs Ward with the modules the roles editor works with, and any
// extra ones.
func start(t *testing.T, extra ...app.Module) *apptest.Server {
	t.Helper()
	ms := []app.Module{onboarding.New(), settings.New(), signin.New(), dashboard.New(), staff.New(), roles.New(), auditmod.New(), dupe{}}
	return apptest.Start(t, apptest.Options{}, append(ms, extra...)...)
}

// clinical declares the patients resource, so that the grid shows the
// clinical grants the default roles carry.
type clinical struct{}

func (clinical) Name() string { return "clinical" }
func (clinical) Permissions() []app.Permission {
	return []app.Permission{{Resource: "patients", Label: "Patients", Actions: []string{"read", "create", "update"}}}
}

// dupe declares a resource another module declares too, with one more
// action: the grid shows one row for both.
type dupe struct{}

func (dupe) Name() string { return "dupe" }
func (dupe) Permissions() []app.Permission {
	return []app.Permission{{Resource: "staff", Label: "Staff again", Actions: []string{"read", "export"}}}
}

// clinic is a clinic onboarded through the sign-up form, with its admin
// signed in.
type clinic struct {
	id, host string
	admin    *apptest.Client
}

func onboard(t *testing.T, s *apptest.Server, sub string) clinic {
	t.Helper()
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	r := c.PostForm("localhost", "/tenant-onboard", url.Values{
		"clinicName": {"Clinic " + sub}, "subdomain": {sub}, "adminName": {"Ada Admin"},
		"adminEmail": {"ada@" + sub + ".test"}, "adminPassword": {password}, "timezone": {"UTC"}, "currency": {"USD"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("onboarding %s: %d\n%s", sub, r.StatusCode, r.Body)
	}
	tn, err := s.Platform.Tenants().BySubdomain(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	host := sub + ".localhost"
	c.SignIn(host, "ada@"+sub+".test", password)
	return clinic{id: tn.ID, host: host, admin: c}
}

// member adds a user with the role and returns a client signed in as them.
func member(t *testing.T, s *apptest.Server, cl clinic, roleKey, name string) (*apptest.Client, *auth.User) {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + cl.host + ".test"
	u := &auth.User{Name: name, Email: email, RoleKey: roleKey}
	if err := auth.CreateUser(context.Background(), s.DB.ForTenant(cl.id), u, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t)
	c.SignIn(cl.host, email, password)
	return c, u
}

// rolesEditor lets the role read and change roles (as the clinic's admin
// does it, on the grid) and signs in a new member of it.
func rolesEditor(t *testing.T, s *apptest.Server, a clinic, role, name string) *apptest.Client {
	t.Helper()
	for _, p := range []string{"read", "update"} {
		a.admin.Get(a.host, "/roles?role="+role)
		status(t, toggle(a.admin, a.host, role, "roles", p, "on"), http.StatusSeeOther)
	}
	c, _ := member(t, s, a, role, name)
	return c
}

func grants(t *testing.T, s *apptest.Server, tenantID, roleKey string) rbac.GrantSet {
	t.Helper()
	gs, err := rbac.Grants(context.Background(), s.DB, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	return gs[roleKey]
}

func status(t *testing.T, r *apptest.Response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL, r.StatusCode, want, r.Body)
	}
}

func toggle(c *apptest.Client, host, role, resource, action, grant string, headers ...string) *apptest.Response {
	return c.PostForm(host, "/roles/"+role+"/grants", url.Values{"resource": {resource}, "action": {action}, "grant": {grant}}, headers...)
}

func TestGridAndAdminCannotBeEdited(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")

	r := a.admin.Get(a.host, "/roles")
	status(t, r, http.StatusOK)
	doc := r.Doc(t)
	if got := doc.Find("h2").First().Text(); got != "Doctor" {
		t.Errorf("default role = %q, want Doctor", got)
	}
	// One row per resource, merged across modules.
	var rows []string
	doc.Find("#grants tbody tr").Each(func(_ int, tr *goquery.Selection) {
		rows = append(rows, tr.Find("th").Contents().First().Text())
	})
	if want := []string{"Clinic settings", "Dashboard", "Staff", "Roles and permissions", "Audit log"}; !slices.Equal(rows, want) {
		t.Errorf("grid rows = %q, want %q", rows, want)
	}
	var cols []string
	doc.Find("#grants thead th").Each(func(_ int, th *goquery.Selection) { cols = append(cols, th.Text()) })
	if want := []string{"Area", "View", "Add", "Change", "Delete", "Export"}; !slices.Equal(cols, want) {
		t.Errorf("grid columns = %q, want %q", cols, want)
	}
	if doc.Find(`form.grant[data-resource="staff"][data-action="export"]`).Length() != 1 {
		t.Error("the merged resource lacks the second declaration's action")
	}
	if n := doc.Find(`form.grant[data-resource="dashboard"][data-action="read"] button[aria-pressed="true"]`).Length(); n != 1 {
		t.Errorf("doctor's dashboard:read is not shown granted and switchable (%d)", n)
	}
	if n := doc.Find(`form.grant[data-resource="audit"][data-action="read"] button[aria-pressed="false"]`).Length(); n != 1 {
		t.Errorf("doctor's audit:read is not shown off and switchable (%d)", n)
	}
	if other := doc.Find("#other-grants").Text(); !strings.Contains(other, "Patients (View, Add, Change)") || strings.Contains(other, "read") {
		t.Errorf("grants outside the catalogue not listed: %q", doc.Find("#other-grants").Text())
	}
	if doc.Find(`select#f-role option`).Length() != 6 {
		t.Errorf("role picker: %d options", doc.Find(`select#f-role option`).Length())
	}

	// Admin: everything granted, nothing switchable, the rule explained.
	r = a.admin.Get(a.host, "/roles?role=admin")
	status(t, r, http.StatusOK)
	doc = r.Doc(t)
	if doc.Find("form.grant").Length() != 0 || doc.Find("#rename-form, #delete-form").Length() != 0 {
		t.Error("Admin's grid or name can be edited")
	}
	if doc.Find(`span.grant[data-granted="false"]`).Length() != 0 || doc.Find(`span.grant[data-granted="true"]`).Length() == 0 {
		t.Error("Admin is not shown as holding everything")
	}
	if !strings.Contains(doc.Find("#admin-note").Text(), "never lock itself") {
		t.Error("the no-lock-out rule is not explained")
	}
	before := grants(t, s, a.id, "admin")
	for _, g := range []string{"off", "on"} {
		status(t, toggle(a.admin, a.host, "admin", "roles", "update", g), http.StatusForbidden)
	}
	a.admin.Get(a.host, "/roles")
	status(t, a.admin.PostForm(a.host, "/roles/admin/rename", url.Values{"name": {"Boss"}}), http.StatusForbidden)
	a.admin.Get(a.host, "/roles")
	status(t, a.admin.PostForm(a.host, "/roles/admin/delete", nil), http.StatusForbidden)
	if after := grants(t, s, a.id, "admin"); len(after) != len(before) || !after.Exact("*", "*") {
		t.Errorf("admin grants changed: %v", after)
	}
	status(t, a.admin.Get(a.host, "/roles"), http.StatusOK)

	status(t, a.admin.Get(a.host, "/roles?role=nobody"), http.StatusNotFound)
	a.admin.Get(a.host, "/roles")
	status(t, toggle(a.admin, a.host, "doctor", "*", "*", "on"), http.StatusBadRequest)
	status(t, toggle(a.admin, a.host, "doctor", "patients", "read", "off"), http.StatusBadRequest) // not in this Ward's catalogue
	status(t, toggle(a.admin, a.host, "nobody", "audit", "read", "on"), http.StatusNotFound)
}

func TestGrantAppliesFromTheNextRequestInOneClinicOnly(t *testing.T) {
	t.Parallel()
	s := start(t)
	a, b := onboard(t, s, "sunrise"), onboard(t, s, "moonrise")
	doc, _ := member(t, s, a, "doctor", "Dan Doctor")
	docB, _ := member(t, s, b, "doctor", "Bea Doctor")

	status(t, doc.Get(a.host, "/audit"), http.StatusForbidden)

	// htmx: the answer is the cell as saved.
	a.admin.Get(a.host, "/roles?role=doctor")
	r := toggle(a.admin, a.host, "doctor", "audit", "read", "on", "HX-Request", "true", "HX-Target", "")
	status(t, r, http.StatusOK)
	cell := r.Doc(t)
	if strings.Contains(r.Body, "<html") || cell.Find(`form.grant button[aria-pressed="true"]`).Length() != 1 {
		t.Fatalf("cell fragment:\n%s", r.Body)
	}
	if v, _ := cell.Find(`input[name="grant"]`).Attr("value"); v != "off" {
		t.Errorf("the saved cell offers grant=%q, want off", v)
	}
	status(t, doc.Get(a.host, "/audit"), http.StatusOK)

	// The other clinic's Doctor is another role.
	if grants(t, s, b.id, "doctor").Has("audit", "read") {
		t.Fatal("the grant reached the other clinic")
	}
	status(t, docB.Get(b.host, "/audit"), http.StatusForbidden)
	bd := b.admin.Get(b.host, "/roles?role=doctor").Doc(t)
	if bd.Find(`form.grant[data-resource="audit"][data-action="read"] button[aria-pressed="false"]`).Length() != 1 {
		t.Error("the other clinic's grid shows the grant")
	}

	// A plain form post goes back to the grid.
	a.admin.Get(a.host, "/roles?role=doctor")
	r = toggle(a.admin, a.host, "doctor", "audit", "read", "off")
	status(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/roles?role=doctor" {
		t.Errorf("Location = %q", loc)
	}
	status(t, doc.Get(a.host, "/audit"), http.StatusForbidden)

	// Switching to the state it is already in changes and records nothing.
	a.admin.Get(a.host, "/roles?role=doctor")
	status(t, toggle(a.admin, a.host, "doctor", "audit", "read", "off"), http.StatusSeeOther)

	if got := changes(t, s, a.id, "permission.grant"); !slices.Equal(got, []string{"audit:read off → audit:read on"}) {
		t.Errorf("grant entries = %q", got)
	}
	revokes := entries(t, s, a.id, "permission.revoke")
	admin, err := auth.UserByEmail(context.Background(), s.DB.ForTenant(a.id), "ada@sunrise.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(revokes) != 1 || change(revokes[0]) != "audit:read on → audit:read off" || revokes[0].Target != "role:doctor" || revokes[0].ActorID != admin.ID {
		t.Errorf("revoke entries: %+v", revokes)
	}
}

// entries are the clinic's audit entries of action, oldest first. (The
// roles module's tests read what was recorded; how the log shows it is the
// audit module's to test.)
func entries(t *testing.T, s *apptest.Server, clinicID, action string) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	err := s.DB.ForTenant(clinicID).Collection(audit.Collection).Find(context.Background(), db.Eq("action", action), &es,
		db.FindOptions{Sort: []db.Order{db.Asc("at")}})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// change is an entry's change as "before → after", "—" for nothing.
func change(e audit.Entry) string {
	return cmp.Or(e.Before, "—") + " → " + cmp.Or(e.After, "—")
}

// changes are the changes of the clinic's entries of action, sorted.
func changes(t *testing.T, s *apptest.Server, clinicID, action string) []string {
	t.Helper()
	var out []string
	for _, e := range entries(t, s, clinicID, action) {
		out = append(out, change(e))
	}
	slices.Sort(out)
	return out
}

func TestWritesNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	for _, path := range []string{"/roles/doctor/grants", "/roles", "/roles/doctor/rename"} {
		r := a.admin.PostRaw(a.host, path, url.Values{"resource": {"audit"}, "action": {"read"}, "grant": {"on"}, "name": {"Hacked"}})
		status(t, r, http.StatusForbidden)
	}
	if grants(t, s, a.id, "doctor").Has("audit", "read") {
		t.Error("a token-less post changed the grants")
	}
	rs, err := rbac.ListRoles(context.Background(), s.DB.ForTenant(a.id))
	if err != nil || len(rs) != 6 || rs[1].Name != "Doctor" {
		t.Errorf("a token-less post changed the roles: %v %v", rs, err)
	}
}

func TestReceptionistSeesNoRolesOrAudit(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	rc, _ := member(t, s, a, "receptionist", "Rita Reception")
	status(t, rc.Get(a.host, "/roles"), http.StatusForbidden)
	status(t, rc.Get(a.host, "/audit"), http.StatusForbidden)
	rc.Get(a.host, "/dashboard")
	status(t, toggle(rc, a.host, "receptionist", "roles", "read", "on"), http.StatusForbidden)
	d := rc.Get(a.host, "/dashboard")
	status(t, d, http.StatusOK)
	if n := d.Doc(t).Find(`a[href="/roles"], a[href="/audit"]`).Length(); n != 0 {
		t.Errorf("receptionist sees %d links to roles or audit", n)
	}
	ad := a.admin.Get(a.host, "/dashboard").Doc(t)
	if ad.Find(`nav a[href="/roles"]`).Length() != 1 || ad.Find(`nav a[href="/audit"]`).Length() != 1 {
		t.Error("admin's navigation lacks Roles or Audit log")
	}
}

func TestCustomRoleLifecycle(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	ctx := context.Background()
	tdb := s.DB.ForTenant(a.id)

	a.admin.Get(a.host, "/roles")
	r := a.admin.PostForm(a.host, "/roles", url.Values{"name": {"  Lab   technician "}, "role": {"doctor"}})
	status(t, r, http.StatusSeeOther)
	key := strings.TrimPrefix(r.Header.Get("Location"), "/roles?role=")
	if !strings.HasPrefix(key, "custom-") {
		t.Fatalf("Location = %q", r.Header.Get("Location"))
	}
	page := a.admin.Get(a.host, "/roles?role="+key)
	if got := page.Doc(t).Find("h2").Text(); got != "Lab technician" {
		t.Errorf("new role's heading = %q", got)
	}
	if page.Doc(t).Find(`form.grant button[aria-pressed="true"]`).Length() != 0 {
		t.Error("a new role has permissions")
	}

	// Names: unique regardless of case, 1–50 characters; 422 with the message.
	for name, want := range map[string]string{
		"LAB TECHNICIAN":        "Another role already has this name.",
		"nurse":                 "Another role already has this name.",
		"":                      "Enter a name for the role.",
		strings.Repeat("x", 51): "Use at most 50 characters.",
	} {
		r := a.admin.PostForm(a.host, "/roles", url.Values{"name": {name}, "role": {key}})
		status(t, r, http.StatusUnprocessableEntity)
		if msg := r.Doc(t).Find("#e-create").Text(); msg != want {
			t.Errorf("create %q: message %q, want %q", name, msg, want)
		}
	}
	// htmx gets the page's content to swap in, with the message.
	r = a.admin.PostForm(a.host, "/roles", url.Values{"name": {"Nurse"}}, "HX-Request", "true")
	status(t, r, http.StatusUnprocessableEntity)
	if !strings.HasPrefix(strings.TrimSpace(r.Body), `<section id="roles">`) || !strings.Contains(r.Body, "Another role already has this name.") {
		t.Errorf("htmx 422:\n%s", r.Body)
	}

	a.admin.Get(a.host, "/roles?role="+key)
	r = a.admin.PostForm(a.host, "/roles/"+key+"/rename", url.Values{"name": {"Doctor"}})
	status(t, r, http.StatusUnprocessableEntity)
	if doc := r.Doc(t); doc.Find("#e-rename").Text() != "Another role already has this name." || doc.Find("#f-rename").AttrOr("value", "") != "Doctor" {
		t.Errorf("rename refusal:\n%s", doc.Find("#rename-form").Text())
	}
	status(t, a.admin.PostForm(a.host, "/roles/"+key+"/rename", url.Values{"name": {"Lab scientist"}}), http.StatusSeeOther)
	// Built-in roles other than Admin take the clinic's own words.
	a.admin.Get(a.host, "/roles")
	status(t, a.admin.PostForm(a.host, "/roles/receptionist/rename", url.Values{"name": {"Front desk"}}), http.StatusSeeOther)

	for _, g := range [][2]string{{"dashboard", "read"}, {"audit", "read"}} {
		a.admin.Get(a.host, "/roles?role="+key)
		status(t, toggle(a.admin, a.host, key, g[0], g[1], "on"), http.StatusSeeOther)
	}
	lab, labUser := member(t, s, a, key, "Lea Lab")
	status(t, lab.Get(a.host, "/audit"), http.StatusOK)
	status(t, lab.Get(a.host, "/roles"), http.StatusForbidden)

	// Held by someone: refused, saying so, and nothing is deleted.
	a.admin.Get(a.host, "/roles?role="+key)
	r = a.admin.PostForm(a.host, "/roles/"+key+"/delete", nil)
	status(t, r, http.StatusUnprocessableEntity)
	if msg := r.Doc(t).Find("#e-delete").Text(); msg != "1 staff member has this role: assign them another role first." {
		t.Errorf("in-use message = %q", msg)
	}
	if _, err := rbac.RoleByKey(ctx, tdb, key); err != nil {
		t.Fatalf("role in use was deleted: %v", err)
	}
	status(t, a.admin.PostForm(a.host, "/roles/doctor/delete", nil), http.StatusForbidden)

	if err := auth.SetRole(ctx, tdb, labUser.ID, "nurse", s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	a.admin.Get(a.host, "/roles?role="+key)
	r = a.admin.PostForm(a.host, "/roles/"+key+"/delete", nil, "HX-Request", "true")
	status(t, r, http.StatusOK)
	if r.Header.Get("HX-Redirect") != "/roles" {
		t.Errorf("HX-Redirect = %q", r.Header.Get("HX-Redirect"))
	}
	if _, err := rbac.RoleByKey(ctx, tdb, key); err == nil {
		t.Error("role not deleted")
	}
	if len(grants(t, s, a.id, key)) != 0 {
		t.Error("the deleted role's grants are left")
	}
	status(t, a.admin.Get(a.host, "/roles?role="+key), http.StatusNotFound)

	// Every change is in the audit log, before → after.
	want := map[string]string{
		"role.create":      "— → Lab technician",
		"role.rename":      "Lab technician → Lab scientist|Receptionist → Front desk",
		"role.delete":      "Lab scientist → —",
		"permission.grant": "audit:read off → audit:read on|dashboard:read off → dashboard:read on",
	}
	for action, want := range want {
		if got := changes(t, s, a.id, action); strings.Join(got, "|") != want {
			t.Errorf("%s entries: %q, want %q", action, got, want)
		}
	}
}

// A person who may change roles but is not Admin cannot hand out what they
// do not hold themselves.
func TestNoOneGrantsMoreThanTheyHold(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	n := rolesEditor(t, s, a, "nurse", "Nia Nurse")
	page := n.Get(a.host, "/roles?role=doctor")
	status(t, page, http.StatusOK)
	doc := page.Doc(t)
	if doc.Find(`form.grant[data-resource="audit"]`).Length() != 0 || doc.Find(`form.grant[data-resource="dashboard"]`).Length() != 1 {
		t.Error("the grid offers what the nurse does not hold, or withholds what she does")
	}
	if doc.Find("#create-form, #delete-form").Length() != 0 {
		t.Error("create or delete offered without the permission")
	}
	status(t, toggle(n, a.host, "doctor", "audit", "read", "on"), http.StatusForbidden)
	status(t, toggle(n, a.host, "doctor", "dashboard", "read", "off"), http.StatusSeeOther)
	if grants(t, s, a.id, "doctor").Has("dashboard", "read") {
		t.Error("revoke by a roles editor did not apply")
	}
}

// Taking a permission away is held to the same rule as giving it: a roles
// editor who does not hold patients:update cannot remove it from Doctor.
func TestNoOneRevokesWhatTheyDoNotHold(t *testing.T) {
	t.Parallel()
	s := start(t, clinical{})
	a := onboard(t, s, "sunrise")
	acc := rolesEditor(t, s, a, "accountant", "Abe Accounts")
	page := acc.Get(a.host, "/roles?role=doctor")
	status(t, page, http.StatusOK)
	doc := page.Doc(t)
	if doc.Find(`form.grant[data-resource="patients"]`).Length() != 0 {
		t.Error("the grid offers to take away what the accountant does not hold")
	}
	if doc.Find(`span.grant[data-resource="patients"][data-action="update"][data-granted="true"]`).Length() != 1 {
		t.Error("Doctor's patients:update is not shown as held")
	}

	r := toggle(acc, a.host, "doctor", "patients", "update", "off")
	status(t, r, http.StatusForbidden)
	if want := "You can take away only permissions that your own role has."; !strings.Contains(r.Body, want) {
		t.Errorf("refusal does not say %q:\n%s", want, r.Body)
	}
	if !grants(t, s, a.id, "doctor").Exact("patients", "update") {
		t.Fatal("a roles editor without patients:update took it away from Doctor")
	}
	log := a.admin.Get(a.host, "/audit?action=permission.revoke")
	if n := log.Doc(t).Find("tr.entry").Length(); n != 0 {
		t.Errorf("%d revoke entries after a refused revoke", n)
	}

	// What the editor holds, they may still take away.
	acc.Get(a.host, "/roles?role=doctor")
	status(t, toggle(acc, a.host, "doctor", "dashboard", "read", "off"), http.StatusSeeOther)
	if grants(t, s, a.id, "doctor").Has("dashboard", "read") {
		t.Error("revoke of a held permission did not apply")
	}
}

// TestRenamedRoleShowsOnTheNextPage: the role every page names is cached,
// yet a renamed role shows its new name on its members' next page.
func TestRenamedRoleShowsOnTheNextPage(t *testing.T) {
	t.Parallel()
	s := start(t)
	a := onboard(t, s, "sunrise")
	nurse, _ := member(t, s, a, "nurse", "Nina Nurse")
	role := func() string {
		t.Helper()
		r := nurse.Get(a.host, "/dashboard")
		status(t, r, http.StatusOK)
		return strings.TrimSpace(r.Doc(t).Find(".user-role").Text())
	}
	if got := role(); got != "Nurse" {
		t.Fatalf("the page names the role %q", got)
	}
	a.admin.Get(a.host, "/roles?role=nurse")
	status(t, a.admin.PostForm(a.host, "/roles/nurse/rename", url.Values{"name": {"Ward nurse"}}), http.StatusSeeOther)
	if got := role(); got != "Ward nurse" {
		t.Errorf("after the rename the page names the role %q", got)
	}
}
