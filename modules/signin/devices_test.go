package signin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/auth"
)

// The addresses the tests sign in from (documentation ranges): the
// owner's at home, an attacker's away, and one a whole clinic shares.
const home, away, nat = "198.51.100.7", "203.0.113.9", "192.0.2.10"

// startBehindProxy runs Ward as if behind a reverse proxy on 127.0.0.1, so
// X-Forwarded-For says which address a test client stands for.
func startBehindProxy(t *testing.T) (*apptest.Server, *apptest.Clinic) {
	return start(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
}

// loginFrom signs in through the page, as a person at address ip would.
func loginFrom(c *apptest.Client, host, ip, email, password string) *apptest.Response {
	c.Get(host, "/login", "X-Forwarded-For", ip)
	return c.PostForm(host, "/login", url.Values{"email": {email}, "password": {password}}, "X-Forwarded-For", ip)
}

// retryAfter is the wait a refused sign-in asks for, in its Retry-After.
func retryAfter(t *testing.T, what string, r *apptest.Response) time.Duration {
	t.Helper()
	apptest.WantStatus(t, what, r, http.StatusTooManyRequests)
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("%s: Retry-After %q, want a number of seconds", what, r.Header.Get("Retry-After"))
	}
	return time.Duration(n) * time.Second
}

// deviceCookies are the client's device cookies on host.
func deviceCookies(t *testing.T, s *apptest.Server, c *apptest.Client, host string) []*http.Cookie {
	t.Helper()
	u, _ := url.Parse(s.URL(host, "/"))
	var out []*http.Cookie
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if strings.HasPrefix(ck.Name, "ward_device_") {
			out = append(out, ck)
		}
	}
	return out
}

// knownDevice is a new client that is a known device of email: it signed
// in from ip and signed out again.
func knownDevice(t *testing.T, s *apptest.Server, host, ip, email string) *apptest.Client {
	t.Helper()
	c := s.Client(t)
	signInAndOut(t, c, host, ip, email)
	return c
}

// signInAndOut makes c a known device of email: it signs in from ip and
// signs out again.
func signInAndOut(t *testing.T, c *apptest.Client, host, ip, email string) {
	t.Helper()
	apptest.WantRedirect(t, "sign-in of "+email, loginFrom(c, host, ip, email, apptest.Password), "/dashboard")
	c.Get(host, "/dashboard", "X-Forwarded-For", ip)
	apptest.WantRedirect(t, "sign-out", c.PostForm(host, "/logout", url.Values{}, "X-Forwarded-For", ip), "/login")
}

// An attacker's wrong passwords from elsewhere slow the attacker down and
// never stop the owner's own device: it signs in while the attacker waits.
func TestGuessesFromElsewhereDoNotLockOutTheOwnersDevice(t *testing.T) {
	t.Parallel()
	s, a := startBehindProxy(t)
	owner := knownDevice(t, s, a.Host, home, a.Admin.Email)

	// Twenty wrong passwords at once: five are checked, the rest refused.
	bot := s.Client(t)
	var refused []*apptest.Response
	for i := range 20 {
		r := loginFrom(bot, a.Host, away, a.Admin.Email, fmt.Sprintf("guess %d", i))
		if i < auth.MaxAccountFailures {
			apptest.WantStatus(t, "guess", r, http.StatusUnprocessableEntity)
			continue
		}
		apptest.WantStatus(t, "guess", r, http.StatusTooManyRequests)
		refused = append(refused, r)
	}
	signInAndOut(t, owner, a.Host, home, a.Admin.Email)
	// Refused, they were told to wait a second: asking again does not
	// lengthen the wait.
	for i, r := range refused {
		if w := retryAfter(t, "refused guess", r); w != time.Second {
			t.Fatalf("refused guess %d: wait %v, want 1s", i, w)
		}
	}

	// The attacker who waits as told gets 20 checked guesses, each wait
	// twice the last, up to 15 minutes; the owner's device is never held.
	checked := auth.MaxAccountFailures
	want := time.Second
	for checked < 20 {
		r := loginFrom(bot, a.Host, away, a.Admin.Email, fmt.Sprintf("guess %d", checked))
		if r.StatusCode == http.StatusUnprocessableEntity {
			checked++
			continue
		}
		if w := retryAfter(t, fmt.Sprintf("guess %d", checked), r); w != want {
			t.Fatalf("after %d failures: wait %v, want %v", checked, w, want)
		}
		signInAndOut(t, owner, a.Host, home, a.Admin.Email)
		s.Clock.Advance(want)
		want = min(2*want, 15*time.Minute)
	}

	// Now every unknown device waits the longest, answered at once.
	began := time.Now()
	r := loginFrom(s.Client(t), a.Host, home, a.Admin.Email, apptest.Password)
	if w := retryAfter(t, "an unknown device with the right password", r); w != 15*time.Minute {
		t.Fatalf("wait %v, want 15m", w)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("the refusal took %v: it must answer at once, not sleep", took)
	}
	if msg := apptest.FormError(t, r); !strings.Contains(msg, "try again in 15 minutes") {
		t.Fatalf("message %q", msg)
	}
	signInAndOut(t, owner, a.Host, home, a.Admin.Email)
}

// A clinic behind one shared address: twenty failures from it stop unknown
// devices there, never the devices its people signed in from before.
func TestSharedAddressDoesNotLockOutKnownDevices(t *testing.T) {
	t.Parallel()
	s, a := startBehindProxy(t)
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	desk := knownDevice(t, s, a.Host, nat, nina.Email)

	bot := s.Client(t)
	for i := range auth.MaxIPFailures {
		r := loginFrom(bot, a.Host, nat, fmt.Sprintf("guess%d@sunrise.test", i), "guessing")
		apptest.WantStatus(t, "guess", r, http.StatusUnprocessableEntity)
	}
	apptest.WantRedirect(t, "Nina's own computer at the address", loginFrom(desk, a.Host, nat, nina.Email, apptest.Password), "/dashboard")
	retryAfter(t, "an unknown device at the address", loginFrom(s.Client(t), a.Host, nat, nina.Email, apptest.Password))
}

// Failures made with a device cookie count against that device only: five
// of them hold that device for 15 minutes, and leave the account's other
// ways in alone.
func TestDeviceFailuresCountAgainstTheDevice(t *testing.T) {
	t.Parallel()
	s, a := startBehindProxy(t)
	shared := knownDevice(t, s, a.Host, home, a.Admin.Email)

	for i := range 5 {
		apptest.WantStatus(t, "wrong password on the device", loginFrom(shared, a.Host, home, a.Admin.Email, fmt.Sprintf("guess %d", i)), http.StatusUnprocessableEntity)
	}
	apptest.WantRedirect(t, "another browser, same address", loginFrom(s.Client(t), a.Host, home, a.Admin.Email, apptest.Password), "/dashboard")
	r := loginFrom(shared, a.Host, home, a.Admin.Email, apptest.Password)
	if w := retryAfter(t, "the device after five failures", r); w != 15*time.Minute {
		t.Fatalf("wait %v, want 15m", w)
	}

	s.Clock.Advance(14 * time.Minute)
	retryAfter(t, "the device after 14 minutes", loginFrom(shared, a.Host, home, a.Admin.Email, apptest.Password))
	s.Clock.Advance(time.Minute + time.Second)
	apptest.WantRedirect(t, "the device after 15 minutes", loginFrom(shared, a.Host, home, a.Admin.Email, apptest.Password), "/dashboard")
}

// A device cookie counts only for the account it was given to: under
// another account's name, or altered, it is no cookie at all.
func TestDeviceCookieIsBoundToItsAccount(t *testing.T) {
	t.Parallel()
	s, a := startBehindProxy(t)
	nina := s.NewUser(t, a, "nurse", "Nina Nurse", "nina@sunrise.test")
	c := knownDevice(t, s, a.Host, home, nina.Email)
	cks := deviceCookies(t, s, c, a.Host)
	if len(cks) != 1 {
		t.Fatalf("%d device cookies after a sign-in, want 1", len(cks))
	}
	ninas := cks[0]

	bot := s.Client(t)
	for i := range auth.MaxAccountFailures {
		loginFrom(bot, a.Host, away, a.Admin.Email, fmt.Sprintf("guess %d", i))
	}
	adminName := strings.Replace(ninas.Name, nina.ID, a.Admin.ID, 1)
	for _, tc := range []struct {
		what  string
		extra *http.Cookie
	}{
		{"Nina's browser, signing in as the admin", nil},
		{"Nina's cookie under the admin's name", &http.Cookie{Name: adminName, Value: ninas.Value}},
		{"an altered cookie", &http.Cookie{Name: adminName, Value: ninas.Value[:len(ninas.Value)-4] + "AAAA"}},
	} {
		if tc.extra != nil {
			u, _ := url.Parse(s.URL(a.Host, "/"))
			c.HTTP.Jar.SetCookies(u, []*http.Cookie{tc.extra})
		}
		retryAfter(t, tc.what, loginFrom(c, a.Host, home, a.Admin.Email, apptest.Password))
	}
}

// The device cookie: host-only, HttpOnly, SameSite=Strict, 180 days, and
// Secure under the __Host- prefix in production.
func TestDeviceCookieAttributes(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		nil,
		{"APP_ENV": "production", "SESSION_SECRET": strings.Repeat("0123456789abcdef", 3)},
	} {
		production := env != nil
		s, a := start(t, env)
		c := s.Client(t)
		page := c.Get(a.Host, "/login")
		csrfName := "ward_csrf"
		if production {
			csrfName = "__Host-ward_csrf"
		}
		anon := setCookie(page, csrfName)
		req := c.FormRequest(a.Host, "/login", url.Values{"email": {a.Admin.Email}, "password": {apptest.Password}})
		req.Header.Set("Cookie", anon.Name+"="+anon.Value) // the jar sends no Secure cookie over http
		r := c.Do(req)
		apptest.WantRedirect(t, "login", r, "/dashboard")

		name := "ward_device_" + a.Admin.ID
		if production {
			name = "__Host-" + name
		}
		ck, raw := setCookie(r, name), rawSetCookie(r, name)
		if ck == nil {
			t.Fatalf("production=%v: no %s cookie in %q", production, name, r.Header.Values("Set-Cookie"))
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || strings.Contains(strings.ToLower(raw), "domain=") ||
			ck.Secure != production || ck.MaxAge != 180*24*60*60 {
			t.Fatalf("production=%v: device cookie %q: want HttpOnly, SameSite=Strict, Path=/, no Domain, Max-Age 180 days, Secure only in production", production, raw)
		}
	}
}
