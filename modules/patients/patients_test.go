package patients_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/boot"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/signin"
)

func start(t *testing.T) (*apptest.Server, *apptest.Clinic, *apptest.Client) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Modules: func(c *boot.Core) []app.Module {
		return []app.Module{signin.New(c), dashboard.New(), patients.New()}
	}})
	cl := s.NewClinic(t, "sunrise")
	c := s.Client(t)
	c.SignIn(cl.Host, cl.Admin.Email, apptest.Password)
	return s, cl, c
}

func TestRegisterFindEdit(t *testing.T) {
	_, cl, c := start(t)
	c.Get(cl.Host, "/patients/new")
	r := c.PostForm(cl.Host, "/patients", url.Values{"firstName": {"Zoë"}, "lastName": {"Núñez"}, "dateOfBirth": {"1984-07-23"},
		"phone": {"+1 (555) 010-2030"}, "allergies": {"Penicillin\nLatex"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	show := c.Get(cl.Host, loc)
	if show.StatusCode != 200 || !strings.Contains(show.Body, "Penicillin") || !strings.Contains(show.Body, "P-000001") {
		t.Fatalf("show: %d\n%s", show.StatusCode, show.Body)
	}
	for _, q := range []string{"zoe", "NUN", "5550102", "P-000001", "zo nu"} {
		l := c.Get(cl.Host, "/patients?q="+url.QueryEscape(q))
		if !strings.Contains(l.Body, "Núñez, Zoë") {
			t.Errorf("search %q did not find the patient", q)
		}
	}
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/patients/")
	c.Get(cl.Host, "/patients/"+id+"/edit")
	r = c.PostForm(cl.Host, "/patients/"+id, url.Values{"firstName": {"Zoë"}, "lastName": {"Núñez"}, "version": {"1"}, "phone": {"555 111 2222"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.StatusCode, r.Body)
	}
	r = c.PostForm(cl.Host, "/patients/"+id, url.Values{"firstName": {"Zoe"}, "lastName": {"Núñez"}, "version": {"1"}})
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("stale update: %d", r.StatusCode)
	}
}
