package db_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
)

// rec is the shape of the documents these tests write.
type rec struct {
	ID       string `bson:"_id"`
	TenantID string `bson:"tenantId"`
	Name     string `bson:"name"`
	N        int    `bson:"n"`
}

// doc is rec as written by a tenant: no tenantId, the handle sets it.
type doc struct {
	ID   string `bson:"_id"`
	Name string `bson:"name"`
	N    int    `bson:"n"`
}

// seed writes tenant A's and tenant B's documents into one collection. B's
// documents are shaped so that an unscoped query would visibly include them:
// they share names with A's and carry the largest numbers.
var (
	seedA = []rec{{ID: "a1", Name: "x", N: 1}, {ID: "a2", Name: "y", N: 2}, {ID: "a3", Name: "x", N: 3}}
	seedB = []rec{{ID: "b1", Name: "x", N: 10}, {ID: "b2", Name: "y", N: 20}}
)

// pair is tenant A's and tenant B's handle on one fresh collection.
type pair struct {
	a, b, platform *db.Collection
	wantB          []rec // B's documents as seeded
}

// seeded returns a fresh collection holding seedA (as A) and seedB (as B).
func seeded(t *testing.T, s *db.Store, name string) pair {
	t.Helper()
	p := pair{
		a:        s.ForTenant("A").Collection(name),
		b:        s.ForTenant("B").Collection(name),
		platform: s.Platform("test").Collection(name),
	}
	for _, r := range seedA {
		insertAll(t, p.a, doc{ID: r.ID, Name: r.Name, N: r.N})
	}
	for _, r := range seedB {
		insertAll(t, p.b, doc{ID: r.ID, Name: r.Name, N: r.N})
		r.TenantID = "B"
		p.wantB = append(p.wantB, r)
	}
	return p
}

// all reads every document c can see, by _id.
func all(t *testing.T, c *db.Collection) []rec {
	t.Helper()
	var out []rec
	if err := c.Find(context.Background(), db.Filter{}, &out, db.FindOptions{Sort: []db.Order{db.Asc("_id")}}); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkB fails unless B's documents, read through B's own handle, are exactly
// as seeded.
func (p pair) checkB(t *testing.T) {
	t.Helper()
	if got := all(t, p.b); !reflect.DeepEqual(got, p.wantB) {
		t.Fatalf("tenant B's documents changed:\n got %+v\nwant %+v", got, p.wantB)
	}
}

// onlyA fails unless every document is tenant A's.
func onlyA(t *testing.T, what string, rs []rec) {
	t.Helper()
	for _, r := range rs {
		if r.TenantID != "A" {
			t.Fatalf("%s returned %+v, not tenant A's", what, r)
		}
	}
}

func ids(rs []rec) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	slices.Sort(out)
	return out
}

// bIDs aims a filter at B's documents.
var bIDs = db.In("_id", []string{"b1", "b2"})

// TestTenantCollectionIsolation runs every method of a tenant-scoped
// collection as tenant A, aimed at B's documents where it can be, and checks
// that it saw and changed only A's documents and that B's are untouched.
func TestTenantCollectionIsolation(t *testing.T) {
	ctx := context.Background()
	byN := db.FindOptions{Sort: []db.Order{db.Desc("n")}}
	cases := []struct {
		name string
		run  func(t *testing.T, p pair)
		// wantA are the ids of A's documents afterwards (nil: unchanged).
		wantA []string
	}{
		{name: "Find", run: func(t *testing.T, p pair) {
			var got []rec
			if err := p.a.Find(ctx, db.Filter{}, &got, byN); err != nil {
				t.Fatal(err)
			}
			onlyA(t, "Find all", got)
			if order, want := findIDs(t, p.a, db.Filter{}, byN), []string{"a3", "a2", "a1"}; !slices.Equal(order, want) {
				t.Fatalf("Find all by n desc = %v, want %v", order, want)
			}
			if got, want := findIDs(t, p.a, db.Eq("name", "x"), db.FindOptions{}), []string{"a1", "a3"}; !slices.Equal(got, want) {
				t.Fatalf("Find name=x = %v, want %v", got, want)
			}
			if got := findIDs(t, p.a, bIDs, db.FindOptions{}); len(got) != 0 {
				t.Fatalf("Find of B's ids = %v", got)
			}
			if got := findIDs(t, p.a, db.Gte("n", 10), db.FindOptions{}); len(got) != 0 {
				t.Fatalf("Find n>=10 = %v", got)
			}
		}},
		{name: "Each", run: func(t *testing.T, p pair) {
			var got []rec
			collect := func(r *rec) error {
				got = append(got, *r)
				return nil
			}
			if err := db.Each(ctx, p.a, db.Filter{}, byN, collect); err != nil {
				t.Fatal(err)
			}
			onlyA(t, "Each", got)
			if want := []string{"a1", "a2", "a3"}; !slices.Equal(ids(got), want) {
				t.Fatalf("Each = %v, want %v", ids(got), want)
			}
			got = nil
			if err := db.Each(ctx, p.a, db.ID("b1"), db.FindOptions{}, collect); err != nil || len(got) != 0 {
				t.Fatalf("Each _id=b1 = %+v, %v", got, err)
			}
		}},
		{name: "FindOne", run: func(t *testing.T, p pair) {
			var got rec
			if err := p.a.FindOne(ctx, db.ID("b1"), &got); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("FindOne _id=b1 = %+v, %v; want ErrNotFound", got, err)
			}
			// Unscoped, the highest n would be B's b2.
			if err := p.a.FindOne(ctx, db.Filter{}, &got, db.Desc("n")); err != nil {
				t.Fatal(err)
			}
			if got.ID != "a3" || got.TenantID != "A" {
				t.Fatalf("FindOne sorted by n desc = %+v, want a3", got)
			}
		}},
		{name: "Count", run: func(t *testing.T, p pair) {
			for _, c := range []struct {
				f    db.Filter
				want int64
			}{{db.Filter{}, 3}, {db.Eq("name", "x"), 2}, {db.ID("b1"), 0}, {db.Gte("n", 10), 0}, {db.Or(bIDs, db.Eq("n", 1)), 1}} {
				n, err := p.a.Count(ctx, c.f)
				if err != nil || n != c.want {
					t.Fatalf("Count %s = %d, %v; want %d", c.f, n, err, c.want)
				}
			}
		}},
		{name: "Sum", run: func(t *testing.T, p pair) {
			got, err := p.a.Sum(ctx, db.Filter{}, "name", "n")
			if want := []db.Group{{Key: "x", Sum: 4}, {Key: "y", Sum: 2}}; err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Sum of n by name = %v, %v; want %v", got, err, want)
			}
			got, err = p.a.Sum(ctx, db.Filter{}, db.TenantField, "")
			if want := []db.Group{{Key: "A", Sum: 3}}; err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("count by tenantId = %v, %v; want %v", got, err, want)
			}
			got, err = p.a.Sum(ctx, bIDs, "name", "")
			if err != nil || len(got) != 0 {
				t.Fatalf("Sum of B's ids = %v, %v", got, err)
			}
		}},
		{name: "Update", run: func(t *testing.T, p pair) {
			if n, err := p.a.Update(ctx, db.ID("b1"), db.Set("name", "evil")); err != nil || n != 0 {
				t.Fatalf("Update _id=b1 = %d, %v", n, err)
			}
			if n, err := p.a.Update(ctx, db.Eq("name", "y"), db.Set("name", "changed")); err != nil || n != 1 {
				t.Fatalf("Update name=y = %d, %v", n, err)
			}
			var a2 rec
			if err := p.a.FindOne(ctx, db.ID("a2"), &a2); err != nil || a2.Name != "changed" {
				t.Fatalf("a2 after the update = %+v, %v", a2, err)
			}
		}},
		{name: "Upsert", wantA: []string{"a1", "a2", "a3", "u1"}, run: func(t *testing.T, p pair) {
			if err := p.a.Upsert(ctx, db.ID("u1"), db.Set("name", "new")); err != nil {
				t.Fatal(err)
			}
			var got rec
			if err := p.platform.FindOne(ctx, db.ID("u1"), &got); err != nil || got.TenantID != "A" {
				t.Fatalf("upserted document = %+v, %v; want tenantId A", got, err)
			}
			// An upsert aimed at B's _id must not take B's document over.
			if err := p.a.Upsert(ctx, db.ID("b1"), db.Set("name", "evil")); !db.IsDuplicate(err) {
				t.Fatalf("upsert onto B's _id: err = %v, want a duplicate", err)
			}
		}},
		{name: "UpdateMany", run: func(t *testing.T, p pair) {
			if n, err := p.a.UpdateMany(ctx, db.Filter{}, db.Inc("n", 100)); err != nil || n != 3 {
				t.Fatalf("UpdateMany all = %d, %v", n, err)
			}
			if n, err := p.a.UpdateMany(ctx, bIDs, db.Set("name", "evil")); err != nil || n != 0 {
				t.Fatalf("UpdateMany of B's ids = %d, %v", n, err)
			}
			if got := findIDs(t, p.a, db.Gte("n", 100), db.FindOptions{}); !slices.Equal(got, []string{"a1", "a2", "a3"}) {
				t.Fatalf("after Inc 100: %v", got)
			}
		}},
		{name: "Replace", run: func(t *testing.T, p pair) {
			if n, err := p.a.Replace(ctx, db.ID("b1"), named{"evil"}); err != nil || n != 0 {
				t.Fatalf("Replace _id=b1 = %d, %v", n, err)
			}
			if n, err := p.a.Replace(ctx, db.ID("a1"), doc{ID: "a1", Name: "replaced", N: 7}); err != nil || n != 1 {
				t.Fatalf("Replace _id=a1 = %d, %v", n, err)
			}
			var got rec
			if err := p.platform.FindOne(ctx, db.ID("a1"), &got); err != nil || got != (rec{ID: "a1", TenantID: "A", Name: "replaced", N: 7}) {
				t.Fatalf("replaced document = %+v, %v", got, err)
			}
		}},
		{name: "Delete", wantA: []string{"a2", "a3"}, run: func(t *testing.T, p pair) {
			if n, err := p.a.Delete(ctx, db.ID("b1")); err != nil || n != 0 {
				t.Fatalf("Delete _id=b1 = %d, %v", n, err)
			}
			if n, err := p.a.Delete(ctx, db.ID("a1")); err != nil || n != 1 {
				t.Fatalf("Delete _id=a1 = %d, %v", n, err)
			}
		}},
		{name: "DeleteMany", wantA: []string{}, run: func(t *testing.T, p pair) {
			if n, err := p.a.DeleteMany(ctx, bIDs); err != nil || n != 0 {
				t.Fatalf("DeleteMany of B's ids = %d, %v", n, err)
			}
			if n, err := p.a.DeleteMany(ctx, db.Filter{}); err != nil || n != 3 {
				t.Fatalf("DeleteMany all = %d, %v; want 3", n, err)
			}
		}},
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := seeded(t, s, fmt.Sprintf("iso%d", i))
				c.run(t, p)
				p.checkB(t)
				got := all(t, p.a)
				onlyA(t, "A's handle", got)
				want := c.wantA
				if want == nil {
					want = []string{"a1", "a2", "a3"}
				}
				if !slices.Equal(ids(got), want) {
					t.Fatalf("A's documents afterwards = %v, want %v", ids(got), want)
				}
			})
		}
	})
}

func TestInsertSetsTenant(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		p := seeded(t, s, "ins")
		cases := []struct {
			name string
			id   string
			doc  any
		}{
			{"struct without tenantId", "i1", doc{ID: "i1", Name: "s"}},
			{"struct with empty tenantId", "i2", rec{ID: "i2", Name: "s"}},
			{"names its own tenant", "i3", rec{ID: "i3", TenantID: "A"}},
			{"bson.M", "i4", bson.M{"_id": "i4", "name": "m"}},
			{"bson.D with tenantId last", "i5", bson.D{{Key: "_id", Value: "i5"}, {Key: "tenantId", Value: "A"}}},
		}
		for _, c := range cases {
			if err := p.a.Insert(ctx, c.doc); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got rec
			if err := p.platform.FindOne(ctx, db.ID(c.id), &got); err != nil || got.TenantID != "A" {
				t.Errorf("%s: stored %+v, %v; want tenantId A", c.name, got, err)
			}
		}
		// Without an _id, the document gets a new string id.
		if err := p.a.Insert(ctx, named{"no id"}); err != nil {
			t.Fatal(err)
		}
		var got rec
		if err := p.a.FindOne(ctx, db.Eq("name", "no id"), &got); err != nil || got.ID == "" || got.TenantID != "A" {
			t.Fatalf("document inserted without an id = %+v, %v", got, err)
		}
		if err := p.a.InsertMany(ctx, []any{doc{ID: "m1"}, bson.M{"_id": "m2"}, named{"many"}}); err != nil {
			t.Fatal(err)
		}
		var many []rec
		if err := p.platform.Find(ctx, db.Or(db.In("_id", []string{"m1", "m2"}), db.Eq("name", "many")), &many, db.FindOptions{}); err != nil || len(many) != 3 {
			t.Fatalf("InsertMany stored %+v, %v", many, err)
		}
		onlyA(t, "InsertMany", many)
		p.checkB(t)
	})
}

func TestInsertNamingAnotherTenantIsRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		p := seeded(t, s, "insx")
		cases := []struct {
			name string
			doc  any
		}{
			{"struct", rec{ID: "x1", TenantID: "B"}},
			{"bson.M", bson.M{"_id": "x2", "tenantId": "B"}},
			{"without an _id", struct {
				T string `bson:"tenantId"`
			}{"B"}},
			{"not a string", bson.M{"_id": "x4", "tenantId": 1}},
			{"an operator", bson.M{"_id": "x5", "tenantId": bson.M{"$ne": "A"}}},
		}
		for _, c := range cases {
			if err := p.a.Insert(ctx, c.doc); !errors.Is(err, db.ErrCrossTenant) {
				t.Errorf("Insert %s: err = %v, want ErrCrossTenant", c.name, err)
			}
			if err := p.a.InsertMany(ctx, []any{doc{ID: "ok-" + c.name}, c.doc}); !errors.Is(err, db.ErrCrossTenant) {
				t.Errorf("InsertMany %s: err = %v, want ErrCrossTenant", c.name, err)
			}
			if _, err := p.a.Replace(ctx, db.ID("a1"), c.doc); !errors.Is(err, db.ErrCrossTenant) {
				t.Errorf("Replace %s: err = %v, want ErrCrossTenant", c.name, err)
			}
		}
		// Nothing was written: not the refused documents, not the good one
		// InsertMany was given before the bad one.
		if n, err := p.platform.Count(ctx, db.Filter{}); err != nil || n != int64(len(seedA)+len(seedB)) {
			t.Fatalf("collection holds %d documents (%v), want %d", n, err, len(seedA)+len(seedB))
		}
		if got := all(t, p.a); !slices.Equal(ids(got), []string{"a1", "a2", "a3"}) || got[0].Name != "x" {
			t.Fatalf("A's documents = %+v", got)
		}
		p.checkB(t)
		// A document repeating tenantId must not become B's either.
		twice := bson.D{{Key: "_id", Value: "x6"}, {Key: "tenantId", Value: "A"}, {Key: "tenantId", Value: "B"}}
		err := p.a.Insert(ctx, twice)
		if n, _ := p.platform.Count(ctx, db.Eq("tenantId", "B")); n != int64(len(seedB)) {
			t.Fatalf("a document naming tenantId twice (A, then B) was stored (insert error: %v) and counts as B's", err)
		}
		p.checkB(t)
	})
}

// filterMethods runs f through every filter-taking method of c and returns
// each method's error.
func filterMethods(ctx context.Context, c *db.Collection, f db.Filter) map[string]error {
	errs := map[string]error{}
	var many []rec
	var one rec
	errs["Find"] = c.Find(ctx, f, &many, db.FindOptions{})
	errs["Each"] = db.Each(ctx, c, f, db.FindOptions{}, func(*rec) error { return nil })
	errs["FindOne"] = c.FindOne(ctx, f, &one)
	_, errs["Count"] = c.Count(ctx, f)
	_, errs["Sum"] = c.Sum(ctx, f, "name", "n")
	_, errs["Update"] = c.Update(ctx, f, db.Set("name", "evil"))
	_, errs["UpdateMany"] = c.UpdateMany(ctx, f, db.Set("name", "evil"))
	errs["Upsert"] = c.Upsert(ctx, f, db.Set("name", "evil"))
	_, errs["Replace"] = c.Replace(ctx, f, named{"evil"})
	_, errs["Delete"] = c.Delete(ctx, f)
	_, errs["DeleteMany"] = c.DeleteMany(ctx, f)
	return errs
}

// A filter may name tenantId only as equality with the handle's own tenant;
// anything else — another tenant, a range, a negation, deep in an Or — is
// refused by every method.
func TestFilterNamingAnotherTenantIsRefused(t *testing.T) {
	filters := []struct {
		name string
		f    db.Filter
	}{
		{"Eq", db.Eq("tenantId", "B")},
		{"Eq with another field", db.And(db.Eq("tenantId", "B"), db.Eq("name", "x"))},
		{"after its own tenant", db.And(db.Eq("tenantId", "A"), db.Eq("tenantId", "B"))},
		{"in an Or", db.Or(db.Eq("tenantId", "B"))},
		{"in an Or with an id", db.Or(db.ID("a1"), db.Eq("tenantId", "B"))},
		{"deep", db.And(db.Eq("name", "x"), db.Or(db.Eq("n", 1), db.And(db.Eq("n", 2), db.Eq("tenantId", "B"))))},
		{"Ne", db.Ne("tenantId", "A")},
		{"In", db.In("tenantId", []string{"A", "B"})},
		{"In of its own", db.In("tenantId", []string{"A"})},
		{"Exists", db.Exists("tenantId")},
		{"Missing", db.Missing("tenantId")},
		{"Prefix", db.Prefix("tenantId", "")},
		{"Gt", db.Gt("tenantId", "")},
		{"Lte", db.Lte("tenantId", "A")},
		{"Eq nil", db.Eq("tenantId", nil)},
		{"not a string", db.Eq("tenantId", 1)},
		{"a subfield", db.Eq("tenantId.x", "B")},
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		p := seeded(t, s, "filt")
		for _, f := range filters {
			for method, err := range filterMethods(ctx, p.a, f.f) {
				if !errors.Is(err, db.ErrCrossTenant) {
					t.Errorf("%s with filter %s (%s): err = %v, want ErrCrossTenant", method, f.name, f.f, err)
				}
			}
			p.checkB(t)
		}
		if got := all(t, p.a); !slices.Equal(ids(got), []string{"a1", "a2", "a3"}) || got[0].Name != "x" {
			t.Fatalf("A's documents = %+v", got)
		}
		// Naming its own tenant is allowed, and changes nothing.
		if got := findIDs(t, p.a, db.Eq("tenantId", "A"), db.FindOptions{}); !slices.Equal(got, []string{"a1", "a2", "a3"}) {
			t.Fatalf("Find tenantId=A = %v", got)
		}
		if n, err := p.a.Count(ctx, db.And(db.Eq("tenantId", "A"), db.Eq("name", "x"))); err != nil || n != 2 {
			t.Fatalf("Count tenantId=A, name=x = %d, %v", n, err)
		}
	})
}

func TestUpdateTouchingTenantIDIsRefused(t *testing.T) {
	cases := []struct {
		name string
		u    db.Update
		want error
	}{
		{"Set tenantId", db.Set("tenantId", "B"), db.ErrCrossTenant},
		{"Set own tenantId", db.Set("tenantId", "A"), db.ErrCrossTenant},
		{"Set tenantId among others", db.Set("name", "ok").Set("tenantId", "B"), db.ErrCrossTenant},
		{"Set tenantId subfield", db.Set("tenantId.x", 1), db.ErrCrossTenant},
		{"Unset tenantId", db.Unset("tenantId"), db.ErrCrossTenant},
		{"Inc tenantId", db.Inc("tenantId", 1), db.ErrCrossTenant},
		{"Push tenantId", db.Push("tenantId", "B"), db.ErrCrossTenant},
		{"Pull tenantId", db.Pull("tenantId", "A"), db.ErrCrossTenant},
		{"after other changes", db.Inc("n", 1).Push("tags", "t").Set("tenantId", "B"), db.ErrCrossTenant},
		{"empty", db.Update{}, db.ErrRefused},
		{"bad field", db.Set("name;drop", "z"), db.ErrRefused},
		{"$set as a field", db.Set("$set", "z"), db.ErrRefused},
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		p := seeded(t, s, "upd")
		before := all(t, p.a)
		for _, c := range cases {
			runs := map[string]error{}
			_, runs["Update"] = p.a.Update(ctx, db.ID("a1"), c.u)
			_, runs["UpdateMany"] = p.a.UpdateMany(ctx, db.Filter{}, c.u)
			runs["Upsert"] = p.a.Upsert(ctx, db.ID("new"), c.u)
			for method, err := range runs {
				if !errors.Is(err, c.want) {
					t.Errorf("%s %s: err = %v, want %v", method, c.name, err, c.want)
				}
			}
		}
		p.checkB(t)
		if got := all(t, p.a); !reflect.DeepEqual(got, before) {
			t.Fatalf("A's documents changed:\n got %+v\nwant %+v", got, before)
		}
	})
}

func TestPlatformSeesEveryTenant(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		p := seeded(t, s, "plat")
		if n, err := p.platform.Count(ctx, db.Filter{}); err != nil || n != 5 {
			t.Fatalf("platform Count = %d, %v; want 5", n, err)
		}
		got := all(t, p.platform)
		if want := []string{"a1", "a2", "a3", "b1", "b2"}; !slices.Equal(ids(got), want) {
			t.Fatalf("platform Find = %v, want %v", ids(got), want)
		}
		var bs []rec
		if err := p.platform.Find(ctx, db.Eq("tenantId", "B"), &bs, db.FindOptions{Sort: []db.Order{db.Asc("_id")}}); err != nil || !reflect.DeepEqual(bs, p.wantB) {
			t.Fatalf("platform Find tenantId=B = %+v, %v", bs, err)
		}
		groups, err := p.platform.Sum(ctx, db.Filter{}, "tenantId", "n")
		if want := []db.Group{{Key: "A", Sum: 6}, {Key: "B", Sum: 30}}; err != nil || !reflect.DeepEqual(groups, want) {
			t.Fatalf("platform Sum of n by tenant = %v, %v; want %v", groups, err, want)
		}
		// The platform handle writes what it is given, tenantId included.
		if err := p.platform.Insert(ctx, rec{ID: "p1", TenantID: "B", Name: "from the platform"}); err != nil {
			t.Fatal(err)
		}
		if n, err := p.b.Count(ctx, db.ID("p1")); err != nil || n != 1 {
			t.Fatalf("B sees the platform's document for it: %d, %v", n, err)
		}
		if n, err := p.platform.UpdateMany(ctx, db.Eq("tenantId", "B"), db.Set("tenantId", "C")); err != nil || n != 3 {
			t.Fatalf("platform moving B's documents = %d, %v", n, err)
		}
		if n, _ := s.ForTenant("C").Collection("plat").Count(ctx, db.Filter{}); n != 3 {
			t.Fatalf("C has %d documents, want 3", n)
		}
	})
}

// A tenant handle never opens a platform collection: a tenantId filter does
// not make the clinic registry or the sessions a clinic's own.
func TestTenantHandleRefusesPlatformCollections(t *testing.T) {
	db.ReservePlatform("test_platform_only")
	s := sqliteStore(t)
	if !db.IsPlatform("test_platform_only") || db.IsPlatform("patients") {
		t.Fatal("IsPlatform")
	}
	// The platform handle opens it.
	if err := s.Platform("test").Collection("test_platform_only").Insert(context.Background(), doc{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a tenant handle opened a platform collection")
		}
	}()
	s.ForTenant("A").Collection("test_platform_only")
}
