package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/roles"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"

	auditmod "github.com/wardclinic/ward/modules/audit"
)

const password = "tidal ginger lantern orbit"

// charts stands for a clinical module: it declares the actions it records.
type charts struct{}

const (
	chartView = "chart.view"
	chartList = "chart.list"
)

func (charts) Name() string { return "charts" }

func (charts) AuditActions() []audit.Action {
	return []audit.Action{
		{Code: chartView, Label: "Opened a chart", Says: "opened the chart of", Plural: "charts", Link: "/charts/"},
		{Code: chartList, Label: "Listed charts", Says: "viewed a list of charts showing", Plural: "charts", Link: "/charts/"},
	}
}

// ob makes the tests' clinics, as the sign-up form does.
var ob = onboarding.New()

// TestAudit runs the log's tests side by side on one Ward; each makes a
// clinic of its own and none moves the clock.
func TestAudit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{}, ob, settings.New(), signin.New(), dashboard.New(), roles.New(), patients.New(), charts{}, auditmod.New())
	s.Parallel(t, testFilters, testPagination, testCountStops, testTheLogCannotBeChanged, testViewEntries, testFilterOffersEveryDeclaredAction,
		testSentences, testRecordFilter, testSignUpIsLogged)
}

// clinic is a clinic of the test's own, in Nairobi (UTC+3), made as
// onboarding makes one, with its admin Ada signed in.
type clinic struct {
	host  string
	db    *db.Tenant
	admin *apptest.Client
	ada   string // her user id
}

func newClinic(t *testing.T, s *apptest.Server) *clinic {
	t.Helper()
	sub := apptest.Subdomain(t, "")
	tn, err := ob.CreateClinic(context.Background(), onboarding.Form{ClinicName: "Sunrise Clinic", Subdomain: sub, AdminName: "Ada Admin",
		AdminEmail: "ada@sunrise.test", AdminPassword: password, Timezone: "Africa/Nairobi", Currency: "KES"})
	if err != nil {
		t.Fatal(err)
	}
	cl := &clinic{host: sub + ".localhost", db: s.DB.ForTenant(tn.ID), admin: s.Client(t)}
	cl.admin.SignIn(cl.host, "ada@sunrise.test", password)
	var ada auth.User
	if err := cl.db.Collection(auth.UsersCollection).FindOne(context.Background(), db.Eq("email", "ada@sunrise.test"), &ada); err != nil {
		t.Fatal(err)
	}
	cl.ada = ada.ID
	return cl
}

func (cl *clinic) user(t *testing.T, s *apptest.Server, role, name string) *auth.User {
	t.Helper()
	u := &auth.User{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@sunrise.test", RoleKey: role}
	if err := auth.CreateUser(context.Background(), cl.db, u, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return u
}

// record writes e as it stands: entries of other days and people.
func (cl *clinic) record(t *testing.T, e audit.Entry) {
	t.Helper()
	e.ID = db.NewID()
	if err := cl.db.Collection(audit.Collection).Insert(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func (cl *clinic) get(t *testing.T, c *apptest.Client, path string, want int, headers ...string) *goquery.Document {
	t.Helper()
	r := c.Get(cl.host, path, headers...)
	if r.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, r.StatusCode, want, r.Body)
	}
	return r.Doc(t)
}

// each returns, top to bottom, the text of what sel finds in each entry.
func each(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find("tr.entry").Each(func(_ int, tr *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(tr.Find(sel).Text()), " "))
	})
	return out
}

// row is the first entry of action.
func row(doc *goquery.Document, action string) *goquery.Selection {
	return doc.Find(`tr.entry[data-action="` + action + `"]`).First()
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func testFilters(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	dan := cl.user(t, s, "doctor", "Dan Doctor")
	nia := cl.user(t, s, "nurse", "Nia Nurse")
	utc := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	cl.record(t, audit.Entry{At: utc(1, 20, 0), ActorID: dan.ID, ActorEmail: dan.Email, Action: audit.SignInSuccess, IP: "10.0.0.7"}) // 23:00 on the 1st in Nairobi
	cl.record(t, audit.Entry{At: utc(1, 22, 30), ActorID: dan.ID, ActorEmail: dan.Email, Action: audit.SignInSuccess})                // 01:30 on the 2nd
	cl.record(t, audit.Entry{At: utc(2, 6, 0), ActorID: nia.ID, ActorEmail: nia.Email, Action: audit.SignOut})
	cl.record(t, audit.Entry{At: utc(2, 7, 0), ActorEmail: "mallory@example.com", Action: audit.SignInFailure, After: "no such person"})
	admin := cl.admin

	// Times in the clinic's zone and formats (its date format, 24 h).
	doc := cl.get(t, admin, "/audit?user="+dan.ID, http.StatusOK)
	if got := each(doc, "td.when"); strings.Join(got, "|") != "02 Mar 2026 01:30|01 Mar 2026 23:00" {
		t.Errorf("Dan's entries, newest first in Nairobi time: %q", got)
	}
	if got, _ := doc.Find("td.when time").Attr("datetime"); got != "2026-03-02T01:30:00+03:00" {
		t.Errorf("datetime %q", got)
	}
	if got := each(doc, ".sentence"); strings.Join(got, "|") != "Dan Doctor signed in|Dan Doctor signed in" {
		t.Errorf("Dan's sentences: %q", got)
	}
	if got := each(doc, "details .ip"); got[1] != "10.0.0.7" {
		t.Errorf("IP in the details: %q", got)
	}
	if sel := doc.Find(`#f-user option[selected]`).Text(); sel != "Dan Doctor" {
		t.Errorf("person filter shows %q", sel)
	}

	// Days are the clinic's: the 2nd began at 21:00 UTC on the 1st.
	doc = cl.get(t, admin, "/audit?user="+dan.ID+"&from=2026-03-02&to=2026-03-02", http.StatusOK)
	if got := each(doc, "td.when"); len(got) != 1 || got[0] != "02 Mar 2026 01:30" {
		t.Errorf("Dan on the 2nd: %q", got)
	}
	doc = cl.get(t, admin, "/audit?to=2026-03-01", http.StatusOK)
	if got := each(doc, ".sentence"); strings.Join(got, "|") != "Dan Doctor signed in" {
		t.Errorf("everyone until the 1st: %q", got)
	}
	doc = cl.get(t, admin, "/audit?action=signout", http.StatusOK)
	if got := each(doc, ".sentence"); len(got) != 1 || got[0] != "Nia Nurse signed out" {
		t.Errorf("sign-outs: %q", got)
	}
	doc = cl.get(t, admin, "/audit?action=signin.failure", http.StatusOK)
	if got := each(doc, "td.what"); len(got) != 1 || got[0] != "mallory@example.com could not sign in no such person" {
		t.Errorf("failed sign-ins: %q", got)
	}
	doc = cl.get(t, admin, "/audit?action=signin.success&from=2026-03-02", http.StatusOK)
	if got := each(doc, ".sentence"); strings.Join(got, "|") != "Ada Admin signed in|Dan Doctor signed in" {
		t.Errorf("sign-ins from the 2nd: %q", got)
	}

	doc = cl.get(t, admin, "/audit?from=2026-13-01", http.StatusUnprocessableEntity)
	if doc.Find("#e-from").Text() == "" || doc.Find("tr.entry").Length() != 0 {
		t.Error("a bad date is not refused beside its field")
	}
	cl.get(t, admin, "/audit?from=2026-03-03&to=2026-03-02", http.StatusUnprocessableEntity)

	// htmx: the filter form replaces only the results.
	r := admin.Get(cl.host, "/audit?action=signout", "HX-Request", "true", "HX-Target", "results")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="results">`) || !strings.Contains(r.Body, "Nia Nurse") {
		t.Errorf("results fragment: %d\n%s", r.StatusCode, r.Body)
	}
	if doc.Find(`form#audit-filter[hx-get="/audit"][hx-target="#results"][hx-push-url="true"]`).Length() != 1 {
		t.Error("the filter form is not wired to htmx")
	}
	// Three columns; the filters in grids of two fields each, which wrap.
	if n := doc.Find("#results thead th").Length(); n != 0 {
		t.Errorf("a 422 shows a table of %d columns", n)
	}
	doc = cl.get(t, admin, "/audit", http.StatusOK)
	if n := doc.Find("thead th").Length(); n != 3 {
		t.Errorf("the log has %d columns", n)
	}
	doc.Find("form#audit-filter .grid").Each(func(_ int, g *goquery.Selection) {
		if n := g.Find("label").Length(); n > 2 {
			t.Errorf("a row of %d filters", n)
		}
	})
}

func testPagination(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	base := s.Clock.Now().Add(-24 * time.Hour)
	for i := range 51 {
		cl.record(t, audit.Entry{At: base.Add(time.Duration(i) * time.Minute), ActorEmail: "bulk@sunrise.test",
			Action: chartView, Target: fmt.Sprintf("chart:%02d", i)})
	}
	admin := cl.admin
	doc := cl.get(t, admin, "/audit?action=chart.view", http.StatusOK)
	if n := doc.Find("tr.entry").Length(); n != 50 {
		t.Errorf("page 1 shows %d entries", n)
	}
	if got := each(doc, "details code.target"); got[0] != "chart:50" || got[49] != "chart:01" {
		t.Errorf("page 1 runs %s … %s, want newest first", got[0], got[49])
	}
	if doc.Find("#audit-count").Text() != "Entries 1–50 of 51" || doc.Find("#audit-page").Text() != "Page 1 of 2" {
		t.Errorf("page 1 says %q, %q", doc.Find("#audit-count").Text(), doc.Find("#audit-page").Text())
	}
	next, _ := doc.Find(`a[rel="next"]`).Attr("href")
	if next != "/audit?action=chart.view&page=2" || doc.Find(`a[rel="prev"]`).Length() != 0 {
		t.Errorf("page 1 links: next %q", next)
	}
	if sel := doc.Find(`#f-action option[selected]`).Text(); sel != "Opened a chart" {
		t.Errorf("the filter shows %q", sel)
	}
	doc = cl.get(t, admin, "/audit?action=visit.view", http.StatusOK)
	if sel := doc.Find(`#f-action option[selected]`).Text(); sel != "visit.view" {
		t.Errorf("a module's own action is not kept in the filter: %q", sel)
	}

	doc = cl.get(t, admin, next, http.StatusOK)
	if got := each(doc, "details code.target"); len(got) != 1 || got[0] != "chart:00" {
		t.Errorf("page 2: %q", got)
	}
	if prev, _ := doc.Find(`a[rel="prev"]`).Attr("href"); prev != "/audit?action=chart.view" || doc.Find(`a[rel="next"]`).Length() != 0 {
		t.Errorf("page 2 links: prev %q", prev)
	}
	// A page past the end shows the last one.
	doc = cl.get(t, admin, "/audit?action=chart.view&page=7", http.StatusOK)
	if doc.Find("#audit-page").Text() != "Page 2 of 2" || doc.Find("tr.entry").Length() != 1 {
		t.Errorf("past the end: %q", doc.Find("#audit-page").Text())
	}
	doc = cl.get(t, admin, "/audit?action=role.delete", http.StatusOK)
	if doc.Find("#audit-count").Text() != "No entries match these filters." || doc.Find("#audit-page").Text() != "Page 1 of 1" {
		t.Errorf("no entries: %q", doc.Find("#audit-count").Text())
	}
}

// testCountStops: a log longer than the pages reach is counted up to
// them, and the page says there are more.
func testCountStops(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	base := s.Clock.Now().Add(-24 * time.Hour)
	reach := web.MaxPages * 50 // pages of 50 entries
	es := make([]any, reach+1)
	for i := range es {
		es[i] = audit.Entry{ID: db.NewID(), At: base.Add(time.Duration(i) * time.Second), ActorEmail: "bulk@sunrise.test", Action: chartView}
	}
	if err := cl.db.Collection(audit.Collection).InsertMany(context.Background(), es); err != nil {
		t.Fatal(err)
	}
	doc := cl.get(t, cl.admin, "/audit?action=chart.view", http.StatusOK)
	want := fmt.Sprintf("Entries 1–50 of %d+", reach)
	if got := doc.Find("#audit-count").Text(); got != want || doc.Find("#audit-more").Length() != 1 {
		t.Errorf("the count says %q, want %q and a hint", got, want)
	}
	doc = cl.get(t, cl.admin, "/audit?action=chart.view&page=1000", http.StatusOK)
	if got := doc.Find("#audit-page").Text(); got != fmt.Sprintf("Page %d of %d+", web.MaxPages, web.MaxPages) || doc.Find(`a[rel="next"]`).Length() != 0 {
		t.Errorf("past the pages: %q", got)
	}
	if n := doc.Find("tr.entry").Length(); n != 50 {
		t.Errorf("the last page shows %d entries", n)
	}
	if doc = cl.get(t, cl.admin, "/audit", http.StatusOK); doc.Find("#audit-more").Length() != 1 {
		t.Errorf("the whole log says %q", doc.Find("#audit-count").Text())
	}
	doc = cl.get(t, cl.admin, "/audit?action=signin.success", http.StatusOK)
	if got := doc.Find("#audit-count").Text(); strings.Contains(got, "+") || doc.Find("#audit-more").Length() != 0 {
		t.Errorf("a short log says %q", got)
	}
}

func testTheLogCannotBeChanged(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	for _, r := range s.App.Routes() {
		if r.Module == "audit" && r.Method != http.MethodGet {
			t.Errorf("audit route %s %s changes something", r.Method, r.Path)
		}
	}
	count := func() int64 { return apptest.Count(t, cl.db.Collection(audit.Collection), db.Gte("at", time.Time{})) }
	before := count()
	cl.admin.Get(cl.host, "/audit")
	for _, p := range []string{"/audit", "/audit/delete"} {
		if r := cl.admin.PostForm(cl.host, p, url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, r.StatusCode)
		}
	}
	if after := count(); after != before {
		t.Errorf("entries %d → %d", before, after)
	}
}

// testViewEntries: a view of one record names it; a view of several counts
// them, and its details list every one, with a link to each.
func testViewEntries(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	at := s.Clock.Now().Add(-time.Hour)
	cl.record(t, audit.Entry{At: at, ActorEmail: "rita@sunrise.test", Action: chartList, Route: "GET /api/charts",
		Records: []audit.Ref{{ID: "a1", Label: "C-000001"}, {ID: "a2", Label: "C-000002"}, {ID: "a3"}}})
	cl.record(t, audit.Entry{At: at.Add(time.Minute), ActorEmail: "rita@sunrise.test", Action: chartView, Route: "GET /charts/:id",
		Target: "chart:a1", Records: []audit.Ref{{ID: "a1", Label: "C-000001"}}})

	doc := cl.get(t, cl.admin, "/audit?action=chart.list", http.StatusOK)
	if sel := doc.Find(`#f-action option[selected]`).Text(); sel != "Listed charts" {
		t.Errorf("the filter shows %q", sel)
	}
	r := doc.Find("tr.entry")
	if r.Length() != 1 {
		t.Fatalf("%d list entries", r.Length())
	}
	if got := text(r.Find(".sentence")); got != "rita@sunrise.test viewed a list of 3 charts" {
		t.Errorf("a list: %q", got)
	}
	if got := r.Find("details code").First().Text(); got != chartList {
		t.Errorf("the details name the action %q", got)
	}
	var shown []string
	r.Find("details ol.records li").Each(func(_ int, li *goquery.Selection) {
		href, _ := li.Find("a").Attr("href")
		shown = append(shown, text(li)+" "+href)
	})
	if strings.Join(shown, "|") != "C-000001 a1 /charts/a1|C-000002 a2 /charts/a2|(no label) a3 /charts/a3" {
		t.Errorf("records: %q", shown)
	}
	if got := text(r.Find("details")); !strings.Contains(got, "GET /api/charts") {
		t.Errorf("the route is not in the details: %q", got)
	}

	doc = cl.get(t, cl.admin, "/audit?action=chart.view", http.StatusOK)
	r = doc.Find("tr.entry")
	if got := text(r.Find(".sentence")); got != "rita@sunrise.test opened the chart of C-000001" {
		t.Errorf("a view: %q", got)
	}
	if href, _ := r.Find(".sentence a.object").Attr("href"); href != "/charts/a1" {
		t.Errorf("a view links to %q", href)
	}
}

// testFilterOffersEveryDeclaredAction: core's actions and each module's,
// by label, in the order declared.
func testFilterOffersEveryDeclaredAction(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	cl.record(t, audit.Entry{At: s.Clock.Now(), ActorEmail: "ada@sunrise.test", Action: audit.RoleRename, Target: "role:gone", Before: "Nurse", After: "Sister"})

	doc := cl.get(t, cl.admin, "/audit", http.StatusOK)
	var got []string
	doc.Find("#f-action option").Each(func(_ int, o *goquery.Selection) {
		if v, _ := o.Attr("value"); v != "" {
			got = append(got, v+" "+o.Text())
		}
	})
	var want []string
	for _, as := range [][]audit.Action{audit.CoreActions(), settings.New().AuditActions(), patients.New().AuditActions(), charts{}.AuditActions()} {
		for _, a := range as {
			want = append(want, a.Code+" "+a.Label)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("the filter offers\n %v\nwant\n %v", got, want)
	}
	// A role since deleted, by the name it had.
	if what := text(row(doc, audit.RoleRename).Find("td.what")); what != "ada@sunrise.test renamed the role Nurse Nurse → Sister" {
		t.Errorf("the row says %q", what)
	}
}

// testSentences: each entry is a sentence naming the person and what they
// did it to, linked to its page; codes and ids only in the details.
func testSentences(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	dan := cl.user(t, s, "doctor", "Dan Doctor")
	at := s.Clock.Now().Add(-time.Hour)
	list := make([]audit.Ref, 25)
	for i := range list {
		list[i] = audit.Ref{ID: fmt.Sprintf("q%d", i+1), Label: fmt.Sprintf("Patient %d (P-%06d)", i+1, i+1)}
	}
	john := audit.Ref{ID: "p1", Label: "John Doe (P-000001)"}
	entries := []audit.Entry{
		{ActorID: cl.ada, Action: audit.PasswordChange, Target: "user:" + cl.ada},
		{ActorID: cl.ada, Action: audit.UserUpdate, Target: "user:" + dan.ID, Before: "role doctor", After: "role nurse"},
		{ActorID: cl.ada, Action: audit.PermissionGrant, Target: "role:doctor", Before: "patients:delete off", After: "patients:delete on"},
		{ActorID: dan.ID, Action: "patient.view", Target: "patient:p1", Records: []audit.Ref{john}, Route: "GET /patients/:id", IP: "10.0.0.9", RequestID: "req-42"},
		{ActorID: dan.ID, Action: "patient.list", Records: list, Route: "GET /patients"},
		{ActorID: dan.ID, Action: "patient.update", Target: "patient:p1", After: "changed: phone"},
		{ActorID: cl.ada, Action: "settings.update", Target: "settings", Before: "Sunrise Clinic; Africa/Nairobi; KES", After: "Sunrise Clinic; Europe/London; KES"},
		{ActorID: cl.ada, Action: "patient.archive", Target: "patient:p99"},
		{ActorEmail: "mallory@example.com", Action: audit.SignInFailure, After: "wrong second factor"},
	}
	for i, e := range entries {
		e.At = at.Add(time.Duration(i) * time.Minute)
		cl.record(t, e)
	}
	doc := cl.get(t, cl.admin, "/audit", http.StatusOK)
	cases := []struct {
		action, sentence, link, note string
	}{
		{audit.ClinicCreate, "Ada Admin created the clinic Sunrise Clinic", "/settings", ""},
		{audit.SignInSuccess, "Ada Admin signed in", "", ""},
		{audit.PasswordChange, "Ada Admin changed the password of their own account", "", ""},
		{audit.UserUpdate, "Ada Admin changed the staff account of Dan Doctor", "", "role Doctor → role Nurse"},
		{audit.PermissionGrant, "Ada Admin gave a permission to the role Doctor", "/roles?role=doctor", "Patients: delete"},
		{"patient.view", "Dan Doctor opened the record of John Doe (P-000001)", "/patients/p1", ""},
		{"patient.list", "Dan Doctor viewed a list of 25 patients", "", ""},
		{"patient.update", "Dan Doctor changed the record of John Doe (P-000001)", "/patients/p1", "changed: phone"},
		{"settings.update", "Ada Admin changed the clinic's settings", "/settings", "Africa/Nairobi → Europe/London"},
		{"patient.archive", "Ada Admin archived a patient record", "/patients/p99", ""}, // a record no entry names
		{audit.SignInFailure, "mallory@example.com could not sign in", "", "wrong second factor"},
	}
	for _, c := range cases {
		r := row(doc, c.action)
		if got := text(r.Find(".sentence")); got != c.sentence {
			t.Errorf("%s: %q, want %q", c.action, got, c.sentence)
		}
		if href, _ := r.Find(".sentence a").Attr("href"); href != c.link {
			t.Errorf("%s links to %q, want %q", c.action, href, c.link)
		}
		if got := text(r.Find(".note")); got != c.note {
			t.Errorf("%s: note %q, want %q", c.action, got, c.note)
		}
		// What people read names no code and no id.
		what := r.Find("td.what").Text()
		for _, raw := range []string{c.action, "user:", "role:", "patient:", cl.ada, dan.ID} {
			if strings.Contains(what, raw) {
				t.Errorf("%s: %q shows %q", c.action, what, raw)
			}
		}
	}
	// The details: the action's code, what it was about, the route, the
	// address, the request; a list, every record shown.
	d := text(row(doc, "patient.view").Find("details"))
	for _, want := range []string{"patient.view", "patient:p1", "GET /patients/:id", "10.0.0.9", "req-42", "dan@sunrise.test", dan.ID} {
		if !strings.Contains(d, want) {
			t.Errorf("the details %q do not show %q", d, want)
		}
	}
	if href, _ := row(doc, "patient.view").Find("details a.about").Attr("href"); href != "/audit?record=patient%3Ap1" {
		t.Errorf("the details link to %q", href)
	}
	if n := row(doc, "patient.list").Find("details ol.records li a[href^='/patients/q']").Length(); n != 25 {
		t.Errorf("the list's details link %d records", n)
	}
}

// testRecordFilter: "who opened this patient?", from the patient's page:
// the entries about them — their views, the lists they were in, changes —
// and nobody else's.
func testRecordFilter(t *testing.T, s *apptest.Server) {
	cl := newClinic(t, s)
	dan := cl.user(t, s, "doctor", "Dan Doctor")
	register := func(first, last, phone string) string {
		t.Helper()
		cl.admin.Get(cl.host, "/patients/new")
		r := cl.admin.PostForm(cl.host, "/patients", url.Values{"firstName": {first}, "lastName": {last}, "phone": {phone}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("registering %s: %d\n%s", first, r.StatusCode, r.Body)
		}
		return strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/patients/")
	}
	john := register("John", "Doe", "555 100 2000")
	cl.get(t, cl.admin, "/patients/"+john, http.StatusOK)
	mary := register("Mary", "Roe", "555 300 4000")
	cl.get(t, cl.admin, "/patients", http.StatusOK) // a list showing both
	cl.get(t, cl.admin, "/patients/"+mary, http.StatusOK)
	doctor := s.Client(t)
	doctor.SignIn(cl.host, dan.Email, password)
	doc := cl.get(t, doctor, "/patients/"+john, http.StatusOK)
	if doc.Find(`a[href^="/audit"]`).Length() != 0 {
		t.Error("the patient page offers the log to a doctor, who may not read it")
	}

	doc = cl.get(t, cl.admin, "/patients/"+john, http.StatusOK)
	link := doc.Find(`a[href="/audit?record=patient:` + john + `"]`)
	if text(link) != "Who opened this record?" {
		t.Fatalf("the patient page has no link to the log: %q", text(link))
	}
	href, _ := link.Attr("href")
	doc = cl.get(t, cl.admin, href, http.StatusOK)
	got := each(doc, ".sentence")
	want := []string{
		"Ada Admin opened the record of", // John's page, for the link
		"Dan Doctor opened the record of",
		"Ada Admin viewed a list of 2 patients",
		"Ada Admin opened the record of",
		"Ada Admin registered the patient",
	}
	if len(got) != len(want) {
		t.Fatalf("entries about John: %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("entry %d about John: %q, want %q…", i, got[i], want[i])
		}
	}
	if !strings.Contains(got[1], "P-000001") || strings.Contains(strings.Join(got, " "), "P-000002") {
		t.Errorf("John is P-000001: %q", got)
	}
	if about := text(doc.Find("#audit-record")); !strings.Contains(about, "P-000001") {
		t.Errorf("the page says %q", about)
	}
	if v, _ := doc.Find(`#audit-filter input[type=hidden][name=record]`).Attr("value"); v != "patient:"+john {
		t.Errorf("the filter form keeps the record as %q", v)
	}
	// With the other filters: who of the staff.
	doc = cl.get(t, cl.admin, href+"&user="+dan.ID, http.StatusOK)
	if got := each(doc, ".sentence"); len(got) != 1 || !strings.HasPrefix(got[0], "Dan Doctor opened the record of") {
		t.Errorf("Dan about John: %q", got)
	}
	// A record of no entry, another clinic's included.
	doc = cl.get(t, cl.admin, "/audit?record=patient:000000000000000000000000", http.StatusOK)
	if doc.Find("tr.entry").Length() != 0 || doc.Find("#audit-count").Text() != "No entries match these filters." {
		t.Errorf("a record nobody saw: %q", doc.Find("#audit-count").Text())
	}
}

// testSignUpIsLogged: the sign-up form's clinic starts its log with its
// creation, by its admin.
func testSignUpIsLogged(t *testing.T, s *apptest.Server) {
	sub := apptest.Subdomain(t, "")
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	r := c.PostForm("localhost", "/tenant-onboard", url.Values{
		"clinicName": {"Hillside Clinic"}, "subdomain": {sub}, "adminName": {"Hana Admin"},
		"adminEmail": {"hana@hillside.test"}, "adminPassword": {password}, "timezone": {"Africa/Nairobi"}, "currency": {"KES"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("onboarding: %d\n%s", r.StatusCode, r.Body)
	}
	tn, err := s.Platform.Tenants().BySubdomain(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	es := apptest.Find[audit.Entry](t, s.DB.ForTenant(tn.ID).Collection(audit.Collection), db.Eq("action", audit.ClinicCreate))
	if len(es) != 1 || es[0].ActorEmail != "hana@hillside.test" || es[0].ActorID == "" || es[0].Label != "Hillside Clinic" || !es[0].At.Equal(s.Clock.Now()) {
		t.Fatalf("clinic.create entries: %+v", es)
	}
	host := sub + ".localhost"
	c.SignIn(host, "hana@hillside.test", password)
	doc := c.Get(host, "/audit?action="+audit.ClinicCreate).Doc(t)
	if got := each(doc, ".sentence"); len(got) != 1 || got[0] != "Hana Admin created the clinic Hillside Clinic" {
		t.Errorf("the log says %q", got)
	}
}
