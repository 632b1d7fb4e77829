package apptest

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/wardclinic/ward/core/db"
)

// Parallel runs the tests side by side on s, each a parallel subtest of t
// named as its function without "test" (testSearch runs as t's "Search").
// Tests that share a Ward must not move its clock, and each makes clinics
// of its own (Subdomain).
func (s *Server) Parallel(t *testing.T, tests ...func(t *testing.T, s *Server)) {
	t.Helper()
	for _, test := range tests {
		t.Run(testName(test), func(t *testing.T) {
			t.Parallel()
			test(t, s)
		})
	}
}

// testName is the name of the function f without its package and "test".
func testName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	return strings.TrimPrefix(name[strings.LastIndex(name, ".")+1:], "test")
}

// Subdomain is a clinic address of the test's own, made from the last
// part of its name (tests that share a Ward need addresses no other test
// uses); suffix tells a test's clinics apart.
func Subdomain(t testing.TB, suffix string) string {
	name := t.Name()[strings.LastIndex(t.Name(), "/")+1:]
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()[:min(b.Len(), 30-len(suffix))] + suffix
}

// Find returns the documents of c matching filter, in the order of sort,
// failing the test on error.
func Find[T any](t testing.TB, c *db.Collection, filter db.Filter, sort ...db.Order) []T {
	t.Helper()
	var out []T
	if err := c.Find(context.Background(), filter, &out, db.FindOptions{Sort: sort}); err != nil {
		t.Fatal(err)
	}
	return out
}

// AtOnce runs f(0) … f(n-1) side by side, released together so that they
// race, and returns once all have returned. f runs off the test's
// goroutine: it reports with t.Error, never t.Fatal.
func AtOnce(n int, f func(i int)) {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			f(i)
		})
	}
	close(gate)
	wg.Wait()
}

// Everything returns every document of every collection in s's database,
// by collection, each collection's in _id order: what a test compares to
// tell that nothing was written, or counts clinic by clinic.
func Everything[T any](t testing.TB, s *Server) map[string][]T {
	t.Helper()
	p := s.DB.Platform("test: read every collection")
	names, err := p.CollectionNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]T, len(names))
	for _, name := range names {
		out[name] = Find[T](t, p.Collection(name), db.Filter{}, db.Asc(db.IDField))
	}
	return out
}
