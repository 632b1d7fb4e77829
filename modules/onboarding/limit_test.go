package onboarding_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/modules/landing"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/settings"
	"github.com/wardclinic/ward/modules/signin"
)

// startBehindProxy runs Ward behind a trusted proxy on 127.0.0.1, so each
// request's X-Forwarded-For is its client's address.
func startBehindProxy(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}}, landing.New(), onboarding.New(), settings.New(), signin.New())
}

func TestOnboardingLimitPerClientIP(t *testing.T) {
	t.Parallel()
	s := startBehindProxy(t)
	from := func(ip, sub string) *apptest.Response {
		t.Helper()
		c := s.Client(t)
		c.Get("localhost", "/tenant-onboard", "X-Forwarded-For", ip)
		return c.PostForm("localhost", "/tenant-onboard", form(sub), "X-Forwarded-For", ip)
	}
	for _, sub := range []string{"first", "second", "third"} {
		if r := from("203.0.113.7", sub); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("clinic %s: %d\n%s", sub, r.StatusCode, r.Body)
		}
	}

	// The fourth from the same address within the hour creates nothing.
	r := from("203.0.113.7", "fourth")
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th clinic from one address in an hour: %d, want 429\n%s", r.StatusCode, r.Body)
	}
	if msg := strings.TrimSpace(r.Doc(t).Find(".form-errors").Text()); !strings.Contains(msg, "Too many clinics") || !strings.Contains(msg, "try again in 60 minutes") {
		t.Errorf("429 message %q", msg)
	}
	if ra := r.Header.Get("Retry-After"); ra != "3600" {
		t.Errorf("Retry-After %q, want 3600", ra)
	}
	if ts := tenantsWith(t, s, "fourth"); len(ts) != 0 {
		t.Errorf("the refused sign-up made a clinic: %+v", ts)
	}
	if all, _ := s.Platform.Tenants().List(context.Background()); len(all) != 3 {
		t.Errorf("%d clinics, want 3", len(all))
	}
	for coll, byTenant := range docsByTenant(t, s) {
		if len(byTenant) > 3 {
			t.Errorf("%s holds documents of %d clinics", coll, len(byTenant))
		}
	}

	// Another address is not affected; the first may sign up again once an
	// hour has passed since its first clinic.
	if r := from("198.51.100.2", "fifth"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a clinic from another address: %d\n%s", r.StatusCode, r.Body)
	}
	s.Clock.Advance(time.Hour)
	if r := from("203.0.113.7", "sixth"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a clinic an hour later: %d\n%s", r.StatusCode, r.Body)
	}
}

// Refused and failed attempts are not counted: only clinics made are.
func TestOnboardingLimitCountsClinicsMade(t *testing.T) {
	t.Parallel()
	s := start(t)
	c := s.Client(t)
	if r := onboard(t, s, c, form("taken")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first clinic: %d", r.StatusCode)
	}
	for range 5 {
		if r := onboard(t, s, c, form("taken")); r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a taken address: %d", r.StatusCode)
		}
	}
	for _, sub := range []string{"second", "third"} {
		if r := onboard(t, s, c, form(sub)); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("clinic %s after refused attempts: %d\n%s", sub, r.StatusCode, r.Body)
		}
	}
	if r := onboard(t, s, c, form("fourth")); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th clinic: %d, want 429", r.StatusCode)
	}
}
