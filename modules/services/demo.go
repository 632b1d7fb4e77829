package services

import (
	"context"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/records"
)

// SeedDemo gives a clinic without services a short price list (amounts
// in cents: the demo clinic keeps USD) and returns the ids of its active
// services.
func SeedDemo(ctx context.Context, tdb *db.Tenant, now time.Time) ([]string, error) {
	coll := tdb.Collection(kind.Collection)
	n, err := coll.Count(ctx, db.Filter{})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		demo := []Fields{
			{Name: "Consultation", Code: "CONS", Minutes: 30, Price: 6000},
			{Name: "Follow-up visit", Code: "FOLLOW", Minutes: 15, Price: 3500},
			{Name: "Vaccination", Code: "VAX", Minutes: 10, Price: 2500},
			{Name: "Annual health check", Code: "CHECK", Minutes: 45, Price: 9000},
		}
		recs := make([]*Service, len(demo))
		for i, f := range demo {
			recs[i] = &Service{Meta: records.Meta{ID: db.NewID(), Active: true}, Fields: f, NameKey: strings.ToLower(f.Name)}
		}
		if err := records.For[Service](tdb, kind).Import(ctx, recs, "demo", now); err != nil {
			return nil, err
		}
	}
	var active []struct {
		ID string `bson:"_id"`
	}
	if err := coll.Find(ctx, db.Eq("active", true), &active, db.FindOptions{Limit: 100}); err != nil {
		return nil, err
	}
	ids := make([]string, len(active))
	for i, s := range active {
		ids[i] = s.ID
	}
	return ids, nil
}
