package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

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
