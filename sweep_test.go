package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules"
)

// snapshot is every document of one clinic, across all collections, as
// text: comparing two snapshots shows whether anything of it changed.
func snapshot(t *testing.T, store *db.Store, tenantID string) string {
	t.Helper()
	ctx := context.Background()
	p := store.Platform("test snapshot")
	names, err := p.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		if n == "sessions" || n == "signin_failures" || n == "audit_log" {
			continue // written by A's own requests; they carry no B data
		}
		if n == tenant.SignupsCollection {
			continue // the platform's count of sign-ups: no clinic's data
		}
		var docs []map[string]any
		filter := db.Eq(db.TenantField, tenantID)
		switch n {
		case tenant.Collection: // the clinic's own record
			filter = db.ID(tenantID)
		case rbac.RulesCollection: // its grants (p) and role assignments (g)
			filter = db.Or(db.And(db.Eq("ptype", "p"), db.Eq("v1", tenantID)), db.And(db.Eq("ptype", "g"), db.Eq("v2", tenantID)))
		}
		if err := p.Collection(n).Find(ctx, filter, &docs, db.FindOptions{Sort: []db.Order{db.Asc(db.IDField)}}); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(docs)
		b.WriteString(n + ":" + string(js) + "\n")
	}
	return b.String()
}

var param = regexp.MustCompile(`:[a-zA-Z]+`)

// TestEveryRouteAsClinicAAgainstClinicB signs in as clinic A's admin (who
// may do everything in A) and calls every clinic route with clinic B's
// record ids in place of each path parameter. Nothing of B may change, no
// answer may carry B's data, and no route may answer a B id with success.
func TestEveryRouteAsClinicAAgainstClinicB(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	a, b := s.NewClinic(t, "acme"), s.NewClinic(t, "bayview")
	bUser := s.NewUser(t, b, "doctor", "Bertha Bravo-Secret", "bertha@bravo.test")

	// B's records, made through B's own pages and API as B's admin.
	cb := s.Client(t)
	cb.SignIn(b.Host, b.Admin.Email, apptest.Password)
	cb.Get(b.Host, "/patients/new")
	r := cb.PostForm(b.Host, "/patients", url.Values{"firstName": {"Brunhilde"}, "lastName": {"Bravosecret"}, "phone": {"555 999 1234"}, "email": {"brun@bravo.test"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("creating B's patient: %d", r.StatusCode)
	}
	bPatient := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/patients/")
	ids := []string{bPatient, bUser.ID, b.Admin.ID}
	secrets := []string{"Brunhilde", "Bravosecret", "brun@bravo.test", "Bertha Bravo-Secret", "bertha@bravo.test", b.ID}

	before := snapshot(t, s.DB, b.ID)

	ca := s.Client(t)
	ca.SignIn(a.Host, a.Admin.Email, apptest.Password)
	token := ca.Token(a.Host)
	checked := 0
	for _, rt := range s.App.Routes() {
		if rt.Host != app.ClinicHost || rt.Path == "/logout" {
			continue
		}
		targets := []string{rt.Path}
		if param.MatchString(rt.Path) {
			targets = targets[:0]
			for _, id := range ids {
				targets = append(targets, param.ReplaceAllString(rt.Path, id))
			}
		}
		for _, path := range targets {
			var resp *apptest.Response
			switch rt.Method {
			case http.MethodGet:
				resp = ca.Get(a.Host, path+"?q=bravo")
			default:
				form := url.Values{"csrf_token": {token}, "version": {"1"}, "firstName": {"Mallory"}, "lastName": {"Taken"},
					"status": {"inactive"}, "roleKey": {"medrep"}, "name": {"Hijacked"}, "email": {"mallory@acme.test"}}
				req, _ := http.NewRequest(rt.Method, s.URL(a.Host, path), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if strings.HasPrefix(path, "/api/") {
					req, _ = http.NewRequest(rt.Method, s.URL(a.Host, path), strings.NewReader(`{"firstName":"Mallory","lastName":"Taken","version":1}`))
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("X-CSRF-Token", token)
				req.Header.Set("Origin", "http://"+a.Host+":"+s.Port)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				resp = ca.Do(req)
			}
			checked++
			for _, sec := range secrets {
				if strings.Contains(resp.Body, sec) {
					t.Errorf("%s %s as A shows B's %q", rt.Method, path, sec)
				}
			}
			if path != rt.Path && resp.StatusCode < 400 {
				t.Errorf("%s %s (a B id) as A answered %d", rt.Method, path, resp.StatusCode)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d requests checked: the route table looks empty", checked)
	}
	if after := snapshot(t, s.DB, b.ID); after != before {
		t.Fatalf("clinic B's data changed while A called every route:\nbefore %s\nafter  %s", before, after)
	}
}

// The collections that are not any clinic's own are closed to tenant
// handles (core/db ReservePlatform).
func TestPlatformCollectionsAreReserved(t *testing.T) {
	for _, name := range []string{tenant.Collection, session.Collection, auth.FailuresCollection, rbac.RulesCollection} {
		if !db.IsPlatform(name) {
			t.Errorf("%s is not reserved for the platform", name)
		}
	}
}

// TestEveryWriteInGrace signs in as the admin of a clinic in its read-only
// grace and calls every clinic route that writes: each is turned away
// (pages 303 to /subscription, the API 402) and nothing of the clinic
// changes — except on the routes open to lapsed clinics, which are exactly
// the ones listed here (a route added to them is a decision to review).
func TestEveryWriteInGrace(t *testing.T) {
	open := map[string]bool{
		"POST /login": true, "POST /login/code": true, "POST /logout": true, "POST /password/forgot": true,
		"POST /password/reset": true, "POST /email/verify": true, "POST /subscription/checkout": true,
	}
	s := apptest.Start(t, apptest.Options{}, modules.All()...)
	cl := s.NewClinic(t, "lapsing")
	c := s.Client(t)
	c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
	token := c.Token(cl.Host)
	if _, err := s.Platform.Tenants().SetExpiry(context.Background(), cl.ID, s.Clock.Now().Add(-24*time.Hour), s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	waitForGrace(t, c, cl.Host)
	before := snapshot(t, s.DB, cl.ID)
	checked, seen := 0, map[string]bool{}
	for _, rt := range s.App.Routes() {
		if rt.Host != app.ClinicHost || rt.Method == http.MethodGet || rt.Method == http.MethodHead {
			continue
		}
		key := rt.Method + " " + rt.Path
		seen[key] = true
		if rt.Access.Lapsed != open[key] {
			t.Errorf("%s: open to lapsed clinics %v, the list says %v", key, rt.Access.Lapsed, open[key])
		}
		if rt.Access.Lapsed {
			continue
		}
		path := param.ReplaceAllString(rt.Path, db.NewID())
		body, ctype := url.Values{"csrf_token": {token}, "version": {"1"}, "firstName": {"Grace"}, "lastName": {"Period"}}.Encode(), "application/x-www-form-urlencoded"
		if strings.HasPrefix(path, "/api/") {
			body, ctype = `{"firstName":"Grace","lastName":"Period","version":1}`, "application/json"
		}
		req, _ := http.NewRequest(rt.Method, s.URL(cl.Host, path), strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-CSRF-Token", token)
		req.Header.Set("Origin", "http://"+cl.Host+":"+s.Port)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp := c.Do(req)
		checked++
		want := "303 /subscription"
		got := strconv.Itoa(resp.StatusCode) + " " + resp.Header.Get("Location")
		if strings.HasPrefix(path, "/api/") {
			want, got = "402", strconv.Itoa(resp.StatusCode)
		}
		if got != want {
			t.Errorf("%s in grace: %s, want %s", key, got, want)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d write routes checked: the route table looks empty", checked)
	}
	for key := range open {
		if !seen[key] {
			t.Errorf("%s is listed as open to lapsed clinics but is no route", key)
		}
	}
	if after := snapshot(t, s.DB, cl.ID); after != before {
		t.Fatalf("the clinic's data changed in grace:\nbefore %s\nafter  %s", before, after)
	}
}

// waitForGrace waits until the clinic's pages show the grace banner: the
// clinic's record is re-read within the cache's lifetime (half a second).
func waitForGrace(t *testing.T, c *apptest.Client, host string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.Get(host, "/dashboard").Body, "read-only") {
		if time.Now().After(deadline) {
			t.Fatal("the clinic never showed its grace")
		}
		time.Sleep(50 * time.Millisecond) // polling the cache's refresh, not a fixed wait
	}
}
