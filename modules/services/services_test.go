package services_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/services"
	"github.com/wardclinic/ward/modules/signin"
)

// service is a service as the API shows it.
type service struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Code    string `json:"code"`
	Minutes int    `json:"minutes"`
	Price   int64  `json:"price"`
	TaxRate int    `json:"taxRate"`
	Active  bool   `json:"active"`
	Version int64  `json:"version"`
}

type list struct {
	Services []service `json:"services"`
	Total    int64     `json:"total"`
	More     bool      `json:"more"`
	Page     int       `json:"page"`
	Pages    int       `json:"pages"`
}

// env is one clinic of the package's Ward, with its admin signed in.
type env struct {
	s     *apptest.Server
	cl    *apptest.Clinic
	admin *apptest.Client
}

// TestServices runs the module's tests on one Ward, each on a clinic of
// its own.
func TestServices(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), services.New())
	for _, tc := range []struct {
		name string
		run  func(*testing.T, env)
	}{
		{"api", testAPI},
		{"api-errors", testAPIErrors},
		{"pages", testPages},
		{"conflict", testConflictPage},
		{"list", testList},
		{"currencies", testCurrencies},
		{"isolation", testIsolation},
		{"roles", testRoles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cl := s.NewClinic(t, "svc-"+tc.name)
			c := s.Client(t)
			c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
			tc.run(t, env{s: s, cl: cl, admin: c})
		})
	}
}

// call sends a JSON request as a signed-in page's script would and reads
// the envelope (apptest checks it, and that no error shows internals).
func (e env) call(t *testing.T, c *apptest.Client, method, path, body string) (int, apptest.Envelope) {
	t.Helper()
	r, out := c.API(e.cl.Host, method, path, body)
	return r.StatusCode, out
}

// want fails unless the call answered status, and decodes its data into v.
func want(t *testing.T, what string, status int, e apptest.Envelope, wantStatus int, v any) {
	t.Helper()
	if status != wantStatus || e.Success != (status < 300) {
		t.Fatalf("%s: %d %+v, want %d", what, status, e, wantStatus)
	}
	if v != nil {
		if err := json.Unmarshal(e.Data, v); err != nil {
			t.Fatalf("%s: data %s: %v", what, e.Data, err)
		}
	}
}

// add creates a service through the API and returns it.
func (e env) add(t *testing.T, name, code string, minutes int, price int64, tax int) service {
	t.Helper()
	st, out := e.call(t, e.admin, http.MethodPost, "/api/services",
		fmt.Sprintf(`{"name":%q,"code":%q,"minutes":%d,"price":%d,"taxRate":%d}`, name, code, minutes, price, tax))
	var s service
	want(t, "create "+code, st, out, http.StatusCreated, &s)
	return s
}

// actions lists the audit log's service entries of the clinic, oldest first.
func (e env) actions(t *testing.T, target string) []string {
	t.Helper()
	var entries []audit.Entry
	if err := e.cl.DB.Collection(audit.Collection).Find(context.Background(), db.Gte("at", apptest.Epoch.AddDate(-1, 0, 0)), &entries,
		db.FindOptions{Sort: []db.Order{db.Asc("at")}}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		if en.Target == target {
			out = append(out, en.Action+" "+en.After)
		}
	}
	return out
}

func testAPI(t *testing.T, e env) {
	s := e.add(t, " General consultation ", "cons-1", 20, 2500, 1600)
	if s.ID == "" || s.Code != "CONS-1" || s.Name != "General consultation" || s.Version != 1 || !s.Active || s.Price != 2500 || s.TaxRate != 1600 {
		t.Fatalf("created: %+v", s)
	}
	st, out := e.call(t, e.admin, http.MethodGet, "/api/services/"+s.ID, "")
	var got service
	want(t, "get", st, out, http.StatusOK, &got)
	if got != s {
		t.Errorf("get = %+v, want %+v", got, s)
	}

	body := `{"name":"General consultation","code":"CONS-1","minutes":30,"price":3000,"taxRate":1600,"version":1}`
	st, out = e.call(t, e.admin, http.MethodPut, "/api/services/"+s.ID, body)
	want(t, "update", st, out, http.StatusOK, &got)
	if got.Version != 2 || got.Minutes != 30 || got.Price != 3000 {
		t.Errorf("updated: %+v", got)
	}
	// The same change again, from version 1: someone else's save came first.
	st, out = e.call(t, e.admin, http.MethodPut, "/api/services/"+s.ID, strings.Replace(body, `"price":3000`, `"price":1`, 1))
	want(t, "stale update", st, out, http.StatusConflict, nil)
	if out.Error == "" {
		t.Error("a conflict without a message")
	}

	st, out = e.call(t, e.admin, http.MethodPost, "/api/services/"+s.ID+"/archive", `{"version":1}`)
	want(t, "stale archive", st, out, http.StatusConflict, nil)
	st, out = e.call(t, e.admin, http.MethodPost, "/api/services/"+s.ID+"/archive", `{"version":2}`)
	want(t, "archive", st, out, http.StatusOK, &got)
	if got.Active || got.Version != 3 {
		t.Errorf("archived: %+v", got)
	}
	var l list
	st, out = e.call(t, e.admin, http.MethodGet, "/api/services", "")
	want(t, "list", st, out, http.StatusOK, &l)
	if l.Total != 0 || len(l.Services) != 0 || l.Services == nil || l.Page != 1 || l.Pages != 1 {
		t.Errorf("list after archiving: %+v", l)
	}
	st, out = e.call(t, e.admin, http.MethodGet, "/api/services?archived=1", "")
	want(t, "archived list", st, out, http.StatusOK, &l)
	if l.Total != 1 || len(l.Services) != 1 || l.Services[0].ID != s.ID {
		t.Errorf("archived list: %+v", l)
	}
	st, out = e.call(t, e.admin, http.MethodPost, "/api/services/"+s.ID+"/restore", `{"version":3}`)
	want(t, "restore", st, out, http.StatusOK, &got)
	if !got.Active || got.Version != 4 {
		t.Errorf("restored: %+v", got)
	}
	// What GET answered may be sent back as it is.
	raw, _ := json.Marshal(got)
	st, out = e.call(t, e.admin, http.MethodPut, "/api/services/"+s.ID, string(raw))
	want(t, "unchanged save", st, out, http.StatusOK, &got)
	if got.Version != 4 {
		t.Errorf("a save that changes nothing made version %d", got.Version)
	}

	wantLog := []string{"service.create CONS-1 · General consultation", "service.update CONS-1 · General consultation · changed minutes, price",
		"service.archive CONS-1", "service.restore CONS-1"}
	if got := e.actions(t, "service:"+s.ID); strings.Join(got, "\n") != strings.Join(wantLog, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLog, "\n"))
	}
}

func testAPIErrors(t *testing.T, e env) {
	s, y := e.add(t, "X-ray", "XR", 15, 4000, 0), e.add(t, "Y-ray", "YR", 15, 4000, 0)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		fields                   []string
	}{
		{"invalid", "POST", "/api/services", `{"name":"","code":"X R","minutes":0,"price":-1,"taxRate":10001}`, 422, []string{"name", "code", "minutes", "price", "taxRate"}},
		{"duplicate code", "POST", "/api/services", `{"name":"Other","code":"xr","minutes":5,"price":0,"taxRate":0}`, 422, []string{"code"}},
		{"own code on edit", "PUT", "/api/services/" + s.ID, `{"name":"X-ray","code":"XR","minutes":5,"price":0,"taxRate":0,"version":1}`, 200, nil},
		{"another's code on edit", "PUT", "/api/services/" + y.ID, `{"name":"Y-ray","code":"XR","minutes":5,"price":0,"taxRate":0,"version":1}`, 422, []string{"code"}},
		{"no version", "PUT", "/api/services/" + s.ID, `{"name":"X-ray","code":"XR","minutes":15,"price":0,"taxRate":0}`, 422, []string{"version"}},
		{"archive without version", "POST", "/api/services/" + s.ID + "/archive", `{}`, 422, []string{"version"}},
		{"misspelt field", "POST", "/api/services", `{"name":"A","code":"A","minutes":5,"prise":1}`, 400, nil},
		{"decimal price", "POST", "/api/services", `{"name":"A","code":"A","minutes":5,"price":12.5}`, 400, nil},
		{"not JSON", "POST", "/api/services", `name=A`, 400, nil},
		{"unknown id", "GET", "/api/services/000000000000000000000000", "", 404, nil},
		{"unknown id edit", "PUT", "/api/services/nope", `{"version":1}`, 404, nil},
	} {
		st, out := e.call(t, e.admin, tc.method, tc.path, tc.body)
		if st != tc.status || out.Success != (st < 300) {
			t.Errorf("%s: %d %+v, want %d", tc.name, st, out, tc.status)
		}
		for _, f := range tc.fields {
			if out.Fields[f] == "" {
				t.Errorf("%s: no message for %s: %v", tc.name, f, out.Fields)
			}
		}
		if st >= 400 && out.Error == "" {
			t.Errorf("%s: no error message", tc.name)
		}
	}
	if n := apptest.Count(t, e.cl.DB.Collection("services"), db.Eq("code", "XR")); n != 1 {
		t.Errorf("%d services with code XR", n)
	}
}

var serviceURL = regexp.MustCompile(`^/services/([0-9a-f]{24})$`)

// post submits a page's form and follows the redirect with the same
// client, returning the id in the address and the page's flash message.
func (e env) post(t *testing.T, path string, v url.Values) (id, flash string) {
	t.Helper()
	r := e.admin.PostForm(e.cl.Host, path, v)
	m := serviceURL.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("POST %s: %d Location %q (a message in the address, or none)\n%s", path, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	page := e.admin.Get(e.cl.Host, m[0])
	apptest.WantStatus(t, "GET "+m[0], page, http.StatusOK)
	return m[1], strings.TrimSpace(page.Doc(t).Find(".flash").Text())
}

func form(name, code, minutes, price, tax string, version ...string) url.Values {
	v := url.Values{"name": {name}, "code": {code}, "minutes": {minutes}, "price": {price}, "taxRate": {tax}}
	if len(version) > 0 {
		v.Set("version", version[0])
	}
	return v
}

func testPages(t *testing.T, e env) {
	c, host := e.admin, e.cl.Host
	apptest.WantStatus(t, "new", c.Get(host, "/services/new"), http.StatusOK)

	bad := c.PostForm(host, "/services", form("", "no spaces", "0", "12.345", "101"))
	apptest.WantStatus(t, "invalid form", bad, http.StatusUnprocessableEntity)
	for _, f := range []string{"name", "code", "minutes", "price", "taxRate"} {
		if bad.Doc(t).Find("#e-"+f).Text() == "" {
			t.Errorf("no message beside %s", f)
		}
	}
	if v, _ := bad.Doc(t).Find("#f-price").Attr("value"); v != "12.345" {
		t.Errorf("the typed price is not shown again: %q", v)
	}

	id, flash := e.post(t, "/services", form("Wound dressing", "dr-1", "15", "12.5", "0"))
	if flash != "Service added." {
		t.Errorf("flash after adding: %q", flash)
	}
	show := c.Get(host, "/services/"+id)
	for _, want := range []string{"Wound dressing", "DR-1", "15 minutes", "12.50 USD", "0 %"} {
		if !strings.Contains(show.Body, want) {
			t.Errorf("the service's page lacks %q", want)
		}
	}
	if show.Doc(t).Find(".flash").Length() != 0 {
		t.Error("the message shows twice")
	}

	edit := c.Get(host, "/services/"+id+"/edit")
	if v, _ := edit.Doc(t).Find("#f-price").Attr("value"); v != "12.50" {
		t.Errorf("edit form price %q", v)
	}
	if _, flash = e.post(t, "/services/"+id, form("Wound dressing", "DR-1", "20", "14", "16", "1")); flash != "Changes saved." {
		t.Errorf("flash after saving: %q", flash)
	}
	dup := c.PostForm(host, "/services", form("Other dressing", "dr-1", "15", "1", "0"))
	apptest.WantStatus(t, "duplicate code", dup, http.StatusUnprocessableEntity)
	if msg := dup.Doc(t).Find("#e-code").Text(); !strings.Contains(msg, "DR-1") {
		t.Errorf("duplicate code message %q", msg)
	}

	if _, flash = e.post(t, "/services/"+id+"/archive", url.Values{"version": {"2"}}); flash != "Service archived." {
		t.Errorf("flash after archiving: %q", flash)
	}
	stale := c.PostForm(host, "/services/"+id+"/restore", url.Values{"version": {"2"}})
	apptest.WantStatus(t, "restore from a stale page", stale, http.StatusConflict)
	if _, flash = e.post(t, "/services/"+id+"/restore", url.Values{"version": {"3"}}); flash != "Service restored." {
		t.Errorf("flash after restoring: %q", flash)
	}
	history := c.Get(host, "/services/"+id).Doc(t).Find("#history li")
	if history.Length() != 4 || !strings.Contains(history.Eq(2).Text(), "changed minutes, price, tax rate") {
		t.Errorf("history: %d entries: %q", history.Length(), history.Text())
	}
	if n := apptest.Count(t, e.cl.DB.Collection("services"), db.Eq("code", "DR-1")); n != 1 {
		t.Errorf("%d services stored", n)
	}
}

// An edit made from a version someone else has since saved over changes
// nothing: the form comes back with the latest version and what the
// person typed beside it.
func testConflictPage(t *testing.T, e env) {
	s := e.add(t, "Injection", "INJ", 5, 500, 0)
	other := e.s.Client(t)
	other.SignIn(e.cl.Host, e.cl.Admin.Email, apptest.Password)
	other.Get(e.cl.Host, "/services/"+s.ID+"/edit")
	e.admin.Get(e.cl.Host, "/services/"+s.ID+"/edit")
	if r := other.PostForm(e.cl.Host, "/services/"+s.ID, form("Injection", "INJ", "5", "6", "0", "1")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.StatusCode)
	}
	r := e.admin.PostForm(e.cl.Host, "/services/"+s.ID, form("Injection, intramuscular", "INJ", "10", "5", "0", "1"))
	apptest.WantStatus(t, "stale save", r, http.StatusConflict)
	doc := r.Doc(t)
	if !strings.Contains(doc.Find(".form-errors").Text(), "Someone else saved this service") {
		t.Errorf("no conflict message: %q", doc.Find(".form-errors").Text())
	}
	if v, _ := doc.Find("#f-price").Attr("value"); v != "6.00" {
		t.Errorf("the form does not show the latest price: %q", v)
	}
	if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != "2" {
		t.Errorf("the form is not at the latest version: %q", v)
	}
	// What this person changed from the version they opened is listed; the
	// price they left alone (the other person changed it) is not.
	unsaved := doc.Find("#unsaved").Text()
	for _, w := range []string{"Injection, intramuscular", "10"} {
		if !strings.Contains(unsaved, w) {
			t.Errorf("what was typed is not listed (%q): %q", w, unsaved)
		}
	}
	if strings.Contains(unsaved, "price") || strings.Contains(unsaved, "5.00") {
		t.Errorf("the price the other person changed is listed as typed: %q", unsaved)
	}
	st, out := e.call(t, e.admin, http.MethodGet, "/api/services/"+s.ID, "")
	var got service
	want(t, "get", st, out, http.StatusOK, &got)
	if got.Version != 2 || got.Price != 600 || got.Minutes != 5 {
		t.Errorf("after the conflict: %+v", got)
	}
}

func testList(t *testing.T, e env) {
	// A new clinic's empty list says what to do first; a search says
	// nothing matched.
	empty := e.admin.Get(e.cl.Host, "/services").Doc(t)
	if empty.Find(`.empty a[href="/services/new"]`).Length() != 1 || strings.Contains(empty.Text(), "No services match") {
		t.Errorf("the empty list does not invite adding the first service")
	}
	if r := e.admin.Get(e.cl.Host, "/services?q=xyz"); !strings.Contains(r.Body, "No services match") || strings.Contains(r.Body, "Add the first service") {
		t.Errorf("an empty search:\n%s", r.Body)
	}
	for i := range 30 {
		e.add(t, fmt.Sprintf("Physiotherapy %02d", i), fmt.Sprintf("PT-%02d", i), 45, 5000, 0)
	}
	e.add(t, "Ultrasound", "US", 30, 8000, 0)
	e.add(t, "ECG", "CARD-ECG", 20, 3000, 0)
	c, host := e.admin, e.cl.Host
	names := func(path string, headers ...string) []string {
		r := c.Get(host, path, headers...)
		apptest.WantStatus(t, path, r, http.StatusOK)
		var out []string
		for _, s := range r.Doc(t).Find("#results tbody tr td:first-child a").EachIter() {
			out = append(out, s.Text())
		}
		return out
	}
	if got := names("/services"); len(got) != 25 || got[0] != "ECG" || got[1] != "Physiotherapy 00" {
		t.Errorf("first page: %d %v", len(got), got)
	}
	if got := names("/services?page=2"); len(got) != 7 || got[6] != "Ultrasound" {
		t.Errorf("second page: %v", got)
	}
	if got := names("/services?page=99"); len(got) != 7 {
		t.Errorf("a page past the end shows the last: %v", got)
	}
	for q, wantNames := range map[string]string{"ultra": "Ultrasound", "US": "Ultrasound", "card": "ECG", "Physiotherapy 1": "Physiotherapy 10 … Physiotherapy 19", "zzz": ""} {
		got := names("/services?q=" + url.QueryEscape(q))
		joined := strings.Join(got, ", ")
		if len(got) > 2 {
			joined = got[0] + " … " + got[len(got)-1]
		}
		if joined != wantNames {
			t.Errorf("search %q: %q, want %q", q, joined, wantNames)
		}
	}
	if got := names("/services?q=ultra", "HX-Request", "true", "HX-Target", "results"); len(got) != 1 {
		t.Errorf("results fragment: %v", got)
	}
	r := c.Get(host, "/services?q=ultra", "HX-Request", "true", "HX-Target", "results")
	if strings.Contains(r.Body, "<h1>") {
		t.Error("the results fragment holds the whole page")
	}
	var l list
	st, out := e.call(t, c, http.MethodGet, "/api/services?page=2&q=p", "")
	want(t, "api page 2", st, out, http.StatusOK, &l)
	if l.Total != 30 || l.Page != 2 || l.Pages != 2 || len(l.Services) != 5 || l.Services[0].Code != "PT-25" {
		t.Errorf("api list: total %d page %d/%d, %d services", l.Total, l.Page, l.Pages, len(l.Services))
	}
}

// Prices are typed and shown in the clinic's currency, with its minor
// digits; the API speaks minor units whatever the currency.
func testCurrencies(t *testing.T, e env) {
	ctx := context.Background()
	for _, tc := range []struct{ currency, typed, bad, shown string }{
		{"JPY", "3000", "30.5", "3000 JPY"},
		{"KWD", "1.25", "1.2505", "1.250 KWD"},
		{"USD", "12", "12.001", "12.00 USD"},
	} {
		st, err := settings.Load(ctx, e.cl.DB)
		if err != nil {
			t.Fatal(err)
		}
		st.Currency = tc.currency
		if err := settings.Save(ctx, e.cl.DB, st, e.s.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.admin.Get(e.cl.Host, "/services/new")
		bad := e.admin.PostForm(e.cl.Host, "/services", form("Visit", "V-"+tc.currency, "15", tc.bad, "0"))
		apptest.WantStatus(t, tc.currency+" "+tc.bad, bad, http.StatusUnprocessableEntity)
		if bad.Doc(t).Find("#e-price").Text() == "" {
			t.Errorf("%s: no message for %s", tc.currency, tc.bad)
		}
		id, _ := e.post(t, "/services", form("Visit", "V-"+tc.currency, "15", tc.typed, "0"))
		if page := e.admin.Get(e.cl.Host, "/services/"+id); !strings.Contains(page.Body, tc.shown) {
			t.Errorf("%s: the page does not show %q", tc.currency, tc.shown)
		}
		var got service
		st2, out := e.call(t, e.admin, http.MethodGet, "/api/services/"+id, "")
		want(t, "get", st2, out, http.StatusOK, &got)
		if wantMinor := map[string]int64{"JPY": 3000, "KWD": 1250, "USD": 1200}[tc.currency]; got.Price != wantMinor {
			t.Errorf("%s %s stored as %d, want %d", tc.currency, tc.typed, got.Price, wantMinor)
		}
	}
}

// A clinic can neither read nor change another's services: every route
// answers 404 for another clinic's id, and nothing of it changes.
func testIsolation(t *testing.T, e env) {
	theirs := e.add(t, "Secret surgery", "SECRET", 60, 99900, 0)
	other := e.s.NewClinic(t, "svc-isolation-b")
	b := env{s: e.s, cl: other, admin: e.s.Client(t)}
	b.admin.SignIn(other.Host, other.Admin.Email, apptest.Password)
	mine := b.add(t, "Consultation", "CONS", 20, 2000, 0)

	for _, path := range []string{"/services/" + theirs.ID, "/services/" + theirs.ID + "/edit"} {
		if r := b.admin.Get(other.Host, path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Secret") {
			t.Errorf("GET %s from another clinic: %d", path, r.StatusCode)
		}
	}
	for _, path := range []string{"/services/" + theirs.ID, "/services/" + theirs.ID + "/archive", "/services/" + theirs.ID + "/restore"} {
		if r := b.admin.PostForm(other.Host, path, form("Taken", "SECRET", "1", "0", "0", "1")); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s from another clinic: %d", path, r.StatusCode)
		}
	}
	for _, call := range [][3]string{{"GET", "/api/services/" + theirs.ID, ""}, {"PUT", "/api/services/" + theirs.ID, `{"name":"Taken","code":"X","minutes":1,"price":0,"taxRate":0,"version":1}`},
		{"POST", "/api/services/" + theirs.ID + "/archive", `{"version":1}`}, {"POST", "/api/services/" + theirs.ID + "/restore", `{"version":1}`}} {
		if st, out := b.call(t, b.admin, call[0], call[1], call[2]); st != http.StatusNotFound || strings.Contains(string(out.Data)+out.Error, "Secret") {
			t.Errorf("%s %s from another clinic: %d", call[0], call[1], st)
		}
	}
	var l list
	st, out := b.call(t, b.admin, http.MethodGet, "/api/services?q=s", "")
	want(t, "list", st, out, http.StatusOK, &l)
	if l.Total != 0 {
		t.Errorf("another clinic's list: %+v", l)
	}
	if r := b.admin.Get(other.Host, "/services?q=secret"); strings.Contains(r.Body, "Secret") {
		t.Error("another clinic's search finds the service")
	}
	// A code is unique in a clinic, not across clinics.
	b.add(t, "Their code", "SECRET", 5, 0, 0)

	st, out = e.call(t, e.admin, http.MethodGet, "/api/services/"+theirs.ID, "")
	var got service
	want(t, "own get", st, out, http.StatusOK, &got)
	if got != theirs {
		t.Errorf("changed from another clinic: %+v", got)
	}
	if st, _ := e.call(t, e.admin, http.MethodGet, "/api/services/"+mine.ID, ""); st != http.StatusNotFound {
		t.Errorf("the other way round: %d", st)
	}
}

// The default roles: everyone reads the price list, the accountant keeps
// it, the front desk and the clinicians cannot change it.
func testRoles(t *testing.T, e env) {
	s := e.add(t, "Consultation", "CONS", 20, 2000, 0)
	for _, tc := range []struct {
		role  string
		write bool
	}{{"receptionist", false}, {"doctor", false}, {"nurse", false}, {"accountant", true}, {"medrep", false}} {
		u := e.s.NewUser(t, e.cl, tc.role, tc.role, tc.role+"@roles.test")
		c := e.s.Client(t)
		c.SignIn(e.cl.Host, u.Email, apptest.Password)
		read := tc.role != "medrep"
		page := c.Get(e.cl.Host, "/services")
		if (page.StatusCode == http.StatusOK) != read {
			t.Errorf("%s GET /services: %d", tc.role, page.StatusCode)
		}
		if dash := c.Get(e.cl.Host, "/dashboard"); strings.Contains(dash.Body, `href="/services"`) != read {
			t.Errorf("%s: nav link to services shown: %v", tc.role, !read)
		}
		if read && (page.Doc(t).Find(`a[href="/services/new"]`).Length() > 0) != tc.write {
			t.Errorf("%s: 'Add a service' shown: %v", tc.role, !tc.write)
		}
		wantWrite := map[bool]int{true: http.StatusCreated, false: http.StatusForbidden}[tc.write]
		as := env{s: e.s, cl: e.cl, admin: c}
		st, _ := as.call(t, c, http.MethodPost, "/api/services", fmt.Sprintf(`{"name":"By %s","code":"%s","minutes":5,"price":0,"taxRate":0}`, tc.role, tc.role))
		if st != wantWrite {
			t.Errorf("%s POST /api/services: %d, want %d", tc.role, st, wantWrite)
		}
		if !tc.write {
			for _, path := range []string{"/services", "/services/" + s.ID, "/services/" + s.ID + "/archive"} {
				if r := c.PostForm(e.cl.Host, path, form("Taken", "CONS", "1", "0", "0", "1")); r.StatusCode != http.StatusForbidden {
					t.Errorf("%s POST %s: %d", tc.role, path, r.StatusCode)
				}
			}
			if r := c.Get(e.cl.Host, "/services/new"); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET /services/new: %d", tc.role, r.StatusCode)
			}
		}
	}
	st, out := e.call(t, e.admin, http.MethodGet, "/api/services/"+s.ID, "")
	var got service
	want(t, "get", st, out, http.StatusOK, &got)
	if got != s {
		t.Errorf("changed by roles that may not: %+v", got)
	}
}
