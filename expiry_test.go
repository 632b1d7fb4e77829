package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules"
)

// `ward tenant set-expiry SUB DATE`, run while two Wards serve the same
// database, moves the clinic into grace, suspension or back into its trial
// by date, and both running servers honour each change within a second.
// The test clock stands at apptest.Epoch (2 March 2026, 09:00 UTC); DATE's
// period ends at 23:59:59 UTC that day and the grace lasts 7 days.
func TestSetExpiryWhileServing(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{DataDir: dir}, modules.All()...)
	cl, c1 := s.NewSignedInClinic(t, "expiry")
	// A second Ward serving the same database, with a session of its own.
	s2 := apptest.Start(t, apptest.Options{DataDir: dir}, modules.All()...)
	c2 := s2.SignedIn(t, cl.Host, cl.Admin.Email)
	env := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "error", "MONGODB_URI": s.App.Config.MongoURI}
	patients := func(c *apptest.Client) string {
		c.Get(cl.Host, "/subscription") // a CSRF token in every state
		r := c.PostForm(cl.Host, "/patients", url.Values{"firstName": {"Eve"}, "lastName": {"Expiry"}})
		loc, _, _ := strings.Cut(r.Header.Get("Location"), "?")
		if strings.HasPrefix(loc, "/patients/") {
			loc = "/patients/ID"
		}
		if r.StatusCode == http.StatusSeeOther {
			return "303 " + loc
		}
		return r.Status
	}
	for _, step := range []struct {
		date, state, want string
	}{
		{"2026-03-01", "grace: ended the evening before", "303 /subscription"},
		{"2026-02-23", "grace: its last day", "303 /subscription"},
		{"2026-02-20", "suspended: the grace ended on 27 February", "303 /subscription"},
		{"2026-03-08", "trial again: ends on 8 March", "303 /patients/ID"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"tenant", "set-expiry", "expiry", step.date},
			func(k string) string { return env[k] }, &out, &errb); code != 0 {
			t.Fatalf("set-expiry %s: exit %d %s%s", step.date, code, out.String(), errb.String())
		}
		changed := time.Now()
		for i, c := range []*apptest.Client{c1, c2} {
			for {
				got := patients(c)
				if strings.HasPrefix(step.state, "suspended") {
					// A suspended clinic's admin is sent to /subscription
					// from every page, a read included.
					if r := c.Get(cl.Host, "/patients"); r.StatusCode != http.StatusSeeOther {
						got = "GET " + r.Status
					}
				}
				if got == step.want {
					break
				}
				if time.Since(changed) > time.Second {
					t.Fatalf("set-expiry %s (%s): Ward %d still answers %s after %v, want %s",
						step.date, step.state, i+1, got, time.Since(changed), step.want)
				}
				time.Sleep(20 * time.Millisecond) // polling
			}
		}
		if d := time.Since(changed); d > time.Second {
			t.Errorf("set-expiry %s: seen by both after %v", step.date, d)
		}
	}
}

// `ward tenant record-payment`, run while two Wards serve the same
// database, restores a clinic in grace and a suspended one at once: both
// servers take their writes within a second. Run again with the same
// reference, it extends nothing. (The command runs on the system clock,
// the servers on the test clock; a month from today is ahead of both.)
func TestRecordPaymentWhileServing(t *testing.T) {
	dir := t.TempDir()
	s := apptest.Start(t, apptest.Options{DataDir: dir}, modules.All()...)
	s2 := apptest.Start(t, apptest.Options{DataDir: dir}, modules.All()...)
	env := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "error", "MONGODB_URI": s.App.Config.MongoURI}
	cli := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
		return code, out.String() + errb.String()
	}
	type clinic struct {
		cl     *apptest.Clinic
		c1, c2 *apptest.Client
		date   string
	}
	clinics := map[string]*clinic{"grace": {date: "2026-03-01"}, "suspended": {date: "2026-02-10"}}
	for name, k := range clinics {
		k.cl, k.c1 = s.NewSignedInClinic(t, "paid-"+name)
		k.c2 = s2.SignedIn(t, k.cl.Host, k.cl.Admin.Email)
		if code, out := cli("tenant", "set-expiry", k.cl.Subdomain, k.date); code != 0 {
			t.Fatalf("set-expiry: exit %d %s", code, out)
		}
	}
	write := func(k *clinic, c *apptest.Client) string {
		c.Get(k.cl.Host, "/subscription")
		r := c.PostForm(k.cl.Host, "/patients", url.Values{"firstName": {"Paula"}, "lastName": {"Paid"}})
		return r.Status + " " + r.Header.Get("Location")
	}
	// Both Wards see the lapse first.
	for name, k := range clinics {
		for i, c := range []*apptest.Client{k.c1, k.c2} {
			waitFor(t, time.Second, func() (bool, string) {
				got := write(k, c)
				return strings.HasPrefix(got, "303 See Other /subscription"), fmt.Sprintf("%s on Ward %d: %s", name, i+1, got)
			})
		}
	}
	for name, k := range clinics {
		code, out := cli("tenant", "record-payment", k.cl.Subdomain, "--plan", "monthly", "--reference", "BANK-"+name)
		if code != 0 || !strings.Contains(out, "USD 49.00") || !strings.Contains(out, " → active until ") {
			t.Fatalf("record-payment %s: exit %d %s", name, code, out)
		}
		paid := time.Now()
		for i, c := range []*apptest.Client{k.c1, k.c2} {
			waitFor(t, time.Second-time.Since(paid), func() (bool, string) {
				got := write(k, c)
				return strings.HasPrefix(got, "303 See Other /patients/"), fmt.Sprintf("%s on Ward %d after the payment: %s", name, i+1, got)
			})
		}
		if d := time.Since(paid); d > time.Second {
			t.Errorf("%s: both Wards took writes after %v", name, d)
		}
		code, out = cli("tenant", "record-payment", k.cl.Subdomain, "--plan", "monthly", "--reference", "BANK-"+name)
		if code != 0 || !strings.Contains(out, "nothing changed") {
			t.Errorf("record-payment %s again: exit %d %s", name, code, out)
		}
		r := k.c1.Get(k.cl.Host, "/subscription")
		body := r.Body
		if !strings.Contains(body, "BANK-"+name) || !strings.Contains(body, "USD 49.00") || !strings.Contains(body, "Bank transfer") {
			t.Errorf("%s: the subscription page lists no payment:\n%s", name, body)
		}
	}
	for _, bad := range [][]string{
		{"tenant", "record-payment", "paid-grace"},
		{"tenant", "record-payment", "paid-grace", "--plan", "trial", "--reference", "X"},
		{"tenant", "record-payment", "paid-grace", "--plan", "monthly"},
		{"tenant", "record-payment", "paid-grace", "--plan", "monthly", "--reference", "X", "extra"},
		{"tenant", "record-payment", "--plan", "monthly", "--reference", "X"},
	} {
		if code, out := cli(bad...); code != 2 || out == "" {
			t.Errorf("%v: exit %d %q, want 2 and a message", bad, code, out)
		}
	}
	if code, out := cli("tenant", "record-payment", "nowhere", "--plan", "monthly", "--reference", "X"); code != 1 || !strings.Contains(out, `no clinic "nowhere"`) {
		t.Errorf("an unknown clinic: exit %d %q", code, out)
	}
}

// waitFor polls ok until it holds or within has passed, then fails with
// its last description.
func waitFor(t *testing.T, within time.Duration, ok func() (bool, string)) {
	t.Helper()
	start := time.Now()
	for {
		done, what := ok()
		if done {
			return
		}
		if time.Since(start) > within {
			t.Fatalf("after %v: %s", time.Since(start), what)
		}
		time.Sleep(20 * time.Millisecond) // polling
	}
}
