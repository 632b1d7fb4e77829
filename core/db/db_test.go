package db_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
)

// open starts the embedded store in dir and waits until it answers. The
// caller closes it.
func open(t *testing.T, dir string) *db.Store {
	t.Helper()
	s, err := db.Open(db.Options{DataDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitReachable(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

type note struct {
	ID   string `bson:"_id"`
	Code string `bson:"code"`
	Text string `bson:"text"`
}

var noteIndexes = []db.Index{{Collection: "notes", Keys: []string{db.TenantField, "code"}, Unique: true}}

func TestDataSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s := open(t, dir)
	if s.Engine() != "sqlite" || !s.Embedded() {
		t.Fatalf("engine %q without a URI, want sqlite", s.Engine())
	}
	if err := s.EnsureIndexes(ctx, "test", noteIndexes); err != nil {
		t.Fatal(err)
	}
	if err := s.ForTenant("A").Collection("notes").Insert(ctx, note{ID: "n1", Code: "c", Text: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close(ctx)
	if err := s.EnsureIndexes(ctx, "test", noteIndexes); err != nil {
		t.Fatalf("declaring the same indexes again after a restart: %v", err)
	}
	notes := s.ForTenant("A").Collection("notes")
	var got note
	if err := notes.FindOne(ctx, db.ID("n1"), &got); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got.Text != "kept" {
		t.Fatalf("after restart: text = %q", got.Text)
	}
	if err := notes.Insert(ctx, note{ID: "n2", Code: "c"}); !db.IsDuplicate(err) {
		t.Fatalf("after restart, a duplicate code: err = %v, want ErrDuplicate", err)
	}
	if n, err := s.ForTenant("B").Collection("notes").Count(ctx, db.Filter{}); err != nil || n != 0 {
		t.Fatalf("after restart, B sees %d notes, %v", n, err)
	}
}

// The operator commands open the embedded store while the server has it
// open: both see each other's writes.
func TestTwoStoresShareADataDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, second := open(t, dir), open(t, dir)
	defer first.Close(ctx)
	defer second.Close(ctx)
	if err := first.EnsureIndexes(ctx, "test", noteIndexes); err != nil {
		t.Fatal(err)
	}
	if err := second.EnsureIndexes(ctx, "test", noteIndexes); err != nil {
		t.Fatal(err)
	}
	a1, a2 := first.ForTenant("A").Collection("notes"), second.ForTenant("A").Collection("notes")
	if err := a1.Insert(ctx, note{ID: "n1", Code: "one", Text: "from the first"}); err != nil {
		t.Fatal(err)
	}
	var got note
	if err := a2.FindOne(ctx, db.ID("n1"), &got); err != nil || got.Text != "from the first" {
		t.Fatalf("second store reading the first's write: %+v, %v", got, err)
	}
	if err := a2.Insert(ctx, note{ID: "n2", Code: "one"}); !db.IsDuplicate(err) {
		t.Fatalf("second store inserting the first's code: err = %v, want ErrDuplicate", err)
	}
	if _, err := a2.Update(ctx, db.ID("n1"), db.Set("text", "from the second")); err != nil {
		t.Fatal(err)
	}
	if err := a1.FindOne(ctx, db.ID("n1"), &got); err != nil || got.Text != "from the second" {
		t.Fatalf("first store reading the second's update: %+v, %v", got, err)
	}
	// Increments from both at once all land: each is atomic across
	// connections, not only within one store.
	var i atomic.Int64
	errs := concurrently(40, func() error {
		c := a1
		if i.Add(1)%2 == 0 {
			c = a2
		}
		_, err := c.Update(ctx, db.ID("n1"), db.Inc("n", 1))
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Inc: %v", err)
		}
	}
	var counted struct {
		N int64 `bson:"n"`
	}
	if err := a1.FindOne(ctx, db.ID("n1"), &counted); err != nil || counted.N != 40 {
		t.Fatalf("40 concurrent Inc from two stores left n = %d, %v", counted.N, err)
	}
}

func TestIndexValidation(t *testing.T) {
	cases := []struct {
		name string
		ix   db.Index
		ok   bool
	}{
		{"led by tenantId", db.Index{Collection: "p", Keys: []string{"tenantId", "lastName"}}, true},
		{"led by tenantId, descending keys", db.Index{Collection: "p", Keys: []string{"tenantId", "-at", "a.b"}}, true},
		{"not led by tenantId", db.Index{Collection: "p", Keys: []string{"lastName", "tenantId"}}, false},
		{"platform index", db.Index{Collection: "tenants", Keys: []string{"subdomain"}, Platform: true}, true},
		{"no keys", db.Index{Collection: "p"}, false},
		{"no collection", db.Index{Keys: []string{"tenantId"}}, false},
		{"bad collection", db.Index{Collection: "p;drop", Keys: []string{"tenantId"}}, false},
		{"bad key", db.Index{Collection: "p", Keys: []string{"tenantId", "a;drop"}}, false},
		{"operator key", db.Index{Collection: "p", Keys: []string{"tenantId", "$where"}}, false},
		{"empty key", db.Index{Collection: "p", Keys: []string{"tenantId", ""}}, false},
		{"bad platform key", db.Index{Collection: "tenants", Keys: []string{"a b"}, Platform: true}, false},
	}
	for _, c := range cases {
		err := c.ix.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v", c.name, err)
		}
	}
	if got := (db.Index{Keys: []string{"tenantId", "-at", "name"}}).Name(); got != "tenantId_1_at_-1_name_1" {
		t.Errorf("Name() = %q", got)
	}
}

func TestEnsureIndexesNamesOwnerOnFailure(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		bad := db.Index{Collection: "p", Keys: []string{"name"}}
		err := s.EnsureIndexes(ctx, "patients", []db.Index{bad})
		if err == nil || !strings.Contains(err.Error(), "patients") || !strings.Contains(err.Error(), "name_1") {
			t.Fatalf("error = %v", err)
		}
		// A duplicate of the same index is not an error: start-up runs it each time.
		good := db.Index{Collection: "p", Keys: []string{"tenantId", "n"}, Unique: true}
		for range 2 {
			if err := s.EnsureIndexes(ctx, "patients", []db.Index{good}); err != nil {
				t.Fatal(err)
			}
		}
		// An index on a collection that already holds documents is built
		// over them.
		type pn struct {
			ID string `bson:"_id"`
			N  int64  `bson:"n"`
		}
		insertAll(t, s.ForTenant("A").Collection("later"), pn{"l1", 1}, pn{"l2", 2})
		later := db.Index{Collection: "later", Keys: []string{"tenantId", "n"}, Unique: true}
		if err := s.EnsureIndexes(ctx, "later", []db.Index{later}); err != nil {
			t.Fatal(err)
		}
		if err := s.ForTenant("A").Collection("later").Insert(ctx, pn{"l3", 2}); !db.IsDuplicate(err) {
			t.Fatalf("after indexing existing documents: err = %v, want ErrDuplicate", err)
		}
	})
}

func TestUnreachableDatabaseIsRetriedUntilContextEnds(t *testing.T) {
	s, err := db.Open(db.Options{URI: "mongodb://127.0.0.1:1/ward?connectTimeoutMS=200&serverSelectionTimeoutMS=200", Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if s.Engine() != "mongo" || s.Embedded() {
		t.Fatalf("engine %q with a URI, want mongo", s.Engine())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := s.WaitReachable(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitReachable = %v, want deadline exceeded", err)
	}
	if s.Ready(context.Background()) {
		t.Fatal("an unreachable database reports ready")
	}
}
