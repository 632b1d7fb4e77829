package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
)

// mongoItem is the document the mongo smoke test stores.
type mongoItem struct {
	ID     string   `bson:"_id,omitempty"`
	Tenant string   `bson:"tenantId,omitempty"`
	Code   string   `bson:"code"`
	Kind   string   `bson:"kind"`
	N      int64    `bson:"n"`
	Tags   []string `bson:"tags,omitempty"`
}

// TestMongoSmoke runs the typed API once through the mongo engine (FerretDB
// unless WARD_TEST_MONGODB_URI names a server); the conformance suite holds
// it to the full contract.
func TestMongoSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := db.Open(db.Options{URI: dbtest.MongoURI(t), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.WaitReachable(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Engine() != "mongo" || s.Embedded() {
		t.Fatalf("engine = %q, embedded = %v", s.Engine(), s.Embedded())
	}
	ix := db.Index{Collection: "smoke", Keys: []string{db.TenantField, "code"}, Unique: true}
	if err := s.EnsureIndexes(ctx, "smoke test", []db.Index{ix}); err != nil {
		t.Fatal(err)
	}
	c := s.ForTenant("clinicA").Collection("smoke")

	err = c.InsertMany(ctx, []any{
		mongoItem{ID: "a", Code: "A1", Kind: "x", N: 1},
		mongoItem{ID: "b", Code: "A2", Kind: "y", N: 2},
		mongoItem{ID: "c", Code: "B1", Kind: "x", N: 3},
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("find", func(t *testing.T) {
		var got []mongoItem
		err := c.Find(ctx, db.And(db.Prefix("code", "A"), db.Gte("n", 1)), &got, db.FindOptions{Sort: []db.Order{db.Desc("n")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "b" || got[1].ID != "a" || got[0].Tenant != "clinicA" {
			t.Fatalf("find = %+v", got)
		}
		var none []mongoItem
		if err := c.Find(ctx, db.Or(), &none, db.FindOptions{}); err != nil || len(none) != 0 {
			t.Fatalf("Or() = %v, %v", none, err)
		}
		var slim []mongoItem
		if err := c.Find(ctx, db.In("kind", []string{"x"}), &slim, db.FindOptions{Fields: []string{"code"}}); err != nil {
			t.Fatal(err)
		}
		if len(slim) != 2 || slim[0].Code != "A1" || slim[0].Kind != "" || slim[0].ID != "a" {
			t.Fatalf("projection = %+v", slim)
		}
	})

	t.Run("update and count", func(t *testing.T) {
		n, err := c.Update(ctx, db.ID("a"), db.Set("kind", "y").Inc("n", 10).Push("tags", "red"))
		if err != nil || n != 1 {
			t.Fatalf("Update = %d, %v", n, err)
		}
		var got mongoItem
		if err := c.FindOne(ctx, db.ID("a"), &got); err != nil {
			t.Fatal(err)
		}
		if got.Kind != "y" || got.N != 11 || len(got.Tags) != 1 {
			t.Fatalf("after update: %+v", got)
		}
		if n, err := c.Count(ctx, db.Eq("tags", "red")); err != nil || n != 1 {
			t.Fatalf("Count = %d, %v", n, err)
		}
		if n, err := c.Update(ctx, db.ID("nope"), db.Set("kind", "z")); err != nil || n != 0 {
			t.Fatalf("Update of nothing = %d, %v", n, err)
		}
	})

	t.Run("sum", func(t *testing.T) {
		groups, err := c.Sum(ctx, db.Filter{}, "kind", "n")
		if err != nil {
			t.Fatal(err)
		}
		want := []db.Group{{Key: "x", Sum: 3}, {Key: "y", Sum: 13}}
		if len(groups) != len(want) || groups[0] != want[0] || groups[1] != want[1] {
			t.Fatalf("Sum = %+v, want %+v", groups, want)
		}
	})

	t.Run("duplicates", func(t *testing.T) {
		err := c.Insert(ctx, mongoItem{Code: "A1"})
		if !errors.Is(err, db.ErrDuplicate) {
			t.Fatalf("duplicate insert: %v", err)
		}
		_, err = c.Update(ctx, db.ID("b"), db.Set("code", "B1"))
		if !errors.Is(err, db.ErrDuplicate) {
			t.Fatalf("duplicate update: %v", err)
		}
	})

	t.Run("upsert replace delete", func(t *testing.T) {
		if err := c.Upsert(ctx, db.Eq("code", "C1"), db.Set("kind", "z")); err != nil {
			t.Fatal(err)
		}
		var up mongoItem
		if err := c.FindOne(ctx, db.Eq("code", "C1"), &up); err != nil {
			t.Fatal(err)
		}
		if up.ID == "" || up.Kind != "z" || up.Tenant != "clinicA" {
			t.Fatalf("upserted: %+v", up)
		}
		n, err := c.Replace(ctx, db.ID(up.ID), mongoItem{ID: "other", Code: "C1", Kind: "w"})
		if err != nil || n != 1 {
			t.Fatalf("Replace = %d, %v", n, err)
		}
		var rep mongoItem
		if err := c.FindOne(ctx, db.Eq("code", "C1"), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.ID != up.ID || rep.Kind != "w" {
			t.Fatalf("replaced: %+v (id was %s)", rep, up.ID)
		}
		if n, err := c.Delete(ctx, db.ID(up.ID)); err != nil || n != 1 {
			t.Fatalf("Delete = %d, %v", n, err)
		}
		if err := c.FindOne(ctx, db.ID(up.ID), &rep); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})

	t.Run("other tenant", func(t *testing.T) {
		n, err := s.ForTenant("clinicB").Collection("smoke").Count(ctx, db.Filter{})
		if err != nil || n != 0 {
			t.Fatalf("clinicB counts %d, %v", n, err)
		}
	})
}
