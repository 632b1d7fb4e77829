package signin_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
)

// snapshot is every document of every collection, as extended JSON, so a
// test can tell that a refused request wrote nothing anywhere.
func snapshot(t *testing.T, s *apptest.Server) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, docs := range apptest.Everything[bson.D](t, s) {
		for _, d := range docs {
			b, err := bson.MarshalExtJSON(d, true, false)
			if err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], string(b))
		}
	}
	return out
}

// sameData fails the test naming the collections that changed.
func sameData(t *testing.T, what string, before, after map[string][]string) {
	t.Helper()
	var changed []string
	for name := range before {
		if !slices.Equal(before[name], after[name]) {
			changed = append(changed, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok && len(after[name]) > 0 {
			changed = append(changed, name)
		}
	}
	if len(changed) > 0 {
		t.Fatalf("%s wrote to %v", what, changed)
	}
}

// TestCSRFOnEveryWrite sends every state-changing clinic route, as a
// signed-in admin, requests that a forger could make: no token, a wrong
// token, another person's token, and the admin's own valid token from a
// sibling clinic's page or another site. Each is refused with 403 before any
// module code runs, and nothing in the database changes.
func TestCSRFOnEveryWrite(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	s.NewClinic(t, "moonrise")
	nurse := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	ctx := context.Background()

	admin := s.SignedIn(t, a.Host, a.Admin.Email)
	other := s.SignedIn(t, a.Host, nurse.Email)
	stranger := s.Client(t)
	stranger.Get(a.Host, "/login")

	tok, err := auth.NewResetToken(ctx, a.DB, a.Admin.ID, auth.ResetTTL, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	setup, err := auth.NewTOTP("Clinic sunrise", a.Admin.Email)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(setup.Secret, s.Clock.Now())
	// What each route would do if the forgery got through.
	forms := map[string]url.Values{
		"/login":                {"email": {a.Admin.Email}, "password": {apptest.Password}},
		"/login/code":           {"code": {"123456"}},
		"/logout":               {},
		"/password/forgot":      {"email": {a.Admin.Email}},
		"/password/reset":       {"token": {tok}, "password": {newPassword}, "confirm": {newPassword}},
		"/staff":                {"name": {"Mallory"}, "email": {"mallory@sunrise.test"}, "roleKey": {"admin"}},
		"/staff/:id/role":       {"roleKey": {"admin"}, "confirm": {"1"}},
		"/staff/:id/status":     {"status": {"inactive"}, "confirm": {"1"}},
		"/staff/:id/invitation": {},
		"/profile/password":     {"current": {apptest.Password}, "password": {newPassword}, "confirm": {newPassword}},
		"/profile/totp/start":   {},
		"/profile/totp/enable":  {"secret": {setup.Secret}, "code": {code}, "current": {apptest.Password}},
		"/profile/totp/disable": {"current": {apptest.Password}},
	}

	valid := admin.Token(a.Host)
	sibling := "http://moonrise.localhost:" + s.Port
	cases := []struct {
		name    string
		token   string // "" sends none
		headers []string
	}{
		{"no token", "", nil},
		{"wrong token", strings.Repeat("A", len(valid)), nil},
		{"token of another session", other.Token(a.Host), nil},
		{"token of an anonymous visitor", stranger.Token(a.Host), nil},
		{"valid token from a sibling clinic", valid, []string{"Sec-Fetch-Site", "same-site", "Origin", sibling}},
		{"valid token from a sibling clinic, old browser", valid, []string{"Sec-Fetch-Site", "", "Origin", sibling}},
		{"valid token from another site", valid, []string{"Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"}},
		{"valid token in a header from a sibling clinic", "", []string{"X-CSRF-Token", valid, "Sec-Fetch-Site", "same-site", "Origin", sibling}},
	}

	var posts []app.Route
	for _, r := range s.App.Routes() {
		if r.Method == http.MethodPost && r.Host == app.ClinicHost {
			posts = append(posts, r)
		}
	}
	if len(posts) < len(forms) {
		t.Fatalf("only %d POST routes registered", len(posts))
	}
	for _, rt := range posts {
		form, ok := forms[rt.Path]
		if !ok {
			t.Errorf("POST %s: no form in this test; add what the route would write", rt.Path)
			continue
		}
		path := strings.ReplaceAll(rt.Path, ":id", nurse.ID)
		for _, tc := range cases {
			t.Run(rt.Path+"/"+tc.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				if tc.token != "" {
					f.Set("csrf_token", tc.token)
				}
				before := snapshot(t, s)
				r := admin.PostRaw(a.Host, path, f, tc.headers...)
				apptest.WantStatus(t, "POST "+path, r, http.StatusForbidden)
				sameData(t, "a refused POST "+path, before, snapshot(t, s))
			})
		}
	}

	// The admin is still signed in, and the same request with the token
	// and same-origin headers does write (the snapshot sees writes).
	apptest.WantStatus(t, "dashboard", admin.Get(a.Host, "/dashboard"), http.StatusOK)
	before := snapshot(t, s)
	r := admin.PostForm(a.Host, "/staff/"+nurse.ID+"/status", url.Values{"status": {"inactive"}, "confirm": {"1"}})
	apptest.WantRedirect(t, "genuine deactivation", r, "/staff?deactivated="+nurse.ID)
	after := snapshot(t, s)
	if slices.Equal(before["users"], after["users"]) {
		t.Fatal("the genuine request changed no user: the snapshot does not see writes")
	}
}

func TestCSRFOnLoginForm(t *testing.T) {
	t.Parallel()
	s, a := start(t, nil)
	c, other := s.Client(t), s.Client(t)
	c.Get(a.Host, "/login")
	other.Get(a.Host, "/login")
	form := url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}}

	before := sessionIDs(t, s)
	apptest.WantStatus(t, "login without a token", c.PostRaw(a.Host, "/login", form), http.StatusForbidden)
	f := url.Values{"csrf_token": {other.Token(a.Host)}}
	for k, v := range form {
		f[k] = v
	}
	apptest.WantStatus(t, "login with another visitor's token", c.PostRaw(a.Host, "/login", f), http.StatusForbidden)
	// Without the anonymous cookie the token is worth nothing.
	apptest.WantStatus(t, "token without its cookie", s.Client(t).PostRaw(a.Host, "/login", f), http.StatusForbidden)
	apptest.WantStatus(t, "login from a sibling clinic", c.PostForm(a.Host, "/login", form, "Sec-Fetch-Site", "same-site", "Origin", "http://moonrise.localhost:"+s.Port), http.StatusForbidden)
	if ids := newIDs(before, sessionIDs(t, s)); len(ids) != 0 {
		t.Fatalf("refused sign-ins made sessions %v", ids)
	}
	if n := apptest.Count(t, platform(s, auth.FailuresCollection), db.Filter{}); n != 0 {
		t.Fatalf("refused requests were counted as %d failed sign-ins", n)
	}
	apptest.WantRedirect(t, "login with the page's token", c.PostForm(a.Host, "/login", form), "/dashboard")
}
