package patients_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules/patients"
)

// testQueriesUseDeclaredIndexes runs every kind of page and search of the
// module. The test server (apptest) holds each query to the declared
// indexes — a tenantId-led index serves it, each branch of an Or on its own,
// and SQLite's plan reads no whole table or index — and fails TestModule
// otherwise (the check is the server's), so a page stays a range scan
// however many patients the clinics have.
func testQueriesUseDeclaredIndexes(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	ps := make([]patients.Patient, 60)
	for i := range ps {
		ps[i] = newPatient(fmt.Sprintf("First%02d", i), fmt.Sprintf("Last%02d", i%7))
		ps[i].Phone = fmt.Sprintf("+1 555 010 %04d", i)
		ps[i].Email = fmt.Sprintf("p%d@example.com", i)
		ps[i].DateOfBirth = time.Date(1980, 1, 1+i%28, 0, 0, 0, 0, time.UTC)
		ps[i].Active = i%10 != 0
	}
	ps = insertPatients(t, cl.DB, ps)

	id := register(t, c, cl.Host, person("Zoë", "Núñez", "dateOfBirth", "1984-07-23", "phone", "+1 (555) 010-2030", "email", "zoe.nunez@example.com"))
	for _, archived := range []string{"", "&archived=1"} {
		for _, q := range []string{"", "zoe", "zo nu", "last3 first", "5550102030", "+1 555", "0010", "P-000002", "42",
			"zoe@ex", "zoe.nunez", "a.b*"} {
			for _, page := range []string{"", "&page=2"} {
				if r := c.Get(cl.Host, "/patients?q="+url.QueryEscape(q)+archived+page); r.StatusCode != http.StatusOK {
					t.Errorf("q=%q%s%s: %d", q, archived, page, r.StatusCode)
				}
			}
		}
	}
	for _, path := range []string{"/patients/" + id, "/patients/" + id + "/edit", "/patients/" + ps[3].ID,
		"/patients/duplicates?" + person("Jon", "Doe", "dateOfBirth", "1980-01-02", "phone", "555 010 0001").Encode(),
		"/api/patients?q=zo", "/api/patients/" + id} {
		if r := c.Get(cl.Host, path); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "phone", "555 999 0000", "version", "1")); r.StatusCode != http.StatusSeeOther {
		t.Errorf("save: %d", r.StatusCode)
	}
	if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoe", "Nunez", "version", "1")); r.StatusCode != http.StatusConflict {
		t.Errorf("stale save: %d", r.StatusCode)
	}
}
