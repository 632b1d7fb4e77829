package onboarding_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/landing"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
	"github.com/wardclinic/ward/modules/staff"
)

const sunrise = "sunrise.localhost"

var verifyLink = regexp.MustCompile(`http://[^\s/]+/email/verify\?token=([A-Za-z0-9_-]+)`)

// startClinic runs Ward with the modules a new clinic's admin uses and
// onboards "sunrise" through the sign-up form.
func startClinic(t *testing.T) (*apptest.Server, *db.Tenant) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{}, landing.New(), onboarding.New(), settings.New(), signin.New(), dashboard.New(), staff.New())
	if r := onboard(t, s, s.Client(t), form("sunrise")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("onboarding: %d\n%s", r.StatusCode, r.Body)
	}
	ts := tenantsWith(t, s, "sunrise")
	if len(ts) != 1 {
		t.Fatalf("%d clinics", len(ts))
	}
	return s, s.DB.ForTenant(ts[0].ID)
}

// outboxOf is every message of the clinic with the subdomain, oldest first.
func outboxOf(t *testing.T, s *apptest.Server, sub string) []mail.Message {
	t.Helper()
	ts := tenantsWith(t, s, sub)
	if len(ts) != 1 {
		t.Fatalf("%d clinics %s", len(ts), sub)
	}
	return messages(t, s.DB.ForTenant(ts[0].ID), db.Filter{})
}

// messages are the clinic's messages that f matches, oldest first.
func messages(t *testing.T, tdb *db.Tenant, f db.Filter) []mail.Message {
	t.Helper()
	return apptest.Find[mail.Message](t, tdb.Collection(mail.Collection), f, db.Asc("createdAt"), db.Asc("_id"))
}

// only returns the one message to the address, failing otherwise.
func only(t *testing.T, tdb *db.Tenant, to string) mail.Message {
	t.Helper()
	ms := messages(t, tdb, db.Eq("to", to))
	if len(ms) != 1 {
		t.Fatalf("%d messages to %s, want 1: %+v", len(ms), to, ms)
	}
	return ms[0]
}

// wantMail fails the test unless the one message to the address has the
// status; what says at which step.
func wantMail(t *testing.T, tdb *db.Tenant, to, status, what string) {
	t.Helper()
	if m := only(t, tdb, to); m.Status != status {
		t.Fatalf("%s: the message to %s is %q, want %q", what, to, m.Status, status)
	}
}

// deliver runs the sender as its job does (no SMTP: mail is logged).
func deliver(t *testing.T, s *apptest.Server) {
	t.Helper()
	if _, err := s.Ward.Mail().SendQueued(context.Background(), 100, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func verifyToken(t *testing.T, m mail.Message) string {
	t.Helper()
	v := verifyLink.FindStringSubmatch(m.Text)
	if v == nil {
		t.Fatalf("no verification link in %q", m.Text)
	}
	return v[1]
}

func TestOnboardingSendsOnlyTheVerification(t *testing.T) {
	t.Parallel()
	s, tdb := startClinic(t)
	ms := messages(t, tdb, db.Filter{})
	if len(ms) != 1 {
		t.Fatalf("onboarding queued %d messages, want 1 (the verification): %+v", len(ms), ms)
	}
	m := ms[0]
	if m.To != "ada@example.org" || m.Status != mail.StatusQueued || !strings.Contains(m.Subject, "Confirm your email address") {
		t.Errorf("verification mail %+v", m)
	}
	// The welcome is folded in: the sign-in address and the trial.
	for _, want := range []string{"http://sunrise.localhost:" + s.Port + "/login", "Sunrise Clinic", "free trial",
		"http://sunrise.localhost:" + s.Port + "/email/verify?token="} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the verification mail does not say %q:\n%s", want, m.Text)
		}
	}
}

func TestUnverifiedClinicHoldsMailUntilVerified(t *testing.T) {
	t.Parallel()
	s, tdb := startClinic(t)
	ctx := context.Background()
	admin := s.Client(t)
	admin.SignIn(sunrise, "ada@example.org", password)

	// The clinic works at once; its admin is asked to confirm.
	dash := admin.Get(sunrise, "/dashboard")
	apptest.WantStatus(t, "dashboard", dash, http.StatusOK)
	banner := dash.Doc(t).Find("#confirm-email")
	if !strings.Contains(banner.Text(), "Confirm your email address") || banner.Find(`form[action="/email/verify/resend"] button`).Length() != 1 {
		t.Fatalf("no confirmation banner with a Resend button:\n%s", dash.Body)
	}

	// An invitation waits in the outbox, and the sender leaves it there.
	admin.Get(sunrise, "/staff/new")
	r := admin.PostForm(sunrise, "/staff", url.Values{"name": {"Dora Doctor"}, "email": {"dora@elsewhere.test"}, "roleKey": {"doctor"}})
	// The staff page says so, however it carries the message there.
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || (loc != "/staff" && !strings.HasPrefix(loc, "/staff?")) {
		t.Fatalf("invite: %d Location %q, want 303 /staff", r.StatusCode, loc)
	}
	if p := admin.Get(sunrise, r.Header.Get("Location")); !strings.Contains(p.Doc(t).Find("body").Text(), "once this clinic's email address is confirmed") {
		t.Errorf("the staff page does not say that the invitation waits:\n%s", p.Body)
	}
	wantMail(t, tdb, "dora@elsewhere.test", mail.StatusHeld, "an unverified clinic's invitation")
	deliver(t, s)
	wantMail(t, tdb, "dora@elsewhere.test", mail.StatusHeld, "the sender delivered a held invitation")
	wantMail(t, tdb, "ada@example.org", mail.StatusLogged, "the verification, delivered")
	verification := only(t, tdb, "ada@example.org")

	// The link opens a confirmation page (mail scanners that follow links
	// confirm nothing); confirming releases the held mail.
	tok := verifyToken(t, verification)
	v := s.Client(t)
	page := v.Get(sunrise, "/email/verify?token="+url.QueryEscape(tok))
	apptest.WantStatus(t, "verification page", page, http.StatusOK)
	wantMail(t, tdb, "dora@elsewhere.test", mail.StatusHeld, "opening the page released the mail")
	r = v.PostForm(sunrise, "/email/verify", url.Values{"token": {tok}})
	apptest.WantRedirect(t, "confirm", r, "/email/verify?done=1")
	if p := v.Get(sunrise, "/email/verify?done=1"); !strings.Contains(p.Body, "Your email address is confirmed") {
		t.Fatalf("the page after confirming:\n%s", p.Body)
	}
	wantMail(t, tdb, "dora@elsewhere.test", mail.StatusQueued, "after verification")
	deliver(t, s)
	wantMail(t, tdb, "dora@elsewhere.test", mail.StatusLogged, "after verification and delivery")

	// The banner is gone and new mail goes out at once.
	if d := admin.Get(sunrise, "/dashboard"); d.Doc(t).Find("#confirm-email").Length() != 0 {
		t.Error("the banner is still shown after verification")
	}
	admin.Get(sunrise, "/staff/new")
	admin.PostForm(sunrise, "/staff", url.Values{"name": {"Nuru Nurse"}, "email": {"nuru@elsewhere.test"}, "roleKey": {"nurse"}})
	if m := only(t, tdb, "nuru@elsewhere.test"); m.Status != mail.StatusQueued {
		t.Errorf("a verified clinic's invitation is %q", m.Status)
	}

	// The link works once.
	apptest.WantStatus(t, "used link", v.Get(sunrise, "/email/verify?token="+url.QueryEscape(tok)), http.StatusGone)
	apptest.WantStatus(t, "used link posted", v.PostForm(sunrise, "/email/verify", url.Values{"token": {tok}}), http.StatusGone)
	if _, err := auth.UserByEmail(ctx, tdb, "dora@elsewhere.test"); err != nil {
		t.Fatal(err)
	}
}

func TestVerificationLinkLifetimeAndResend(t *testing.T) {
	t.Parallel()
	s, tdb := startClinic(t)
	first := verifyToken(t, only(t, tdb, "ada@example.org"))
	c := s.Client(t)
	for _, bad := range []string{"", "nonsense", first + "x"} {
		apptest.WantStatus(t, "token "+bad, c.Get(sunrise, "/email/verify?token="+url.QueryEscape(bad)), http.StatusGone)
	}

	// Only admins see the banner and may resend.
	doc := &auth.User{Name: "Dora Doctor", Email: "dora@sunrise.test", RoleKey: "doctor"}
	if err := auth.CreateUser(context.Background(), tdb, doc, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	dc := s.Client(t)
	dc.SignIn(sunrise, doc.Email, password)
	if d := dc.Get(sunrise, "/dashboard"); d.Doc(t).Find("#confirm-email").Length() != 0 {
		t.Error("a doctor sees the confirmation banner")
	}
	apptest.WantStatus(t, "resend as a doctor", dc.PostForm(sunrise, "/email/verify/resend", url.Values{}), http.StatusForbidden)

	// A resend sends a new link; the old one stops working. Another
	// within minutes sends nothing more.
	admin := s.Client(t)
	admin.SignIn(sunrise, "ada@example.org", password)
	s.Clock.Advance(10 * time.Minute)
	apptest.WantRedirect(t, "resend", admin.PostForm(sunrise, "/email/verify/resend", url.Values{}), "/email/verify?sent=1")
	ms := messages(t, tdb, db.Eq("to", "ada@example.org"))
	if len(ms) != 2 || ms[1].Status != mail.StatusQueued {
		t.Fatalf("after a resend: %+v", ms)
	}
	second := verifyToken(t, ms[1])
	admin.PostForm(sunrise, "/email/verify/resend", url.Values{})
	if n := len(messages(t, tdb, db.Eq("to", "ada@example.org"))); n != 2 {
		t.Fatalf("a second resend within minutes sent more: %d messages", n)
	}
	apptest.WantStatus(t, "the replaced link", c.Get(sunrise, "/email/verify?token="+url.QueryEscape(first)), http.StatusGone)

	// A link is good for 48 hours.
	s.Clock.Advance(48*time.Hour + time.Minute)
	apptest.WantStatus(t, "an expired link", c.Get(sunrise, "/email/verify?token="+url.QueryEscape(second)), http.StatusGone)
}

// A password reset for the address being verified goes out (it is the same
// mailbox the verification went to, and its owner must be able to get in);
// one for anyone else waits like all the clinic's other mail.
func TestResetMailWhileUnverified(t *testing.T) {
	t.Parallel()
	s, tdb := startClinic(t)
	other := &auth.User{Name: "Nuru Nurse", Email: "nuru@elsewhere.test", RoleKey: "nurse"}
	if err := auth.CreateUser(context.Background(), tdb, other, password, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"ada@example.org", other.Email} {
		c := s.Client(t)
		c.Get(sunrise, "/password/forgot")
		apptest.WantStatus(t, "forgot "+email, c.PostForm(sunrise, "/password/forgot", url.Values{"email": {email}}), http.StatusOK)
	}
	ms := messages(t, tdb, db.And(db.Eq("to", "ada@example.org"), db.Eq("status", mail.StatusQueued)))
	if len(ms) != 2 {
		t.Errorf("the admin's reset is not queued with the verification: %+v", ms)
	}
	if m := only(t, tdb, other.Email); m.Status != mail.StatusHeld {
		t.Errorf("a reset for another address is %q, want held", m.Status)
	}
}
