package db_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
)

// The conformance suite: every test that calls eachEngine runs once per
// engine, on a fresh store, so both engines are held to one contract —
// MongoDB's semantics where Ward relies on them.

// engine is one store the suite runs on.
type engine struct {
	name string
	open func(t *testing.T) *db.Store
}

var engines = []engine{
	{"sqlite", sqliteStore},
	{"mongo", mongoStore},
}

// eachEngine runs fn as a subtest on a fresh store of every engine.
func eachEngine(t *testing.T, fn func(t *testing.T, s *db.Store)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t)) })
	}
}

// eachAtomicEngine runs fn on every engine whose server applies a single
// update atomically: the embedded store always, the mongo engine when
// WARD_TEST_MONGODB_URI names a real MongoDB. FerretDB, the stand-in the
// mongo engine is otherwise tested on, applies an update as an unchecked
// read-modify-write, so races of updates say nothing about Ward there; the
// run says so in its output, every time, rather than skipping quietly.
func eachAtomicEngine(t *testing.T, fn func(t *testing.T, s *db.Store)) {
	t.Helper()
	for _, e := range engines {
		if e.name == "mongo" && !dbtest.AtomicUpdates() {
			notAtomicOnce.Do(func() {
				fmt.Fprintf(os.Stderr, "core/db: update races run on sqlite only: the mongo engine is tested on FerretDB, whose updates are not atomic; set %s to run them on MongoDB\n", dbtest.EnvURI)
			})
			continue
		}
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t)) })
	}
}

var notAtomicOnce sync.Once

// sqliteStore opens the embedded store in a fresh directory, closed when t
// ends.
func sqliteStore(t *testing.T) *db.Store {
	t.Helper()
	s := open(t, t.TempDir())
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// mongoStore opens the mongo engine on a fresh database (see dbtest).
func mongoStore(t *testing.T) *db.Store {
	t.Helper()
	return dbtest.OpenWith(t, db.Options{URI: dbtest.MongoURI(t), Logger: zerolog.Nop()})
}

// withID is enough of any document to read its id.
type withID struct {
	ID string `bson:"_id"`
}

// findIDs returns the ids of the documents Find returns, in its order.
func findIDs(t *testing.T, c *db.Collection, f db.Filter, o db.FindOptions) []string {
	t.Helper()
	var docs []withID
	if err := c.Find(context.Background(), f, &docs, o); err != nil {
		t.Fatalf("Find (%s): %v", f, err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

// insertAll inserts docs one by one.
func insertAll[T any](t *testing.T, c *db.Collection, docs ...T) {
	t.Helper()
	for _, d := range docs {
		if err := c.Insert(context.Background(), d); err != nil {
			t.Fatalf("Insert %+v: %v", d, err)
		}
	}
}

// raw reads one document whole, to see which fields it has.
func raw(t *testing.T, c *db.Collection, id string) bson.Raw {
	t.Helper()
	var r bson.Raw
	if err := c.FindOne(context.Background(), db.ID(id), &r); err != nil {
		t.Fatalf("FindOne %s: %v", id, err)
	}
	return r
}

// keys lists a document's top-level field names, sorted.
func keys(t *testing.T, r bson.Raw) []string {
	t.Helper()
	elems, err := r.Elements()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = e.Key()
	}
	slices.Sort(out)
	return out
}

// thing is the document of the filter tests; empty fields are left out, so
// a test can have a field missing.
type thing struct {
	ID   string    `bson:"_id"`
	Kind string    `bson:"kind,omitempty"`
	N    int64     `bson:"n,omitempty"`
	F    float64   `bson:"f,omitempty"`
	S    string    `bson:"s,omitempty"`
	T    time.Time `bson:"t,omitempty"`
	A    *inner    `bson:"a,omitempty"`
	Tags []string  `bson:"tags,omitempty"`
}

type inner struct {
	B string `bson:"b,omitempty"`
	C int64  `bson:"c,omitempty"`
}

var day = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)

// things are tenant A's documents for the filter tests. The strings hold
// the characters SQL LIKE, GLOB and regular expressions treat specially.
var things = []thing{
	{ID: "t01", Kind: "x", N: 1, F: 1.5, S: "apple", T: day, A: &inner{B: "p", C: 1}, Tags: []string{"x", "y"}},
	{ID: "t02", Kind: "x", N: 2, F: 2.5, S: "Apple", T: day.Add(24 * time.Hour), A: &inner{B: "q"}, Tags: []string{"z"}},
	{ID: "t03", Kind: "y", N: 3, F: -1.25, S: "banana", T: day.Add(48 * time.Hour)},
	{ID: "t04", Kind: "y", N: 10, S: "a.b"},
	{ID: "t05", Kind: "z", N: 20, S: "axb"},
	{ID: "t06", Kind: "z", S: "(x"},
	{ID: "t07", S: "(xy"},
	{ID: "t08"},
	{ID: "t09", S: "a.bc"},
	{ID: "t10", S: "a_c"},
	{ID: "t11", S: "a%c"},
	{ID: "t12", S: `a\b`},
	{ID: "t13", S: "a*[b"},
}

// th names things by number: th(1, 2) is t01, t02.
func th(ns ...int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprintf("t%02d", n)
	}
	return out
}

func thRange(from, to int) []string {
	var ns []int
	for n := from; n <= to; n++ {
		ns = append(ns, n)
	}
	return th(ns...)
}

// seedThings stores things as tenant A's, and copies of them as tenant B's
// (ids starting with "u"), which every filter would match if it leaked.
// With indexed, every field but tags is named by an index first: engines
// may translate filters on indexed fields differently.
func seedThings(t *testing.T, s *db.Store, indexed bool) *db.Collection {
	t.Helper()
	name := "things"
	if indexed {
		name = "ithings"
		var ixs []db.Index
		for _, f := range []string{"kind", "n", "f", "s", "t", "a.b", "a.c"} {
			ixs = append(ixs, db.Index{Collection: name, Keys: []string{db.TenantField, f}})
		}
		if err := s.EnsureIndexes(context.Background(), "test", ixs); err != nil {
			t.Fatal(err)
		}
	}
	a, b := s.ForTenant("A").Collection(name), s.ForTenant("B").Collection(name)
	insertAll(t, a, things...)
	for _, d := range things {
		d.ID = "u" + d.ID[1:]
		insertAll(t, b, d)
	}
	return a
}

func TestFilterOperators(t *testing.T) {
	other := time.FixedZone("UTC+5", 5*3600)
	all := thRange(1, 13)
	cases := []struct {
		name string
		f    db.Filter
		want []string
	}{
		{"zero filter", db.Filter{}, all},
		{"Eq string", db.Eq("kind", "x"), th(1, 2)},
		{"Eq is case-sensitive", db.Eq("s", "apple"), th(1)},
		{"Eq other case", db.Eq("s", "APPLE"), nil},
		{"Eq int", db.Eq("n", 3), th(3)},
		{"Eq int matches a float", db.Eq("n", 1.0), th(1)},
		{"Eq int32", db.Eq("n", int32(2)), th(2)},
		{"Eq number does not match a string", db.Eq("n", "1"), nil},
		{"ID", db.ID("t05"), th(5)},
		{"ID of another tenant", db.ID("u05"), nil},
		{"Ne", db.Ne("kind", "x"), thRange(3, 13)},
		{"Ne matches missing", db.Ne("n", 1), thRange(2, 13)},
		{"In", db.In("kind", []string{"x", "z"}), th(1, 2, 5, 6)},
		{"In ints", db.In("n", []int{1, 3}), th(1, 3)},
		{"In mixed", db.In("n", []any{2, "x"}), th(2)},
		{"In empty", db.In("kind", []string{}), nil},
		{"In nil", db.In[string]("kind", nil), nil},
		{"Gt int", db.Gt("n", 2), th(3, 4, 5)},
		{"Gte int", db.Gte("n", 2), th(2, 3, 4, 5)},
		{"Lt int", db.Lt("n", 3), th(1, 2)},
		{"Lte int", db.Lte("n", 3), th(1, 2, 3)},
		{"Gt float on ints", db.Gt("n", 1.5), th(2, 3, 4, 5)},
		{"Lt float on ints", db.Lt("n", 10.5), th(1, 2, 3, 4)},
		{"Gt float", db.Gt("f", 1.5), th(2)},
		{"Gte float", db.Gte("f", 1.5), th(1, 2)},
		{"Lt float", db.Lt("f", 0.0), th(3)},
		{"Lte float", db.Lte("f", 2), th(1, 3)},
		{"Gt int on floats", db.Gt("f", 1), th(1, 2)},
		{"Gt string", db.Gt("s", "b"), th(3)},
		{"Gte string", db.Gte("s", "a"), th(1, 3, 4, 5, 9, 10, 11, 12, 13)},
		{"Lt string is by bytes", db.Lt("s", "B"), th(2, 6, 7)},
		{"Lte string", db.Lte("s", "a.b"), th(2, 4, 6, 7, 11, 13)},
		{"Gt time", db.Gt("t", day), th(2, 3)},
		{"Gte time", db.Gte("t", day), th(1, 2, 3)},
		{"Lt time", db.Lt("t", day.Add(24*time.Hour)), th(1)},
		{"Lte time", db.Lte("t", day.Add(24*time.Hour)), th(1, 2)},
		{"Lt time before all", db.Lt("t", day), nil},
		{"Gt time in another zone", db.Gt("t", day.In(other)), th(2, 3)},
		{"Eq time below a millisecond", db.Eq("t", day.Add(123*time.Microsecond)), th(1)},
		{"Gt time does not match strings", db.Gt("s", day.Add(-1000*time.Hour)), nil},
		{"Gt string does not match times", db.Gt("t", ""), nil},
		{"Prefix", db.Prefix("s", "a"), th(1, 4, 5, 9, 10, 11, 12, 13)},
		{"Prefix is case-sensitive", db.Prefix("s", "A"), th(2)},
		{"Prefix with a dot", db.Prefix("s", "a.b"), th(4, 9)},
		{"Prefix with a parenthesis", db.Prefix("s", "(x"), th(6, 7)},
		{"Prefix with an underscore", db.Prefix("s", "a_"), th(10)},
		{"Prefix with a percent sign", db.Prefix("s", "a%"), th(11)},
		{"Prefix with a backslash", db.Prefix("s", `a\`), th(12)},
		{"Prefix with a star and bracket", db.Prefix("s", "a*["), th(13)},
		{"Prefix with a bracket", db.Prefix("s", "a["), nil},
		{"Prefix whole value", db.Prefix("s", "banana"), th(3)},
		{"Prefix longer than the value", db.Prefix("s", "bananas"), nil},
		{"empty Prefix matches every string", db.Prefix("s", ""), append(thRange(1, 7), thRange(9, 13)...)},
		{"Prefix does not match numbers", db.Prefix("n", "1"), nil},
		{"Exists", db.Exists("n"), thRange(1, 5)},
		{"Missing", db.Missing("n"), thRange(6, 13)},
		{"Exists nested", db.Exists("a.b"), th(1, 2)},
		{"Missing nested", db.Missing("a.c"), thRange(2, 13)},
		{"Exists object", db.Exists("a"), th(1, 2)},
		{"Eq nested", db.Eq("a.b", "p"), th(1)},
		{"Eq nested int", db.Eq("a.c", 1), th(1)},
		{"Ne nested", db.Ne("a.b", "p"), thRange(2, 13)},
		{"Eq array element", db.Eq("tags", "x"), th(1)},
		{"Eq another array element", db.Eq("tags", "z"), th(2)},
		{"Eq no array element", db.Eq("tags", "w"), nil},
		{"In array elements", db.In("tags", []string{"y", "z"}), th(1, 2)},
		{"Ne array element", db.Ne("tags", "x"), thRange(2, 13)},
		{"And", db.And(db.Eq("kind", "x"), db.Gt("n", 1)), th(2)},
		{"And range", db.And(db.Gte("n", 2), db.Lte("n", 10)), th(2, 3, 4)},
		{"And()", db.And(), all},
		{"And with the zero filter", db.And(db.Filter{}, db.Eq("kind", "x")), th(1, 2)},
		{"Or", db.Or(db.Eq("kind", "y"), db.Eq("s", "apple")), th(1, 3, 4)},
		{"Or()", db.Or(), nil},
		{"Or with the zero filter", db.Or(db.Filter{}, db.Eq("kind", "nope")), all},
		{"Or of Ands", db.Or(db.And(db.Eq("kind", "x"), db.Eq("n", 1)), db.And(db.Eq("kind", "z"), db.Prefix("s", "("))), th(1, 6)},
		{"And of Ors", db.And(db.Or(db.Eq("kind", "x"), db.Eq("kind", "y")), db.Or(db.Lt("n", 2), db.Gt("n", 5))), th(1, 4)},
		{"Or with Missing", db.Or(db.Missing("n"), db.Eq("n", 1)), append(th(1), thRange(6, 13)...)},
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		for _, indexed := range []bool{false, true} {
			a := seedThings(t, s, indexed)
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/indexed=%v", c.name, indexed), func(t *testing.T) {
					want := c.want
					if want == nil {
						want = []string{}
					}
					if got := findIDs(t, a, c.f, db.FindOptions{}); !slices.Equal(got, want) {
						t.Errorf("Find %s = %v, want %v", c.f, got, want)
					}
					if n, err := a.Count(context.Background(), c.f); err != nil || n != int64(len(want)) {
						t.Errorf("Count %s = %d, %v; want %d", c.f, n, err, len(want))
					}
				})
			}
		}
	})
}

// val is a document whose one field may hold anything; nil is stored as
// null. noVal has the field missing.
type val struct {
	ID string `bson:"_id"`
	V  any    `bson:"v"`
}

type noVal struct {
	ID string `bson:"_id"`
}

func TestMissingAndNull(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("nulls")
		insertAll(t, c, noVal{ID: "m1"})
		insertAll(t, c, val{ID: "m2", V: nil}, val{ID: "m3", V: 0}, val{ID: "m4", V: ""}, val{ID: "m5", V: false})
		cases := []struct {
			name string
			f    db.Filter
			want []string
		}{
			{"Eq nil matches missing and null", db.Eq("v", nil), []string{"m1", "m2"}},
			{"In nil matches missing and null", db.In("v", []any{nil}), []string{"m1", "m2"}},
			{"Exists matches null", db.Exists("v"), []string{"m2", "m3", "m4", "m5"}},
			{"Missing", db.Missing("v"), []string{"m1"}},
			{"Ne nil", db.Ne("v", nil), []string{"m3", "m4", "m5"}},
			{"Ne matches missing and null", db.Ne("v", 0), []string{"m1", "m2", "m4", "m5"}},
			{"Eq 0 is not false or empty", db.Eq("v", 0), []string{"m3"}},
			{"Eq false", db.Eq("v", false), []string{"m5"}},
			{"Eq empty string", db.Eq("v", ""), []string{"m4"}},
		}
		for _, tc := range cases {
			if got := findIDs(t, c, tc.f, db.FindOptions{}); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Find %s = %v, want %v", tc.name, tc.f, got, tc.want)
			}
			if n, err := c.Count(context.Background(), tc.f); err != nil || n != int64(len(tc.want)) {
				t.Errorf("%s: Count = %d, %v; want %d", tc.name, n, err, len(tc.want))
			}
		}
	})
}

// The same on a field an index names, holding strings only (an optional
// indexed field): null and missing still behave as MongoDB has them.
func TestMissingAndNullOnAnIndexedField(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ix := db.Index{Collection: "inulls", Keys: []string{db.TenantField, "v"}}
		if err := s.EnsureIndexes(context.Background(), "test", []db.Index{ix}); err != nil {
			t.Fatal(err)
		}
		c := s.ForTenant("A").Collection("inulls")
		insertAll(t, c, noVal{ID: "m1"})
		insertAll(t, c, val{ID: "m2", V: nil}, val{ID: "m3", V: "x"}, val{ID: "m4", V: ""}, val{ID: "m5", V: "y"})
		insertAll(t, c, noVal{ID: "m0"})
		cases := []struct {
			name string
			f    db.Filter
			o    db.FindOptions
			want []string
		}{
			{"Eq nil", db.Eq("v", nil), db.FindOptions{}, []string{"m0", "m1", "m2"}},
			{"In with nil", db.In("v", []any{nil, "x"}), db.FindOptions{}, []string{"m0", "m1", "m2", "m3"}},
			{"Exists", db.Exists("v"), db.FindOptions{}, []string{"m2", "m3", "m4", "m5"}},
			{"Missing", db.Missing("v"), db.FindOptions{}, []string{"m0", "m1"}},
			{"Ne nil", db.Ne("v", nil), db.FindOptions{}, []string{"m3", "m4", "m5"}},
			{"Ne a value", db.Ne("v", "x"), db.FindOptions{}, []string{"m0", "m1", "m2", "m4", "m5"}},
			{"Lt", db.Lt("v", "y"), db.FindOptions{}, []string{"m3", "m4"}},
			{"empty Prefix", db.Prefix("v", ""), db.FindOptions{}, []string{"m3", "m4", "m5"}},
			{"sorted", db.Filter{}, db.FindOptions{Sort: []db.Order{db.Asc("v")}}, []string{"m0", "m1", "m2", "m4", "m3", "m5"}},
			{"sorted descending", db.Filter{}, db.FindOptions{Sort: []db.Order{db.Desc("v")}}, []string{"m5", "m3", "m4", "m0", "m1", "m2"}},
		}
		for _, tc := range cases {
			if got := findIDs(t, c, tc.f, tc.o); !slices.Equal(got, tc.want) {
				t.Errorf("%s: Find %s = %v, want %v", tc.name, tc.f, got, tc.want)
			}
		}
	})
}

// A comparison matches values of its own kind only.
func TestComparisonsStayWithinAType(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("bracket")
		insertAll(t, c,
			val{ID: "b1", V: 1}, val{ID: "b2", V: 7}, val{ID: "b3", V: "9"}, val{ID: "b4", V: "a"},
			val{ID: "b5", V: 2.5}, val{ID: "b6", V: nil}, val{ID: "b8", V: true}, val{ID: "b9", V: day},
			// A string spelling a time the way an engine might store one.
			val{ID: "ba", V: `{"$date":"2024-03-01T09:30:00.000Z"}`},
		)
		insertAll(t, c, noVal{ID: "b7"})
		cases := []struct {
			name string
			f    db.Filter
			want []string
		}{
			{`Gt("v", 5)`, db.Gt("v", 5), []string{"b2"}},
			{`Gte("v", 0)`, db.Gte("v", 0), []string{"b1", "b2", "b5"}},
			{`Lt("v", 100.0)`, db.Lt("v", 100.0), []string{"b1", "b2", "b5"}},
			{`Lt("v", "m")`, db.Lt("v", "m"), []string{"b3", "b4"}},
			{`Gte("v", "")`, db.Gte("v", ""), []string{"b3", "b4", "ba"}},
			{`Gt("v", day.Add(-time.Hour))`, db.Gt("v", day.Add(-time.Hour)), []string{"b9"}},
			{`Lte("v", day)`, db.Lte("v", day), []string{"b9"}},
			{`Eq("v", day)`, db.Eq("v", day), []string{"b9"}},
			{`Eq("v", a string spelling a time)`, db.Eq("v", `{"$date":"2024-03-01T09:30:00.000Z"}`), []string{"ba"}},
			{`Eq("v", 1)`, db.Eq("v", 1), []string{"b1"}},
			{`Eq("v", true)`, db.Eq("v", true), []string{"b8"}},
		}
		for _, tc := range cases {
			if got := findIDs(t, c, tc.f, db.FindOptions{}); !slices.Equal(got, tc.want) {
				t.Errorf("Find %s = %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

// Mixed values sort as MongoDB sorts them: missing and null first (equal,
// so by _id), then numbers by value whatever their type, then strings by
// their bytes.
func TestSortOrderOfMixedValues(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("mixed")
		insertAll(t, c, noVal{ID: "k1"}, noVal{ID: "k9"})
		insertAll(t, c,
			val{ID: "k5", V: nil},
			val{ID: "k2", V: 3}, val{ID: "k0", V: 3.0}, val{ID: "k8", V: 2.5}, val{ID: "k3", V: 10}, val{ID: "k7", V: -1},
			val{ID: "k4", V: "9"}, val{ID: "k6", V: "10"}, val{ID: "ka", V: "B"}, val{ID: "kb", V: "a"},
		)
		asc := []string{"k1", "k5", "k9", "k7", "k8", "k0", "k2", "k3", "k6", "k4", "ka", "kb"}
		desc := []string{"kb", "ka", "k4", "k6", "k3", "k0", "k2", "k8", "k7", "k1", "k5", "k9"}
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{Sort: []db.Order{db.Asc("v")}}); !slices.Equal(got, asc) {
			t.Errorf("ascending = %v\n                   want %v", got, asc)
		}
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{Sort: []db.Order{db.Desc("v")}}); !slices.Equal(got, desc) {
			t.Errorf("descending = %v\n                    want %v", got, desc)
		}
		// Paged, the same order.
		var paged []string
		for skip := int64(0); skip < 12; skip += 5 {
			paged = append(paged, findIDs(t, c, db.Filter{}, db.FindOptions{Sort: []db.Order{db.Asc("v")}, Skip: skip, Limit: 5})...)
		}
		if !slices.Equal(paged, asc) {
			t.Errorf("ascending in pages of 5 = %v, want %v", paged, asc)
		}
	})
}

// Many equal sort keys: pages must still hold every document exactly once,
// because every sort ends with _id.
func TestStableSortAcrossPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		for _, indexed := range []bool{false, true} {
			t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) { stablePages(t, s, indexed) })
		}
	})
}

func stablePages(t *testing.T, s *db.Store, indexed bool) {
	type keyed struct {
		ID   string `bson:"_id"`
		K    int64  `bson:"k"`
		Same string `bson:"same"`
	}
	coll := "stable"
	if indexed {
		coll = "istable"
		ixs := []db.Index{
			{Collection: coll, Keys: []string{db.TenantField, "k"}},
			{Collection: coll, Keys: []string{db.TenantField, "-same", "k"}},
		}
		if err := s.EnsureIndexes(context.Background(), "test", ixs); err != nil {
			t.Fatal(err)
		}
	}
	c := s.ForTenant("A").Collection(coll)
	const n = 60
	var docs []any
	for i := range n {
		// Inserted out of _id order (37 is prime to 60).
		docs = append(docs, keyed{ID: fmt.Sprintf("p%02d", i*37%n), K: int64(i % 3), Same: "s"})
	}
	if err := c.InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	var byK []keyed
	if err := c.Find(context.Background(), db.Filter{}, &byK, db.FindOptions{}); err != nil {
		t.Fatal(err)
	}
	sorts := map[string]struct {
		sort []db.Order
		less func(a, b keyed) int
	}{
		"no sort":          {nil, func(a, b keyed) int { return 0 }},
		"k asc":            {[]db.Order{db.Asc("k")}, func(a, b keyed) int { return int(a.K - b.K) }},
		"k desc":           {[]db.Order{db.Desc("k")}, func(a, b keyed) int { return int(b.K - a.K) }},
		"same":             {[]db.Order{db.Asc("same")}, func(a, b keyed) int { return 0 }},
		"same desc, k asc": {[]db.Order{db.Desc("same"), db.Asc("k")}, func(a, b keyed) int { return int(a.K - b.K) }},
	}
	for name, sc := range sorts {
		want := slices.Clone(byK)
		slices.SortStableFunc(want, func(a, b keyed) int {
			if d := sc.less(a, b); d != 0 {
				return d
			}
			return strings.Compare(a.ID, b.ID)
		})
		var wantIDs []string
		for _, d := range want {
			wantIDs = append(wantIDs, d.ID)
		}
		var got []string
		for skip := int64(0); skip < n+7; skip += 7 {
			got = append(got, findIDs(t, c, db.Filter{}, db.FindOptions{Sort: sc.sort, Skip: skip, Limit: 7})...)
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%s, pages of 7 = %v\nwant %v", name, got, wantIDs)
		}
	}
}

type row struct {
	ID string `bson:"_id"`
	A  int64  `bson:"a"`
	B  int64  `bson:"b"`
	C  struct {
		D int64 `bson:"d"`
	} `bson:"c"`
}

func newRow(id string, a, b, d int64) row {
	r := row{ID: id, A: a, B: b}
	r.C.D = d
	return r
}

func TestSortSkipLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("rows")
		insertAll(t, c, newRow("q4", 2, 2, 2), newRow("q1", 1, 1, 3), newRow("q6", 2, 1, 3),
			newRow("q2", 1, 2, 2), newRow("q5", 1, 2, 1), newRow("q3", 2, 1, 1))
		insertAll(t, s.ForTenant("B").Collection("rows"), newRow("b0", 0, 0, 0))
		cases := []struct {
			name string
			o    db.FindOptions
			want []string
		}{
			{"a asc, b desc", db.FindOptions{Sort: []db.Order{db.Asc("a"), db.Desc("b")}}, []string{"q2", "q5", "q1", "q4", "q3", "q6"}},
			{"a desc, c.d asc", db.FindOptions{Sort: []db.Order{db.Desc("a"), db.Asc("c.d")}}, []string{"q3", "q4", "q6", "q5", "q2", "q1"}},
			{"b desc, c.d desc, a asc", db.FindOptions{Sort: []db.Order{db.Desc("b"), db.Desc("c.d"), db.Asc("a")}}, []string{"q2", "q4", "q5", "q1", "q6", "q3"}},
			{"_id desc", db.FindOptions{Sort: []db.Order{db.Desc("_id")}}, []string{"q6", "q5", "q4", "q3", "q2", "q1"}},
			{"skip and limit", db.FindOptions{Sort: []db.Order{db.Asc("a"), db.Desc("b")}, Skip: 2, Limit: 3}, []string{"q1", "q4", "q3"}},
			{"limit only", db.FindOptions{Limit: 2}, []string{"q1", "q2"}},
			{"skip only", db.FindOptions{Skip: 4}, []string{"q5", "q6"}},
			{"skip past the end", db.FindOptions{Skip: 10}, []string{}},
			{"limit past the end", db.FindOptions{Limit: 100}, []string{"q1", "q2", "q3", "q4", "q5", "q6"}},
		}
		for _, tc := range cases {
			if got := findIDs(t, c, db.Filter{}, tc.o); !slices.Equal(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
			}
		}
		if got := findIDs(t, c, db.Gt("a", 1), db.FindOptions{Sort: []db.Order{db.Desc("c.d")}, Limit: 2}); !slices.Equal(got, []string{"q6", "q4"}) {
			t.Errorf("filtered, sorted, limited = %v, want [q6 q4]", got)
		}
		var first row
		if err := c.FindOne(ctx, db.Filter{}, &first, db.Desc("a"), db.Asc("c.d")); err != nil || first.ID != "q3" {
			t.Errorf("FindOne sorted = %+v, %v; want q3", first, err)
		}
		if err := c.FindOne(ctx, db.Eq("a", 9), &first); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("FindOne of nothing: err = %v, want ErrNotFound", err)
		}
		if n, err := c.Count(ctx, db.Filter{}); err != nil || n != 6 {
			t.Errorf("Count = %d, %v; want 6", n, err)
		}
		if n, err := c.Count(ctx, db.Eq("b", 2)); err != nil || n != 3 {
			t.Errorf("Count b=2 = %d, %v; want 3", n, err)
		}
		// Find empties the slice it is given, and gives an empty one for
		// no match.
		got := []row{{ID: "stale"}}
		if err := c.Find(ctx, db.Eq("a", 9), &got, db.FindOptions{}); err != nil || got == nil || len(got) != 0 {
			t.Errorf("Find of nothing = %#v, %v; want an empty slice", got, err)
		}
	})
}

func TestEach(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("rows")
		insertAll(t, c, newRow("q1", 3, 0, 0), newRow("q2", 1, 0, 0), newRow("q3", 2, 0, 0))
		var got []string
		err := db.Each(ctx, c, db.Gt("a", 1), db.FindOptions{Sort: []db.Order{db.Desc("a")}}, func(r *row) error {
			got = append(got, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, []string{"q1", "q3"}) {
			t.Errorf("Each = %v, %v; want [q1 q3]", got, err)
		}
		stop := errors.New("stop")
		calls := 0
		err = db.Each(ctx, c, db.Filter{}, db.FindOptions{}, func(*row) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("Each whose callback fails: %d calls, err = %v; want 1 call and that error", calls, err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		var rows []row
		if err := c.Find(cancelled, db.Filter{}, &rows, db.FindOptions{}); err == nil {
			t.Errorf("Find on a cancelled context returned %d rows and no error", len(rows))
		}
	})
}

func TestSum(t *testing.T) {
	type sale struct {
		ID     string `bson:"_id"`
		Cat    string `bson:"cat,omitempty"`
		Amount any    `bson:"amount,omitempty"`
		Qty    int64  `bson:"qty"`
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("sales")
		insertAll(t, c,
			sale{ID: "s1", Cat: "a", Amount: 1.5, Qty: 1},
			sale{ID: "s2", Cat: "a", Amount: 2, Qty: 2},
			sale{ID: "s3", Cat: "b", Amount: int64(10), Qty: 3},
			sale{ID: "s4", Cat: "b", Qty: 1},
			sale{ID: "s5", Amount: 4.0, Qty: 5},
			sale{ID: "s6", Cat: "c", Amount: 0.25, Qty: 4},
			// Not numbers: MongoDB's $sum leaves them out.
			sale{ID: "s7", Cat: "d", Amount: "7", Qty: 1},
			sale{ID: "s8", Cat: "d", Amount: true, Qty: 1},
		)
		insertAll(t, s.ForTenant("B").Collection("sales"), sale{ID: "x1", Cat: "a", Amount: 100, Qty: 100})
		cases := []struct {
			name      string
			f         db.Filter
			by, field string
			want      []db.Group
		}{
			{"sum of a field by a field", db.Filter{}, "cat", "amount", []db.Group{{nil, 4}, {"a", 3.5}, {"b", 10}, {"c", 0.25}, {"d", 0}}},
			{"count by a field", db.Filter{}, "cat", "", []db.Group{{nil, 1}, {"a", 2}, {"b", 2}, {"c", 1}, {"d", 2}}},
			{"filtered", db.Eq("cat", "a"), "cat", "qty", []db.Group{{"a", 3}}},
			{"filtered to nothing", db.Eq("cat", "zz"), "cat", "qty", nil},
			{"by tenantId", db.Filter{}, "tenantId", "qty", []db.Group{{"A", 18}}},
			{"by tenantId, non-numbers left out", db.Filter{}, "tenantId", "amount", []db.Group{{"A", 17.75}}},
		}
		for _, tc := range cases {
			got, err := c.Sum(ctx, tc.f, tc.by, tc.field)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if len(got) == 0 && len(tc.want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

// Sum groups by the value as stored: a boolean stays a boolean, apart from
// the numbers 0 and 1; numbers of different types but one value are one
// group.
func TestSumGroupKeys(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("keys")
		insertAll(t, c, val{"k1", true}, val{"k2", true}, val{"k3", false}, val{"k4", 1}, val{"k5", int64(1)}, val{"k6", 1.0}, val{"k7", 0})
		got, err := c.Sum(context.Background(), db.Filter{}, "v", "")
		if err != nil {
			t.Fatal(err)
		}
		// Numbers come back as some numeric type: compare them as floats.
		var norm []db.Group
		for _, g := range got {
			switch k := g.Key.(type) {
			case int32:
				g.Key = float64(k)
			case int64:
				g.Key = float64(k)
			}
			norm = append(norm, g)
		}
		want := []db.Group{{float64(0), 1}, {float64(1), 3}, {false, 1}, {true, 2}}
		if !reflect.DeepEqual(norm, want) {
			t.Errorf("count by v = %v, want %v (numbers, then false, then true)", got, want)
		}
	})
}

func TestProjection(t *testing.T) {
	type doc struct {
		ID     string `bson:"_id"`
		Name   string `bson:"name"`
		Secret string `bson:"secret"`
		N      int64  `bson:"n"`
		A      inner  `bson:"a"`
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("proj")
		insertAll(t, c, doc{ID: "p1", Name: "n", Secret: "s", N: 5, A: inner{B: "x", C: 2}})
		read := func(o db.FindOptions) bson.Raw {
			t.Helper()
			var out []bson.Raw
			if err := c.Find(context.Background(), db.Filter{}, &out, o); err != nil || len(out) != 1 {
				t.Fatalf("Find %+v = %d documents, %v", o, len(out), err)
			}
			return out[0]
		}
		cases := []struct {
			name string
			o    db.FindOptions
			want []string
		}{
			{"Fields", db.FindOptions{Fields: []string{"name"}}, []string{"_id", "name"}},
			{"several Fields", db.FindOptions{Fields: []string{"name", "n"}}, []string{"_id", "n", "name"}},
			{"Omit", db.FindOptions{Omit: []string{"secret"}}, []string{"_id", "a", "n", "name", "tenantId"}},
			{"Fields, sorted and limited", db.FindOptions{Fields: []string{"n"}, Sort: []db.Order{db.Desc("n")}, Limit: 1}, []string{"_id", "n"}},
		}
		for _, tc := range cases {
			if got := keys(t, read(tc.o)); !slices.Equal(got, tc.want) {
				t.Errorf("%s: fields %v, want %v", tc.name, got, tc.want)
			}
		}
		r := read(db.FindOptions{Fields: []string{"a.b"}})
		if got := keys(t, r); !slices.Equal(got, []string{"_id", "a"}) {
			t.Errorf("Fields a.b: fields %v, want [_id a]", got)
		}
		if sub, ok := r.Lookup("a").DocumentOK(); !ok || !slices.Equal(keys(t, sub), []string{"b"}) {
			t.Errorf("Fields a.b: a = %v, want {b}", r.Lookup("a"))
		}
		r = read(db.FindOptions{Omit: []string{"a.b"}})
		if sub, ok := r.Lookup("a").DocumentOK(); !ok || !slices.Equal(keys(t, sub), []string{"c"}) {
			t.Errorf("Omit a.b: a = %v, want {c}", r.Lookup("a"))
		}
		var one doc
		if err := c.FindOne(context.Background(), db.ID("p1"), &one); err != nil || one.Secret != "s" || one.A.C != 2 {
			t.Errorf("whole document = %+v, %v", one, err)
		}
	})
}

func TestValuesRoundTrip(t *testing.T) {
	type phone struct {
		Kind   string `bson:"kind"`
		Number string `bson:"number"`
	}
	type addr struct {
		Street string `bson:"street"`
		Geo    struct {
			Lat float64 `bson:"lat"`
			Lng float64 `bson:"lng"`
		} `bson:"geo"`
	}
	type rich struct {
		ID     string           `bson:"_id"`
		When   time.Time        `bson:"when"`
		Big    int64            `bson:"big"`
		Small  int32            `bson:"small"`
		F      float64          `bson:"f"`
		Huge   float64          `bson:"huge"`
		OK     bool             `bson:"ok"`
		Note   string           `bson:"note"`
		Digits string           `bson:"digits"`
		Addr   addr             `bson:"addr"`
		Phones []phone          `bson:"phones"`
		Tags   []string         `bson:"tags"`
		Counts map[string]int64 `bson:"counts"`
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("rich")
		zone := time.FixedZone("UTC-7", -7*3600)
		in := rich{
			ID: "r1", When: time.Date(2024, 5, 6, 7, 8, 9, 123456789, zone),
			Big: math.MaxInt64, Small: -5, F: 0.1, Huge: 1e300, OK: true,
			Note: `it's "quoted" — ünïcødé \ 🩺 <b>&`, Digits: "007",
			Phones: []phone{{"home", "+1 555"}, {"work", "+1 556"}},
			Tags:   []string{"b", "a", "b"},
			Counts: map[string]int64{"x": 1, "y": -(1 << 60)},
		}
		in.Addr.Street = "1 Main St"
		in.Addr.Geo.Lat, in.Addr.Geo.Lng = 51.5, -0.125
		insertAll(t, c, in)
		var out rich
		if err := c.FindOne(ctx, db.ID("r1"), &out); err != nil {
			t.Fatal(err)
		}
		want := in
		want.When = in.When.UTC().Truncate(time.Millisecond)
		if !out.When.Equal(want.When) || out.When.Location() != time.UTC {
			t.Errorf("time = %v (%v), want %v in UTC", out.When, out.When.Location(), want.When)
		}
		out.When, want.When = time.Time{}, time.Time{}
		if !reflect.DeepEqual(out, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", out, want)
		}
		if n, err := c.Count(ctx, db.Eq("when", in.When)); err != nil || n != 1 {
			t.Errorf("Eq on the time written = %d, %v; want 1", n, err)
		}
		if n, err := c.Count(ctx, db.Eq("addr.geo.lng", -0.125)); err != nil || n != 1 {
			t.Errorf("Eq on a nested float = %d, %v; want 1", n, err)
		}
	})
}

// Large int64 values stay exact: stored as floats, these would be equal.
func TestLargeIntegers(t *testing.T) {
	type big struct {
		ID string `bson:"_id"`
		N  int64  `bson:"n"`
	}
	const base = int64(1) << 62
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("big")
		insertAll(t, c, big{"g1", base}, big{"g2", base + 1}, big{"g3", math.MaxInt64}, big{"g4", math.MinInt64}, big{"g5", -base - 3})
		var got []big
		if err := c.Find(ctx, db.Filter{}, &got, db.FindOptions{Sort: []db.Order{db.Desc("n")}}); err != nil {
			t.Fatal(err)
		}
		want := []big{{"g3", math.MaxInt64}, {"g2", base + 1}, {"g1", base}, {"g5", -base - 3}, {"g4", math.MinInt64}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sorted by n desc = %v, want %v", got, want)
		}
		for _, tc := range []struct {
			f    db.Filter
			want []string
		}{
			{db.Eq("n", base+1), []string{"g2"}},
			{db.Gt("n", base), []string{"g2", "g3"}},
			{db.Lt("n", base+1), []string{"g1", "g4", "g5"}},
			{db.In("n", []int64{base, math.MinInt64}), []string{"g1", "g4"}},
		} {
			if ids := findIDs(t, c, tc.f, db.FindOptions{}); !slices.Equal(ids, tc.want) {
				t.Errorf("Find %s = %v, want %v", tc.f, ids, tc.want)
			}
		}
		if _, err := c.Update(ctx, db.ID("g1"), db.Inc("n", 2)); err != nil {
			t.Fatal(err)
		}
		var g1 big
		if err := c.FindOne(ctx, db.ID("g1"), &g1); err != nil || g1.N != base+2 {
			t.Errorf("after Inc 2: n = %d, %v; want %d", g1.N, err, base+2)
		}
	})
}

func TestTimesSortAndCompare(t *testing.T) {
	type event struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		c := s.ForTenant("A").Collection("events")
		east, west := time.FixedZone("E", 10*3600), time.FixedZone("W", -9*3600)
		insertAll(t, c,
			event{"e1", time.Date(2024, 1, 1, 12, 0, 0, 1_000_000, west)}, // 21:00:00.001Z
			event{"e2", time.Date(2024, 1, 2, 6, 0, 0, 0, east)},          // 20:00Z the 1st
			event{"e3", time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC)},
			event{"e4", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)},
			event{"e5", time.Date(2024, 1, 1, 21, 0, 0, 0, time.UTC)},
		)
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{Sort: []db.Order{db.Asc("at")}}); !slices.Equal(got, []string{"e3", "e2", "e5", "e1", "e4"}) {
			t.Errorf("by time = %v, want [e3 e2 e5 e1 e4]", got)
		}
		edge := time.Date(2024, 1, 1, 21, 0, 0, 0, time.UTC)
		if got := findIDs(t, c, db.Gt("at", edge), db.FindOptions{}); !slices.Equal(got, []string{"e1", "e4"}) {
			t.Errorf("after %v = %v, want [e1 e4] (a millisecond counts)", edge, got)
		}
		if got := findIDs(t, c, db.Lt("at", time.Unix(0, 0)), db.FindOptions{}); !slices.Equal(got, []string{"e3"}) {
			t.Errorf("before 1970 = %v, want [e3]", got)
		}
	})
}

// acct is the document of the update tests.
type acct struct {
	ID   string   `bson:"_id"`
	Kind string   `bson:"kind,omitempty"`
	Name string   `bson:"name,omitempty"`
	Code string   `bson:"code,omitempty"`
	N    int64    `bson:"n,omitempty"`
	V    int64    `bson:"v,omitempty"`
	Tags []string `bson:"tags,omitempty"`
	A    *inner   `bson:"a,omitempty"`
}

// named is a document with a name only (and no _id: writes give it one,
// or keep the one it replaces).
type named struct {
	Name string `bson:"name"`
}

func get(t *testing.T, c *db.Collection, id string) acct {
	t.Helper()
	var a acct
	if err := c.FindOne(context.Background(), db.ID(id), &a); err != nil {
		t.Fatalf("FindOne %s: %v", id, err)
	}
	return a
}

func TestUpdates(t *testing.T) {
	type step struct {
		name  string
		start acct
		u     db.Update
		check func(t *testing.T, c *db.Collection, id string)
	}
	has := func(t *testing.T, c *db.Collection, id, field string, want bool) {
		t.Helper()
		_, err := raw(t, c, id).LookupErr(strings.Split(field, ".")...)
		if (err == nil) != want {
			t.Errorf("%s has %s: %v, want %v", id, field, err == nil, want)
		}
	}
	steps := []step{
		{"Set", acct{Name: "old", N: 4}, db.Set("name", "new"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.Name != "new" || a.N != 4 {
				t.Errorf("got %+v", a)
			}
		}},
		{"Set nested", acct{A: &inner{B: "x", C: 1}}, db.Set("a.b", "y"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.A == nil || *a.A != (inner{B: "y", C: 1}) {
				t.Errorf("a = %+v, want {y 1}", a.A)
			}
		}},
		{"Set nested creates the parent", acct{Name: "n"}, db.Set("a.c", 7), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.A == nil || *a.A != (inner{C: 7}) {
				t.Errorf("a = %+v, want {c:7}", a.A)
			}
		}},
		{"Set a struct", acct{A: &inner{B: "x", C: 1}}, db.Set("a", inner{B: "s"}), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.A == nil || *a.A != (inner{B: "s"}) {
				t.Errorf("a = %+v, want {b:s}", a.A)
			}
		}},
		{"Set a slice", acct{Tags: []string{"x"}}, db.Set("tags", []string{"p", "q"}), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); !slices.Equal(a.Tags, []string{"p", "q"}) {
				t.Errorf("tags = %v", a.Tags)
			}
		}},
		{"Set nil stores null", acct{Name: "x"}, db.Set("name", nil), func(t *testing.T, c *db.Collection, id string) {
			has(t, c, id, "name", true)
			if n, err := c.Count(context.Background(), db.And(db.ID(id), db.Eq("name", nil))); err != nil || n != 1 {
				t.Errorf("Eq(name, nil) = %d, %v", n, err)
			}
		}},
		{"Unset", acct{Name: "x", N: 1}, db.Unset("name"), func(t *testing.T, c *db.Collection, id string) {
			has(t, c, id, "name", false)
			has(t, c, id, "n", true)
		}},
		{"Unset nested", acct{A: &inner{B: "x", C: 1}}, db.Unset("a.b"), func(t *testing.T, c *db.Collection, id string) {
			has(t, c, id, "a.b", false)
			has(t, c, id, "a.c", true)
		}},
		{"Unset a missing field", acct{N: 1}, db.Unset("name"), func(t *testing.T, c *db.Collection, id string) {
			has(t, c, id, "name", false)
		}},
		{"Push creates the array", acct{N: 1}, db.Push("tags", "x"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); !slices.Equal(a.Tags, []string{"x"}) {
				t.Errorf("tags = %v", a.Tags)
			}
		}},
		{"Push appends", acct{Tags: []string{"x"}}, db.Push("tags", "y"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); !slices.Equal(a.Tags, []string{"x", "y"}) {
				t.Errorf("tags = %v", a.Tags)
			}
		}},
		{"Push a struct", acct{N: 1}, db.Push("items", inner{B: "i", C: 3}), func(t *testing.T, c *db.Collection, id string) {
			var got struct {
				Items []inner `bson:"items"`
			}
			if err := c.FindOne(context.Background(), db.ID(id), &got); err != nil || !slices.Equal(got.Items, []inner{{B: "i", C: 3}}) {
				t.Errorf("items = %+v, %v", got.Items, err)
			}
		}},
		{"Pull removes every equal element", acct{Tags: []string{"x", "y", "x", "z"}}, db.Pull("tags", "x"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); !slices.Equal(a.Tags, []string{"y", "z"}) {
				t.Errorf("tags = %v", a.Tags)
			}
		}},
		{"Pull of an absent value", acct{Tags: []string{"x"}}, db.Pull("tags", "q"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); !slices.Equal(a.Tags, []string{"x"}) {
				t.Errorf("tags = %v", a.Tags)
			}
		}},
		{"Pull from a missing array", acct{N: 1}, db.Pull("tags", "x"), func(t *testing.T, c *db.Collection, id string) {
			has(t, c, id, "tags", false)
		}},
		{"Inc a missing field counts from 0", acct{Name: "x"}, db.Inc("n", 5), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.N != 5 {
				t.Errorf("n = %d, want 5", a.N)
			}
		}},
		{"Inc", acct{N: 5}, db.Inc("n", -2), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.N != 3 {
				t.Errorf("n = %d, want 3", a.N)
			}
		}},
		{"Inc nested", acct{N: 1}, db.Inc("a.c", 1), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.A == nil || a.A.C != 1 {
				t.Errorf("a = %+v, want {c:1}", a.A)
			}
		}},
		{"several changes at once", acct{N: 1, Tags: []string{"a"}}, db.Set("name", "c").Inc("n", 1).Push("tags", "t").Unset("kind"), func(t *testing.T, c *db.Collection, id string) {
			if a := get(t, c, id); a.Name != "c" || a.N != 2 || !slices.Equal(a.Tags, []string{"a", "t"}) {
				t.Errorf("got %+v", a)
			}
		}},
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("accts")
		for i, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				id := fmt.Sprintf("x%02d", i)
				doc := st.start
				doc.ID = id
				insertAll(t, c, doc)
				n, err := c.Update(ctx, db.ID(id), st.u)
				if err != nil || n != 1 {
					t.Fatalf("Update = %d, %v; want 1", n, err)
				}
				st.check(t, c, id)
				if a := raw(t, c, id); a.Lookup("tenantId").StringValue() != "A" {
					t.Errorf("tenantId after the update = %v", a.Lookup("tenantId"))
				}
			})
		}
	})
}

func TestUpdateCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("accts")
		insertAll(t, c, acct{ID: "m1", Kind: "many", N: 1}, acct{ID: "m2", Kind: "many", N: 1}, acct{ID: "m3", Kind: "many", N: 1}, acct{ID: "o1", Kind: "one", N: 1})
		if n, err := c.Update(ctx, db.Eq("kind", "many"), db.Inc("n", 10)); err != nil || n != 1 {
			t.Fatalf("Update of three = %d, %v; want 1", n, err)
		}
		if n, _ := c.Count(ctx, db.Eq("n", 11)); n != 1 {
			t.Fatalf("Update changed %d documents, want 1", n)
		}
		if n, err := c.Update(ctx, db.Eq("kind", "none"), db.Inc("n", 10)); err != nil || n != 0 {
			t.Errorf("Update of none = %d, %v; want 0", n, err)
		}
		if n, err := c.Update(ctx, db.ID("o1"), db.Set("n", 1)); err != nil || n != 1 {
			t.Errorf("Update that changes nothing = %d, %v; want 1 (matched)", n, err)
		}
		if n, err := c.UpdateMany(ctx, db.Eq("kind", "many"), db.Set("name", "all")); err != nil || n != 3 {
			t.Errorf("UpdateMany = %d, %v; want 3", n, err)
		}
		if n, _ := c.Count(ctx, db.Eq("name", "all")); n != 3 {
			t.Errorf("UpdateMany changed %d documents, want 3", n)
		}
		if n, err := c.UpdateMany(ctx, db.Eq("kind", "none"), db.Set("name", "x")); err != nil || n != 0 {
			t.Errorf("UpdateMany of none = %d, %v; want 0", n, err)
		}
		if n, err := c.UpdateMany(ctx, db.Filter{}, db.Inc("v", 1)); err != nil || n != 4 {
			t.Errorf("UpdateMany of all = %d, %v; want 4", n, err)
		}
	})
}

func TestUpsert(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("accts")
		key := db.And(db.Eq("code", "c1"), db.Eq("kind", "k"))
		if err := c.Upsert(ctx, key, db.Set("name", "first").Inc("n", 5)); err != nil {
			t.Fatal(err)
		}
		var docs []acct
		if err := c.Find(ctx, db.Filter{}, &docs, db.FindOptions{}); err != nil || len(docs) != 1 {
			t.Fatalf("after the upsert: %+v, %v", docs, err)
		}
		d := docs[0]
		if d.ID == "" || d.Code != "c1" || d.Kind != "k" || d.Name != "first" || d.N != 5 {
			t.Errorf("upserted %+v, want the filter's equalities and the update", d)
		}
		if tn := raw(t, c, d.ID).Lookup("tenantId").StringValue(); tn != "A" {
			t.Errorf("upserted tenantId = %q", tn)
		}
		if err := c.Upsert(ctx, key, db.Set("name", "second").Inc("n", 1)); err != nil {
			t.Fatal(err)
		}
		if err := c.Find(ctx, db.Filter{}, &docs, db.FindOptions{}); err != nil || len(docs) != 1 {
			t.Fatalf("after the second upsert: %+v, %v", docs, err)
		}
		if got := docs[0]; got.ID != d.ID || got.Name != "second" || got.N != 6 {
			t.Errorf("second upsert left %+v, want the same document updated", got)
		}
		if err := c.Upsert(ctx, db.ID("fixed"), db.Set("name", "by id")); err != nil {
			t.Fatal(err)
		}
		if a := get(t, c, "fixed"); a.Name != "by id" {
			t.Errorf("upsert by id = %+v", a)
		}
	})
}

func TestReplace(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("accts")
		insertAll(t, c, acct{ID: "r1", Name: "old", N: 5, Tags: []string{"t"}}, acct{ID: "r2", Name: "old"})
		if n, err := c.Replace(ctx, db.ID("r1"), named{"new"}); err != nil || n != 1 {
			t.Fatalf("Replace = %d, %v; want 1", n, err)
		}
		if got := keys(t, raw(t, c, "r1")); !slices.Equal(got, []string{"_id", "name", "tenantId"}) {
			t.Errorf("replaced document has %v, want [_id name tenantId]", got)
		}
		if a := get(t, c, "r1"); a.Name != "new" {
			t.Errorf("replaced = %+v", a)
		}
		if n, err := c.Replace(ctx, db.ID("nope"), named{"x"}); err != nil || n != 0 {
			t.Errorf("Replace of nothing = %d, %v; want 0", n, err)
		}
		if n, err := c.Replace(ctx, db.ID("r2"), acct{ID: "r2", Name: "same id"}); err != nil || n != 1 {
			t.Errorf("Replace naming its own _id = %d, %v", n, err)
		}
		if n, _ := c.Count(ctx, db.Filter{}); n != 2 {
			t.Errorf("%d documents after the replaces, want 2", n)
		}
	})
}

func TestDelete(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("accts")
		insertAll(t, c, acct{ID: "d1", Kind: "d"}, acct{ID: "d2", Kind: "d"}, acct{ID: "d3", Kind: "d"}, acct{ID: "k1", Kind: "keep"})
		if n, err := c.Delete(ctx, db.Eq("kind", "d")); err != nil || n != 1 {
			t.Fatalf("Delete = %d, %v; want 1", n, err)
		}
		if n, _ := c.Count(ctx, db.Eq("kind", "d")); n != 2 {
			t.Errorf("Delete left %d, want 2", n)
		}
		if n, err := c.Delete(ctx, db.Eq("kind", "none")); err != nil || n != 0 {
			t.Errorf("Delete of none = %d, %v", n, err)
		}
		if n, err := c.DeleteMany(ctx, db.Eq("kind", "d")); err != nil || n != 2 {
			t.Errorf("DeleteMany = %d, %v; want 2", n, err)
		}
		if n, err := c.DeleteMany(ctx, db.Eq("kind", "d")); err != nil || n != 0 {
			t.Errorf("DeleteMany again = %d, %v; want 0", n, err)
		}
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{}); !slices.Equal(got, []string{"k1"}) {
			t.Errorf("left %v, want [k1]", got)
		}
	})
}

// codeIndex makes (tenantId, code) unique on coll.
func codeIndex(t *testing.T, s *db.Store, coll string) {
	t.Helper()
	ix := db.Index{Collection: coll, Keys: []string{db.TenantField, "code"}, Unique: true}
	if err := s.EnsureIndexes(context.Background(), "test", []db.Index{ix}); err != nil {
		t.Fatal(err)
	}
}

func TestUniqueViolations(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		codeIndex(t, s, "codes")
		a, b := s.ForTenant("A").Collection("codes"), s.ForTenant("B").Collection("codes")
		insertAll(t, a, acct{ID: "c1", Code: "one"}, acct{ID: "c2", Code: "two"})
		// The index is per tenant: B may use A's code.
		insertAll(t, b, acct{ID: "bc1", Code: "one"})
		dup := func(name string, err error) {
			t.Helper()
			if !errors.Is(err, db.ErrDuplicate) || !db.IsDuplicate(err) {
				t.Errorf("%s: err = %v, want ErrDuplicate", name, err)
			}
		}
		dup("Insert", a.Insert(ctx, acct{ID: "c3", Code: "one"}))
		dup("Insert of a taken _id", a.Insert(ctx, acct{ID: "c1", Code: "new"}))
		dup("Insert of another tenant's _id", a.Insert(ctx, acct{ID: "bc1", Code: "new"}))
		dup("InsertMany", a.InsertMany(ctx, []any{acct{ID: "c4", Code: "four"}, acct{ID: "c5", Code: "one"}}))
		dup("InsertMany colliding with itself", a.InsertMany(ctx, []any{acct{ID: "c6", Code: "six"}, acct{ID: "c7", Code: "six"}}))
		_, err := a.Update(ctx, db.ID("c2"), db.Set("code", "one"))
		dup("Update", err)
		_, err = a.Replace(ctx, db.ID("c2"), acct{ID: "c2", Code: "one"})
		dup("Replace", err)
		dup("Upsert", a.Upsert(ctx, db.ID("c8"), db.Set("code", "one")))
		if got := get(t, a, "c2"); got.Code != "two" {
			t.Errorf("after the refused writes c2 = %+v", got)
		}
		_, err = a.UpdateMany(ctx, db.In("_id", []string{"c1", "c2"}), db.Set("code", "same"))
		dup("UpdateMany making two collide", err)
		if n, _ := a.Count(ctx, db.Eq("code", "same")); n > 1 {
			t.Errorf("%d documents share a unique code", n)
		}
		// All or nothing on the embedded engine; in order until the first
		// error on MongoDB.
		wantC4 := int64(0)
		if s.Engine() == "mongo" {
			wantC4 = 1
		}
		if n, _ := a.Count(ctx, db.ID("c4")); n != wantC4 {
			t.Errorf("%s: the InsertMany before the duplicate stored %d documents, want %d", s.Engine(), n, wantC4)
		}
		if n, _ := b.Count(ctx, db.Filter{}); n != 1 {
			t.Errorf("B has %d documents, want 1", n)
		}
	})
}

// A field an index names holds one value per document (see db.Index): the
// embedded engine, whose indexes are on expressions and not on elements,
// refuses an array there, on insert and on update, so a query by element
// can never miss. MongoDB indexes the elements and takes it.
func TestArraysInIndexedFields(t *testing.T) {
	type tagged struct {
		ID   string `bson:"_id"`
		Tags any    `bson:"tags"`
	}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		ix := db.Index{Collection: "tagged", Keys: []string{db.TenantField, "tags"}}
		if err := s.EnsureIndexes(ctx, "test", []db.Index{ix}); err != nil {
			t.Fatal(err)
		}
		c := s.ForTenant("A").Collection("tagged")
		insertAll(t, c, tagged{"s1", "x"})
		runs := map[string]error{"Insert": c.Insert(ctx, tagged{"a1", []string{"x", "y"}})}
		_, runs["Set"] = c.Update(ctx, db.ID("s1"), db.Set("tags", []string{"x"}))
		_, runs["Push"] = c.Update(ctx, db.ID("s1"), db.Push("tags", "y"))
		for name, err := range runs {
			switch {
			case s.Engine() == "sqlite" && !errors.Is(err, db.ErrRefused):
				t.Errorf("%s of an array into an indexed field: err = %v, want ErrRefused", name, err)
			case s.Engine() == "mongo" && err != nil:
				t.Errorf("%s of an array into an indexed field: %v", name, err)
			}
		}
		want := []string{"s1"}
		if s.Engine() == "mongo" {
			want = []string{"a1", "s1"}
		}
		if got := findIDs(t, c, db.Eq("tags", "x"), db.FindOptions{}); !slices.Equal(got, want) {
			t.Errorf("Eq tags x = %v, want %v", got, want)
		}
	})
}

func TestConcurrentInc(t *testing.T) {
	eachAtomicEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("counters")
		insertAll(t, c, acct{ID: "c", Name: "counter"})
		const n = 500
		errs := concurrently(n, func() error {
			_, err := c.Update(ctx, db.ID("c"), db.Inc("n", 1))
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("Inc: %v", err)
			}
		}
		if got := get(t, c, "c"); got.N != n {
			t.Fatalf("%d concurrent Inc left n = %d", n, got.N)
		}
	})
}

// A version check in the filter lets exactly one of many writers through.
func TestVersionedUpdateHasOneWinner(t *testing.T) {
	eachAtomicEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("versions")
		insertAll(t, c, acct{ID: "doc", V: 1})
		for round := range 3 {
			var won atomic.Int64
			errs := concurrently(20, func() error {
				n, err := c.Update(ctx, db.And(db.ID("doc"), db.Eq("v", 1)), db.Set("v", 2).Inc("n", 1))
				won.Add(n)
				return err
			})
			for _, err := range errs {
				if err != nil {
					t.Fatalf("Update: %v", err)
				}
			}
			if got := get(t, c, "doc"); won.Load() != 1 || got.V != 2 || got.N != int64(round+1) {
				t.Fatalf("round %d: %d of 20 versioned updates matched, document %+v; want 1", round, won.Load(), got)
			}
			if _, err := c.Update(ctx, db.ID("doc"), db.Set("v", 1)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Concurrent upserts of one new key behind a unique index leave one document.
func TestConcurrentUpsertsOfOneKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		codeIndex(t, s, "codes")
		c := s.ForTenant("A").Collection("codes")
		errs := concurrently(20, func() error {
			return c.Upsert(ctx, db.Eq("code", "k"), db.Inc("n", 1))
		})
		for _, err := range errs {
			if err != nil && !db.IsDuplicate(err) {
				t.Fatalf("Upsert: %v", err)
			}
		}
		if n, err := c.Count(ctx, db.Eq("code", "k")); err != nil || n != 1 {
			t.Fatalf("%d documents for one key, %v; want 1", n, err)
		}
	})
}

func TestIndexNamesListDeclaredIndexes(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		ixs := []db.Index{
			{Collection: "listed", Keys: []string{db.TenantField, "code"}, Unique: true},
			{Collection: "listed", Keys: []string{db.TenantField, "-at", "name"}},
		}
		if err := s.EnsureIndexes(ctx, "test", ixs); err != nil {
			t.Fatal(err)
		}
		names, err := s.IndexNames(ctx, "listed")
		if err != nil {
			t.Fatal(err)
		}
		for _, ix := range ixs {
			if !slices.Contains(names, ix.Name()) {
				t.Errorf("IndexNames = %v, missing %s", names, ix.Name())
			}
		}
		if !reflect.DeepEqual(s.Indexes("listed"), ixs) {
			t.Errorf("Indexes = %+v, want %+v", s.Indexes("listed"), ixs)
		}
		// Declared indexes work: an indexed query on them answers.
		c := s.ForTenant("A").Collection("listed")
		type entry struct {
			ID   string    `bson:"_id"`
			Code string    `bson:"code"`
			At   time.Time `bson:"at"`
			Name string    `bson:"name"`
		}
		insertAll(t, c, entry{"e1", "a", day, "x"}, entry{"e2", "b", day.Add(time.Hour), "y"}, entry{"e3", "c", day.Add(time.Hour), "a"})
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{Sort: []db.Order{db.Desc("at"), db.Asc("name")}}); !slices.Equal(got, []string{"e3", "e2", "e1"}) {
			t.Errorf("by -at, name = %v, want [e3 e2 e1]", got)
		}
		names2, err := s.Platform("test").CollectionNames(ctx)
		if err != nil || !slices.Contains(names2, "listed") {
			t.Errorf("CollectionNames = %v, %v; want it to hold listed", names2, err)
		}
	})
}

// Field names are spliced into SQL and MongoDB documents, so anything that
// is not a plain path is refused before it reaches an engine.
func TestBadFieldNamesAreRefused(t *testing.T) {
	bad := []string{"a;drop", "$where", "", "a b", "a.$x", "a..b", ".a", "a.", "1a", "a-b", "name'--", `a"b`, "a)", "json_extract(x)", "tags.1", "a.0b"}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("refuse")
		insertAll(t, c, acct{ID: "r1", Name: "x"})
		for _, f := range bad {
			var out []acct
			runs := map[string]error{
				"Find filter":  c.Find(ctx, db.Eq(f, 1), &out, db.FindOptions{}),
				"Find in Or":   c.Find(ctx, db.Or(db.Eq("name", "x"), db.Exists(f)), &out, db.FindOptions{}),
				"Find sort":    c.Find(ctx, db.Filter{}, &out, db.FindOptions{Sort: []db.Order{db.Asc(f)}}),
				"Find Fields":  c.Find(ctx, db.Filter{}, &out, db.FindOptions{Fields: []string{f}}),
				"Find Omit":    c.Find(ctx, db.Filter{}, &out, db.FindOptions{Omit: []string{f}}),
				"FindOne sort": c.FindOne(ctx, db.Filter{}, &acct{}, db.Desc(f)),
				"Upsert":       c.Upsert(ctx, db.ID("r1"), db.Set(f, 1)),
			}
			_, runs["Count"] = c.Count(ctx, db.Prefix(f, "x"))
			_, runs["Sum by"] = c.Sum(ctx, db.Filter{}, f, "")
			if f != "" { // "" is Sum's way to count
				_, runs["Sum field"] = c.Sum(ctx, db.Filter{}, "name", f)
			}
			_, runs["Update Set"] = c.Update(ctx, db.ID("r1"), db.Set(f, 1))
			_, runs["Update Inc"] = c.Update(ctx, db.ID("r1"), db.Inc(f, 1))
			_, runs["UpdateMany Unset"] = c.UpdateMany(ctx, db.Filter{}, db.Unset(f))
			_, runs["Update filter"] = c.Update(ctx, db.Gt(f, 1), db.Set("name", "y"))
			_, runs["Delete"] = c.Delete(ctx, db.Ne(f, 1))
			_, runs["DeleteMany"] = c.DeleteMany(ctx, db.In(f, []int{1}))
			_, runs["Replace"] = c.Replace(ctx, db.Missing(f), named{"y"})
			runs["Index key"] = s.EnsureIndexes(ctx, "test", []db.Index{{Collection: "refuse", Keys: []string{db.TenantField, f}}})
			for method, err := range runs {
				if method == "Index key" {
					if err == nil {
						t.Errorf("%s %q: accepted", method, f)
					}
					continue
				}
				if !errors.Is(err, db.ErrRefused) {
					t.Errorf("%s %q: err = %v, want ErrRefused", method, f, err)
				}
			}
		}
		if got := get(t, c, "r1"); got.Name != "x" {
			t.Errorf("r1 changed: %+v", got)
		}
	})
}

func TestOtherRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("refuse")
		insertAll(t, c, acct{ID: "r1", Name: "x", Tags: []string{"a"}})
		var out []acct
		runs := map[string]error{
			"Eq with a slice":       c.Find(ctx, db.Eq("tags", []string{"a"}), &out, db.FindOptions{}),
			"Eq with a struct":      c.Find(ctx, db.Eq("a", inner{B: "x"}), &out, db.FindOptions{}),
			"Eq with a map":         c.Find(ctx, db.Eq("a", map[string]any{"$gt": ""}), &out, db.FindOptions{}),
			"In with a struct":      c.Find(ctx, db.In("a", []inner{{}}), &out, db.FindOptions{}),
			"Gt with nil":           c.Find(ctx, db.Gt("n", nil), &out, db.FindOptions{}),
			"Fields and Omit":       c.Find(ctx, db.Filter{}, &out, db.FindOptions{Fields: []string{"name"}, Omit: []string{"n"}}),
			"negative Skip":         c.Find(ctx, db.Filter{}, &out, db.FindOptions{Skip: -1}),
			"negative Limit":        c.Find(ctx, db.Filter{}, &out, db.FindOptions{Limit: -1}),
			"Upsert with no change": c.Upsert(ctx, db.ID("r1"), db.Update{}),
			"bad collection name":   s.ForTenant("A").Collection("a-b").Insert(ctx, acct{ID: "z"}),
			"collection name a.b":   s.ForTenant("A").Collection("a.b").Find(ctx, db.Filter{}, &out, db.FindOptions{}),
			"empty collection name": s.ForTenant("A").Collection("").Insert(ctx, acct{ID: "z"}),
			"_id not a string": c.Insert(ctx, struct {
				ID int `bson:"_id"`
			}{5}),
			"empty _id": c.Insert(ctx, struct {
				ID string `bson:"_id"`
			}{""}),
			"_id not a string, InsertMany": c.InsertMany(ctx, []any{acct{ID: "ok"}, struct {
				ID bool `bson:"_id"`
			}{true}}),
		}
		_, runs["empty update"] = c.Update(ctx, db.ID("r1"), db.Update{})
		_, runs["update of _id"] = c.Update(ctx, db.ID("r1"), db.Set("_id", "r2"))
		_, runs["a field changed twice"] = c.Update(ctx, db.ID("r1"), db.Set("name", "a").Set("name", "b"))
		_, runs["a field set and incremented"] = c.Update(ctx, db.ID("r1"), db.Set("n", 1).Inc("n", 1))
		_, runs["Pull of a slice"] = c.Update(ctx, db.ID("r1"), db.Pull("tags", []string{"a"}))
		_, runs["Sum by nothing"] = c.Sum(ctx, db.Filter{}, "", "n")
		for name, err := range runs {
			if !errors.Is(err, db.ErrRefused) {
				t.Errorf("%s: err = %v, want ErrRefused", name, err)
			}
		}
		if got := findIDs(t, c, db.Filter{}, db.FindOptions{}); !slices.Equal(got, []string{"r1"}) {
			t.Errorf("documents after the refusals: %v, want [r1]", got)
		}
		if got := get(t, c, "r1"); got.Name != "x" || !slices.Equal(got.Tags, []string{"a"}) {
			t.Errorf("r1 changed: %+v", got)
		}
	})
}

// concurrently runs fn n times at once and returns the results in no
// particular order.
func concurrently[T any](n int, fn func() T) []T {
	out := make([]T, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return out
}

// CountUpTo stops at its maximum and says whether more match.
func TestCountUpTo(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("capped")
		for i := range 7 {
			insertAll(t, c, acct{ID: fmt.Sprintf("c%d", i), Name: "x", V: int64(i)})
		}
		insertAll(t, s.ForTenant("B").Collection("capped"), acct{ID: "other", Name: "x"})
		cases := []struct {
			f    db.Filter
			max  int64
			n    int64
			more bool
		}{
			{db.Filter{}, 10, 7, false},
			{db.Filter{}, 7, 7, false},
			{db.Filter{}, 6, 6, true},
			{db.Gt("v", 4), 1, 1, true},
			{db.Eq("name", "none"), 3, 0, false},
		}
		for _, tc := range cases {
			n, more, err := c.CountUpTo(ctx, tc.f, tc.max)
			if err != nil || n != tc.n || more != tc.more {
				t.Errorf("CountUpTo(%s, %d) = %d, %v, %v; want %d, %v", tc.f, tc.max, n, more, err, tc.n, tc.more)
			}
		}
		if _, _, err := c.CountUpTo(ctx, db.Filter{}, 0); !errors.Is(err, db.ErrRefused) {
			t.Errorf("CountUpTo with max 0: %v, want ErrRefused", err)
		}
	})
}

// testPage is a page of two items whose count stops at three.
type testPage struct {
	page, total int64
	more        bool
}

func (p *testPage) Skip() int64                 { return (p.page - 1) * 2 }
func (p *testPage) Limit() int64                { return 2 }
func (p *testPage) CountLimit() int64           { return 3 }
func (p *testPage) SetTotal(n int64, more bool) { p.total, p.more = n, more }

// FindPage counts into the pager (up to its limit) and reads its page.
func TestFindPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		c := s.ForTenant("A").Collection("paged")
		for i := range 5 {
			insertAll(t, c, acct{ID: fmt.Sprintf("p%d", i), Name: "x", V: int64(i)})
		}
		for _, tc := range []struct {
			page  int64
			want  string
			total int64
			more  bool
		}{{1, "p4 p3", 3, true}, {2, "p2 p1", 3, true}, {3, "p0", 3, true}} {
			p, out := &testPage{page: tc.page}, []acct{}
			if err := c.FindPage(ctx, db.Filter{}, &out, p, db.Desc("v")); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range out {
				ids = append(ids, a.ID)
			}
			if got := strings.Join(ids, " "); got != tc.want || p.total != tc.total || p.more != tc.more {
				t.Errorf("page %d: %q, total %d, more %v; want %q, %d, %v", tc.page, got, p.total, p.more, tc.want, tc.total, tc.more)
			}
		}
	})
}

// A sorted, paged Or (a search over two name fields) gives each page of the
// whole sorted result: no document twice (one matching both branches
// included), none left out, in order — with and without indexes on the
// branches' fields.
func TestOrPages(t *testing.T) {
	type person struct {
		ID     string `bson:"_id"`
		First  string `bson:"first"`
		Last   string `bson:"last"`
		Active bool   `bson:"active"`
	}
	names := []string{"smith", "smart", "jones", "smyth", "adams", "small", "baker", "sm"}
	eachEngine(t, func(t *testing.T, s *db.Store) {
		for _, indexed := range []bool{false, true} {
			name := fmt.Sprintf("people%v", indexed)
			if indexed {
				if err := s.EnsureIndexes(context.Background(), "test", []db.Index{
					{Collection: name, Keys: []string{db.TenantField, "active", "last", "first"}},
					{Collection: name, Keys: []string{db.TenantField, "active", "first"}},
				}); err != nil {
					t.Fatal(err)
				}
			}
			c := s.ForTenant("A").Collection(name)
			for i := range 60 {
				insertAll(t, c, person{ID: fmt.Sprintf("p%02d", i), First: names[(i*3)%len(names)], Last: names[(i*5+1)%len(names)], Active: i%7 != 0})
			}
			insertAll(t, s.ForTenant("B").Collection(name), person{ID: "other", First: "smith", Last: "smith", Active: true})
			f := db.And(db.Eq("active", true), db.Or(db.Prefix("last", "sm"), db.Prefix("first", "sm")))
			sort := []db.Order{db.Asc("last"), db.Desc("first")}
			whole := findIDs(t, c, f, db.FindOptions{Sort: sort})
			if len(whole) < 20 {
				t.Fatalf("indexed=%v: only %d matches: the test data is too thin", indexed, len(whole))
			}
			var paged []string
			for skip := int64(0); skip < int64(len(whole))+7; skip += 7 {
				paged = append(paged, findIDs(t, c, f, db.FindOptions{Sort: sort, Skip: skip, Limit: 7})...)
			}
			if !slices.Equal(paged, whole) {
				t.Errorf("indexed=%v: pages of 7 = %v\n want %v", indexed, paged, whole)
			}
		}
	})
}
