package dbtest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/wardclinic/ward/core/db"
)

// CheckQueries makes every query made through s during t a test of the
// declared indexes: t fails, listing the queries, if one is not served by an
// index — by the rule MongoDB needs (db.CheckShape: equalities led by
// tenantId, then the sort keys, form an index's prefix) on either engine,
// and by SQLite's own query plan on the embedded one (no query reads a whole
// table or index).
func CheckQueries(t testing.TB, s *db.Store) {
	t.Helper()
	var mu sync.Mutex
	found := map[string]bool{}
	note := func(msg string) {
		mu.Lock()
		found[msg] = true
		mu.Unlock()
	}
	s.Observe(func(ctx context.Context, coll, op string, f db.Filter, sort []db.Order) {
		if unchecked(ctx) {
			return
		}
		if err := s.CheckShape(coll, f, sort); err != nil {
			note(op + " " + err.Error())
		}
	})
	s.OnScan(func(ctx context.Context, coll, query, plan string) {
		if unchecked(ctx) {
			return
		}
		note(fmt.Sprintf("%s: SQLite reads it all: %s\n      plan: %s", coll, query, plan))
	})
	t.Cleanup(func() {
		s.Observe(nil)
		s.OnScan(nil)
		mu.Lock()
		defer mu.Unlock()
		if len(found) == 0 {
			return
		}
		msgs := make([]string, 0, len(found))
		for m := range found {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		t.Errorf("queries not served by a declared index:\n  %s", strings.Join(msgs, "\n  "))
	})
}

type uncheckedKey struct{}

// Unchecked marks ctx for queries a test makes on purpose without an index
// (reading every document a clinic left behind, say): CheckQueries lets
// them pass.
func Unchecked(ctx context.Context) context.Context {
	return context.WithValue(ctx, uncheckedKey{}, true)
}

func unchecked(ctx context.Context) bool { return ctx.Value(uncheckedKey{}) != nil }
