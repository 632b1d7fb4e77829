package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/tenant"
)

func TestSignupLimits(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	start := s.Clock.Now()
	begin := func(ip string) (*tenant.Signup, *tenant.SignupLimitError) {
		t.Helper()
		su, err := s.Platform.Signups().Begin(ctx, ip, s.Clock.Now())
		var limit *tenant.SignupLimitError
		if errors.As(err, &limit) {
			return nil, limit
		}
		if err != nil {
			t.Fatal(err)
		}
		return su, nil
	}

	// Per address: three in the window.
	for i := range tenant.MaxSignupsPerIP {
		if _, refused := begin("203.0.113.7"); refused != nil {
			t.Fatalf("sign-up %d from one address refused", i+1)
		}
		s.Clock.Advance(time.Minute)
	}
	refused := func(ip string, perIP bool, until time.Time) {
		t.Helper()
		_, r := begin(ip)
		if r == nil || r.PerIP != perIP || !r.Until.Equal(until) {
			t.Fatalf("sign-up from %s: refused %+v, want per address %v until %v", ip, r, perIP, until)
		}
	}
	refused("203.0.113.7", true, start.Add(tenant.SignupWindow))

	// A sign-up that made no clinic is not counted.
	su, _ := begin("198.51.100.1")
	for range tenant.MaxSignupsPerIP - 1 {
		begin("198.51.100.1")
	}
	if err := su.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if _, r := begin("198.51.100.1"); r != nil {
		t.Fatalf("a cancelled sign-up still counts: %+v", r)
	}

	// Across the platform: MaxSignups in the window, from any addresses.
	for i := 2 * tenant.MaxSignupsPerIP; i < tenant.MaxSignups; i++ {
		if _, r := begin(fmt.Sprintf("192.0.2.%d", i)); r != nil {
			t.Fatalf("platform sign-up %d refused: %+v", i+1, r)
		}
	}
	refused("192.0.2.200", false, start.Add(tenant.SignupWindow))

	// An hour after the first, one more is allowed.
	s.Clock.Set(start.Add(tenant.SignupWindow))
	if _, r := begin("192.0.2.200"); r != nil {
		t.Fatalf("an hour later: %+v", r)
	}
	refused("192.0.2.201", false, start.Add(tenant.SignupWindow+time.Minute))

	// The clean-up job removes what left the window.
	if n, err := s.Platform.Signups().DeleteOlderThan(ctx, start.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("clean-up removed %d (%v), want the first sign-up", n, err)
	}
}
