package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardclinic/ward/core/db"
)

// A lookup by _id alone may take an engine's fast path (find by _id, then
// check the tenant); another tenant's id must still be not found.
func TestFindOneByIDStaysInTheTenant(t *testing.T) {
	eachEngine(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		a, b := s.ForTenant("A").Collection("notes"), s.ForTenant("B").Collection("notes")
		insertAll(t, b, note{ID: "b1", Text: "B's secret"})
		insertAll(t, a, note{ID: "a1", Text: "A's note"})
		var got struct {
			Text     string `bson:"text"`
			TenantID string `bson:"tenantId"`
		}
		if err := a.FindOne(ctx, db.ID("b1"), &got); !errors.Is(err, db.ErrNotFound) || got.Text != "" {
			t.Fatalf("A reading B's id: %v, %+v", err, got)
		}
		if err := a.FindOne(ctx, db.ID("a1"), &got); err != nil || got.Text != "A's note" || got.TenantID != "A" {
			t.Fatalf("A reading its own id: %v, %+v", err, got)
		}
		if err := a.FindOne(ctx, db.ID("missing"), &got); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("missing id: %v", err)
		}
		// The other by-id paths: count, update, replace, delete.
		if n, err := a.Count(ctx, db.ID("b1")); err != nil || n != 0 {
			t.Fatalf("A counting B's id: %d, %v", n, err)
		}
		if n, err := a.Update(ctx, db.ID("b1"), db.Set("text", "evil")); err != nil || n != 0 {
			t.Fatalf("A updating B's id: %d, %v", n, err)
		}
		if n, err := a.Replace(ctx, db.ID("b1"), named{"evil"}); err != nil || n != 0 {
			t.Fatalf("A replacing B's id: %d, %v", n, err)
		}
		if n, err := a.Delete(ctx, db.ID("b1")); err != nil || n != 0 {
			t.Fatalf("A deleting B's id: %d, %v", n, err)
		}
		var left note
		if err := b.FindOne(ctx, db.ID("b1"), &left); err != nil || left.Text != "B's secret" {
			t.Fatalf("B's note afterwards: %+v, %v", left, err)
		}
	})
}
