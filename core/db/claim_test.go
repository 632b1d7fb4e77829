package db_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// withClaims declares the indexes claims and sequences rely on.
func withClaims(t *testing.T, s *db.Store) {
	t.Helper()
	for _, ixs := range [][]db.Index{db.ClaimIndexes, db.SequenceIndexes} {
		if err := s.EnsureIndexes(context.Background(), "test", ixs); err != nil {
			t.Fatal(err)
		}
	}
}

func TestClaimHasOneWinner(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		a, b := s.ForTenant("A"), s.ForTenant("B")

		const n = 20
		errs := concurrently(n, func() error { return a.Claim(ctx, "lock", "same-key", time.Now()) })
		won, lost := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, db.ErrClaimed):
				lost++
			default:
				t.Errorf("Claim: unexpected error %v", err)
			}
		}
		if won != 1 || lost != n-1 {
			t.Fatalf("%d concurrent claims: %d won, %d got ErrClaimed; want 1 and %d", n, won, lost, n-1)
		}

		steps := []struct {
			name string
			do   func() error
			want error
		}{
			{"claimed again by the same tenant", func() error { return a.Claim(ctx, "lock", "same-key", time.Now()) }, db.ErrClaimed},
			{"same key, other kind", func() error { return a.Claim(ctx, "other", "same-key", time.Now()) }, nil},
			{"same key, other tenant", func() error { return b.Claim(ctx, "lock", "same-key", time.Now()) }, nil},
			{"other tenant, again", func() error { return b.Claim(ctx, "lock", "same-key", time.Now()) }, db.ErrClaimed},
			{"other tenant releases its claim", func() error { return b.Release(ctx, "lock", "same-key") }, nil},
			{"which leaves the first tenant's claim", func() error { return a.Claim(ctx, "lock", "same-key", time.Now()) }, db.ErrClaimed},
			{"release", func() error { return a.Release(ctx, "lock", "same-key") }, nil},
			{"claim after release", func() error { return a.Claim(ctx, "lock", "same-key", time.Now()) }, nil},
			{"and it is held again", func() error { return a.Claim(ctx, "lock", "same-key", time.Now()) }, db.ErrClaimed},
			{"release of a key never claimed", func() error { return a.Release(ctx, "lock", "never") }, nil},
			{"other tenant claims again after its release", func() error { return b.Claim(ctx, "lock", "same-key", time.Now()) }, nil},
		}
		for _, st := range steps {
			if err := st.do(); !errors.Is(err, st.want) || (st.want == nil && err != nil) {
				t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
			}
		}
	})
}

func TestConcurrentClaimsAfterRelease(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		a := s.ForTenant("A")
		// Several rounds of claim-by-many, release: each round has one winner.
		for round := range 3 {
			errs := concurrently(10, func() error { return a.Claim(ctx, "lease", "k", time.Now()) })
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else if !errors.Is(err, db.ErrClaimed) {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d winners, want 1", round, won)
			}
			if err := a.Release(ctx, "lease", "k"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestPlatformClaims(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		p, a := s.Platform("test"), s.ForTenant("A")
		t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

		const n = 20
		errs := concurrently(n, func() error { return p.Claim(ctx, "lease", "10:00", t0) })
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if !errors.Is(err, db.ErrClaimed) {
				t.Fatalf("Claim: unexpected error %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent platform claims: %d won, want 1", n, won)
		}

		steps := []struct {
			name string
			do   func() error
			want error
		}{
			{"a clinic's claim of the same key is its own", func() error { return a.Claim(ctx, "lease", "10:00", t0) }, nil},
			{"a later period", func() error { return p.Claim(ctx, "lease", "11:00", t0.Add(time.Hour)) }, nil},
			{"another kind", func() error { return p.Claim(ctx, "other", "10:00", t0) }, nil},
			{"release what was taken before 11:00", func() error { return p.ReleaseBefore(ctx, "lease", t0.Add(time.Hour)) }, nil},
			{"which frees 10:00", func() error { return p.Claim(ctx, "lease", "10:00", t0) }, nil},
			{"but keeps 11:00", func() error { return p.Claim(ctx, "lease", "11:00", t0.Add(time.Hour)) }, db.ErrClaimed},
			{"and the other kind", func() error { return p.Claim(ctx, "other", "10:00", t0) }, db.ErrClaimed},
			{"and the clinic's claim", func() error { return a.Claim(ctx, "lease", "10:00", t0) }, db.ErrClaimed},
		}
		for _, st := range steps {
			if err := st.do(); !errors.Is(err, st.want) || (st.want == nil && err != nil) {
				t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
			}
		}
	})
}

func TestNextHandsOutEachNumberOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		a, b := s.ForTenant("A"), s.ForTenant("B")

		type result struct {
			n   int64
			err error
		}
		const n = 20
		results := concurrently(n, func() result {
			v, err := a.Next(ctx, "invoice", time.Now())
			return result{v, err}
		})
		var got []int64
		for _, r := range results {
			if r.err != nil {
				t.Fatalf("Next: %v", r.err)
			}
			got = append(got, r.n)
		}
		slices.Sort(got)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d concurrent Next = %v, want 1..%d each once", n, got, n)
		}

		steps := []struct {
			name   string
			tenant *db.Tenant
			kind   string
			want   int64
		}{
			{"A continues", a, "invoice", n + 1},
			{"B starts at 1", b, "invoice", 1},
			{"B continues", b, "invoice", 2},
			{"A's other sequence starts at 1", a, "patient", 1},
			{"A is not moved by B", a, "invoice", n + 2},
		}
		for _, st := range steps {
			v, err := st.tenant.Next(ctx, st.kind, time.Now())
			if err != nil || v != st.want {
				t.Fatalf("%s: Next = %d, %v; want %d", st.name, v, err, st.want)
			}
		}

		// Two tenants drawing at once each get their own 1..10.
		c, d := s.ForTenant("C"), s.ForTenant("D")
		var mu sync.Mutex
		per := map[string][]int64{}
		var wg sync.WaitGroup
		for i := range 20 {
			tn := c
			if i%2 == 1 {
				tn = d
			}
			wg.Go(func() {
				v, err := tn.Next(ctx, "invoice", time.Now())
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("Next for %s: %v", tn.ID(), err)
					return
				}
				per[tn.ID()] = append(per[tn.ID()], v)
			})
		}
		wg.Wait()
		for _, id := range []string{"C", "D"} {
			vs := per[id]
			slices.Sort(vs)
			if !slices.Equal(vs, want[:10]) {
				t.Errorf("tenant %s drew %v, want 1..10 each once", id, vs)
			}
		}
	})
}

func TestLockIsHeldByOneAtATime(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		a, b := s.ForTenant("A"), s.ForTenant("B")
		now := time.Now()

		// 10 holders in turn: none ever sees another inside.
		var inside, most, done int
		var mu sync.Mutex
		errs := concurrently(10, func() error {
			unlock, err := a.Lock(ctx, "admins", now, time.Minute)
			if err != nil {
				return err
			}
			defer unlock()
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			inside--
			done++
			mu.Unlock()
			return nil
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("Lock: %v", err)
			}
		}
		if most != 1 || done != 10 {
			t.Fatalf("at most %d holders at once, %d done; want 1 and 10", most, done)
		}

		unlock, err := a.Lock(ctx, "admins", now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// Another tenant's lock of the same name is its own.
		unlockB, err := b.Lock(ctx, "admins", now, time.Minute)
		if err != nil {
			t.Fatalf("other tenant: %v", err)
		}
		unlockB()
		// A waiter gives up when its request does.
		short, cancel := context.WithTimeout(ctx, 60*time.Millisecond)
		defer cancel()
		if _, err := a.Lock(short, "admins", now, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lock while held: err = %v, want the context's deadline", err)
		}
		// A lock left by a holder that died is broken once stale.
		later := now.Add(2 * time.Minute)
		unlockLater, err := a.Lock(ctx, "admins", later, time.Minute)
		if err != nil {
			t.Fatalf("stale lock not broken: %v", err)
		}
		// The first holder's late release leaves the new holder's lock alone.
		unlock()
		short2, cancel2 := context.WithTimeout(ctx, 60*time.Millisecond)
		defer cancel2()
		if _, err := a.Lock(short2, "admins", later, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("a late release of a broken lock freed its new holder's lock")
		}
		unlockLater()
		if _, err := a.Lock(ctx, "admins", later, time.Minute); err != nil {
			t.Fatalf("after release: %v", err)
		}
	})
}

func TestReserve(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		withClaims(t, s)
		a, b := s.ForTenant("A"), s.ForTenant("B")
		steps := []struct {
			name string
			do   func() (int64, error)
			want int64
		}{
			{"a first block", func() (int64, error) { return a.Reserve(ctx, "import", 100, time.Now()) }, 1},
			{"Next moves past it", func() (int64, error) { return a.Next(ctx, "import", time.Now()) }, 101},
			{"another tenant starts at 1", func() (int64, error) { return b.Reserve(ctx, "import", 3, time.Now()) }, 1},
			{"a block larger than what is kept", func() (int64, error) { return a.Reserve(ctx, "import", 600, time.Now()) }, 102},
			{"Next after the pruning", func() (int64, error) { return a.Next(ctx, "import", time.Now()) }, 702},
			{"a block of one", func() (int64, error) { return a.Reserve(ctx, "import", 1, time.Now()) }, 703},
		}
		for _, st := range steps {
			if got, err := st.do(); err != nil || got != st.want {
				t.Fatalf("%s = %d, %v; want %d", st.name, got, err, st.want)
			}
		}

		// Blocks and single numbers drawn at once never overlap. Reserve
		// fails when a number of its block was taken first; its callers
		// retry, and so does this test.
		type drawn struct {
			first, count int64
			err          error
		}
		var turn atomic.Int64
		results := concurrently(16, func() drawn {
			if turn.Add(1)%4 != 0 {
				n, err := a.Next(ctx, "mixed", time.Now())
				return drawn{n, 1, err}
			}
			d := drawn{count: 20}
			for range 50 {
				if d.first, d.err = a.Reserve(ctx, "mixed", 20, time.Now()); d.err == nil {
					break
				}
			}
			return d
		})
		seen := map[int64]bool{}
		for _, d := range results {
			if d.err != nil {
				t.Fatalf("drawing numbers: %v", d.err)
			}
			for n := d.first; n < d.first+d.count; n++ {
				if seen[n] {
					t.Fatalf("number %d handed out twice", n)
				}
				seen[n] = true
			}
		}
		if want := 4*20 + 12; len(seen) != want {
			t.Fatalf("%d numbers handed out, want %d", len(seen), want)
		}
	})
}
