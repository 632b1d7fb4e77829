package signin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
)

// newPassword passes the password rules and is nobody's old password.
const newPassword = "velvet otter climbs marble stairs"

var resetLink = regexp.MustCompile(`(http://[^\s/]+)/password/reset\?token=([A-Za-z0-9_-]+)`)

// outbox is the clinic's mail to one address, newest first.
func outbox(t *testing.T, s *apptest.Server, cl *apptest.Clinic, to string) []mail.Message {
	t.Helper()
	var ms []mail.Message
	err := s.DB.ForTenant(cl.ID).Collection(mail.Collection).Find(context.Background(), db.Eq("to", to), &ms,
		db.FindOptions{Sort: []db.Order{db.Desc("createdAt"), db.Desc("_id")}})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func forgot(c *apptest.Client, host, email string) *apptest.Response {
	c.Get(host, "/password/forgot")
	return c.PostForm(host, "/password/forgot", url.Values{"email": {email}})
}

// requestReset asks for a reset link for email and returns the token from
// the newest message.
func requestReset(t *testing.T, s *apptest.Server, cl *apptest.Clinic, email string) string {
	t.Helper()
	apptest.WantStatus(t, "forgot", forgot(s.Client(t), cl.Host, email), http.StatusOK)
	ms := outbox(t, s, cl, email)
	if len(ms) == 0 {
		t.Fatalf("no mail to %s", email)
	}
	m := resetLink.FindStringSubmatch(ms[0].Text)
	if m == nil {
		t.Fatalf("no reset link in %q", ms[0].Text)
	}
	return m[2]
}

// resetForm posts a new password with token as the reset page's form does.
func resetForm(c *apptest.Client, host, token, password, confirm string) *apptest.Response {
	return c.PostForm(host, "/password/reset", url.Values{"token": {token}, "password": {password}, "confirm": {confirm}})
}

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	gone := s.NewUser(t, a, "nurse", "Gone Nurse", "gone@sunrise.test")
	if err := auth.SetStatus(context.Background(), a.DB, gone.ID, auth.UserInactive, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	allMail := func() int64 { return apptest.Count(t, a.DB.Collection(mail.Collection), db.Filter{}) }

	answer := func(email string) (int, string) {
		t.Helper()
		c := s.Client(t)
		c.Get(a.Host, "/password/forgot")
		began := time.Now()
		r := c.PostForm(a.Host, "/password/forgot", url.Values{"email": {email}})
		// Every answer takes the same least time, so the time does not
		// tell whether the account exists (a real one costs a token and a
		// mail).
		if took := time.Since(began); took < 150*time.Millisecond {
			t.Errorf("forgot for %s answered in %v, before the floor of 150ms", email, took)
		}
		text := strings.Join(strings.Fields(r.Doc(t).Find("main").Text()), " ")
		return r.StatusCode, strings.ReplaceAll(text, email, "EMAIL")
	}
	okStatus, okText := answer(a.Admin.Email)
	if okStatus != http.StatusOK || !strings.Contains(okText, "we have sent it a link") {
		t.Fatalf("forgot for an account: %d %q", okStatus, okText)
	}
	for _, email := range []string{"nobody@sunrise.test", gone.Email} {
		st, text := answer(email)
		if st != okStatus || text != okText {
			t.Fatalf("forgot for %s answers %d %q;\nfor an account %d %q", email, st, text, okStatus, okText)
		}
	}
	if n := allMail(); n != 1 {
		t.Fatalf("%d messages queued, want 1 (only for the active account)", n)
	}
	ms := outbox(t, s, a, a.Admin.Email)
	if len(ms) != 1 {
		t.Fatalf("%d messages to the admin", len(ms))
	}
	m := resetLink.FindStringSubmatch(ms[0].Text)
	if m == nil || m[1] != "http://"+a.Host+":"+s.Port {
		t.Fatalf("reset mail has no link to the clinic: %q", ms[0].Text)
	}
	if n := apptest.Count(t, a.DB.Collection(auth.ResetTokensCollection), db.ID(m[2])); n != 0 {
		t.Fatal("the token is stored in clear")
	}

	// Asking again at once sends nothing more (no inbox flooding) and
	// answers the same.
	if st, text := answer(a.Admin.Email); st != okStatus || text != okText {
		t.Fatalf("second request answers %d %q", st, text)
	}
	if n := allMail(); n != 1 {
		t.Fatalf("a second request within minutes queued another message (%d)", n)
	}
	s.Clock.Advance(6 * time.Minute)
	answer(a.Admin.Email)
	if n := allMail(); n != 2 {
		t.Fatalf("a request 6 minutes later queued %d messages in all, want 2", n)
	}

	r := forgot(s.Client(t), a.Host, "not an email")
	apptest.WantStatus(t, "malformed email", r, http.StatusUnprocessableEntity)
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	elsewhere := s.SignedIn(t, a.Host, a.Admin.Email)
	s.Clock.Advance(time.Minute)

	tok := requestReset(t, s, a, a.Admin.Email)
	c := s.Client(t)
	page := c.Get(a.Host, "/password/reset?token="+url.QueryEscape(tok))
	apptest.WantStatus(t, "reset page", page, http.StatusOK)
	if v, _ := page.Doc(t).Find(`input[name="token"]`).Attr("value"); v != tok {
		t.Fatalf("reset form carries token %q", v)
	}
	// The account is named as a read-only username, so a password manager
	// saves the new password under it; a reset is not an invitation.
	account := page.Doc(t).Find(`form[action="/password/reset"] input[autocomplete="username"]`)
	if _, ro := account.Attr("readonly"); !ro || account.AttrOr("value", "") != a.Admin.Email {
		t.Errorf("reset form's username field: %d, value %q, readonly %v", account.Length(), account.AttrOr("value", ""), ro)
	}
	if page.Doc(t).Find(`input[name="invite"]`).Length() != 0 || strings.Contains(page.Doc(t).Find("h1").Text(), "Welcome") {
		t.Error("the reset page reads as an invitation")
	}

	for _, tc := range []struct{ name, password, confirm, field string }{
		{"common", "password", "password", "password"},
		{"short", "tiger lamp", "tiger lamp", "password"},
		{"repeated", "passwordpassword", "passwordpassword", "password"},
		{"the clinic's name", "sunrise is my favourite place", "sunrise is my favourite place", "password"},
		{"not confirmed", newPassword, newPassword + "!", "confirm"},
	} {
		r := resetForm(c, a.Host, tok, tc.password, tc.confirm)
		apptest.WantStatus(t, "weak password: "+tc.name, r, http.StatusUnprocessableEntity)
		if r.Doc(t).Find("#e-"+tc.field).Length() == 0 {
			t.Fatalf("%s: no message beside %s\n%s", tc.name, tc.field, r.Body)
		}
	}

	r := resetForm(c, a.Host, tok, newPassword, newPassword)
	// The confirmation waits in the visitor's session, not in the link.
	apptest.WantRedirect(t, "reset", r, "/login")
	if msg := apptest.Flash(t, c.Get(a.Host, "/login")); !strings.Contains(msg, "Your password was changed") {
		t.Fatalf("the sign-in page after the reset says %q, want it to confirm the change", msg)
	}
	if msg := apptest.Flash(t, c.Get(a.Host, "/login")); msg != "" {
		t.Fatalf("the confirmation %q is shown again on reload", msg)
	}
	// No one is signed in: the entry names the person the link was for.
	if es := auditEntries(t, a, audit.PasswordReset); len(es) != 1 || es[0].ActorID != a.Admin.ID ||
		es[0].ActorEmail != a.Admin.Email || es[0].Target != "user:"+a.Admin.ID || es[0].IP == "" {
		t.Fatalf("password.reset audit entries %+v, want one by and about the admin", es)
	}

	apptest.WantStatus(t, "old password", s.Client(t).Login(a.Host, a.Admin.Email, apptest.Password), http.StatusUnprocessableEntity)
	apptest.WantRedirect(t, "new password", s.Client(t).Login(a.Host, a.Admin.Email, newPassword), "/dashboard")

	// The reset ended the session opened before it.
	apptest.WantToLogin(t, "session from before the reset", elsewhere.Get(a.Host, "/dashboard"))

	// The link works once.
	again := c.Get(a.Host, "/password/reset?token="+url.QueryEscape(tok))
	apptest.WantStatus(t, "used link", again, http.StatusGone)
	if !strings.Contains(again.Body, "expired or was used") {
		t.Fatalf("used link page: %s", again.Body)
	}
	r = resetForm(c, a.Host, tok, "another fine passphrase for me", "another fine passphrase for me")
	apptest.WantStatus(t, "used token posted", r, http.StatusGone)
	if !strings.Contains(r.Body, "expired or was used") {
		t.Fatalf("used token answer: %s", r.Body)
	}
	apptest.WantRedirect(t, "password after the replay", s.Client(t).Login(a.Host, a.Admin.Email, newPassword), "/dashboard")
}

func TestPasswordResetTokenLifetime(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	b := s.NewClinic(t, "moonrise")
	tok := requestReset(t, s, a, a.Admin.Email)
	c := s.Client(t)

	for _, bad := range []string{"", "nonsense", tok + "x", strings.ToUpper(tok)} {
		apptest.WantStatus(t, "token "+bad, c.Get(a.Host, "/password/reset?token="+url.QueryEscape(bad)), http.StatusGone)
	}
	// A's link means nothing at B.
	apptest.WantStatus(t, "A's token at B", c.Get(b.Host, "/password/reset?token="+url.QueryEscape(tok)), http.StatusGone)

	s.Clock.Advance(59 * time.Minute)
	apptest.WantStatus(t, "after 59 minutes", c.Get(a.Host, "/password/reset?token="+url.QueryEscape(tok)), http.StatusOK)
	s.Clock.Advance(2 * time.Minute)
	r := c.Get(a.Host, "/password/reset?token="+url.QueryEscape(tok))
	apptest.WantStatus(t, "after 61 minutes", r, http.StatusGone)
	if !strings.Contains(r.Body, "expired or was used") {
		t.Fatalf("expired link page: %s", r.Body)
	}
	apptest.WantStatus(t, "post after 61 minutes", resetForm(c, a.Host, tok, newPassword, newPassword), http.StatusGone)
	apptest.WantRedirect(t, "old password still works", s.Client(t).Login(a.Host, a.Admin.Email, apptest.Password), "/dashboard")
}

func TestPasswordResetTokenConcurrentUse(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	tok := requestReset(t, s, a, a.Admin.Email)

	const n = 20
	reqs := make([]*http.Request, n)
	clients := make([]*apptest.Client, n)
	for i := range n {
		clients[i] = s.Client(t)
		apptest.WantStatus(t, "reset page", clients[i].Get(a.Host, "/password/reset?token="+url.QueryEscape(tok)), http.StatusOK)
		// Each would-be winner chooses a different password.
		pw := newPassword + " " + string(rune('a'+i))
		reqs[i] = clients[i].FormRequest(a.Host, "/password/reset", url.Values{"token": {tok}, "password": {pw}, "confirm": {pw}})
	}
	statuses := make([]int, n)
	apptest.AtOnce(n, func(i int) {
		if r, err := clients[i].Try(reqs[i]); err != nil {
			t.Errorf("request %d: %v", i, err)
		} else {
			statuses[i] = r.StatusCode
		}
	})

	won := -1
	for i := range n {
		switch statuses[i] {
		case http.StatusSeeOther:
			if won >= 0 {
				t.Fatalf("requests %d and %d both used the token", won, i)
			}
			won = i
		case http.StatusGone:
		default:
			t.Fatalf("request %d: status %d", i, statuses[i])
		}
	}
	if won < 0 {
		t.Fatalf("no request used the token: %v", statuses)
	}
	if n := len(auditEntries(t, a, audit.PasswordReset)); n != 1 {
		t.Fatalf("%d password.reset audit entries, want 1", n)
	}
	winner := newPassword + " " + string(rune('a'+won))
	apptest.WantRedirect(t, "the winner's password", s.Client(t).Login(a.Host, a.Admin.Email, winner), "/dashboard")
}

// The lockout message offers a password reset; the reset lifts the lockout,
// so the new password works at once.
func TestPasswordResetLiftsLockout(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	for range auth.MaxAccountFailures {
		c.Login(a.Host, a.Admin.Email, "a wrong guess")
	}
	r := c.Login(a.Host, a.Admin.Email, apptest.Password)
	apptest.WantStatus(t, "locked", r, http.StatusTooManyRequests)
	if msg := apptest.FormError(t, r); !strings.Contains(msg, "reset your password") {
		t.Fatalf("lockout message %q no longer offers a reset", msg)
	}

	tok := requestReset(t, s, a, a.Admin.Email)
	c.Get(a.Host, "/password/reset?token="+url.QueryEscape(tok))
	apptest.WantRedirect(t, "reset", resetForm(c, a.Host, tok, newPassword, newPassword), "/login")
	// The session that carries the confirmation does not get in the way of
	// signing in from the page that shows it.
	page := c.Get(a.Host, "/login")
	if msg := apptest.Flash(t, page); !strings.Contains(msg, "Your password was changed") {
		t.Fatalf("the sign-in page after the reset says %q", msg)
	}
	r = c.PostForm(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {newPassword}})
	apptest.WantRedirect(t, "sign-in with the new password right after the reset", r, "/dashboard")
}

// Reset and invitation links are built from the request's host; a Host
// header with a name where the port goes (sunrise.localhost:evil.example)
// must never end up in a mail.
func TestResetLinkIgnoresForgedPort(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c := s.Client(t)
	const forged = "sunrise.localhost:evil.example"
	req, _ := http.NewRequest(http.MethodGet, s.URL(a.Host, "/password/forgot"), nil)
	req.Host = forged
	c.Do(req)
	form := url.Values{"email": {a.Admin.Email}, "csrf_token": {c.Token(a.Host)}}
	req, _ = http.NewRequest(http.MethodPost, s.URL(a.Host, "/password/forgot"), strings.NewReader(form.Encode()))
	req.Host = forged
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := c.Do(req)
	if r.StatusCode >= 400 {
		return // refusing the forged host is a fix too
	}
	for _, m := range outbox(t, s, a, a.Admin.Email) {
		if strings.Contains(m.Text, "evil.example") {
			link := m.Text[strings.Index(m.Text, "http://"):]
			t.Fatalf("the reset mail links to %q", strings.Fields(link)[0])
		}
	}
}
