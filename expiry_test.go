package main

import (
	"bytes"
	"context"
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
