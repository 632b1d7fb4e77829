package kit_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules/dashboard"
	"github.com/wardclinic/ward/modules/signin"
)

func TestEachClinicWalksTheActiveClinics(t *testing.T) {
	s := apptest.Start(t, apptest.Options{}, signin.New(), dashboard.New())
	ctx := context.Background()
	a, b := s.NewClinic(t, "each-a"), s.NewClinic(t, "each-b")
	for _, st := range []string{tenant.StatusSuspended, tenant.StatusInactive, tenant.StatusProvisioning} {
		cl := s.NewClinic(t, "each-"+st)
		if ok, err := s.Platform.Tenants().SetStatus(ctx, cl.ID, st, s.Clock.Now()); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	own, err := settings.Load(ctx, b.DB)
	if err != nil {
		t.Fatal(err)
	}
	own.ClinicName, own.Timezone = "Bright Side", "Europe/Paris"
	if err := settings.Save(ctx, b.DB, own, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}

	type visit struct{ id, sub, name, zone string }
	var seen []visit
	err = s.Ward.Services.EachClinic(ctx, func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error {
		tn := tenant.FromContext(ctx)
		if tn == nil || tenant.DB(ctx).ID() != tdb.ID() || tn.ID != tdb.ID() {
			t.Errorf("context does not carry the clinic %s", tdb.ID())
		}
		n, err := tdb.Collection(settings.Collection).Count(ctx, db.Filter{})
		if err != nil || n != 1 {
			t.Errorf("clinic %s: %d settings, %v", tdb.ID(), n, err)
		}
		seen = append(seen, visit{tdb.ID(), tn.Subdomain, st.ClinicName, st.Location().String()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []visit{{a.ID, "each-a", "Clinic each-a", "UTC"}, {b.ID, "each-b", "Bright Side", "Europe/Paris"}}
	if !slices.Equal(seen, want) {
		t.Fatalf("visited %+v, want %+v", seen, want)
	}

	// A clinic that fails does not stop the others; the error names it.
	var visited []string
	err = s.Ward.Services.EachClinic(ctx, func(ctx context.Context, tdb *db.Tenant, st settings.Settings) error {
		visited = append(visited, tdb.ID())
		if tdb.ID() == a.ID {
			return errors.New("boom")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "each-a") || !strings.Contains(err.Error(), "boom") || len(visited) != 2 {
		t.Fatalf("EachClinic = %v after visiting %v", err, visited)
	}

	// A cancelled context stops the walk.
	cctx, cancel := context.WithCancel(ctx)
	visited = nil
	err = s.Ward.Services.EachClinic(cctx, func(context.Context, *db.Tenant, settings.Settings) error {
		visited = append(visited, "x")
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(visited) != 1 {
		t.Fatalf("EachClinic after cancel = %v, visited %d", err, len(visited))
	}
}
