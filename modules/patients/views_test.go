package patients_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/modules/patients"
)

// viewEntry is an audit entry as the view tests read it.
type viewEntry struct {
	Action  string `bson:"action"`
	ActorID string `bson:"actorId"`
	Target  string `bson:"target"`
	Route   string `bson:"route"`
	IP      string `bson:"ip"`
	Records []struct {
		ID    string `bson:"id"`
		Label string `bson:"label"`
	} `bson:"records"`
}

func (e viewEntry) ids() []string {
	out := make([]string, len(e.Records))
	for i, r := range e.Records {
		out[i] = r.ID
	}
	return out
}

// newEntries returns the audit entries f's request added, oldest first.
func newEntries(t *testing.T, tdb *db.Tenant, f func()) []viewEntry {
	t.Helper()
	before := count(t, tdb, auditColl, db.Filter{})
	f()
	var es []viewEntry
	err := tdb.Collection(auditColl).Find(context.Background(), db.Filter{}, &es, db.FindOptions{Sort: []db.Order{db.Desc("at"), db.Desc(db.IDField)}})
	if err != nil {
		t.Fatal(err)
	}
	es = es[:len(es)-int(before)]
	slices.Reverse(es)
	return es
}

// rowIDs returns the patient ids of the results table's rows, in order.
func rowIDs(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var out []string
	r.Doc(t).Find("#results tbody tr td:first-child a").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimPrefix(s.AttrOr("href", ""), "/patients/"))
	})
	return out
}

// testListsAreAudited: a list shows whole records (the API's carry notes,
// allergies, address, contacts), so reading one is a view of every record
// on it — one entry per request naming them, whatever the list's shape.
func testListsAreAudited(t *testing.T, s *apptest.Server) {
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	var ps []patients.Patient
	for i := range 30 {
		ps = append(ps, newPatient(fmt.Sprintf("Amy%02d", i), "Smith"))
	}
	ps[0].DateOfBirth = time.Date(1984, 7, 23, 0, 0, 0, 0, time.UTC)
	ps = insertPatients(t, cl.DB, ps)
	label := map[string]string{}
	for _, p := range ps {
		label[p.ID] = p.AuditLabel()
	}
	rec := s.NewUser(t, cl, "receptionist", "Rita Reception", "rita@sunrise.test")
	c := s.SignedIn(t, cl.Host, rec.Email)

	// one checks that the request wrote exactly one list entry by Rita
	// naming shown, each with its patient number.
	one := func(what string, es []viewEntry, shown []string, route string) {
		t.Helper()
		if len(es) != 1 {
			t.Errorf("%s: %d audit entries, want 1: %+v", what, len(es), es)
			return
		}
		e := es[0]
		if e.Action != "patient.list" || e.ActorID != rec.ID || e.Route != route || e.IP == "" {
			t.Errorf("%s: entry %+v", what, e)
		}
		if !slices.Equal(e.ids(), shown) {
			t.Errorf("%s: entry names %d records %v, the response showed %d %v", what, len(e.ids()), e.ids(), len(shown), shown)
		}
		for _, r := range e.Records {
			if r.Label != label[r.ID] {
				t.Errorf("%s: record %s labelled %q, want %q", what, r.ID, r.Label, label[r.ID])
			}
		}
	}

	var body apptest.Envelope
	es := newEntries(t, cl.DB, func() {
		var r *apptest.Response
		r, body = c.API(cl.Host, http.MethodGet, "/api/patients", "")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("API list: %d", r.StatusCode)
		}
	})
	var shown []string
	for _, p := range apptest.Data[apiListData](t, body).Patients {
		shown = append(shown, p.ID)
	}
	if len(shown) != 25 {
		t.Fatalf("API list returned %d patients", len(shown))
	}
	one("GET /api/patients", es, shown, "GET /api/patients")

	var page *apptest.Response
	es = newEntries(t, cl.DB, func() { page = c.Get(cl.Host, "/patients?page=2") })
	if shown = rowIDs(t, page); len(shown) != 5 {
		t.Fatalf("list page 2 shows %d rows", len(shown))
	}
	one("GET /patients?page=2", es, shown, "GET /patients")

	es = newEntries(t, cl.DB, func() {
		page = c.Get(cl.Host, "/patients?q=amy0", "HX-Request", "true", "HX-Target", "results")
	})
	if shown = rowIDs(t, page); len(shown) != 10 || strings.Contains(page.Body, "<html") {
		t.Fatalf("search fragment: %d rows\n%s", len(shown), page.Body)
	}
	one("search fragment", es, shown, "GET /patients")

	// The registration form's duplicate warning names patients too.
	es = newEntries(t, cl.DB, func() {
		page = c.Get(cl.Host, "/patients/duplicates?firstName=Amy00&lastName=Smyth&dateOfBirth=1984-07-23", "HX-Request", "true")
	})
	if !strings.Contains(page.Body, ps[0].NumberLabel()) {
		t.Fatalf("duplicate warning: %d\n%s", page.StatusCode, page.Body)
	}
	one("duplicate warning", es, []string{ps[0].ID}, "GET /patients/duplicates")
	c.Get(cl.Host, "/patients/new")
	es = newEntries(t, cl.DB, func() {
		page = c.PostForm(cl.Host, "/patients", person("Amy00", "Smyth", "dateOfBirth", "1984-07-23"))
	})
	if page.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page.Body, ps[0].NumberLabel()) {
		t.Fatalf("registering a possible duplicate: %d\n%s", page.StatusCode, page.Body)
	}
	one("registration stopped by a possible duplicate", es, []string{ps[0].ID}, "POST /patients")

	// A search that finds nobody showed nobody's record: no entry.
	es = newEntries(t, cl.DB, func() {
		if r := c.Get(cl.Host, "/patients?q=nobody", "HX-Request", "true", "HX-Target", "results"); r.StatusCode != http.StatusOK {
			t.Fatalf("empty search: %d", r.StatusCode)
		}
		if r, _ := c.API(cl.Host, http.MethodGet, "/api/patients?q=nobody", ""); r.StatusCode != http.StatusOK {
			t.Fatalf("empty API search: %d", r.StatusCode)
		}
		if r := c.Get(cl.Host, "/patients/duplicates?firstName=Ann&lastName=Other&dateOfBirth=1984-07-23", "HX-Request", "true"); r.StatusCode != http.StatusOK {
			t.Fatalf("duplicate check that finds nobody: %d", r.StatusCode)
		}
	})
	if len(es) != 0 {
		t.Errorf("empty results wrote %+v", es)
	}
}
