package db_test

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
)

// FindOne by _id alone takes the embedded database's fast path (look up by
// _id, then check the tenant); another tenant's id must still be not found.
func TestFindOneByIDStaysInTheTenant(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close(ctx)
	a, b := s.ForTenant("A"), s.ForTenant("B")
	if _, err := b.Collection("notes").InsertOne(ctx, bson.D{{Key: "_id", Value: "b1"}, {Key: "text", Value: "B's secret"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Collection("notes").InsertOne(ctx, bson.D{{Key: "_id", Value: "a1"}, {Key: "text", Value: "A's note"}}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text     string `bson:"text"`
		TenantID string `bson:"tenantId"`
	}
	if err := a.Collection("notes").FindOne(ctx, bson.D{{Key: "_id", Value: "b1"}}, &got, nil); !errors.Is(err, db.ErrNotFound) || got.Text != "" {
		t.Fatalf("A reading B's id: %v, %+v", err, got)
	}
	if err := a.Collection("notes").FindOne(ctx, bson.M{"_id": "a1"}, &got, nil); err != nil || got.Text != "A's note" || got.TenantID != "A" {
		t.Fatalf("A reading its own id: %v, %+v", err, got)
	}
	if err := a.Collection("notes").FindOne(ctx, bson.D{{Key: "_id", Value: "missing"}}, &got, nil); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("missing id: %v", err)
	}
}
