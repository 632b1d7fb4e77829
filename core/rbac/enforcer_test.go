package rbac

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// seeded returns a store holding n clinics with the default roles' grants.
func seeded(t *testing.T, n int) (*Enforcer, []string, func() *Enforcer) {
	t.Helper()
	store, _ := openRules(t)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("clinic%d", i)
		if err := SeedDefaults(context.Background(), store, store.ForTenant(ids[i]), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	another := func() *Enforcer { return NewEnforcer(store, 10) }
	return another(), ids, another
}

func wantAllowed(t *testing.T, e *Enforcer, tenantID, version, role, res, act string, want bool) {
	t.Helper()
	got, err := e.Allowed(context.Background(), tenantID, version, role, res, act)
	if err != nil || got != want {
		t.Fatalf("Allowed(%s@%s, %s, %s:%s) = %v, %v; want %v", tenantID, version, role, res, act, got, err, want)
	}
}

// An edit reaches the editing instance at once and another instance when the
// clinic's policy version changes; other clinics never see it.
func TestEnforcerEditsAndVersions(t *testing.T) {
	e, ids, another := seeded(t, 2)
	other := another()
	a, b := ids[0], ids[1]
	wantAllowed(t, e, a, "v1", "doctor", "patients", "update", true)
	wantAllowed(t, e, a, "v1", "doctor", "patients", "delete", false)
	wantAllowed(t, other, a, "v1", "doctor", "patients", "delete", false)

	if err := e.Grant(a, "doctor", "patients", "delete"); err != nil {
		t.Fatal(err)
	}
	if err := e.Grant(a, "doctor", "patients", "delete"); err != nil {
		t.Fatalf("granting twice: %v", err)
	}
	wantAllowed(t, e, a, "v1", "doctor", "patients", "delete", true)
	wantAllowed(t, other, a, "v1", "doctor", "patients", "delete", false) // cached until the version moves
	wantAllowed(t, other, a, "v2", "doctor", "patients", "delete", true)
	wantAllowed(t, e, b, "v1", "doctor", "patients", "delete", false)

	if err := e.Revoke(a, "doctor", "patients", "delete"); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, e, a, "v2", "doctor", "patients", "delete", false)
	wantAllowed(t, other, a, "v3", "doctor", "patients", "delete", false)

	if err := e.RemoveRole(a, "doctor"); err != nil {
		t.Fatal(err)
	}
	wantAllowed(t, e, a, "v3", "doctor", "patients", "update", false)
	wantAllowed(t, e, b, "v3", "doctor", "patients", "update", true)
}

// Clinics load in parallel (the adapter keeps no state), each from its own
// rules.
func TestEnforcerConcurrentLoads(t *testing.T) {
	e, ids, _ := seeded(t, 5)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[i%len(ids)]
			for _, c := range []struct {
				role, res, act string
				want           bool
			}{
				{"admin", "anything", "delete", true},
				{"doctor", "patients", "update", true},
				{"doctor", "patients", "delete", false},
			} {
				got, err := e.Allowed(context.Background(), id, "v1", c.role, c.res, c.act)
				if err != nil || got != c.want {
					errs <- fmt.Errorf("%s: %s %s:%s = %v, %v", id, c.role, c.res, c.act, got, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := len(e.entries); n != len(ids) {
		t.Fatalf("%d clinics' policies cached, want %d", n, len(ids))
	}
}

// An enforcer built in memory answers from its cache and reports, rather
// than panics, when asked for a clinic it does not hold.
func TestEnforcerWithoutStore(t *testing.T) {
	e := &Enforcer{max: 2, entries: map[string]*entry{}}
	if _, err := e.Allowed(context.Background(), "x", "v1", "admin", "a", "b"); !errors.Is(err, errNoRules) {
		t.Fatalf("Allowed: %v", err)
	}
	if err := e.Grant("x", "admin", "a", "b"); !errors.Is(err, errNoRules) {
		t.Fatalf("Grant: %v", err)
	}
}
