package patients_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
)

// Another page hands over what it knows: the form comes back filled in,
// nothing saved; once saved, the new patient's id goes back to the page
// that asked — a page of this clinic under /appointments/, nothing else.
func testReviewThenReturn(t *testing.T, s *apptest.Server) {
	cl, c := start(t, s)
	v := url.Values{"firstName": {"Pat"}, "lastName": {"Example"}, "dateOfBirth": {"1990-05-06"}, "email": {"pat@example.test"},
		"review": {"1"}, "returnTo": {"/appointments/abc/confirm"}}
	r := c.PostForm(cl.Host, "/patients", v)
	apptest.WantStatus(t, "the form to review", r, http.StatusOK)
	doc := r.Doc(t)
	if doc.Find(`input[name="lastName"][value="Example"]`).Length() != 1 || doc.Find(`input[name="returnTo"][value="/appointments/abc/confirm"]`).Length() != 1 {
		t.Fatal("the form is not filled in")
	}
	if n := apptest.Count(t, cl.DB.Collection("patients"), db.Filter{}); n != 0 {
		t.Fatalf("reviewing stored %d patients", n)
	}
	v.Del("review")
	v.Set("sex", "female")
	r = c.PostForm(cl.Host, "/patients", v)
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || len(loc) < len("/appointments/abc/confirm?patientId=") ||
		loc[:len("/appointments/abc/confirm?patientId=")] != "/appointments/abc/confirm?patientId=" {
		t.Fatalf("after registering: %d to %q", r.StatusCode, loc)
	}
	for _, bad := range []string{"https://evil.test/appointments/x", "//evil.test/appointments/", "/appointments/x?y=1", "/patients/x", "/appointments/%2F%2Fevil"} {
		v.Set("returnTo", bad)
		v.Set("firstName", "Pat"+bad[:1])
		v.Set("confirm", "1")
		r := c.PostForm(cl.Host, "/patients", v)
		if loc := r.Header.Get("Location"); !patientURL.MatchString(loc) {
			t.Errorf("returnTo %q: went to %q", bad, loc)
		}
	}
}
