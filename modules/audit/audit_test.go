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
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/roles"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"

	auditmod "github.com/wardclinic/ward/modules/audit"
)

const (
	password = "tidal ginger lantern orbit"
	host     = "sunrise.localhost"
)

// charts stands for a clinical module: it declares the actions it records.
type charts struct{}

const (
	chartView = "chart.view"
	chartList = "chart.list"
)

func (charts) Name() string { return "charts" }

func (charts) AuditActions() []audit.Action {
	return []audit.Action{{Code: chartView, Label: "Opened a chart"}, {Code: chartList, Label: "Listed charts"}}
}

// start runs Ward with a clinic in Nairobi (UTC+3) onboarded through the
// sign-up form and its admin signed in.
func start(t *testing.T) (*apptest.Server, *db.Tenant, *apptest.Client) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{}, onboarding.New(), settings.New(), signin.New(), dashboard.New(), roles.New(), charts{}, auditmod.New())
	c := s.Client(t)
	c.Get("localhost", "/tenant-onboard")
	r := c.PostForm("localhost", "/tenant-onboard", url.Values{
		"clinicName": {"Sunrise Clinic"}, "subdomain": {"sunrise"}, "adminName": {"Ada Admin"},
		"adminEmail": {"ada@sunrise.test"}, "adminPassword": {password}, "timezone": {"Africa/Nairobi"}, "currency": {"KES"},
	})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("onboarding: %d\n%s", r.StatusCode, r.Body)
	}
	tn, err := s.Platform.Tenants().BySubdomain(context.Background(), "sunrise")
	if err != nil {
		t.Fatal(err)
	}
	c.SignIn(host, "ada@sunrise.test", password)
	return s, s.DB.ForTenant(tn.ID), c
}

func user(t *testing.T, s *apptest.Server, tdb *db.Tenant, role, name string) *auth.User {
	t.Helper()
	u := &auth.User{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@sunrise.test", RoleKey: role}
	if err := auth.CreateUser(context.Background(), tdb, u, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return u
}

// record writes e as it stands: entries of other days and people.
func record(t *testing.T, tdb *db.Tenant, e audit.Entry) {
	t.Helper()
	e.ID = db.NewID()
	if err := tdb.Collection(audit.Collection).Insert(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, c *apptest.Client, path string, want int, headers ...string) *goquery.Document {
	t.Helper()
	r := c.Get(host, path, headers...)
	if r.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d\n%s", path, r.StatusCode, want, r.Body)
	}
	return r.Doc(t)
}

// column returns one column of the shown entries, top to bottom.
func column(doc *goquery.Document, n int) []string {
	var out []string
	doc.Find("tr.entry").Each(func(_ int, tr *goquery.Selection) {
		out = append(out, strings.TrimSpace(tr.Find("td").Eq(n).Text()))
	})
	return out
}

func TestFilters(t *testing.T) {
	s, tdb, admin := start(t)
	dan := user(t, s, tdb, "doctor", "Dan Doctor")
	nia := user(t, s, tdb, "nurse", "Nia Nurse")
	utc := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	record(t, tdb, audit.Entry{At: utc(1, 20, 0), ActorID: dan.ID, ActorEmail: dan.Email, Action: audit.SignInSuccess, IP: "10.0.0.7"}) // 23:00 on the 1st in Nairobi
	record(t, tdb, audit.Entry{At: utc(1, 22, 30), ActorID: dan.ID, ActorEmail: dan.Email, Action: audit.SignInSuccess})                // 01:30 on the 2nd
	record(t, tdb, audit.Entry{At: utc(2, 6, 0), ActorID: nia.ID, ActorEmail: nia.Email, Action: audit.SignOut})
	record(t, tdb, audit.Entry{At: utc(2, 7, 0), ActorEmail: "mallory@example.com", Action: audit.SignInFailure})

	doc := get(t, admin, "/audit?user="+dan.ID, http.StatusOK)
	if got := column(doc, 0); strings.Join(got, "|") != "2026-03-02 01:30:00|2026-03-01 23:00:00" {
		t.Errorf("Dan's entries, newest first in Nairobi time: %q", got)
	}
	if got := column(doc, 5); got[1] != "10.0.0.7" {
		t.Errorf("IP column: %q", got)
	}
	if sel := doc.Find(`#f-user option[selected]`).Text(); sel != "Dan Doctor" {
		t.Errorf("person filter shows %q", sel)
	}

	// Days are the clinic's: the 2nd began at 21:00 UTC on the 1st.
	doc = get(t, admin, "/audit?user="+dan.ID+"&from=2026-03-02&to=2026-03-02", http.StatusOK)
	if got := column(doc, 0); len(got) != 1 || got[0] != "2026-03-02 01:30:00" {
		t.Errorf("Dan on the 2nd: %q", got)
	}
	doc = get(t, admin, "/audit?to=2026-03-01", http.StatusOK)
	if got := column(doc, 1); strings.Join(got, "|") != "Dan Doctor"+"dan@sunrise.test" {
		t.Errorf("everyone until the 1st: %q", got)
	}

	doc = get(t, admin, "/audit?action=signout", http.StatusOK)
	if got := column(doc, 1); len(got) != 1 || got[0] != "Nia Nurse"+"nia@sunrise.test" {
		t.Errorf("sign-outs: %q", got)
	}
	doc = get(t, admin, "/audit?action=signin.failure", http.StatusOK)
	if got := column(doc, 1); len(got) != 1 || got[0] != "mallory@example.com" {
		t.Errorf("failed sign-ins: %q", got)
	}
	doc = get(t, admin, "/audit?action=signin.success&from=2026-03-02", http.StatusOK)
	if got := column(doc, 1); strings.Join(got, "|") != "Ada Admin"+"ada@sunrise.test"+"|Dan Doctor"+"dan@sunrise.test" {
		t.Errorf("sign-ins from the 2nd: %q", got)
	}

	doc = get(t, admin, "/audit?from=2026-13-01", http.StatusUnprocessableEntity)
	if doc.Find("#e-from").Text() == "" || doc.Find("tr.entry").Length() != 0 {
		t.Error("a bad date is not refused beside its field")
	}
	get(t, admin, "/audit?from=2026-03-03&to=2026-03-02", http.StatusUnprocessableEntity)

	// htmx: the filter form replaces only the results.
	r := admin.Get(host, "/audit?action=signout", "HX-Request", "true", "HX-Target", "results")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(r.Body), `<div id="results">`) || !strings.Contains(r.Body, "Nia Nurse") {
		t.Errorf("results fragment: %d\n%s", r.StatusCode, r.Body)
	}
	if doc.Find(`form#audit-filter[hx-get="/audit"][hx-target="#results"][hx-push-url="true"]`).Length() != 1 {
		t.Error("the filter form is not wired to htmx")
	}
}

func TestPagination(t *testing.T) {
	s, tdb, admin := start(t)
	base := s.Clock.Now().Add(-24 * time.Hour)
	for i := range 51 {
		record(t, tdb, audit.Entry{At: base.Add(time.Duration(i) * time.Minute), ActorEmail: "bulk@sunrise.test",
			Action: chartView, Target: fmt.Sprintf("chart:%02d", i)})
	}
	doc := get(t, admin, "/audit?action=chart.view", http.StatusOK)
	if n := doc.Find("tr.entry").Length(); n != 50 {
		t.Errorf("page 1 shows %d entries", n)
	}
	if got := column(doc, 3); got[0] != "chart:50" || got[49] != "chart:01" {
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
	doc = get(t, admin, "/audit?action=visit.view", http.StatusOK)
	if sel := doc.Find(`#f-action option[selected]`).Text(); sel != "visit.view" {
		t.Errorf("a module's own action is not kept in the filter: %q", sel)
	}

	doc = get(t, admin, next, http.StatusOK)
	if got := column(doc, 3); len(got) != 1 || got[0] != "chart:00" {
		t.Errorf("page 2: %q", got)
	}
	if prev, _ := doc.Find(`a[rel="prev"]`).Attr("href"); prev != "/audit?action=chart.view" || doc.Find(`a[rel="next"]`).Length() != 0 {
		t.Errorf("page 2 links: prev %q", prev)
	}
	// A page past the end shows the last one.
	doc = get(t, admin, "/audit?action=chart.view&page=7", http.StatusOK)
	if doc.Find("#audit-page").Text() != "Page 2 of 2" || doc.Find("tr.entry").Length() != 1 {
		t.Errorf("past the end: %q", doc.Find("#audit-page").Text())
	}
	doc = get(t, admin, "/audit?action=role.delete", http.StatusOK)
	if doc.Find("#audit-count").Text() != "No entries match these filters." || doc.Find("#audit-page").Text() != "Page 1 of 1" {
		t.Errorf("no entries: %q", doc.Find("#audit-count").Text())
	}
}

func TestTheLogCannotBeChanged(t *testing.T) {
	s, tdb, admin := start(t)
	for _, r := range s.App.Routes() {
		if r.Module == "audit" && r.Method != http.MethodGet {
			t.Errorf("audit route %s %s changes something", r.Method, r.Path)
		}
	}
	before, err := tdb.Collection(audit.Collection).Count(context.Background(), db.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	admin.Get(host, "/audit")
	for _, p := range []string{"/audit", "/audit/delete"} {
		if r := admin.PostForm(host, p, url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, r.StatusCode)
		}
	}
	after, _ := tdb.Collection(audit.Collection).Count(context.Background(), db.Filter{})
	if after != before {
		t.Errorf("entries %d → %d", before, after)
	}
}

// TestViewEntries: a view names the records it showed — one by its label,
// a list by every label, with the route that showed them.
func TestViewEntries(t *testing.T) {
	s, tdb, admin := start(t)
	at := s.Clock.Now().Add(-time.Hour)
	record(t, tdb, audit.Entry{At: at, ActorEmail: "rita@sunrise.test", Action: chartList, Route: "GET /api/charts",
		Records: []audit.Ref{{ID: "a1", Label: "C-000001"}, {ID: "a2", Label: "C-000002"}, {ID: "a3"}}})
	record(t, tdb, audit.Entry{At: at.Add(time.Minute), ActorEmail: "rita@sunrise.test", Action: chartView, Route: "GET /charts/:id",
		Target: "chart:a1", Records: []audit.Ref{{ID: "a1", Label: "C-000001"}}})

	doc := get(t, admin, "/audit?action=chart.list", http.StatusOK)
	if sel := doc.Find(`#f-action option[selected]`).Text(); sel != "Listed charts" {
		t.Errorf("the filter shows %q", sel)
	}
	row := doc.Find("tr.entry")
	if row.Length() != 1 {
		t.Fatalf("%d list entries", row.Length())
	}
	if what := row.Find("td").Eq(2); !strings.HasPrefix(what.Text(), "Listed charts") || what.Find("code").Text() != "GET /api/charts" {
		t.Errorf("what: %q", what.Text())
	}
	if got := row.Find("details.records summary").Text(); got != "3 records" {
		t.Errorf("summary: %q", got)
	}
	if got := row.Find("details.records").Text(); !strings.HasSuffix(got, "C-000001, C-000002, a3") {
		t.Errorf("records: %q", got)
	}

	doc = get(t, admin, "/audit?action=chart.view", http.StatusOK)
	if got := column(doc, 3); len(got) != 1 || got[0] != "Chart C-000001" {
		t.Errorf("a view's target: %q", got)
	}
}

// TestFilterOffersEveryDeclaredAction: core's actions and each module's,
// by label, in the order declared; rows name actions by label too.
func TestFilterOffersEveryDeclaredAction(t *testing.T) {
	s, tdb, admin := start(t)
	record(t, tdb, audit.Entry{At: s.Clock.Now(), ActorEmail: "ada@sunrise.test", Action: audit.RoleRename, Target: "role:gone", Before: "Nurse", After: "Sister"})

	doc := get(t, admin, "/audit", http.StatusOK)
	var got []audit.Action
	doc.Find("#f-action option").Each(func(_ int, o *goquery.Selection) {
		if v, _ := o.Attr("value"); v != "" {
			got = append(got, audit.Action{Code: v, Label: o.Text()})
		}
	})
	want := append(audit.CoreActions(), settings.New().AuditActions()...)
	if want = append(want, charts{}.AuditActions()...); !slices.Equal(got, want) {
		t.Errorf("the filter offers\n %v\nwant\n %v", got, want)
	}
	row := doc.Find(`tr.entry[data-action="role.rename"]`)
	if what := row.Find("td").Eq(2).Text(); what != "Renamed a role" {
		t.Errorf("the row says %q", what)
	}
}
