package patients_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
)

// twoClinics is clinic A with two patients and clinic B with one, each
// registered through its own API, and a client signed in to B — the one
// that tries to reach A's records.
type twoClinics struct {
	s        *apptest.Server
	a, b     *apptest.Clinic
	ca, cb   *apptest.Client
	aIDs     []string
	bID      string
	aSecrets []string // what of A must never appear in B's answers
}

func startTwoClinics(t *testing.T, s *apptest.Server) *twoClinics {
	t.Helper()
	w := &twoClinics{s: s, a: s.NewClinic(t, apptest.Subdomain(t, "-a")), b: s.NewClinic(t, apptest.Subdomain(t, "-b"))}
	w.ca, w.cb = s.Client(t), s.Client(t)
	w.ca.SignIn(w.a.Host, w.a.Admin.Email, apptest.Password)
	w.cb.SignIn(w.b.Host, w.b.Admin.Email, apptest.Password)
	for _, body := range []string{
		`{"firstName":"Alice","lastName":"Acmeonly","dateOfBirth":"1980-05-05","phone":"+1 555 111 0001","email":"alice@acme.test","allergies":["Acmecillin"],"notes":"acme private note"}`,
		`{"firstName":"Arnold","lastName":"Acmesecond","phone":"555 111 0002","email":"arnold@acme.test"}`,
	} {
		r, e := w.ca.API(w.a.Host, http.MethodPost, "/api/patients", body)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("A's patient: %d %s", r.StatusCode, r.Body)
		}
		w.aIDs = append(w.aIDs, apptest.Data[apiPatient](t, e).ID)
	}
	r, e := w.cb.API(w.b.Host, http.MethodPost, "/api/patients", `{"firstName":"Bob","lastName":"Bayonly","phone":"555 222 0001"}`)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("B's patient: %d %s", r.StatusCode, r.Body)
	}
	w.bID = apptest.Data[apiPatient](t, e).ID
	w.aSecrets = append([]string{"Alice", "Acmeonly", "Arnold", "Acmesecond", "alice@acme.test", "arnold@acme.test", "555 111 0001",
		"Acmecillin", "acme private note", w.a.ID}, w.aIDs...)
	return w
}

// noSecrets fails when an answer to B carries any of A's data.
func (w *twoClinics) noSecrets(t *testing.T, what string, r *apptest.Response) {
	t.Helper()
	for _, sec := range w.aSecrets {
		if strings.Contains(r.Body, sec) {
			t.Errorf("%s: B's answer shows A's %q", what, sec)
		}
	}
}

// snapshotA is every patients-module document of clinic A, as text.
func (w *twoClinics) snapshotA(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, coll := range []string{patientsColl, revisionsColl, "sequences"} {
		var docs []map[string]any
		if err := w.a.DB.Collection(coll).Find(context.Background(), db.Filter{}, &docs, db.FindOptions{Sort: []db.Order{db.Asc(db.IDField)}}); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(docs)
		b.WriteString(coll + ": " + string(js) + "\n")
	}
	return b.String()
}

func testClinicBNeverSeesClinicAPatients(t *testing.T, s *apptest.Server) {
	w := startTwoClinics(t, s)
	before := w.snapshotA(t)

	// List and search, pages and API.
	r := w.cb.Get(w.b.Host, "/patients")
	w.noSecrets(t, "list", r)
	if got := names(t, r); !slices.Equal(got, []string{"Bayonly, Bob"}) || !strings.Contains(r.Body, "1 patient") {
		t.Errorf("B's list: %v", got)
	}
	queries := []string{"alice", "Acmeonly", "acme", "arn", "a", "5551110001", "555 111 0001", "111 0001", "+1 555 111 0001", "0001",
		"alice@", "alice@acme.test", "ALICE@ACME", "P-000002", "p2", "000002", "P-000001"}
	for _, q := range queries {
		for _, archived := range []string{"", "&archived=1"} {
			path := "/patients?q=" + url.QueryEscape(q) + archived
			r := w.cb.Get(w.b.Host, path)
			// The search box shows q back; only the results must not.
			results, _ := r.Doc(t).Find("#results").Html()
			w.noSecrets(t, path, &apptest.Response{Body: results})
			for _, n := range names(t, r) {
				if n != "Bayonly, Bob" {
					t.Errorf("%s as B lists %q", path, n)
				}
			}
			r = w.cb.Get(w.b.Host, path, "HX-Request", "true", "HX-Target", "results")
			w.noSecrets(t, path+" (fragment)", r)

			r, e := w.cb.API(w.b.Host, http.MethodGet, "/api"+path, "")
			w.noSecrets(t, "/api"+path, r)
			for _, p := range apptest.Data[apiListData](t, e).Patients {
				if p.ID != w.bID {
					t.Errorf("/api%s as B lists %s %s", path, p.ID, p.LastName)
				}
			}
		}
	}
	// Guessing A's numbers finds only B's own patient of that number.
	if got := names(t, w.cb.Get(w.b.Host, "/patients?q=P-000001")); !slices.Equal(got, []string{"Bayonly, Bob"}) {
		t.Errorf("B's P-000001: %v", got)
	}
	if got := names(t, w.cb.Get(w.b.Host, "/patients?q=P-000002")); len(got) != 0 {
		t.Errorf("B has no P-000002, but the search found %v", got)
	}
	_, e := w.cb.API(w.b.Host, http.MethodGet, "/api/patients", "")
	if l := apptest.Data[apiListData](t, e); l.Total != 1 || l.Pages != 1 {
		t.Errorf("B's API count includes A's patients: %+v", l)
	}
	// The duplicate panel does not compare against A's records either.
	r = w.cb.Get(w.b.Host, "/patients/duplicates?"+person("Alice", "Acmeonly", "dateOfBirth", "1980-05-05", "phone", "+1 555 111 0001").Encode())
	w.noSecrets(t, "duplicates panel", r)
	if r.Doc(t).Find("#duplicates li").Length() != 0 {
		t.Errorf("B's duplicate panel lists A's patient")
	}
	r = w.cb.PostForm(w.b.Host, "/patients", person("Alice", "Acmeonly", "dateOfBirth", "1980-05-05", "phone", "+1 555 111 0001"))
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("B registering a person A also has: %d (A's record must not count as a duplicate)", r.StatusCode)
	}

	// Every route naming one of A's patients, as B.
	token := w.cb.Token(w.b.Host)
	for _, id := range w.aIDs {
		for _, path := range []string{"/patients/" + id, "/patients/" + id + "/edit"} {
			r := w.cb.Get(w.b.Host, path)
			w.noSecrets(t, path, r)
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s as B: %d, want 404", path, r.StatusCode)
			}
		}
		for _, path := range []string{"/patients/" + id, "/patients/" + id + "/archive", "/patients/" + id + "/restore"} {
			r := w.cb.PostForm(w.b.Host, path, person("Mallory", "Bay", "version", "1", "csrf_token", token))
			w.noSecrets(t, "POST "+path, r)
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s as B: %d, want 404", path, r.StatusCode)
			}
		}
		for _, rq := range [][3]string{
			{http.MethodGet, "/api/patients/" + id, ""},
			{http.MethodPut, "/api/patients/" + id, `{"firstName":"Mallory","lastName":"Bay","version":1}`},
			{http.MethodPost, "/api/patients/" + id + "/archive", `{"version":1}`},
			{http.MethodPost, "/api/patients/" + id + "/restore", `{"version":1}`},
		} {
			r, _ := w.cb.API(w.b.Host, rq[0], rq[1], rq[2])
			w.noSecrets(t, rq[0]+" "+rq[1], r)
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s as B: %d, want 404", rq[0], rq[1], r.StatusCode)
			}
		}
	}

	if after := w.snapshotA(t); after != before {
		t.Errorf("A's records changed while B tried them:\nbefore %s\nafter  %s", before, after)
	}
	if n := count(t, w.b.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("B has %d patient documents, want 2 (Bob and B's own Alice)", n)
	}
	if n := count(t, w.a.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("A has %d patient documents, want 2", n)
	}
	// Nothing B did is in A's audit log, and B's log names none of A's
	// patients (a 404 is not a view).
	if n := count(t, w.a.DB, auditColl, db.Eq("actorId", w.b.Admin.ID)); n != 0 {
		t.Errorf("A's audit log has %d entries by B's admin", n)
	}
	for _, id := range w.aIDs {
		if n := count(t, w.b.DB, auditColl, db.Eq("target", "patient:"+id)); n != 0 {
			t.Errorf("B's audit log has %d entries about A's patient", n)
		}
	}
}

var routeParam = regexp.MustCompile(`:[A-Za-z]+`)

// testSweepPatientRoutesWithAnotherClinicsIDs calls every clinic route of
// the module that takes an :id, as B, with each of A's patient ids — GETs
// plainly, writes with B's valid token and a plausible body. None may
// succeed or redirect, none may show A's data, and A's documents stay the
// same.
func testSweepPatientRoutesWithAnotherClinicsIDs(t *testing.T, s *apptest.Server) {
	w := startTwoClinics(t, s)
	before := w.snapshotA(t)
	token := w.cb.Token(w.b.Host)
	checked := 0
	for _, rt := range w.s.App.Routes() {
		if rt.Host != app.ClinicHost || !routeParam.MatchString(rt.Path) ||
			!(strings.HasPrefix(rt.Path, "/patients") || strings.HasPrefix(rt.Path, "/api/patients")) {
			continue
		}
		for _, id := range w.aIDs {
			path := routeParam.ReplaceAllString(rt.Path, id)
			var r *apptest.Response
			switch {
			case rt.Method == http.MethodGet:
				r = w.cb.Get(w.b.Host, path)
			case strings.HasPrefix(path, "/api/"):
				r, _ = w.cb.API(w.b.Host, rt.Method, path, `{"firstName":"Mallory","lastName":"Bay","version":1}`)
				if r.StatusCode == http.StatusBadRequest {
					// archive/restore take {"version": N} only.
					r, _ = w.cb.API(w.b.Host, rt.Method, path, `{"version":1}`)
				}
			default:
				form := person("Mallory", "Bay", "version", "1", "confirm", "1", "csrf_token", token)
				req, _ := http.NewRequest(rt.Method, w.s.URL(w.b.Host, path), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", "http://"+w.b.Host+":"+w.s.Port)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				r = w.cb.Do(req)
			}
			checked++
			w.noSecrets(t, rt.Method+" "+path, r)
			if r.StatusCode < 400 || r.StatusCode >= 500 {
				t.Errorf("%s %s (A's id) as B: %d, want a 4xx", rt.Method, path, r.StatusCode)
			}
		}
	}
	if checked < 2*9 {
		t.Fatalf("only %d requests: the module's :id routes were not all found", checked)
	}
	if after := w.snapshotA(t); after != before {
		t.Errorf("A's records changed during the sweep:\nbefore %s\nafter  %s", before, after)
	}
}
