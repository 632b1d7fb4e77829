package tenant_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/tenant"
)

// A hand-off works once, from its address, within its time; the clean-up
// then removes it, its welcome and its claim.
func TestHandoffLifecycle(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	cl := s.NewClinic(t, "handoff")
	tok, err := tenant.NewHandoff(ctx, cl.DB, cl.Admin.ID, "203.0.113.9", s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenant.UseHandoff(ctx, cl.DB, tok, "198.51.100.7", s.Clock.Now()); !errors.Is(err, tenant.ErrHandoffInvalid) {
		t.Fatalf("from another address: %v", err)
	}
	if id, err := tenant.UseHandoff(ctx, cl.DB, tok, "203.0.113.9", s.Clock.Now()); err != nil || id != cl.Admin.ID {
		t.Fatalf("from its address: %q, %v", id, err)
	}
	if _, err := tenant.UseHandoff(ctx, cl.DB, tok, "203.0.113.9", s.Clock.Now()); !errors.Is(err, tenant.ErrHandoffInvalid) {
		t.Fatalf("a second use: %v", err)
	}
	claims := func() int64 {
		return apptest.Count(t, cl.DB.Collection(db.ClaimsCollection), db.Eq("kind", "handoff"))
	}
	if claims() != 1 {
		t.Fatalf("%d claims of the used hand-off", claims())
	}
	s.Clock.Advance(tenant.HandoffTTL / 2)
	if _, err := tenant.DeleteExpiredHandoffs(ctx, s.DB, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if claims() != 1 {
		t.Error("the clean-up removed a claim whose token is still in its time")
	}
	s.Clock.Advance(tenant.HandoffTTL/2 + time.Minute)
	if _, err := tenant.DeleteExpiredHandoffs(ctx, s.DB, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if claims() != 0 {
		t.Errorf("%d claims left after the clean-up", claims())
	}
}
