package onboarding_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/tenant"
)

const msgFindSent = "If that address belongs to anyone at a Ward clinic, we've emailed the sign-in links."

// platformMail is the platform's outbox: the mail "find my clinic" sends.
func platformMail(t *testing.T, s *apptest.Server) []mail.Message {
	t.Helper()
	ms, err := s.Platform.Outbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// findByEmail asks for the sign-in links of email from the find page, as a
// person would, and returns the answer.
func findByEmail(t *testing.T, c *apptest.Client, email string) *apptest.Response {
	t.Helper()
	c.Get("localhost", "/find-clinic")
	return c.PostForm("localhost", "/find-clinic/email", url.Values{"email": {email}})
}

func TestPlatformSignInLeadsToFindMyClinic(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	apptest.WantRedirect(t, "GET /login on the platform host", c.Get("localhost", "/login"), "/find-clinic")
	page := c.Get("localhost", "/find-clinic")
	apptest.WantStatus(t, "GET /find-clinic", page, http.StatusOK)
	doc := page.Doc(t)
	for _, sel := range []string{`form[action="/find-clinic"] input[name="address"]`, `form[action="/find-clinic/email"] input[name="email"]`,
		`header a[href="/find-clinic"]`} {
		if doc.Find(sel).Length() != 1 {
			t.Errorf("the find page has no %s", sel)
		}
	}
	if doc := c.Get("localhost", "/").Doc(t); doc.Find(`header a[href="/find-clinic"]`).Length() != 1 {
		t.Error("the landing page's header has no Sign in link")
	}
}

func TestFindClinicByAddress(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.NewClinic(t, "sunrise")
	signin := "http://sunrise.localhost:" + s.Port + "/login"
	c := s.Client(t)
	c.Get("localhost", "/find-clinic")
	for _, typed := range []string{"sunrise", " Sunrise ", "sunrise.localhost", "sunrise.localhost:" + s.Port,
		"http://sunrise.localhost:" + s.Port + "/login", "https://SUNRISE.localhost/"} {
		r := c.PostForm("localhost", "/find-clinic", url.Values{"address": {typed}})
		apptest.WantRedirect(t, "address "+typed, r, signin)
	}
	for typed, want := range map[string]string{
		"moonrise":             "No clinic has the address moonrise.localhost:" + s.Port,
		"":                     "Enter your clinic's address",
		"sun rise":             "Use only lowercase letters",
		"sunrise.example.com":  "only the first part",
		"www":                  "No clinic has the address",
		strings.Repeat("a", 5): "No clinic has the address",
	} {
		r := c.PostForm("localhost", "/find-clinic", url.Values{"address": {typed}})
		apptest.WantStatus(t, "address "+typed, r, http.StatusUnprocessableEntity)
		if got := r.Doc(t).Find("#e-address").Text(); !strings.Contains(got, want) {
			t.Errorf("address %q: message %q, want %q", typed, got, want)
		}
	}
}

// The answer by email is the same whether the address is anyone's or not;
// only a known address gets mail, listing the clinics where it is an active
// account and which may mail it.
func TestFindClinicByEmail(t *testing.T) {
	t.Parallel()
	s := start(t)
	ctx := context.Background()
	a, b, gone := s.NewClinic(t, "acme"), s.NewClinic(t, "bayview"), s.NewClinic(t, "closed")
	for _, cl := range []*apptest.Clinic{a, b, gone} {
		s.NewUser(t, cl, "nurse", "Nina Nurse", "nina@example.org")
	}
	if _, err := s.Platform.Tenants().SetStatus(ctx, gone.ID, tenant.StatusSuspended, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	away := s.NewClinic(t, "deactivated")
	u := s.NewUser(t, away, "nurse", "Nina Nurse", "nina@example.org")
	if _, err := away.DB.Collection(auth.UsersCollection).Update(ctx, db.ID(u.ID), db.Set("status", auth.UserInactive)); err != nil {
		t.Fatal(err)
	}
	// A clinic whose admin has not confirmed their address sends no mail
	// but theirs: it is not named to its other staff.
	if r := onboard(t, s, s.Client(t), form("unconfirmed")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", r.StatusCode)
	}
	unconfirmed, err := s.Platform.Tenants().BySubdomain(ctx, "unconfirmed")
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.CreateUser(ctx, s.Platform.Clinic(unconfirmed.ID), &auth.User{Name: "Nina Nurse", Email: "nina@example.org", RoleKey: "nurse"}, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}

	known, unknown := s.Client(t), s.Client(t)
	rk := findByEmail(t, known, "Nina@Example.org")
	ru := findByEmail(t, unknown, "nobody@example.org")
	for what, r := range map[string]*apptest.Response{"known": rk, "unknown": ru} {
		apptest.WantRedirect(t, what+" address", r, "/find-clinic")
	}
	known.WantFlash("localhost", rk, msgFindSent)
	unknown.WantFlash("localhost", ru, msgFindSent)

	ms := platformMail(t, s)
	if len(ms) != 1 {
		t.Fatalf("platform mail = %+v, want one to nina", ms)
	}
	m := ms[0]
	if m.To != "nina@example.org" || m.Status != mail.StatusQueued {
		t.Errorf("mail = %+v", m)
	}
	for _, sub := range []string{"acme", "bayview"} {
		if link := "http://" + sub + ".localhost:" + s.Port + "/login"; !strings.Contains(m.Text, link) {
			t.Errorf("the mail has no link %s:\n%s", link, m.Text)
		}
	}
	for _, sub := range []string{"closed", "deactivated", "unconfirmed"} {
		if strings.Contains(m.Text, sub+".localhost") {
			t.Errorf("the mail names %s:\n%s", sub, m.Text)
		}
	}

	// The admin who signed the unconfirmed clinic up is its held address:
	// they get its link.
	findByEmail(t, s.Client(t), "ada@example.org")
	var toAda []mail.Message
	for _, m := range platformMail(t, s) {
		if m.To == "ada@example.org" {
			toAda = append(toAda, m)
		}
	}
	if len(toAda) != 1 || !strings.Contains(toAda[0].Text, "http://unconfirmed.localhost:"+s.Port+"/login") {
		t.Errorf("platform mail to ada = %+v", toAda)
	}

	// A bad address is the form's to correct; nothing is mailed.
	r := findByEmail(t, s.Client(t), "not an address")
	apptest.WantStatus(t, "a malformed address", r, http.StatusUnprocessableEntity)
	if r.Doc(t).Find("#e-email").Text() == "" {
		t.Error("no message beside the email field")
	}
}

// An address gets at most tenant.MaxFindMailsPerAddress mails an hour,
// with the same answer every time; a network gets tenant.MaxFindsPerIP
// answers an hour.
func TestFindClinicByEmailIsLimited(t *testing.T) {
	t.Parallel()
	s := start(t)
	cl := s.NewClinic(t, "sunrise")
	c := s.Client(t)
	for i := range tenant.MaxFindMailsPerAddress + 2 {
		r := findByEmail(t, c, cl.Admin.Email)
		apptest.WantRedirect(t, "request "+string(rune('1'+i)), r, "/find-clinic")
	}
	if n := len(platformMail(t, s)); n != tenant.MaxFindMailsPerAddress {
		t.Errorf("%d mails to one address, want %d", n, tenant.MaxFindMailsPerAddress)
	}
	for range tenant.MaxFindsPerIP - tenant.MaxFindMailsPerAddress - 2 {
		apptest.WantRedirect(t, "a request within the network's limit", findByEmail(t, c, "someone@example.org"), "/find-clinic")
	}
	r := findByEmail(t, c, "someone@example.org")
	apptest.WantStatus(t, "a request over the network's limit", r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.Doc(t).Find("#e-email").Text(), "Too many requests") {
		t.Errorf("the refusal says no wait: Retry-After %q\n%s", r.Header.Get("Retry-After"), r.Body)
	}

	// An hour on, the address may be mailed again.
	s.Clock.Advance(tenant.FindWindow)
	findByEmail(t, c, cl.Admin.Email)
	if n := len(platformMail(t, s)); n != tenant.MaxFindMailsPerAddress+1 {
		t.Errorf("%d mails after an hour, want %d", n, tenant.MaxFindMailsPerAddress+1)
	}
}
