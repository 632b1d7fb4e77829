package signin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/tenant"
)

// handoff makes the token a sign-up from this machine (127.0.0.1, where
// the test clients connect from) would for the clinic's user.
func handoff(t *testing.T, s *apptest.Server, cl *apptest.Clinic, u *auth.User) string {
	t.Helper()
	return handoffFrom(t, s, cl, u, "127.0.0.1")
}

// handoffFrom makes the token a sign-up from ip would.
func handoffFrom(t *testing.T, s *apptest.Server, cl *apptest.Clinic, u *auth.User, ip string) string {
	t.Helper()
	tok, err := s.Platform.Handoff(context.Background(), cl.ID, u.ID, ip)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// altered is tok with its first character changed.
func altered(tok string) string {
	if tok[0] == 'A' {
		return "B" + tok[1:]
	}
	return "A" + tok[1:]
}

// wantHandoffRefused fails the test unless GET /welcome with tok on host
// sends the visitor to sign in, saying why, and signs no one in.
func wantHandoffRefused(t *testing.T, what string, c *apptest.Client, host, tok string) {
	t.Helper()
	r := c.Get(host, "/welcome?token="+tok)
	apptest.WantRedirect(t, what, r, "/login")
	if got := apptest.Flash(t, c.Follow(host, r)); !strings.Contains(got, "expired or was used already") {
		t.Errorf("%s: the sign-in page says %q", what, got)
	}
	apptest.WantToLogin(t, what+": the dashboard", c.Get(host, "/dashboard"))
}

// The hand-off starts a session as signing in does: under a new id, in a
// host-only cookie; it works once.
func TestHandoffSignsInOnce(t *testing.T) {
	t.Parallel()
	s, cl := start(t, nil)
	tok := handoff(t, s, cl, cl.Admin)
	c := s.Client(t)
	c.Get(cl.Host, "/login")
	before := jarCookie(t, s, c, cl.Host, "ward_session")

	r := c.Get(cl.Host, "/welcome?token="+tok)
	apptest.WantRedirect(t, "GET /welcome", r, "/dashboard")
	if raw := rawSetCookie(r, "ward_session"); raw == "" || strings.Contains(strings.ToLower(raw), "domain=") {
		t.Errorf("session cookie %q: want one, for the clinic's host only", raw)
	}
	if after := jarCookie(t, s, c, cl.Host, "ward_session"); after == "" || after == before {
		t.Error("the hand-off did not start a new session")
	}
	apptest.WantStatus(t, "the dashboard after the hand-off", c.Get(cl.Host, "/dashboard"), http.StatusOK)

	wantHandoffRefused(t, "the token again", s.Client(t), cl.Host, tok)
	// The person it signed in stays signed in.
	apptest.WantStatus(t, "the dashboard of the first browser", c.Get(cl.Host, "/dashboard"), http.StatusOK)
}

// A hand-off link passed on to someone else (another client address) signs
// no one in.
func TestHandoffOnlyFromTheSignUpsAddress(t *testing.T) {
	t.Parallel()
	s, cl := start(t, nil)
	wantHandoffRefused(t, "a token made for another address", s.Client(t), cl.Host, handoffFrom(t, s, cl, cl.Admin, "203.0.113.9"))
}

// Of many uses of one token at once, one signs in.
func TestHandoffConcurrentUse(t *testing.T) {
	t.Parallel()
	s, cl := start(t, nil)
	tok := handoff(t, s, cl, cl.Admin)
	const n = 10
	clients := make([]*apptest.Client, n)
	for i := range clients {
		clients[i] = s.Client(t)
	}
	locs := make([]string, n)
	apptest.AtOnce(n, func(i int) {
		req, _ := http.NewRequest(http.MethodGet, s.URL(cl.Host, "/welcome?token="+tok), nil)
		r, err := clients[i].Try(req)
		if err != nil {
			t.Error(err)
			return
		}
		locs[i] = r.Header.Get("Location")
	})
	won := 0
	for _, loc := range locs {
		switch loc {
		case "/dashboard":
			won++
		case "/login":
		default:
			t.Errorf("a use answered Location %q", loc)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d uses signed in, want 1", won, n)
	}
}

func TestHandoffRefused(t *testing.T) {
	t.Parallel()
	s, cl := start(t, nil)
	other := s.NewClinic(t, "bayview")

	// Another clinic's token is unknown here, and stays good on its own host.
	theirs := handoff(t, s, other, other.Admin)
	wantHandoffRefused(t, "bayview's token on sunrise", s.Client(t), cl.Host, theirs)
	apptest.WantRedirect(t, "bayview's token at home", s.Client(t).Get(other.Host, "/welcome?token="+theirs), "/dashboard")

	for what, tok := range map[string]string{"no token": "", "a made-up token": altered(handoff(t, s, cl, cl.Admin)),
		"a far too long token": strings.Repeat("a", 5000)} {
		wantHandoffRefused(t, what, s.Client(t), cl.Host, tok)
	}

	// A person deactivated since is not signed in.
	nurse := s.NewUser(t, cl, "nurse", "Nina Nurse", "nina@sunrise.test")
	tok := handoff(t, s, cl, nurse)
	if _, err := cl.DB.Collection(auth.UsersCollection).Update(context.Background(), db.ID(nurse.ID), db.Set("status", auth.UserInactive)); err != nil {
		t.Fatal(err)
	}
	wantHandoffRefused(t, "a deactivated user's token", s.Client(t), cl.Host, tok)
}

// A token works for tenant.HandoffTTL (this test moves the clock: its own
// Ward).
func TestHandoffExpires(t *testing.T) {
	t.Parallel()
	s, cl := start(t, nil)
	soon, late := handoff(t, s, cl, cl.Admin), handoff(t, s, cl, cl.Admin)
	s.Clock.Advance(tenant.HandoffTTL - 1)
	apptest.WantRedirect(t, "a token just in time", s.Client(t).Get(cl.Host, "/welcome?token="+soon), "/dashboard")
	s.Clock.Advance(1)
	wantHandoffRefused(t, "a token past its time", s.Client(t), cl.Host, late)
}
