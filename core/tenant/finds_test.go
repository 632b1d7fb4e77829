package tenant_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/tenant"
)

func TestFindLimits(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	start := s.Clock.Now()
	finds := s.Platform.Finds()
	allow := func(key string) (bool, time.Time) {
		t.Helper()
		ok, until, err := finds.Allow(ctx, key, 2, s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return ok, until
	}
	for i := range 2 {
		if ok, _ := allow("a"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
		s.Clock.Advance(time.Minute)
	}
	if ok, until := allow("a"); ok || !until.Equal(start.Add(tenant.FindWindow)) {
		t.Fatalf("third request: allowed %v until %v, want refused until %v", ok, until, start.Add(tenant.FindWindow))
	}
	// A refused request is not counted; other keys are apart.
	if ok, _ := allow("b"); !ok {
		t.Fatal("another key is refused")
	}
	// Once the first left the window, one more.
	s.Clock.Advance(tenant.FindWindow - 2*time.Minute + time.Second)
	if ok, _ := allow("a"); !ok {
		t.Fatal("refused once the first request left the window")
	}
	if ok, until := allow("a"); ok || !until.Equal(start.Add(tenant.FindWindow+time.Minute)) {
		t.Fatalf("then: allowed %v until %v, want refused until %v", ok, until, start.Add(tenant.FindWindow+time.Minute))
	}
	if n, err := finds.DeleteOlderThan(ctx, start.Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("clean-up deleted %d (%v), want the oldest", n, err)
	}
	if finds.KeyEmail("Ada@Example.org") != finds.KeyEmail("ada@example.org") {
		t.Error("an address's key depends on its case")
	}
	other := tenant.NewFinds(s.DB, []byte("another secret, another deployment"))
	if other.KeyEmail("ada@example.org") == finds.KeyEmail("ada@example.org") {
		t.Error("an address's key does not depend on the secret")
	}
}

func TestNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":          "203.0.113.9",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:203.0.113.9":   "::ffff:203.0.113.9",
		"not an address":       "not an address",
	} {
		if got := tenant.Network(in); got != want {
			t.Errorf("Network(%q) = %q, want %q", in, got, want)
		}
	}
}
