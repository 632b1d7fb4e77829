package patients

import (
	"context"
	"github.com/wardclinic/ward/core/text"
	"slices"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/web"
)

// TestSeedDemoImportsVersionedPatients: demo patients are ordinary
// versioned records — numbered from the clinic's sequence, each with its
// first revision, searchable, editable — and a seed gives the same ones.
func TestSeedDemoImportsVersionedPatients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Open(t, append(slices.Clone(indexes), db.SequenceIndexes...)...)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	seed := func(n int) (*db.Tenant, []Patient) {
		t.Helper()
		tdb := s.ForTenant(db.NewID())
		var progress []int
		if err := SeedDemo(ctx, tdb, n, 7, now, func(done int) { progress = append(progress, done) }); err != nil {
			t.Fatal(err)
		}
		if want := []int{500, n}; !slices.Equal(progress, want) {
			t.Errorf("progress %v, want %v", progress, want)
		}
		var ps []Patient
		if err := tdb.Collection(collection).Find(ctx, db.Filter{}, &ps, db.FindOptions{Sort: []db.Order{db.Asc("number")}}); err != nil {
			t.Fatal(err)
		}
		return tdb, ps
	}

	const n = 520 // two batches
	tdb, ps := seed(n)
	if len(ps) != n {
		t.Fatalf("%d patients, want %d", len(ps), n)
	}
	active := 0
	for i, p := range ps {
		if p.Number != int64(i+1) || p.Version != 1 || p.TenantID != tdb.ID() || p.CreatedBy != "demo" || !p.CreatedAt.Equal(now) ||
			p.LastKey != text.Fold(p.LastName) || p.FirstName == "" {
			t.Fatalf("patient %d: %+v", i, p)
		}
		if p.Active {
			active++
		}
	}
	if active == n || active < n*9/10 {
		t.Errorf("%d of %d active: want about one in fifty archived", active, n)
	}
	if revs, err := tdb.Collection(revisions).Count(ctx, db.Eq("version", 1)); err != nil || revs != n {
		t.Errorf("%d first revisions (%v), want %d", revs, err, n)
	}

	// The list counts the active ones; an edit makes version 2.
	p := &web.Pager{Page: 1, Size: PageSize}
	if page, err := (store{tdb}).List(ctx, Query{}, p); err != nil || p.Total != int64(active) || len(page) != PageSize {
		t.Errorf("list: %d of %d (%v), want %d of %d", len(page), p.Total, err, PageSize, active)
	}
	first := &ps[0]
	first.Phone = "555 010 2030"
	if err := (store{tdb}).versions().Save(ctx, first, 1, []string{"phone"}, "test", now); err != nil || first.Version != 2 {
		t.Errorf("saving a demo patient: version %d, %v", first.Version, err)
	}

	// The same seed, the same patients.
	_, again := seed(n)
	for i := range ps[1:] {
		a, b := ps[i+1], again[i+1]
		if a.FullName() != b.FullName() || a.Phone != b.Phone || a.Active != b.Active || !a.DateOfBirth.Equal(b.DateOfBirth) {
			t.Fatalf("seed 7 gave patient %d as %q, then %q", i+2, a.FullName(), b.FullName())
		}
	}
}
