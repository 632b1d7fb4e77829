package patients_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
)

// apiPatient is a patient as the API shows it.
type apiPatient struct {
	ID          string   `json:"id"`
	Number      int64    `json:"number"`
	FirstName   string   `json:"firstName"`
	LastName    string   `json:"lastName"`
	DateOfBirth string   `json:"dateOfBirth"`
	Phone       string   `json:"phone"`
	Allergies   []string `json:"allergies"`
	Active      bool     `json:"active"`
	Version     int64    `json:"version"`
}

type apiListData struct {
	Patients []apiPatient `json:"patients"`
	Total    int64        `json:"total"`
	Page     int          `json:"page"`
	Pages    int          `json:"pages"`
}

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func testAPIListAndCreate(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)

	r, e := c.API(cl.Host, http.MethodGet, "/api/patients", "")
	if l := apptest.Data[apiListData](t, e); r.StatusCode != 200 || l.Total != 0 || l.Page != 1 || l.Pages != 1 || l.Patients == nil ||
		!strings.Contains(string(e.Data), `"patients":[]`) {
		t.Fatalf("empty list: %d %s", r.StatusCode, r.Body)
	}

	r, e = c.API(cl.Host, http.MethodPost, "/api/patients",
		`{"firstName":" Zoë ","lastName":"Núñez","dateOfBirth":"1984-07-23","phone":"+1 (555) 010-2030","allergies":["Penicillin"," latex","Latex",""]}`)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	zoe := apptest.Data[apiPatient](t, e)
	if zoe.Number != 1 || !hexID.MatchString(zoe.ID) || zoe.Version != 1 || !zoe.Active || zoe.FirstName != "Zoë" ||
		zoe.DateOfBirth != "1984-07-23" || !slices.Equal(zoe.Allergies, []string{"Penicillin", "latex"}) {
		t.Errorf("created: %+v", zoe)
	}
	var raw map[string]any
	_ = json.Unmarshal(e.Data, &raw)
	for _, k := range []string{"tenantId", "lastKey", "firstKey", "phoneDigits", "emailKey", "createdBy", "updatedBy"} {
		if _, ok := raw[k]; ok {
			t.Errorf("the API shows %q", k)
		}
	}
	if es := auditOf(t, cl.DB, "patient.create", zoe.ID); len(es) != 1 || es[0].After != "P-000001" {
		t.Errorf("create audit: %+v", es)
	}

	_, e = c.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"John","lastName":"Smith"}`)
	if john := apptest.Data[apiPatient](t, e); john.Number != 2 {
		t.Errorf("second patient number %d", john.Number)
	}
	// The API does not stop at possible duplicates: it has no second click.
	if r, _ := c.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Zoe","lastName":"Nunez","dateOfBirth":"1984-07-23"}`); r.StatusCode != http.StatusCreated {
		t.Errorf("API create of a possible duplicate: %d", r.StatusCode)
	}

	r, e = c.API(cl.Host, http.MethodGet, "/api/patients", "")
	l := apptest.Data[apiListData](t, e)
	if r.StatusCode != 200 || l.Total != 3 || l.Page != 1 || l.Pages != 1 || len(l.Patients) != 3 || l.Patients[0].LastName != "Núñez" || l.Patients[2].LastName != "Smith" {
		t.Errorf("list: %s", e.Data)
	}
	_, e = c.API(cl.Host, http.MethodGet, "/api/patients?q=zo+nu&page=abc", "")
	if l := apptest.Data[apiListData](t, e); l.Total != 2 || l.Page != 1 {
		t.Errorf("search: %s", e.Data)
	}
	_, e = c.API(cl.Host, http.MethodGet, "/api/patients?page=9", "")
	if l := apptest.Data[apiListData](t, e); l.Page != 1 || len(l.Patients) != 3 {
		t.Errorf("page beyond the last: %s", e.Data)
	}

	r, e = c.API(cl.Host, http.MethodGet, "/api/patients/"+zoe.ID, "")
	if got := apptest.Data[apiPatient](t, e); r.StatusCode != 200 || got.ID != zoe.ID || got.Phone != "+1 (555) 010-2030" {
		t.Errorf("get: %d %s", r.StatusCode, r.Body)
	}
	if vs := auditOf(t, cl.DB, "patient.view", zoe.ID); len(vs) != 1 || vs[0].Route != "GET /api/patients/:id" {
		t.Errorf("API view audit: %+v", vs)
	}
}

func testAPIUpdateArchiveAndErrors(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	_, e := c.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Zoë","lastName":"Núñez","phone":"555 010 2030"}`)
	id := apptest.Data[apiPatient](t, e).ID
	p := "/api/patients/" + id

	// Update from the current version.
	r, e := c.API(cl.Host, http.MethodPut, p, `{"firstName":"Zoë","lastName":"Núñez","phone":"555 999 0000","version":1}`)
	if got := apptest.Data[apiPatient](t, e); r.StatusCode != 200 || got.Version != 2 || got.Phone != "555 999 0000" {
		t.Fatalf("update: %d %s", r.StatusCode, r.Body)
	}
	if ups := auditOf(t, cl.DB, "patient.update", id); len(ups) != 1 || ups[0].After != "changed: phone" {
		t.Errorf("update audit: %+v", ups)
	}

	cases := []struct {
		name, method, path, body string
		status                   int
		fields                   []string
	}{
		{"invalid JSON", http.MethodPost, "/api/patients", `{"firstName":`, http.StatusBadRequest, nil},
		{"not JSON", http.MethodPost, "/api/patients", `firstName=Zoe`, http.StatusBadRequest, nil},
		{"empty body", http.MethodPost, "/api/patients", ``, http.StatusBadRequest, nil},
		{"an array", http.MethodPost, "/api/patients", `[{"firstName":"A","lastName":"B"}]`, http.StatusBadRequest, nil},
		{"two objects", http.MethodPost, "/api/patients", `{"firstName":"A","lastName":"B"} {"firstName":"C"}`, http.StatusBadRequest, nil},
		{"unknown field", http.MethodPost, "/api/patients", `{"firstName":"A","lastName":"B","ssn":"123"}`, http.StatusBadRequest, nil},
		{"misspelt field", http.MethodPost, "/api/patients", `{"fistName":"A","lastName":"B"}`, http.StatusBadRequest, nil},
		{"wrong type", http.MethodPost, "/api/patients", `{"firstName":1,"lastName":"B"}`, http.StatusBadRequest, nil},
		{"allergies as a string", http.MethodPost, "/api/patients", `{"firstName":"A","lastName":"B","allergies":"Latex"}`, http.StatusBadRequest, nil},
		{"validation", http.MethodPost, "/api/patients", `{"firstName":"  ","lastName":"B","email":"nope","dateOfBirth":"2030-01-01"}`,
			http.StatusUnprocessableEntity, []string{"dateOfBirth", "email", "firstName"}},
		{"null", http.MethodPost, "/api/patients", `null`, http.StatusUnprocessableEntity, []string{"firstName", "lastName"}},
		{"hidden text", http.MethodPost, "/api/patients", `{"firstName":"Zoë","lastName":"Núñez","address":"12 \u202eteertS","notes":"a\u0000b","emergencyName":"Ana\u200b"}`,
			http.StatusUnprocessableEntity, []string{"address", "emergencyName", "notes"}},
		{"unknown id", http.MethodGet, "/api/patients/000000000000000000000000", "", http.StatusNotFound, nil},
		{"not an id", http.MethodGet, "/api/patients/nope", "", http.StatusNotFound, nil},
		{"update of an unknown id", http.MethodPut, "/api/patients/000000000000000000000000", `{"firstName":"A","lastName":"B","version":1}`, http.StatusNotFound, nil},
		{"archive of an unknown id", http.MethodPost, "/api/patients/000000000000000000000000/archive", `{"version":1}`, http.StatusNotFound, nil},
		{"stale update", http.MethodPut, p, `{"firstName":"Zoe","lastName":"Nunez","version":1}`, http.StatusConflict, nil},
		{"update from a future version", http.MethodPut, p, `{"firstName":"Zoe","lastName":"Nunez","version":3}`, http.StatusConflict, nil},
		{"update without a version", http.MethodPut, p, `{"firstName":"Zoe","lastName":"Nunez"}`, http.StatusUnprocessableEntity, []string{"version"}},
		{"update of 2 MB", http.MethodPut, p, `{"firstName":"` + strings.Repeat("a", 2<<20) + `","lastName":"B","version":2}`, http.StatusRequestEntityTooLarge, nil},
		{"invalid update", http.MethodPut, p, `{"firstName":"Zoë","lastName":"","version":2}`, http.StatusUnprocessableEntity, []string{"lastName"}},
		{"update with an unknown field", http.MethodPut, p, `{"firstName":"Zoë","lastName":"Núñez","version":2,"ssn":"123"}`, http.StatusBadRequest, nil},
		{"update with a bad body", http.MethodPut, p, `{`, http.StatusBadRequest, nil},
		{"stale archive", http.MethodPost, p + "/archive", `{"version":1}`, http.StatusConflict, nil},
		{"archive without a body", http.MethodPost, p + "/archive", ``, http.StatusBadRequest, nil},
		{"archive without a version", http.MethodPost, p + "/archive", `{}`, http.StatusUnprocessableEntity, []string{"version"}},
		{"archive with a bad body", http.MethodPost, p + "/archive", `{"version":"two"}`, http.StatusBadRequest, nil},
		{"no such route", http.MethodDelete, p, ``, http.StatusNotFound, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, e := c.API(cl.Host, tc.method, tc.path, tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("%d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
			var keys []string
			for k := range e.Fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tc.fields) {
				t.Errorf("fields %v, want %v", e.Fields, tc.fields)
			}
		})
	}
	if _, e := c.API(cl.Host, http.MethodPut, p, `{"firstName":"Zoe","lastName":"Nunez","version":1}`); !strings.Contains(e.Error, "changed by someone else") {
		t.Errorf("conflict message: %q", e.Error)
	}
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 1 {
		t.Errorf("%d patients after the refused requests", n)
	}
	if got := getPatient(t, cl.DB, id); got.Version != 2 || got.FirstName != "Zoë" || !got.Active {
		t.Errorf("the refused requests changed the patient: %+v", got)
	}

	// Archive and restore name the version they start from.
	r, e = c.API(cl.Host, http.MethodPost, p+"/archive", `{"version":2}`)
	if got := apptest.Data[apiPatient](t, e); r.StatusCode != 200 || got.Active || got.Version != 3 {
		t.Fatalf("archive: %d %s", r.StatusCode, r.Body)
	}
	_, e = c.API(cl.Host, http.MethodGet, "/api/patients", "")
	if l := apptest.Data[apiListData](t, e); l.Total != 0 {
		t.Errorf("archived patient listed: %s", e.Data)
	}
	_, e = c.API(cl.Host, http.MethodGet, "/api/patients?archived=1", "")
	if l := apptest.Data[apiListData](t, e); l.Total != 1 {
		t.Errorf("archived list: %s", e.Data)
	}
	r, e = c.API(cl.Host, http.MethodPost, p+"/restore", `{"version":3}`)
	if got := apptest.Data[apiPatient](t, e); r.StatusCode != 200 || !got.Active || got.Version != 4 {
		t.Fatalf("restore: %d %s", r.StatusCode, r.Body)
	}
	if n := count(t, cl.DB, revisionsColl, db.Eq("patientId", id)); n != 4 {
		t.Errorf("%d revisions, want 4", n)
	}
}

func testAPIAccess(t *testing.T, s *apptest.Server) {
	cl, admin := start(t, s)
	_, e := admin.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Zoë","lastName":"Núñez"}`)
	id := apptest.Data[apiPatient](t, e).ID
	before := rawDoc(t, cl.DB, id)

	anon := s.Client(t)
	for _, path := range []string{"/api/patients", "/api/patients/" + id} {
		if r, e := anon.API(cl.Host, http.MethodGet, path, ""); r.StatusCode != http.StatusUnauthorized || e.Error == "" {
			t.Errorf("anonymous GET %s: %d", path, r.StatusCode)
		}
	}
	anon.Get(cl.Host, "/login") // a token, but no session
	if r, _ := anon.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Anon","lastName":"Ymous"}`); r.StatusCode != http.StatusUnauthorized && r.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous POST: %d", r.StatusCode)
	}

	signedIn := func(role string) *apptest.Client {
		u := s.NewUser(t, cl, role, "API "+role, "api-"+role+"@sunrise.test")
		c := s.SignedIn(t, cl.Host, u.Email)
		return c
	}
	acc := signedIn("accountant")
	for _, rq := range [][3]string{
		{http.MethodGet, "/api/patients", ""},
		{http.MethodGet, "/api/patients/" + id, ""},
		{http.MethodPost, "/api/patients", `{"firstName":"Andy","lastName":"Accounts"}`},
		{http.MethodPut, "/api/patients/" + id, `{"firstName":"Andy","lastName":"Accounts","version":1}`},
		{http.MethodPost, "/api/patients/" + id + "/archive", `{"version":1}`},
	} {
		if r, _ := acc.API(cl.Host, rq[0], rq[1], rq[2]); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Your role does not allow this.") || strings.Contains(r.Body, "Núñez") {
			t.Errorf("accountant %s %s: %d %s", rq[0], rq[1], r.StatusCode, r.Body)
		}
	}
	doc := signedIn("doctor")
	if r, _ := doc.API(cl.Host, http.MethodPost, "/api/patients/"+id+"/archive", `{"version":1}`); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Your role does not allow this.") {
		t.Errorf("doctor archives through the API: %d", r.StatusCode)
	}
	if rawDoc(t, cl.DB, id) != before {
		t.Error("refused requests changed the patient")
	}
	if r, _ := doc.API(cl.Host, http.MethodPut, "/api/patients/"+id, `{"firstName":"Zoë","lastName":"Núñez","notes":"seen","version":1}`); r.StatusCode != 200 {
		t.Errorf("doctor updates through the API: %d", r.StatusCode)
	}

	// Writes need the token and the same origin, even with a valid session.
	for name, h := range map[string][]string{
		"no token":        {"X-CSRF-Token", ""},
		"wrong token":     {"X-CSRF-Token", "forged"},
		"cross-site":      {"Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"},
		"sibling clinic":  {"Sec-Fetch-Site", "same-site", "Origin", "http://other.localhost:" + s.Port},
		"another clinic2": {"Origin", "http://other.localhost:" + s.Port, "Sec-Fetch-Site", ""},
	} {
		if r, _ := admin.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Cross","lastName":"Site"}`, h...); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 1 {
		t.Errorf("%d patients after refused creates", n)
	}
}

// What GET returns can be sent back as it is: the fields only Ward sets are
// ignored, the form's fields are saved.
func testAPIAcceptsWhatItReturns(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	_, e := c.API(cl.Host, http.MethodPost, "/api/patients", `{"firstName":"Zoë","lastName":"Núñez","dateOfBirth":"1984-07-23"}`)
	id := apptest.Data[apiPatient](t, e).ID
	_, e = c.API(cl.Host, http.MethodGet, "/api/patients/"+id, "")
	var back map[string]any
	if err := json.Unmarshal(e.Data, &back); err != nil {
		t.Fatal(err)
	}
	back["phone"], back["active"], back["number"] = "555 123 4567", false, 99
	body, _ := json.Marshal(back)
	if r, _ := c.API(cl.Host, http.MethodPut, "/api/patients/"+id, string(body)); r.StatusCode != http.StatusOK {
		t.Fatalf("PUT of what GET returned: %d %s", r.StatusCode, r.Body)
	}
	got := getPatient(t, cl.DB, id)
	if got.Phone != "555 123 4567" || !got.Active || got.Number != 1 || got.DateOfBirth.Format("2006-01-02") != "1984-07-23" {
		t.Errorf("after PUT of GET's shape: %+v (active and number are Ward's)", got)
	}
}
