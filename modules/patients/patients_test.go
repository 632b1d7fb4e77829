package patients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/wardclinic/ward/core/text"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/signin"
)

// Collections the module writes (the tests read them directly to see what
// really happened).
const (
	patientsColl  = "patients"
	revisionsColl = "patient_revisions"
	auditColl     = audit.Collection
	// sequenceKind is the patients module's number sequence (core/db Next).
	sequenceKind = "patient"
)

// conflictMessage is what a stale edit form says (edit.go).
const conflictMessage = "Someone else saved changes to this patient while you were editing, so your changes were not saved. The form now shows the latest version; what you typed is listed above the Save button: carry over what still applies."

func startServer(t testing.TB) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New(), patients.New())
}

// TestModule runs the module's tests on one Ward, in parallel, each in
// clinics of its own: starting Ward is most of what a test would cost
// alone. Queries without a declared index and clinical answers not
// reported as shown fail TestModule itself (the server checks them all).
func TestModule(t *testing.T) {
	startServer(t).Parallel(t, testRegisterFindEdit, testRegisterNumbersShowAndViewAudit, testEditAuditsChangedFieldNamesOnly,
		testArchiveAndRestoreDeleteNothing, testSearch, testSearchByBarePatientNumber, testSearchCutInsideALetter,
		testSearchAsYouTypeReturnsOnlyTheResults, testPagination, testEmptyListInvitesOnlyWhoMayRegister, testValidationMessagesOnThePage, testSexErrorIsTiedToTheSelect,
		testStaleEditIsAConflictShowingTheLatest, testConflictNamesWhoSavedAndWhen, testConcurrentSavesOfOneVersion, testConcurrentRegistrationsGetDistinctNumbers,
		testDuplicatePanel, testRegisteringAPossibleDuplicateNeedsConfirmation, testRolesSeeAndDoOnlyWhatTheyMay,
		testPatientPagesAreNotStored, testInterruptedSaveDoesNotLockThePatient, testAPIListAndCreate,
		testAPIUpdateArchiveAndErrors, testAPIAccess, testAPIAcceptsWhatItReturns, testListsAreAudited,
		testClinicBNeverSeesClinicAPatients, testSweepPatientRoutesWithAnotherClinicsIDs, testQueriesUseDeclaredIndexes,
		testReviewThenReturn)
}

// start makes a clinic of the test's own on s, with its admin signed in.
func start(t *testing.T, s *apptest.Server) (*apptest.Clinic, *apptest.Client) {
	t.Helper()
	return s.NewSignedInClinic(t, apptest.Subdomain(t, ""))
}

var patientURL = regexp.MustCompile(`^/patients/([0-9a-f]{24})$`)

// register posts the registration form and returns the new patient's id.
func register(t *testing.T, c *apptest.Client, host string, v url.Values) string {
	t.Helper()
	r := c.PostForm(host, "/patients", v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("register %v: %d\n%s", v, r.StatusCode, r.Body)
	}
	m := patientURL.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("register: Location %q", r.Header.Get("Location"))
	}
	return m[1]
}

func person(first, last string, kv ...string) url.Values {
	v := url.Values{"firstName": {first}, "lastName": {last}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// names returns the "Last, First" of every row of the results table.
func names(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var out []string
	r.Doc(t).Find("#results tbody tr td:first-child a").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.Text())
	})
	return out
}

func count(t testing.TB, tdb *db.Tenant, coll string, filter db.Filter) int64 {
	t.Helper()
	n, err := tdb.Collection(coll).Count(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rawDoc is a patient's stored document as JSON, to compare before/after.
func rawDoc(t testing.TB, tdb *db.Tenant, id string) string {
	t.Helper()
	var m map[string]any
	if err := tdb.Collection(patientsColl).FindOne(context.Background(), db.ID(id), &m); err != nil {
		t.Fatalf("patient %s: %v", id, err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func getPatient(t testing.TB, tdb *db.Tenant, id string) patients.Patient {
	t.Helper()
	var p patients.Patient
	if err := tdb.Collection(patientsColl).FindOne(context.Background(), db.ID(id), &p); err != nil {
		t.Fatalf("patient %s: %v", id, err)
	}
	return p
}

func auditOf(t testing.TB, tdb *db.Tenant, action, patientID string) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	f := db.And(db.Eq("action", action), db.Eq("target", "patient:"+patientID))
	if err := tdb.Collection(auditColl).Find(context.Background(), f, &es, db.FindOptions{Sort: []db.Order{db.Asc("at")}}); err != nil {
		t.Fatal(err)
	}
	return es
}

// newPatient is a patient to insert directly (fast, no HTTP); insertPatients
// fills ids, numbers and the search keys the way the store does.
func newPatient(first, last string) patients.Patient {
	p := patients.Patient{FirstName: first, LastName: last, Allergies: []string{}}
	p.Active, p.Version = true, 1
	return p
}

// insertPatients inserts ps through the clinic's scoped collection in
// batches of 500, with numbers reserved from the clinic's sequence so later
// registrations continue after them.
func insertPatients(t testing.TB, tdb *db.Tenant, ps []patients.Patient) []patients.Patient {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < len(ps); start += 500 {
		batch := ps[start:min(start+500, len(ps))]
		first, err := tdb.Reserve(ctx, sequenceKind, len(batch), apptest.Epoch)
		if err != nil {
			t.Fatal(err)
		}
		docs := make([]any, len(batch))
		for i := range batch {
			p := &batch[i]
			p.ID, p.Number = db.NewID(), first+int64(i)
			if p.Version == 0 {
				p.Version = 1
			}
			if p.Allergies == nil {
				p.Allergies = []string{}
			}
			p.LastKey, p.FirstKey = text.Fold(p.LastName), text.Fold(p.FirstName)
			p.PhoneDigits, p.EmailKey = patients.Digits(p.Phone), strings.ToLower(p.Email)
			p.PhoneRev = reversed(p.PhoneDigits)
			p.CreatedAt, p.UpdatedAt, p.CreatedBy, p.UpdatedBy = apptest.Epoch, apptest.Epoch, "test", "test"
			docs[i] = p
		}
		if err := tdb.Collection(patientsColl).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}

// reversed is s backwards (a phone's digits, as the phoneRev search key).
func reversed(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

func testRegisterFindEdit(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	c.Get(cl.Host, "/patients/new")
	r := c.PostForm(cl.Host, "/patients", url.Values{"firstName": {"Zoë"}, "lastName": {"Núñez"}, "dateOfBirth": {"1984-07-23"},
		"phone": {"+1 (555) 010-2030"}, "allergies": {"Penicillin\nLatex"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	// The page says the patient was registered, once; the address does not.
	loc := r.Header.Get("Location")
	m := patientURL.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("create: Location %q, want /patients/<id> and nothing more", loc)
	}
	id := m[1]
	show := c.Get(cl.Host, loc)
	if show.StatusCode != 200 || !strings.Contains(show.Body, "Penicillin") || !strings.Contains(show.Body, "P-000001") {
		t.Fatalf("show: %d\n%s", show.StatusCode, show.Body)
	}
	if got := apptest.Flash(t, show); got != "Patient registered." {
		t.Errorf("after registering, the page says %q", got)
	}
	if got := apptest.Flash(t, c.Get(cl.Host, loc)); got != "" {
		t.Errorf("reloaded, the page still says %q", got)
	}
	for _, q := range []string{"zoe", "NUN", "5550102030", "P-000001", "zo nu"} {
		l := c.Get(cl.Host, "/patients?q="+url.QueryEscape(q))
		if !strings.Contains(l.Body, "Núñez, Zoë") {
			t.Errorf("search %q did not find the patient", q)
		}
	}
	c.Get(cl.Host, "/patients/"+id+"/edit")
	r = c.PostForm(cl.Host, "/patients/"+id, url.Values{"firstName": {"Zoë"}, "lastName": {"Núñez"}, "version": {"1"}, "phone": {"555 111 2222"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != loc {
		t.Fatalf("update: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if got := apptest.Flash(t, c.Get(cl.Host, loc)); got != "Changes saved." {
		t.Errorf("after saving, the page says %q", got)
	}
	r = c.PostForm(cl.Host, "/patients/"+id, url.Values{"firstName": {"Zoe"}, "lastName": {"Núñez"}, "version": {"1"}})
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("stale update: %d", r.StatusCode)
	}
}

func testRegisterNumbersShowAndViewAudit(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	form := c.Get(cl.Host, "/patients/new")
	if form.StatusCode != 200 || form.Doc(t).Find("h1").Text() != "Register a patient" {
		t.Fatalf("new: %d", form.StatusCode)
	}
	zoe := register(t, c, cl.Host, person("Zoë", "Núñez", "dateOfBirth", "1984-07-23", "sex", "female", "allergies", "Penicillin\nLatex, latex"))
	john := register(t, c, cl.Host, person("John", "Smith"))

	r := c.Get(cl.Host, "/patients/"+zoe)
	d := r.Doc(t)
	if r.StatusCode != 200 || d.Find("h1").Text() != "Zoë Núñez" {
		t.Fatalf("show: %d %q", r.StatusCode, d.Find("h1").Text())
	}
	if got := d.Find("hgroup p").Text(); got != "P-000001 · 41 years · Female" {
		t.Errorf("number line = %q", got)
	}
	// Allergies are a section of their own, flagged, each one in bold.
	var al []string
	d.Find("section.allergies.has-allergies li strong").Each(func(_ int, s *goquery.Selection) { al = append(al, s.Text()) })
	if !slices.Equal(al, []string{"Penicillin", "Latex"}) {
		t.Errorf("allergies shown: %v", al)
	}
	r = c.Get(cl.Host, "/patients/"+john)
	if d := r.Doc(t); !strings.Contains(d.Find("hgroup p").Text(), "P-000002") ||
		d.Find("section.allergies.has-allergies").Length() != 0 || !strings.Contains(d.Find("section.allergies").Text(), "No known allergies recorded.") {
		t.Errorf("John's page: %q / %q", d.Find("hgroup p").Text(), d.Find("section.allergies").Text())
	}

	// Every view is audited, with who looked.
	if n := len(auditOf(t, cl.DB, "patient.view", zoe)); n != 1 {
		t.Fatalf("views of Zoë after one view: %d", n)
	}
	c.Get(cl.Host, "/patients/"+zoe)
	c.Get(cl.Host, "/patients/"+zoe)
	views := auditOf(t, cl.DB, "patient.view", zoe)
	if len(views) != 3 {
		t.Fatalf("views of Zoë after three views: %d", len(views))
	}
	for _, e := range views {
		if e.ActorID != cl.Admin.ID || e.ActorEmail != cl.Admin.Email || e.TenantID != cl.ID || e.Route != "GET /patients/:id" ||
			!slices.Equal(e.Records, []audit.Ref{{ID: zoe, Label: "Zoë Núñez (P-000001)"}}) {
			t.Errorf("view entry: %+v", e)
		}
	}
	// The edit form shows the whole record: opening it is a view too.
	c.Get(cl.Host, "/patients/"+zoe+"/edit")
	views = auditOf(t, cl.DB, "patient.view", zoe)
	if len(views) != 4 || !slices.ContainsFunc(views, func(e audit.Entry) bool { return e.Route == "GET /patients/:id/edit" }) {
		t.Errorf("after opening the edit form: %+v", views)
	}
	if cr := auditOf(t, cl.DB, "patient.create", john); len(cr) != 1 || cr[0].After != "P-000002" {
		t.Errorf("create entry of John: %+v", cr)
	}

	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("%d patient documents", n)
	}
	if n := count(t, cl.DB, revisionsColl, db.And(db.Eq("patientId", zoe), db.Eq("version", 1))); n != 1 {
		t.Errorf("Zoë's first revision: %d", n)
	}
	p := getPatient(t, cl.DB, zoe)
	if p.Number != 1 || p.Version != 1 || !p.Active || p.FirstKey != "zoe" || p.LastKey != "nunez" || p.CreatedBy != cl.Admin.ID ||
		!slices.Equal(p.Allergies, []string{"Penicillin", "Latex"}) {
		t.Errorf("stored: %+v", p)
	}

	for _, path := range []string{"/patients/000000000000000000000000", "/patients/not-an-id", "/patients/000000000000000000000000/edit"} {
		if r := c.Get(cl.Host, path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "There is no such patient in this clinic.") {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
}

func testEditAuditsChangedFieldNamesOnly(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez", "dateOfBirth", "1984-07-23", "phone", "+1 (555) 010-2030", "allergies", "Penicillin"))

	r := c.Get(cl.Host, "/patients/"+id+"/edit")
	d := r.Doc(t)
	if r.StatusCode != 200 || d.Find("h1").Text() != "Edit Zoë Núñez" || d.Find("input[name=version]").AttrOr("value", "") != "1" ||
		d.Find("#f-phone").AttrOr("value", "") != "+1 (555) 010-2030" || d.Find("#f-allergies").Text() != "Penicillin" ||
		d.Find("#f-dateOfBirth").AttrOr("value", "") != "1984-07-23" || d.Find("form#patient-form").AttrOr("action", "") != "/patients/"+id {
		t.Fatalf("edit form: %d\n%s", r.StatusCode, r.Body)
	}
	if d.Find("#duplicates-panel").Length() != 0 {
		t.Error("the edit form shows the registration duplicates panel")
	}

	edit := person("Zoë", "Núñez", "dateOfBirth", "1984-07-23", "phone", "555 999 0000", "allergies", "Penicillin\nLatex", "version", "1")
	r = c.PostForm(cl.Host, "/patients/"+id, edit)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/patients/"+id {
		t.Fatalf("update: %d %q\n%s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	ups := auditOf(t, cl.DB, "patient.update", id)
	if len(ups) != 1 || ups[0].After != "changed: phone, allergies" || ups[0].Before != "" {
		t.Fatalf("update entries: %+v", ups)
	}
	// Ids are hexadecimal and may hold "999" or "0102" by chance: only what
	// the entry says is searched.
	said := ups[0]
	said.ID, said.TenantID, said.ActorID, said.Target, said.RequestID = "", "", "", "", ""
	if e, _ := json.Marshal(said); strings.Contains(string(e), "999") || strings.Contains(string(e), "Latex") || strings.Contains(string(e), "0102") {
		t.Errorf("the audit entry carries values: %s", e)
	}
	p := getPatient(t, cl.DB, id)
	if p.Version != 2 || p.Phone != "555 999 0000" || p.PhoneDigits != "5559990000" || !slices.Equal(p.Allergies, []string{"Penicillin", "Latex"}) ||
		p.Number != 1 || p.CreatedBy != cl.Admin.ID || p.UpdatedBy != cl.Admin.ID {
		t.Errorf("after the edit: %+v", p)
	}
	var revs []struct {
		Version  int64            `bson:"version"`
		Changed  []string         `bson:"changed"`
		Snapshot patients.Patient `bson:"snapshot"`
	}
	if err := cl.DB.Collection(revisionsColl).Find(context.Background(), db.Eq("patientId", id), &revs,
		db.FindOptions{Sort: []db.Order{db.Asc("version")}}); err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[1].Version != 2 || !slices.Equal(revs[1].Changed, []string{"phone", "allergies"}) ||
		revs[0].Snapshot.Phone != "+1 (555) 010-2030" || revs[1].Snapshot.Phone != "555 999 0000" {
		t.Errorf("revisions: %+v", revs)
	}

	// Saving the same values again changes nothing and audits nothing.
	edit.Set("version", "2")
	if r := c.PostForm(cl.Host, "/patients/"+id, edit); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("no-op save: %d", r.StatusCode)
	}
	if p := getPatient(t, cl.DB, id); p.Version != 2 || len(auditOf(t, cl.DB, "patient.update", id)) != 1 {
		t.Errorf("a save without changes made version %d", p.Version)
	}

	// An invalid edit is refused with messages; nothing is saved.
	before := rawDoc(t, cl.DB, id)
	r = c.PostForm(cl.Host, "/patients/"+id, person("", "Núñez", "version", "2", "email", "nope"))
	if d := r.Doc(t); r.StatusCode != http.StatusUnprocessableEntity || d.Find("#e-firstName").Text() != "Enter the first name." ||
		d.Find("#e-email").Text() == "" || d.Find("h1").Text() != "Edit Zoë Núñez" {
		t.Errorf("invalid edit: %d", r.StatusCode)
	}
	if rawDoc(t, cl.DB, id) != before {
		t.Error("an invalid edit changed the record")
	}
}

func testArchiveAndRestoreDeleteNothing(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	zoe := register(t, c, cl.Host, person("Zoë", "Núñez"))
	register(t, c, cl.Host, person("John", "Smith"))

	// The patient page's Archive leads to a confirmation (a page of its
	// own: it works without JavaScript), whose button archives.
	show := c.Get(cl.Host, "/patients/"+zoe).Doc(t)
	if show.Find(`form[action="/patients/`+zoe+`/archive"]`).Length() != 0 ||
		strings.TrimSpace(show.Find(`a[href="/patients/`+zoe+`/archive"]`).Text()) != "Archive" {
		t.Fatal("the patient page archives without a confirmation, or has no Archive link")
	}
	confirm := c.Get(cl.Host, "/patients/"+zoe+"/archive")
	apptest.WantStatus(t, "archive confirmation", confirm, http.StatusOK)
	d := confirm.Doc(t)
	f := d.Find(`form[action="/patients/` + zoe + `/archive"]`)
	if f.Length() != 1 || f.Find("input[name=version]").AttrOr("value", "") != "1" || f.Find("input[name=csrf_token]").Length() != 1 ||
		f.Find(`input[name=confirm][value="1"]`).Length() != 1 || strings.TrimSpace(f.Find("button").Text()) != "Archive Zoë Núñez" {
		t.Fatalf("archive form on the confirmation page: %d", f.Length())
	}
	if text := d.Find("main").Text(); !strings.Contains(text, "Nothing is deleted") || !strings.Contains(text, "restore") ||
		d.Find(`a[href="/patients/`+zoe+`"]`).Length() == 0 {
		t.Errorf("the confirmation does not say what archiving does, or has no way back:\n%s", text)
	}
	if n := len(auditOf(t, cl.DB, "patient.view", zoe)); n < 2 {
		t.Errorf("the confirmation, which names the patient, is not audited as a view (%d views)", n)
	}
	// Posted without the confirmation, nothing changes: the answer is the confirmation.
	r := c.PostForm(cl.Host, "/patients/"+zoe+"/archive", url.Values{"version": {"1"}})
	if r.StatusCode != http.StatusOK || r.Doc(t).Find(`form[action="/patients/`+zoe+`/archive"] input[name=confirm]`).Length() != 1 ||
		!getPatient(t, cl.DB, zoe).Active {
		t.Fatalf("archive without confirm: %d, active %v", r.StatusCode, getPatient(t, cl.DB, zoe).Active)
	}
	r = c.PostForm(cl.Host, "/patients/"+zoe+"/archive", url.Values{"version": {"1"}, "confirm": {"1"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/patients/"+zoe {
		t.Fatalf("archive: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// After it: the message, and Restore at hand.
	after := c.Get(cl.Host, "/patients/"+zoe)
	if got := apptest.Flash(t, after); got != "Zoë Núñez was archived." {
		t.Errorf("after archiving, the page says %q", got)
	}
	if strings.TrimSpace(after.Doc(t).Find(`.archived form[action="/patients/`+zoe+`/restore"] button`).Text()) != "Restore" {
		t.Error("after archiving, the patient page offers no Restore beside the archived notice")
	}
	// An archived patient's confirmation is the patient page.
	apptest.WantRedirect(t, "archive page of an archived patient", c.Get(cl.Host, "/patients/"+zoe+"/archive"), "/patients/"+zoe)
	if got := names(t, c.Get(cl.Host, "/patients")); !slices.Equal(got, []string{"Smith, John"}) {
		t.Errorf("default list after archiving: %v", got)
	}
	if got := names(t, c.Get(cl.Host, "/patients?q=zoe")); len(got) != 0 {
		t.Errorf("search finds an archived patient in the default list: %v", got)
	}
	arch := c.Get(cl.Host, "/patients?archived=1")
	if got := names(t, arch); !slices.Equal(got, []string{"Núñez, Zoë"}) || arch.Doc(t).Find("#archived[checked]").Length() != 1 {
		t.Errorf("archived list: %v", got)
	}
	if got := names(t, c.Get(cl.Host, "/patients?archived=1&q=zoe")); !slices.Equal(got, []string{"Núñez, Zoë"}) {
		t.Errorf("archived search: %v", got)
	}
	page := c.Get(cl.Host, "/patients/"+zoe)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "This patient is archived") ||
		page.Doc(t).Find(`form[action="/patients/`+zoe+`/restore"] input[name=version]`).AttrOr("value", "") != "2" {
		t.Errorf("archived patient's page: %d", page.StatusCode)
	}

	// A restore from the stale page (version 1) is a conflict.
	if r := c.PostForm(cl.Host, "/patients/"+zoe+"/restore", url.Values{"version": {"1"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("stale restore: %d", r.StatusCode)
	}
	r = c.PostForm(cl.Host, "/patients/"+zoe+"/restore", url.Values{"version": {"2"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/patients/"+zoe {
		t.Fatalf("restore: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if got := apptest.Flash(t, c.Get(cl.Host, "/patients/"+zoe)); got != "Zoë Núñez was restored." {
		t.Errorf("after restoring, the page says %q", got)
	}
	if got := names(t, c.Get(cl.Host, "/patients")); !slices.Equal(got, []string{"Núñez, Zoë", "Smith, John"}) {
		t.Errorf("list after restoring: %v", got)
	}
	if got := names(t, c.Get(cl.Host, "/patients?archived=1")); len(got) != 0 {
		t.Errorf("archived list after restoring: %v", got)
	}

	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("%d patient documents, want 2: something was deleted", n)
	}
	if n := count(t, cl.DB, revisionsColl, db.Eq("patientId", zoe)); n != 3 {
		t.Errorf("Zoë has %d revisions, want 3 (created, archived, restored)", n)
	}
	if p := getPatient(t, cl.DB, zoe); p.Version != 3 || !p.Active {
		t.Errorf("after restore: version %d active %v", p.Version, p.Active)
	}
	if a, rs := auditOf(t, cl.DB, "patient.archive", zoe), auditOf(t, cl.DB, "patient.restore", zoe); len(a) != 1 || len(rs) != 1 {
		t.Errorf("archive entries %d, restore entries %d", len(a), len(rs))
	}
}

func testSearch(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	register(t, c, cl.Host, person("Zoë", "Núñez", "phone", "+1 (555) 010-2030", "email", "zoe.nunez@example.com"))
	register(t, c, cl.Host, person("John", "Smith", "phone", "555 777 8888", "email", "JSmith@Example.org"))
	register(t, c, cl.Host, person("Ana", "Zoller"))
	register(t, c, cl.Host, person("Łukasz", "O’Groß"))

	const zoe, john, ana, lukasz = "Núñez, Zoë", "Smith, John", "Zoller, Ana", "O’Groß, Łukasz"
	cases := []struct {
		q    string
		want []string
	}{
		{"", []string{zoe, lukasz, john, ana}},
		{"lukasz", []string{lukasz}},
		{"Łuk", []string{lukasz}},
		{"o'gross", []string{lukasz}},
		{"zoe.nunez", []string{zoe}},
		{"zoe", []string{zoe}},
		{"Zoë", []string{zoe}},
		{"ZOE", []string{zoe}},
		{"nunez", []string{zoe}},
		{"NÚÑ", []string{zoe}},
		{"zo", []string{zoe, ana}},
		{"zo nu", []string{zoe}},
		{"nu zo", []string{zoe}},
		{"ana zol", []string{ana}},
		{"zo xx", nil},
		{"smi", []string{john}},
		{"j", []string{john}},
		{"010 2030", []string{zoe}},
		{"(555) 010-2030", []string{zoe}},
		{"15550102030", []string{zoe}},
		{"777 8888", []string{john}},
		// Digits find a phone by its start or its end: Zoë's starts with
		// the country code.
		{"555", []string{john}},
		{"+1 555", []string{zoe}},
		{"zoe.nunez@", []string{zoe}},
		{"jsmith@EX", []string{john}},
		{"jsmith@example.org", []string{john}},
		{"zoe@", nil},
		{"P-000002", []string{john}},
		{"p-2", []string{john}},
		{"P000003", []string{ana}},
		{"P-000009", nil},
		{"xyz", nil},
		// Typed pattern characters are text, not a pattern.
		{".*", nil},
		{"(", nil},
		{"[a-z]", nil},
		{"^z", nil},
	}
	for _, tc := range cases {
		r := c.Get(cl.Host, "/patients?q="+url.QueryEscape(tc.q))
		if r.StatusCode != 200 {
			t.Errorf("q=%q: %d", tc.q, r.StatusCode)
			continue
		}
		if got := names(t, r); !slices.Equal(got, tc.want) {
			t.Errorf("q=%q found %v, want %v", tc.q, got, tc.want)
		}
		// q stays in the page, so the search can be bookmarked and reloaded.
		if got := r.Doc(t).Find("input#q").AttrOr("value", "?"); got != tc.q {
			t.Errorf("q=%q shown in the search box as %q", tc.q, got)
		}
		if len(tc.want) == 0 && !strings.Contains(r.Body, "No patients match.") {
			t.Errorf("q=%q: no 'No patients match' message", tc.q)
		}
	}

	// Markup in q is text.
	r := c.Get(cl.Host, "/patients?q="+url.QueryEscape(`"><script>alert(1)</script>`))
	if r.StatusCode != 200 || strings.Contains(r.Body, "<script>alert(1)") {
		t.Errorf("q is not escaped: %d", r.StatusCode)
	}
}

// testSearchByBarePatientNumber: staff say "patient 2"; the search box
// should find P-000002 from "2" as searchFilter's comment promises
// ("P-000042", "42"). It does not: a bare number of fewer than three digits
// falls through to the name search (store.go searchFilter).
func testSearchByBarePatientNumber(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	register(t, c, cl.Host, person("Zoë", "Núñez"))
	register(t, c, cl.Host, person("John", "Smith"))
	for _, q := range []string{"2", "02", "000002"} {
		if got := names(t, c.Get(cl.Host, "/patients?q="+q)); !slices.Equal(got, []string{"Smith, John"}) {
			t.Errorf("q=%q found %v, want [Smith, John]", q, got)
		}
	}
}

// testSearchCutInsideALetter: q is cut to 100 bytes (list.go queryFrom),
// which may split a multi-byte letter; the page must still answer.
func testSearchCutInsideALetter(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	register(t, c, cl.Host, person("Zoë", "Núñez"))
	for _, q := range []string{strings.Repeat("a", 99) + "ë", strings.Repeat("ë", 60), strings.Repeat("5", 99) + "ë"} {
		r := c.Get(cl.Host, "/patients?q="+url.QueryEscape(q))
		if r.StatusCode != 200 {
			t.Errorf("q of %d bytes cut inside a letter: %d", len(q), r.StatusCode)
		}
		if r := c.Get(cl.Host, "/api/patients?q="+url.QueryEscape(q)); r.StatusCode != 200 {
			t.Errorf("API q of %d bytes cut inside a letter: %d %s", len(q), r.StatusCode, r.Body)
		}
	}
}

func testSearchAsYouTypeReturnsOnlyTheResults(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	register(t, c, cl.Host, person("Zoë", "Núñez"))
	r := c.Get(cl.Host, "/patients?q=zo", "HX-Request", "true", "HX-Target", "results", "HX-Current-URL", "http://"+cl.Host+"/patients")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Body, `<div id="results">`) || !strings.HasSuffix(r.Body, "</div>") ||
		strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "<form") || strings.Contains(r.Body, "<nav aria-label=\"Main\"") {
		t.Fatalf("fragment: %d\n%s", r.StatusCode, r.Body)
	}
	if !strings.Contains(r.Body, "Núñez, Zoë") || r.Header.Get("Vary") != "HX-Request" || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("fragment: vary %q cache %q\n%s", r.Header.Get("Vary"), r.Header.Get("Cache-Control"), r.Body)
	}
	// A history restore or a boosted request needs the whole page.
	for _, h := range [][]string{{"HX-Request", "true", "HX-History-Restore-Request", "true"}, {"HX-Request", "true", "HX-Boosted", "true"}} {
		if r := c.Get(cl.Host, "/patients?q=zo", h...); !strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Núñez, Zoë") {
			t.Errorf("%v: not the whole page", h)
		}
	}
	// Another htmx target gets the page's content block, not the layout.
	if r := c.Get(cl.Host, "/patients?q=zo", "HX-Request", "true", "HX-Target", "main"); strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `id="results"`) {
		t.Errorf("htmx content request:\n%s", r.Body)
	}
}

// sortCases are 26 patients in the order the list must show them: last name,
// then first name, case and accents ignored.
var sortCases = [][2]string{
	{"Bob", "Abadie"}, {"Émile", "abadie"}, {"adam", "Álvarez"}, {"Zoë", "alvarez"}, {"Carl", "ALVES"},
	{"Ana", "Bravo"}, {"Deniz", "Çelik"}, {"Sarah", "cohen"}, {"Chloé", "Dubois"}, {"Marc", "Élan"},
	{"Ruth", "Ellis"}, {"José", "García"}, {"Ana", "gomez"}, {"Leila", "Haddad"}, {"Elena", "Ivanova"},
	{"Ingrid", "Jensen"}, {"Omar", "Khan"}, {"Pedro", "Lopez"}, {"Björn", "Müller"}, {"Liam", "murphy"},
	{"Zoë", "Núñez"}, {"Amina", "Okafor"}, {"Emre", "Öztürk"}, {"Ravi", "Patel"}, {"Lucas", "Silva"},
	{"Ana", "Zoller"},
}

// testEmptyListInvitesOnlyWhoMayRegister: a new clinic's list offers to
// register the first patient to those who may, and to no one else.
func testEmptyListInvitesOnlyWhoMayRegister(t *testing.T, s *apptest.Server) {
	ctx := context.Background()
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	viewer, err := rbac.CreateRole(ctx, cl.DB, "Viewer", s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range [][2]string{{"dashboard", "read"}, {"patients", "read"}} {
		if _, err := s.Ward.RBAC().SetGrant(ctx, s.DB, cl.DB, viewer.Key, g[0], g[1], true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Platform.Tenants().NewPolicyVersion(ctx, cl.ID, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	v := s.NewUser(t, cl, viewer.Key, "Vera Viewer", "vera@sunrise.test")
	for _, tc := range []struct {
		email  string
		invite bool
	}{{cl.Admin.Email, true}, {v.Email, false}} {
		r := s.SignedIn(t, cl.Host, tc.email).Get(cl.Host, "/patients")
		apptest.WantStatus(t, tc.email+" on the empty list", r, http.StatusOK)
		d := r.Doc(t)
		if d.Find("#results .empty").Length() != 1 || strings.Contains(d.Find("#results").Text(), "match") {
			t.Errorf("%s: the empty list is not an empty state:\n%s", tc.email, d.Find("#results").Text())
		}
		if got := d.Find(`#results .empty a[href="/patients/new"]`).Length() == 1; got != tc.invite {
			t.Errorf("%s: the empty state offers to register a patient: %v, want %v", tc.email, got, tc.invite)
		}
	}
}

func testPagination(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	summary := func(r *apptest.Response) string {
		return strings.TrimSpace(r.Doc(t).Find("#results p[aria-live] small").Text())
	}

	// No patients: the list invites registering the first one.
	empty := func(r *apptest.Response) bool {
		d := r.Doc(t)
		return d.Find(`#results .empty a[href="/patients/new"]`).Length() == 1 && !strings.Contains(d.Find("#results").Text(), "match")
	}
	r := c.Get(cl.Host, "/patients")
	if r.StatusCode != 200 || summary(r) != "" || !empty(r) || len(names(t, r)) != 0 || r.Doc(t).Find("nav[aria-label=Pages]").Length() != 0 {
		t.Fatalf("empty clinic: %d %q\n%s", r.StatusCode, summary(r), r.Doc(t).Find("#results").Text())
	}
	for _, p := range []string{"2", "0", "-1", "abc"} {
		if r := c.Get(cl.Host, "/patients?page="+p); r.StatusCode != 200 || summary(r) != "" || !empty(r) {
			t.Errorf("empty clinic, page=%s: %d %q", p, r.StatusCode, summary(r))
		}
	}
	if r := c.Get(cl.Host, "/patients?q=zed"); summary(r) != "0 patients" || empty(r) || !strings.Contains(r.Body, "No patients match.") {
		t.Errorf("a search in an empty clinic: %q", summary(r))
	}

	// 25 patients: one full page, no page links. Inserted out of order.
	var ps []patients.Patient
	for i := 24; i >= 0; i-- {
		ps = append(ps, newPatient(sortCases[i][0], sortCases[i][1]))
	}
	insertPatients(t, cl.DB, ps)
	want := make([]string, 0, 26)
	for _, n := range sortCases {
		want = append(want, n[1]+", "+n[0])
	}
	r = c.Get(cl.Host, "/patients")
	if got := names(t, r); !slices.Equal(got, want[:25]) {
		t.Errorf("25 patients in order:\n got %v\nwant %v", got, want[:25])
	}
	if summary(r) != "25 patients" || r.Doc(t).Find("nav[aria-label=Pages]").Length() != 0 {
		t.Errorf("25 patients: %q, page links %d", summary(r), r.Doc(t).Find("nav[aria-label=Pages] li").Length())
	}
	if r := c.Get(cl.Host, "/patients?page=2"); summary(r) != "25 patients" || len(names(t, r)) != 25 {
		t.Errorf("25 patients, page=2: %q", summary(r))
	}

	// 26: two pages; the 26th is alone on page 2.
	insertPatients(t, cl.DB, []patients.Patient{newPatient(sortCases[25][0], sortCases[25][1])})
	r = c.Get(cl.Host, "/patients")
	d := r.Doc(t)
	if got := names(t, r); !slices.Equal(got, want[:25]) || summary(r) != "26 patients · page 1 of 2" {
		t.Errorf("26, page 1: %q %v", summary(r), got)
	}
	if cur := d.Find("nav[aria-label=Pages] [aria-current=page]").Text(); cur != "1" {
		t.Errorf("current page link %q", cur)
	}
	if href := d.Find(`nav[aria-label=Pages] a`).AttrOr("href", ""); href != "/patients?page=2" {
		t.Errorf("link to page 2: %q", href)
	}
	r = c.Get(cl.Host, "/patients?page=2")
	if got := names(t, r); !slices.Equal(got, want[25:]) || summary(r) != "26 patients · page 2 of 2" {
		t.Errorf("26, page 2: %q %v", summary(r), got)
	}
	for _, p := range []string{"3", "99", "2147483648", "99999999999999999999"} {
		r := c.Get(cl.Host, "/patients?page="+p)
		if got := names(t, r); r.StatusCode != 200 || !slices.Equal(got, want[25:]) || summary(r) != "26 patients · page 2 of 2" {
			t.Errorf("page=%s (beyond the last): %d %q %v", p, r.StatusCode, summary(r), got)
		}
	}
	for _, p := range []string{"0", "-1", "abc", "", "1.5"} {
		r := c.Get(cl.Host, "/patients?page="+p)
		if got := names(t, r); r.StatusCode != 200 || !slices.Equal(got, want[:25]) || summary(r) != "26 patients · page 1 of 2" {
			t.Errorf("page=%q: %d %q", p, r.StatusCode, summary(r))
		}
	}
	// Page links keep the search and the archive switch.
	insertPatients(t, cl.DB, func() []patients.Patient {
		var out []patients.Patient
		for i := range 26 {
			p := newPatient(fmt.Sprintf("Archived%02d", i), "Zed")
			p.Active = false
			out = append(out, p)
		}
		return out
	}())
	r = c.Get(cl.Host, "/patients?archived=1&q=zed")
	if summary(r) != "26 patients · page 1 of 2" || r.Doc(t).Find(`nav[aria-label=Pages] a`).AttrOr("href", "") != "/patients?archived=1&q=zed&page=2" {
		t.Errorf("archived search pages: %q %q", summary(r), r.Doc(t).Find(`nav[aria-label=Pages] a`).AttrOr("href", ""))
	}
	if r := c.Get(cl.Host, "/patients?q=zed"); summary(r) != "0 patients" {
		t.Errorf("active search counts archived patients: %q", summary(r))
	}
}

func testValidationMessagesOnThePage(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	// The browser's own checks are off (novalidate): every message is
	// Ward's, beside its field, and each required field has one.
	for _, path := range []string{"/patients/new"} { // the edit form: testConflictNamesWhoSavedAndWhen
		d := c.Get(cl.Host, path).Doc(t)
		if _, off := d.Find("form#patient-form").Attr("novalidate"); !off {
			t.Errorf("%s: the patient form lets the browser check the fields (no novalidate)", path)
		}
		if n := d.Find("#patient-form [required]").Length(); n != 2 {
			t.Errorf("%s: %d required fields, want 2 (the names)", path, n)
		}
	}
	r := c.PostForm(cl.Host, "/patients", person("", ""))
	apptest.WantStatus(t, "nothing typed", r, http.StatusUnprocessableEntity)
	r.Doc(t).Find("#patient-form [required]").Each(func(_ int, in *goquery.Selection) {
		id := in.AttrOr("id", "")
		if msg := r.Doc(t).Find("#e-" + strings.TrimPrefix(id, "f-")).Text(); msg == "" || in.AttrOr("aria-describedby", "") != "e-"+strings.TrimPrefix(id, "f-") {
			t.Errorf("required field %s reports no message beside it", id)
		}
	})
	long := func(n int) string { return strings.Repeat("é", n) }
	many := make([]string, 51)
	for i := range many {
		many[i] = "Allergen " + strconv.Itoa(i)
	}
	cases := []struct {
		name, field, msg string
		v                url.Values
	}{
		{"first name missing", "firstName", "Enter the first name.", person("", "Núñez")},
		{"first name blank", "firstName", "Enter the first name.", person("   ", "Núñez")},
		{"last name missing", "lastName", "Enter the last name.", person("Zoë", "")},
		{"first name too long", "firstName", "Use at most 100 characters.", person(long(101), "Núñez")},
		{"last name too long", "lastName", "Use at most 100 characters.", person("Zoë", long(101))},
		{"last name with a control character", "lastName", "Last name may not contain control characters.", person("Zoë", "Nú\u0007ñez")},
		{"last name not UTF-8", "lastName", "Last name may not contain characters that are not valid UTF-8 text.", person("Zoë", "N\xffñez")},
		{"first name not UTF-8", "firstName", "First name may not contain characters that are not valid UTF-8 text.", person("Zo\xc3", "Núñez")},
		{"address not UTF-8", "address", "Address may not contain characters that are not valid UTF-8 text.", person("Zoë", "Núñez", "address", "12 Market \xfe\xff")},
		{"address with a right-to-left override", "address", "Address may not contain characters that change the direction of text.", person("Zoë", "Núñez", "address", "12 \u202eteertS")},
		{"emergency relation with a line break", "emergencyRelation", "Emergency contact's relation must be on one line.", person("Zoë", "Núñez", "emergencyRelation", "sister\r\nBcc: x")},
		{"allergy not UTF-8", "allergies", "Allergies may not contain characters that are not valid UTF-8 text.", person("Zoë", "Núñez", "allergies", "Latex\nPeni\xffcillin")},
		{"notes not UTF-8", "notes", "Notes may not contain characters that are not valid UTF-8 text.", person("Zoë", "Núñez", "notes", "Prefers \xc3(mornings")},
		{"notes with a NUL", "notes", "Notes may not contain control characters.", person("Zoë", "Núñez", "notes", "Prefers\x00mornings")},
		{"date format", "dateOfBirth", "Enter the date as YYYY-MM-DD, for example 1984-07-23.", person("Zoë", "Núñez", "dateOfBirth", "23/07/1984")},
		{"date in the future", "dateOfBirth", "The date of birth cannot be in the future.", person("Zoë", "Núñez", "dateOfBirth", "2026-03-03")},
		{"date before 1900", "dateOfBirth", "The date of birth cannot be before 1900.", person("Zoë", "Núñez", "dateOfBirth", "1899-12-31")},
		{"phone", "phone", "Enter a phone number of 5 to 15 digits; spaces, +, -, ( and ) are fine.", person("Zoë", "Núñez", "phone", "12 34")},
		{"phone with letters", "phone", "Enter a phone number of 5 to 15 digits; spaces, +, -, ( and ) are fine.", person("Zoë", "Núñez", "phone", "555-CALL-NOW")},
		{"email", "email", "Enter an email address such as name@example.com, or leave it empty.", person("Zoë", "Núñez", "email", "zoe@")},
		{"email without a dot in the domain", "email", "Enter an email address such as name@example.com, or leave it empty.", person("Zoë", "Núñez", "email", "zoe@example")},
		{"address", "address", "Use at most 300 characters.", person("Zoë", "Núñez", "address", long(301))},
		{"emergency name", "emergencyName", "Use at most 100 characters.", person("Zoë", "Núñez", "emergencyName", long(101))},
		{"emergency relation", "emergencyRelation", "Use at most 100 characters.", person("Zoë", "Núñez", "emergencyRelation", long(101))},
		{"emergency phone", "emergencyPhone", "Enter a phone number of 5 to 15 digits.", person("Zoë", "Núñez", "emergencyPhone", "123")},
		{"too many allergies", "allergies", "List at most 50 allergies.", person("Zoë", "Núñez", "allergies", strings.Join(many, "\n"))},
		{"allergy too long", "allergies", "Each allergy has at most 100 characters, one per line.", person("Zoë", "Núñez", "allergies", "Latex\n"+long(101))},
		{"notes", "notes", "Use at most 5000 characters.", person("Zoë", "Núñez", "notes", long(5001))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.PostForm(cl.Host, "/patients", tc.v)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", r.StatusCode)
			}
			d := r.Doc(t)
			if got := d.Find("#e-" + tc.field).Text(); got != tc.msg {
				t.Errorf("#e-%s = %q, want %q", tc.field, got, tc.msg)
			}
			if d.Find("#e-"+tc.field).Length() != 1 || d.Find("[aria-describedby=e-"+tc.field+"]").Length() != 1 {
				t.Errorf("the message is not tied to its field")
			}
			if d.Find(".form-errors[role=alert]").Length() != 1 {
				t.Errorf("no summary")
			}
			// What was typed comes back (except what failed to be a name).
			if v := tc.v.Get("lastName"); v != "" && tc.field != "lastName" && d.Find("#f-lastName").AttrOr("value", "") != v {
				t.Errorf("last name not kept: %q", d.Find("#f-lastName").AttrOr("value", ""))
			}
		})
	}
	// The select's error is shown too (see testSexErrorIsTiedToTheSelect for
	// its id).
	r = c.PostForm(cl.Host, "/patients", person("Zoë", "Núñez", "sex", "alien"))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc(t).Find("label[for=f-sex] .field-error").Text(), "Choose one of the options.") {
		t.Errorf("sex: %d", r.StatusCode)
	}
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 0 {
		t.Errorf("%d patients saved from invalid forms", n)
	}
	if n := count(t, cl.DB, "sequences", db.Filter{}); n != 0 {
		t.Errorf("invalid forms used %d patient numbers", n)
	}
}

// testSexErrorIsTiedToTheSelect: every other field's message has the id
// e-<field> and its input points at it with aria-describedby (partials
// "field"; the textareas do it by hand). The sex <select> in
// templates/form.html renders its message without an id and without
// aria-describedby, so screen readers do not announce it with the field.
func testSexErrorIsTiedToTheSelect(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	r := c.PostForm(cl.Host, "/patients", person("Zoë", "Núñez", "sex", "alien"))
	d := r.Doc(t)
	if got := d.Find("#e-sex").Text(); got != "Choose one of the options." {
		t.Errorf("#e-sex = %q", got)
	}
	if d.Find("#f-sex").AttrOr("aria-describedby", "") != "e-sex" {
		t.Errorf("#f-sex has aria-describedby %q", d.Find("#f-sex").AttrOr("aria-describedby", ""))
	}
}

// testConflictNamesWhoSavedAndWhen: the person whose save was overtaken
// learns who saved the version the form now shows, and when, in the
// clinic's date format, time zone and clock; the sex they chose is named
// as the form names it.
func testConflictNamesWhoSavedAndWhen(t *testing.T, s *apptest.Server) {
	ctx := context.Background()
	cl := s.NewClinic(t, apptest.Subdomain(t, ""))
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	// Before anyone's first request: the clinic's settings are cached from then on.
	if _, err := cl.DB.Collection(settings.Collection).Update(ctx, db.Filter{},
		db.Set("dateFormat", "2006-01-02").Set("timeFormat", "12h").Set("timezone", "Africa/Nairobi")); err != nil {
		t.Fatal(err)
	}
	rita := s.NewUser(t, cl, "receptionist", "Rita Reception", "rita@sunrise.test")
	admin, other := s.SignedIn(t, cl.Host, cl.Admin.Email), s.SignedIn(t, cl.Host, rita.Email)
	admin.Get(cl.Host, "/patients/new")
	id := register(t, admin, cl.Host, person("Zoë", "Núñez"))
	other.Get(cl.Host, "/patients/"+id+"/edit")
	if r := other.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "phone", "555 111 1111", "version", "1")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("Rita's save: %d", r.StatusCode)
	}
	admin.Get(cl.Host, "/patients/"+id+"/edit")
	r := admin.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "sex", "female", "version", "1"))
	apptest.WantStatus(t, "the admin's stale save", r, http.StatusConflict)
	d := r.Doc(t)
	when := web.Formats{DateLayout: "2006-01-02", Clock12: true, Zone: nairobi}.DateTime(getPatient(t, cl.DB, id).UpdatedAt)
	if got, want := strings.Join(strings.Fields(d.Find("#unsaved > p").First().Text()), " "),
		"Rita Reception saved a newer version on "+when+"; the form shows that version."; got != want {
		t.Errorf("the conflict panel says %q, want %q", got, want)
	}
	if _, off := d.Find("form#patient-form").Attr("novalidate"); !off {
		t.Error("the edit form lets the browser check the fields (no novalidate)")
	}
	if got := d.Find("#unsaved dt").First().Text() + "=" + d.Find("#unsaved dd").First().Text(); got != "Sex=Female" {
		t.Errorf("the unsaved sex is listed as %q, want Sex=Female", got)
	}
}

func testStaleEditIsAConflictShowingTheLatest(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez", "phone", "555 010 2030"))
	// Two people open the edit form at version 1; the first saves.
	if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "phone", "555 111 1111", "version", "1")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.StatusCode)
	}
	r := c.PostForm(cl.Host, "/patients/"+id, person("Zoe", "Nunez", "phone", "555 222 2222", "notes", "mine", "version", "1"))
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("second save: %d, want 409", r.StatusCode)
	}
	d := r.Doc(t)
	if got := strings.TrimSpace(d.Find(".form-errors[role=alert]").Text()); got != conflictMessage {
		t.Errorf("conflict message: %q", got)
	}
	if d.Find("input[name=version]").AttrOr("value", "") != "2" || d.Find("#f-phone").AttrOr("value", "") != "555 111 1111" ||
		d.Find("#f-firstName").AttrOr("value", "") != "Zoë" || d.Find("#f-notes").Text() != "" {
		t.Errorf("the form does not show the latest version: version %q phone %q",
			d.Find("input[name=version]").AttrOr("value", ""), d.Find("#f-phone").AttrOr("value", ""))
	}
	// What the second person typed is not lost: it is listed in the form,
	// above its buttons, by the fields' labels.
	unsaved := map[string]string{}
	d.Find("#patient-form #unsaved dt").Each(func(_ int, dt *goquery.Selection) { unsaved[dt.Text()] = dt.Next().Text() })
	if want := map[string]string{"First name": "Zoe", "Last name": "Nunez", "Phone": "555 222 2222", "Notes": "mine"}; !maps.Equal(unsaved, want) {
		t.Errorf("unsaved changes listed: %v, want %v", unsaved, want)
	}
	if d.Find("#patient-form #unsaved ~ button[type=submit]").Length() != 1 {
		t.Error("the unsaved changes are not above the form's buttons")
	}
	// It says who saved the version shown (here the same person, in another
	// tab); testConflictNamesWhoSavedAndWhen checks the rest.
	if got := d.Find("#unsaved > p").First().Text(); !strings.HasPrefix(got, "You saved a newer version on ") {
		t.Errorf("who saved the newer version: %q", got)
	}
	if p := getPatient(t, cl.DB, id); p.Version != 2 || p.Phone != "555 111 1111" || p.Notes != "" {
		t.Errorf("stored: version %d phone %q notes %q", p.Version, p.Phone, p.Notes)
	}
	// Only what this person changed from the version they opened is listed,
	// not the other person's change they never touched.
	r = c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "phone", "555 010 2030", "notes", "only notes", "version", "1"))
	unsaved = map[string]string{}
	r.Doc(t).Find("#unsaved dt").Each(func(_ int, dt *goquery.Selection) { unsaved[dt.Text()] = dt.Next().Text() })
	if want := map[string]string{"Notes": "only notes"}; r.StatusCode != http.StatusConflict || !maps.Equal(unsaved, want) {
		t.Errorf("%d, unsaved changes listed: %v, want %v", r.StatusCode, unsaved, want)
	}
	// A version from the future is no better.
	if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "version", "7")); r.StatusCode != http.StatusConflict {
		t.Errorf("version 7: %d", r.StatusCode)
	}
	if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez")); r.StatusCode != http.StatusConflict {
		t.Errorf("no version: %d", r.StatusCode)
	}
}

func testConcurrentSavesOfOneVersion(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez", "phone", "555 010 2030"))

	const n = 20
	type result struct {
		status int
		phone  string
		err    error
	}
	results := make([]result, n)
	apptest.AtOnce(n, func(i int) {
		phone := fmt.Sprintf("555 000 %04d", i)
		results[i] = result{phone: phone}
		if r, err := c.TryPost(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "phone", phone, "version", "1")); err != nil {
			results[i].err = err
		} else {
			results[i].status = r.StatusCode
		}
	})

	saved, conflicts := 0, 0
	var winner string
	for _, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("request: %v", r.err)
		case r.status == http.StatusSeeOther:
			saved++
			winner = r.phone
		case r.status == http.StatusConflict:
			conflicts++
		default:
			t.Errorf("status %d", r.status)
		}
	}
	if saved != 1 || conflicts != n-1 {
		t.Fatalf("%d saved, %d conflicts; want 1 and %d", saved, conflicts, n-1)
	}
	p := getPatient(t, cl.DB, id)
	if p.Version != 2 || p.Phone != winner {
		t.Errorf("stored version %d phone %q; the saved edit was %q", p.Version, p.Phone, winner)
	}
	var revs []struct {
		Version  int64            `bson:"version"`
		Snapshot patients.Patient `bson:"snapshot"`
	}
	if err := cl.DB.Collection(revisionsColl).Find(context.Background(), db.Eq("patientId", id), &revs,
		db.FindOptions{Sort: []db.Order{db.Asc("version")}}); err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[1].Version != 2 || revs[1].Snapshot.Phone != winner || revs[0].Snapshot.Phone != "555 010 2030" {
		t.Errorf("revisions: %+v", revs)
	}
	if ups := auditOf(t, cl.DB, "patient.update", id); len(ups) != 1 {
		t.Errorf("%d update entries, want 1", len(ups))
	}
}

func testConcurrentRegistrationsGetDistinctNumbers(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	const n = 20
	apptest.AtOnce(n, func(i int) {
		r, err := c.TryPost(cl.Host, "/patients", person(fmt.Sprintf("Person%02d", i), fmt.Sprintf("Racer%02d", i)))
		switch {
		case err != nil:
			t.Errorf("registration %d: %v", i, err)
		case r.StatusCode != http.StatusSeeOther:
			t.Errorf("registration %d: status %d", i, r.StatusCode)
		}
	})
	ps := apptest.Find[patients.Patient](t, cl.DB.Collection(patientsColl), db.Filter{}, db.Asc("number"))
	if len(ps) != n {
		t.Fatalf("%d patients stored, want %d", len(ps), n)
	}
	for i, p := range ps {
		if p.Number != int64(i+1) {
			t.Fatalf("numbers: patient %d has %d (want 1..%d, each once)", i, p.Number, n)
		}
	}
	// The next one continues the sequence.
	id := register(t, c, cl.Host, person("Late", "Comer"))
	if p := getPatient(t, cl.DB, id); p.Number != n+1 {
		t.Errorf("next number %d", p.Number)
	}
}

func testDuplicatePanel(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	john := register(t, c, cl.Host, person("John", "Doe", "dateOfBirth", "1980-05-05", "phone", "+1 555 123 4567"))
	register(t, c, cl.Host, person("Jane", "Doe", "dateOfBirth", "1980-05-05", "confirm", "1"))
	register(t, c, cl.Host, person("María", "Núñez", "dateOfBirth", "1970-01-01"))

	panel := func(q url.Values) []string {
		t.Helper()
		r := c.Get(cl.Host, "/patients/duplicates?"+q.Encode(), "HX-Request", "true", "HX-Target", "duplicates")
		if r.StatusCode != 200 || !strings.HasPrefix(r.Body, `<div id="duplicates"`) || strings.Contains(r.Body, "<html") {
			t.Fatalf("panel %v: %d\n%s", q, r.StatusCode, r.Body)
		}
		var out []string
		r.Doc(t).Find("#duplicates li a").Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}
	cases := []struct {
		name string
		q    url.Values
		want []string
	}{
		{"one letter away, same date of birth", person("Jon", "Doe", "dateOfBirth", "1980-05-05"), []string{"John Doe"}},
		{"same name, same date of birth", person("John", "Doe", "dateOfBirth", "1980-05-05"), []string{"John Doe"}},
		{"case and accents ignored", person("JÖHN", "DÓE", "dateOfBirth", "1980-05-05"), []string{"John Doe"}},
		{"different date of birth, different phone", person("Jon", "Doe", "dateOfBirth", "1981-05-05", "phone", "555 999 0000"), nil},
		{"same phone without the country code, no date", person("Jon", "Doe", "phone", "(555) 123-4567 "), []string{"John Doe"}},
		{"first and last name swapped", person("Doe", "John", "dateOfBirth", "1980-05-05"), []string{"John Doe"}},
		{"a phone sharing only the last digits", person("Jon", "Doe", "phone", "4567"), nil},
		{"same phone", person("Jon", "Doe", "phone", "+1 555 123 4567", "dateOfBirth", "1999-01-01"), []string{"John Doe"}},
		{"same phone, other digits layout", person("Jon", "Doe", "phone", "1-555-123-4567"), []string{"John Doe"}},
		{"two letters away", person("Jonny", "Doe", "dateOfBirth", "1980-05-05"), nil},
		{"accents on the existing record", person("Maria", "Nunez", "dateOfBirth", "1970-01-01"), []string{"María Núñez"}},
		{"no date and no phone", person("John", "Doe"), nil},
		{"no name", person("", "", "dateOfBirth", "1980-05-05"), nil},
		{"bad date ignored", person("John", "Doe", "dateOfBirth", "05/05/1980"), nil},
		{"the patient being edited is left out", person("John", "Doe", "dateOfBirth", "1980-05-05", "except", john), nil},
	}
	for _, tc := range cases {
		if got := panel(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// The panel shows the number and the birth date to tell people apart.
	r := c.Get(cl.Host, "/patients/duplicates?"+person("Jon", "Doe", "dateOfBirth", "1980-05-05").Encode())
	if li := r.Doc(t).Find("#duplicates li").Text(); !strings.Contains(li, "P-000001") {
		t.Errorf("panel entry: %q", li)
	}
}

func testRegisteringAPossibleDuplicateNeedsConfirmation(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	register(t, c, cl.Host, person("John", "Doe", "dateOfBirth", "1980-05-05"))

	v := person("Jon", "Doe", "dateOfBirth", "1980-05-05", "phone", "555 000 1111", "allergies", "Latex")
	r := c.PostForm(cl.Host, "/patients", v)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("possible duplicate: %d, want 422", r.StatusCode)
	}
	d := r.Doc(t)
	if !strings.Contains(d.Find(".form-errors").Text(), "This patient may already be registered") ||
		!strings.Contains(d.Find("#duplicates li").Text(), "John Doe") {
		t.Errorf("no duplicates panel:\n%s", r.Body)
	}
	btn := d.Find(`button[type=submit][name=confirm][value="1"]`)
	if btn.Length() != 1 || !strings.HasPrefix(btn.Text(), "Save anyway") {
		t.Errorf("no Save anyway button")
	}
	if d.Find("#f-firstName").AttrOr("value", "") != "Jon" || d.Find("#f-phone").AttrOr("value", "") != "555 000 1111" || d.Find("#f-allergies").Text() != "Latex" {
		t.Errorf("the form lost what was typed")
	}
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 1 {
		t.Fatalf("%d patients before confirming", n)
	}
	v.Set("confirm", "1")
	r = c.PostForm(cl.Host, "/patients", v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save anyway: %d", r.StatusCode)
	}
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("%d patients after confirming", n)
	}
}

// refused reports whether r is the role check's 403 (not, say, a CSRF 403).
func refused(r *apptest.Response) bool {
	return r.StatusCode == http.StatusForbidden && strings.Contains(r.Body, "Your role does not allow this.")
}

func testRolesSeeAndDoOnlyWhatTheyMay(t *testing.T, s *apptest.Server) {
	cl, admin := start(t, s)
	id := register(t, admin, cl.Host, person("Zoë", "Núñez"))
	as := func(role string) *apptest.Client {
		t.Helper()
		u := s.NewUser(t, cl, role, "User "+role, role+"@sunrise.test")
		c := s.SignedIn(t, cl.Host, u.Email)
		return c
	}
	hasPatientsNav := func(c *apptest.Client) bool {
		return c.Get(cl.Host, "/dashboard").Doc(t).Find(`nav[aria-label=Main] a[href="/patients"]`).Length() == 1
	}
	buttons := func(c *apptest.Client) (edit, archive bool) {
		d := c.Get(cl.Host, "/patients/"+id).Doc(t)
		return d.Find(`a[href="/patients/`+id+`/edit"]`).Length() == 1, d.Find(`a[href="/patients/`+id+`/archive"]`).Length() == 1
	}
	registerLink := func(c *apptest.Client) bool {
		return c.Get(cl.Host, "/patients").Doc(t).Find(`a[href="/patients/new"]`).Length() == 1
	}

	t.Run("admin", func(t *testing.T) {
		if e, a := buttons(admin); !e || !a || !registerLink(admin) || !hasPatientsNav(admin) {
			t.Errorf("admin: edit %v archive %v", e, a)
		}
	})
	t.Run("receptionist", func(t *testing.T) {
		c := as("receptionist")
		if !hasPatientsNav(c) || !registerLink(c) {
			t.Error("receptionist: no Patients link or no Register link")
		}
		if r := c.PostForm(cl.Host, "/patients", person("Rita", "Reception")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("receptionist registers: %d", r.StatusCode)
		}
		if e, a := buttons(c); !e || a {
			t.Errorf("receptionist buttons: edit %v archive %v", e, a)
		}
		if r := c.PostForm(cl.Host, "/patients/"+id+"/archive", url.Values{"version": {"1"}}); !refused(r) {
			t.Errorf("receptionist archives: %d", r.StatusCode)
		}
	})
	t.Run("doctor", func(t *testing.T) {
		c := as("doctor")
		if e, a := buttons(c); !e || a {
			t.Errorf("doctor buttons: edit %v archive %v", e, a)
		}
		if r := c.Get(cl.Host, "/patients/"+id+"/edit"); r.StatusCode != 200 {
			t.Errorf("doctor edit form: %d", r.StatusCode)
		}
		if r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "notes", "seen by the doctor", "version", "1")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("doctor edits: %d", r.StatusCode)
		}
		for _, path := range []string{"/patients/" + id + "/archive", "/patients/" + id + "/restore"} {
			if r := c.PostForm(cl.Host, path, url.Values{"version": {"2"}}); !refused(r) {
				t.Errorf("doctor POST %s: %d", path, r.StatusCode)
			}
		}
		if p := getPatient(t, cl.DB, id); !p.Active || p.Version != 2 {
			t.Errorf("after the doctor: active %v version %d", p.Active, p.Version)
		}
	})
	t.Run("nurse", func(t *testing.T) {
		// policies/default_roles.json grants nurses patients read, create, update.
		c := as("nurse")
		if !registerLink(c) {
			t.Error("nurse: no Register link, though nurses may create")
		}
		if r := c.Get(cl.Host, "/patients/new"); r.StatusCode != 200 {
			t.Errorf("nurse /patients/new: %d", r.StatusCode)
		}
		if e, a := buttons(c); !e || a {
			t.Errorf("nurse buttons: edit %v archive %v", e, a)
		}
	})
	t.Run("accountant", func(t *testing.T) {
		c := as("accountant")
		if hasPatientsNav(c) {
			t.Error("accountant sees the Patients link")
		}
		for _, path := range []string{"/patients", "/patients/new", "/patients/" + id, "/patients/" + id + "/edit", "/patients/duplicates?firstName=Zo&lastName=Nunez&dateOfBirth=1980-01-01"} {
			if r := c.Get(cl.Host, path); !refused(r) || strings.Contains(r.Body, "Núñez") {
				t.Errorf("accountant GET %s: %d", path, r.StatusCode)
			}
		}
		c.Get(cl.Host, "/dashboard")
		if r := c.PostForm(cl.Host, "/patients", person("Andy", "Accounts")); !refused(r) {
			t.Errorf("accountant registers: %d", r.StatusCode)
		}
	})
	t.Run("medical representative", func(t *testing.T) {
		c := as("medrep")
		if hasPatientsNav(c) {
			t.Error("medical representative sees the Patients link")
		}
		if r := c.Get(cl.Host, "/dashboard"); r.StatusCode != 200 {
			t.Errorf("medrep dashboard: %d", r.StatusCode)
		}
		for _, path := range []string{"/patients", "/patients/" + id, "/patients?q=zoe"} {
			if r := c.Get(cl.Host, path); !refused(r) || strings.Contains(r.Body, "Núñez") {
				t.Errorf("medrep GET %s: %d", path, r.StatusCode)
			}
		}
		c.Get(cl.Host, "/dashboard")
		if r := c.PostForm(cl.Host, "/patients/"+id, person("Mallory", "Rep", "version", "2")); !refused(r) {
			t.Errorf("medrep edits: %d", r.StatusCode)
		}
	})
	if n := count(t, cl.DB, patientsColl, db.Filter{}); n != 2 {
		t.Errorf("%d patients; only the admin's and the receptionist's should exist", n)
	}
}

func testPatientPagesAreNotStored(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez"))
	for _, path := range []string{"/patients", "/patients?q=zoe", "/patients/" + id, "/patients/" + id + "/edit", "/patients/new",
		"/api/patients", "/api/patients/" + id, "/patients/duplicates?firstName=Zoe&lastName=Nunez"} {
		r := c.Get(cl.Host, path)
		if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: %d, Cache-Control %q", path, r.StatusCode, r.Header.Get("Cache-Control"))
		}
		if strings.HasPrefix(path, "/api/") || strings.Contains(path, "duplicates") {
			continue
		}
		d := r.Doc(t)
		if d.Find("body").AttrOr("hx-history", "") != "false" {
			t.Errorf("GET %s: body hx-history %q", path, d.Find("body").AttrOr("hx-history", ""))
		}
		var cfg struct {
			HistoryCacheSize *int `json:"historyCacheSize"`
		}
		meta := d.Find(`meta[name=htmx-config]`).AttrOr("content", "")
		if err := json.Unmarshal([]byte(meta), &cfg); err != nil || cfg.HistoryCacheSize == nil || *cfg.HistoryCacheSize != 0 {
			t.Errorf("GET %s: htmx-config %q", path, meta)
		}
	}
	if r := c.Get(cl.Host, "/patients?q=zo", "HX-Request", "true", "HX-Target", "results"); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("fragment Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// Errors about patients are not kept either.
	if r := c.PostForm(cl.Host, "/patients", person("", "Núñez")); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("422 Cache-Control %q", r.Header.Get("Cache-Control"))
	}
}

// maxListRoundTrips is what one list page may cost in database round trips,
// measured: session, user, count, page, the audit entry naming the patients
// shown, and its references by record (core/audit: "who saw this patient?").
// A new query per request shows up here. (Every tenant.CacheTTL one request
// also reloads the clinic's record; the test takes the fewest of three.)
const maxListRoundTrips = 6

func roundTrips(t testing.TB, s *apptest.Server, f func()) int64 {
	t.Helper()
	before := s.DB.Commands()
	f()
	return s.DB.Commands() - before
}

// TestListPageRoundTrips has a Ward of its own: it counts every command
// the database receives.
func TestListPageRoundTrips(t *testing.T) {
	s := startServer(t)
	cl, c := start(t, s)
	var ps []patients.Patient
	for i := range 60 {
		ps = append(ps, newPatient(fmt.Sprintf("First%02d", i), sortCases[i%len(sortCases)][1]))
	}
	insertPatients(t, cl.DB, ps)
	id := ps[0].ID
	c.Get(cl.Host, "/patients") // warm: policy cache, settings

	measure := func(path string, h ...string) int64 {
		var runs []int64
		for range 3 {
			runs = append(runs, roundTrips(t, s, func() {
				if r := c.Get(cl.Host, path, h...); r.StatusCode != 200 {
					t.Fatalf("GET %s: %d", path, r.StatusCode)
				}
			}))
		}
		t.Logf("GET %s %v: %v round trips", path, h, runs)
		return slices.Min(runs)
	}
	if n := measure("/patients?page=2"); n > maxListRoundTrips {
		t.Errorf("a list page costs %d database round trips, at most %d expected", n, maxListRoundTrips)
	}
	if n := measure("/patients?q=smi"); n > maxListRoundTrips {
		t.Errorf("a search costs %d database round trips, at most %d expected", n, maxListRoundTrips)
	}
	if n := measure("/patients?q=smi", "HX-Request", "true", "HX-Target", "results"); n > maxListRoundTrips {
		t.Errorf("a search fragment costs %d database round trips, at most %d expected", n, maxListRoundTrips)
	}
	if n := measure("/api/patients?page=2"); n > maxListRoundTrips {
		t.Errorf("an API list costs %d database round trips, at most %d expected", n, maxListRoundTrips)
	}
	measure("/patients/" + id) // informative: session, user, patient, audit insert
}

// testInterruptedSaveDoesNotLockThePatient: a save is two writes — insert
// the revision that claims version N+1, then replace the patient (core/records
// Save). If the second write does not happen (the process stops, the
// database times out), revision N+1 exists while the patient still says
// version N. From then on every save starts from N, loses the claim on N+1
// and is a "conflict"; the conflict form shows version N again, so nobody
// can ever edit the patient — through the pages or the API. DESIGN.md asks
// multi-step writes to be resumable.
func testInterruptedSaveDoesNotLockThePatient(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	id := register(t, c, cl.Host, person("Zoë", "Núñez", "phone", "555 010 2030"))

	// The state an interrupted save leaves: revision 2 claimed, patient at 1.
	snap := getPatient(t, cl.DB, id)
	snap.Version, snap.Phone, snap.PhoneDigits, snap.PhoneRev = 2, "555 000 9999", "5550009999", "9999000555"
	if err := cl.DB.Collection(revisionsColl).Insert(context.Background(), struct {
		ID        string           `bson:"_id"`
		PatientID string           `bson:"patientId"`
		Version   int64            `bson:"version"`
		Snapshot  patients.Patient `bson:"snapshot"`
		Changed   []string         `bson:"changed"`
		By        string           `bson:"by"`
		At        time.Time        `bson:"at"`
	}{db.NewID(), id, 2, snap, []string{"phone"}, cl.Admin.ID, apptest.Epoch}); err != nil {
		t.Fatal(err)
	}

	saved := false
	for attempt := 1; attempt <= 3 && !saved; attempt++ {
		version := c.Get(cl.Host, "/patients/"+id+"/edit").Doc(t).Find("input[name=version]").AttrOr("value", "")
		r := c.PostForm(cl.Host, "/patients/"+id, person("Zoë", "Núñez", "notes", "attempt "+strconv.Itoa(attempt), "version", version))
		t.Logf("attempt %d from version %s: %d", attempt, version, r.StatusCode)
		saved = r.StatusCode == http.StatusSeeOther
	}
	if !saved {
		t.Error("after an interrupted save, reloading the form and saving again never succeeds: the patient is locked")
	}
	_, e := c.API(cl.Host, http.MethodGet, "/api/patients/"+id, "")
	got := apptest.Data[apiPatient](t, e)
	r, _ := c.API(cl.Host, http.MethodPut, "/api/patients/"+id,
		fmt.Sprintf(`{"firstName":"Zoë","lastName":"Núñez","notes":"api","version":%d}`, got.Version))
	if r.StatusCode != http.StatusOK {
		t.Errorf("API update from the version GET returns (%d): %d", got.Version, r.StatusCode)
	}
}
