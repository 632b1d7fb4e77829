package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
)

// benchPatient is shaped like a patient record (about 600 bytes of JSON).
type benchPatient struct {
	ID        string    `bson:"_id"`
	Number    int64     `bson:"number"`
	FirstName string    `bson:"firstName"`
	LastName  string    `bson:"lastName"`
	FirstKey  string    `bson:"firstKey"`
	LastKey   string    `bson:"lastKey"`
	Phone     string    `bson:"phone"`
	Digits    string    `bson:"phoneDigits"`
	Email     string    `bson:"email"`
	Notes     string    `bson:"notes"`
	DOB       time.Time `bson:"dob"`
	Active    bool      `bson:"active"`
	CreatedAt time.Time `bson:"createdAt"`
}

var benchIndexes = []db.Index{
	{Collection: "patients", Keys: []string{"tenantId", "active", "lastKey", "firstKey", "number"}},
	{Collection: "patients", Keys: []string{"tenantId", "number"}, Unique: true},
}

var benchNames = []string{"adams", "baker", "clark", "davis", "evans", "fisher", "garcia", "harris", "ito", "jones", "khan", "lopez", "moore", "nunez", "otieno", "patel", "quinn", "rossi", "smith", "tanaka"}

// seedBench fills clinics × perClinic patients and returns the store.
func seedBench(b *testing.B, clinics, perClinic int) *db.Store {
	b.Helper()
	ctx := context.Background()
	s, err := db.Open(db.Options{DataDir: b.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(ctx) })
	if err := s.EnsureIndexes(ctx, "bench", benchIndexes); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for c := range clinics {
		coll := s.ForTenant(fmt.Sprintf("clinic%02d", c)).Collection("patients")
		batch := make([]any, 0, 500)
		for i := range perClinic {
			last := benchNames[(i*7)%len(benchNames)]
			first := benchNames[(i*3+1)%len(benchNames)]
			batch = append(batch, benchPatient{ID: db.NewID(), Number: int64(i + 1), FirstName: first, LastName: last,
				FirstKey: first, LastKey: last, Phone: "+1 555 010 0000", Digits: "15550100000", Email: first + "@example.com",
				Notes: "Allergic to penicillin. Follow-up every six months; prefers morning appointments.",
				DOB:   time.Date(1950+i%60, 1, 1, 0, 0, 0, 0, time.UTC), Active: i%10 != 0, CreatedAt: time.Now()})
			if len(batch) == cap(batch) || i == perClinic-1 {
				if err := coll.InsertMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	b.Logf("seeded %d × %d in %s", clinics, perClinic, time.Since(start).Round(time.Millisecond))
	return s
}

// BenchmarkSQLitePage measures one clinic's sorted page of 25 (first and
// late), a name-prefix search with its count, and a read by id, with the
// same clinic size next to 1 or 10 clinics (the figures should match: a
// clinic's speed must not depend on the others) and at 100,000 patients.
func BenchmarkSQLitePage(b *testing.B) {
	for _, size := range []struct{ clinics, per int }{{1, 2000}, {10, 2000}, {1, 100000}} {
		name := fmt.Sprintf("%dx%d", size.clinics, size.per)
		s := seedBench(b, size.clinics, size.per)
		setup := func(*testing.B) *db.Collection { return s.ForTenant("clinic00").Collection("patients") }
		sort := []db.Order{db.Asc("lastKey"), db.Asc("firstKey"), db.Asc("number")}
		active := db.Eq("active", true)
		b.Run(name+"/page1", func(b *testing.B) {
			c := setup(b)
			for b.Loop() {
				var out []benchPatient
				if err := c.Find(context.Background(), active, &out, db.FindOptions{Sort: sort, Limit: 25}); err != nil || len(out) != 25 {
					b.Fatal(err, len(out))
				}
			}
		})
		b.Run(name+"/latepage", func(b *testing.B) {
			c := setup(b)
			for b.Loop() {
				var out []benchPatient
				if err := c.Find(context.Background(), active, &out, db.FindOptions{Sort: sort, Skip: int64(size.per*9/10 - 50), Limit: 25}); err != nil || len(out) != 25 {
					b.Fatal(err, len(out))
				}
			}
		})
		b.Run(name+"/count", func(b *testing.B) {
			c := setup(b)
			for b.Loop() {
				if _, err := c.Count(context.Background(), active); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/search", func(b *testing.B) {
			c := setup(b)
			f := db.And(active, db.Prefix("lastKey", "ot"))
			for b.Loop() {
				var out []benchPatient
				if err := c.Find(context.Background(), f, &out, db.FindOptions{Sort: sort, Limit: 25}); err != nil || len(out) == 0 {
					b.Fatal(err, len(out))
				}
			}
		})
		b.Run(name+"/byid", func(b *testing.B) {
			c := setup(b)
			var first benchPatient
			if err := c.FindOne(context.Background(), db.Filter{}, &first); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				var p benchPatient
				if err := c.FindOne(context.Background(), db.ID(first.ID), &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
