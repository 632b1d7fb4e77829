// Package rbac decides who may do what in a clinic: roles, their grants
// (casbin policies with the clinic as domain) and users' role assignments.
package rbac

import (
	"context"
	"fmt"
	"time"

	mongodbadapter "github.com/casbin/mongodb-adapter/v3"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/policies"
)

// Collections.
const (
	RolesCollection = "roles"
	// RulesCollection is where casbin's MongoDB adapter keeps rules. Rules
	// carry the clinic in their domain field (v1 for grants, v2 for
	// assignments), not in tenantId, so core reaches them through the
	// platform handle, always filtered by domain.
	RulesCollection = "casbin_rule"
)

// Indexes of the RBAC collections. The rules index is the adapter's own
// unique index: it makes writing a rule twice harmless.
var Indexes = []db.Index{
	{Collection: RolesCollection, Keys: bson.D{{Key: db.TenantField, Value: 1}, {Key: "key", Value: 1}}, Unique: true},
	{Collection: RulesCollection, Platform: true, Unique: true, Keys: bson.D{
		{Key: "ptype", Value: 1}, {Key: "v0", Value: 1}, {Key: "v1", Value: 1}, {Key: "v2", Value: 1},
		{Key: "v3", Value: 1}, {Key: "v4", Value: 1}, {Key: "v5", Value: 1},
	}},
}

// Role is a clinic's role.
type Role struct {
	ID          string    `bson:"_id"`
	TenantID    string    `bson:"tenantId"`
	Key         string    `bson:"key"` // "admin", "doctor", … or a custom role's key
	Name        string    `bson:"name"`
	Description string    `bson:"description"`
	Builtin     bool      `bson:"builtin"`
	CreatedAt   time.Time `bson:"createdAt"`
}

// Subject names used in rules.
func RoleSubject(key string) string    { return "role:" + key }
func UserSubject(userID string) string { return "user:" + userID }

// SeedDefaults creates the default roles and their grants in a new clinic.
// Running it again adds only what is missing.
func SeedDefaults(ctx context.Context, store *db.Store, tdb *db.Tenant, now time.Time) error {
	roles := tdb.Collection(RolesCollection)
	rules := store.Platform("seed a clinic's default grants").Collection(RulesCollection)
	for _, r := range policies.DefaultRoles() {
		_, err := roles.InsertOne(ctx, Role{ID: db.NewID(), Key: r.Key, Name: r.Name, Description: r.Description, Builtin: true, CreatedAt: now})
		if err != nil && !db.IsDuplicate(err) {
			return fmt.Errorf("rbac: role %s: %w", r.Key, err)
		}
		for _, g := range r.SortedGrants() {
			rule := mongodbadapter.CasbinRule{PType: "p", V0: RoleSubject(r.Key), V1: tdb.ID(), V2: g.Resource, V3: g.Action}
			if _, err := rules.InsertOne(ctx, rule); err != nil && !db.IsDuplicate(err) {
				return fmt.Errorf("rbac: grant %s %s:%s: %w", r.Key, g.Resource, g.Action, err)
			}
		}
	}
	return nil
}

// Rules returns every rule of a clinic (grants and assignments).
func Rules(ctx context.Context, store *db.Store, tenantID string) ([]mongodbadapter.CasbinRule, error) {
	rules := store.Platform("read a clinic's rules").Collection(RulesCollection)
	var out []mongodbadapter.CasbinRule
	err := rules.Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "ptype", Value: "p"}, {Key: "v1", Value: tenantID}},
		bson.D{{Key: "ptype", Value: "g"}, {Key: "v2", Value: tenantID}},
	}}}, &out, db.FindOptions{})
	return out, err
}

// DeleteDomain removes every rule of a clinic (only for a half-made clinic
// that onboarding cleans up).
func DeleteDomain(ctx context.Context, store *db.Store, tenantID string) error {
	rules := store.Platform("delete a half-made clinic's rules").Collection(RulesCollection)
	if _, err := rules.DeleteMany(ctx, bson.D{{Key: "ptype", Value: "p"}, {Key: "v1", Value: tenantID}}); err != nil {
		return err
	}
	_, err := rules.DeleteMany(ctx, bson.D{{Key: "ptype", Value: "g"}, {Key: "v2", Value: tenantID}})
	return err
}

func init() { db.ReservePlatform(RulesCollection) }
