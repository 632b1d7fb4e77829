// Package rbac decides who may do what in a clinic: roles, their grants
// (casbin policies with the clinic as domain) and users' role assignments.
package rbac

import (
	"context"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/policies"
)

// Collections.
const (
	RolesCollection = "roles"
	// RulesCollection is where casbin's rules are kept. Rules carry the
	// clinic in their domain field (v1 for grants, v2 for assignments), not
	// in tenantId, so core reaches them through the platform handle, always
	// filtered by domain.
	RulesCollection = "casbin_rule"
)

// Indexes of the RBAC collections. The rules index is unique over the
// whole rule: it makes writing a rule twice harmless.
var Indexes = []db.Index{
	{Collection: RolesCollection, Keys: []string{db.TenantField, "key"}, Unique: true},
	{Collection: RulesCollection, Platform: true, Unique: true, Keys: []string{"ptype", "v0", "v1", "v2", "v3", "v4", "v5"}},
	// A clinic's grants (ptype, v1) and its assignments (ptype, v2, with v1
	// for removing one role's): in the unique index v0 comes before the
	// clinic, so it cannot serve them.
	{Collection: RulesCollection, Platform: true, Keys: []string{"ptype", "v1"}},
	{Collection: RulesCollection, Platform: true, Keys: []string{"ptype", "v2", "v1"}},
}

// Rule is one casbin rule as stored: a grant (ptype "p": subject, clinic,
// resource, action) or an assignment (ptype "g": user, role, clinic).
type Rule struct {
	PType string `bson:"ptype"`
	V0    string `bson:"v0"`
	V1    string `bson:"v1"`
	V2    string `bson:"v2"`
	V3    string `bson:"v3"`
	V4    string `bson:"v4"`
	V5    string `bson:"v5"`
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
		err := roles.Insert(ctx, Role{ID: db.NewID(), Key: r.Key, Name: r.Name, Description: r.Description, Builtin: true, CreatedAt: now})
		if err != nil && !db.IsDuplicate(err) {
			return fmt.Errorf("rbac: role %s: %w", r.Key, err)
		}
		for _, g := range r.SortedGrants() {
			rule := Rule{PType: "p", V0: RoleSubject(r.Key), V1: tdb.ID(), V2: g.Resource, V3: g.Action}
			if err := rules.Insert(ctx, rule); err != nil && !db.IsDuplicate(err) {
				return fmt.Errorf("rbac: grant %s %s:%s: %w", r.Key, g.Resource, g.Action, err)
			}
		}
	}
	return nil
}

// Rules returns every rule of a clinic (grants and assignments).
func Rules(ctx context.Context, store *db.Store, tenantID string) ([]Rule, error) {
	rules := store.Platform("read a clinic's rules").Collection(RulesCollection)
	var out []Rule
	err := rules.Find(ctx, ClinicFilter{TenantID: tenantID}.filter(), &out, db.FindOptions{})
	return out, err
}

// DeleteDomain removes every rule of a clinic (only for a half-made clinic
// that onboarding cleans up).
func DeleteDomain(ctx context.Context, store *db.Store, tenantID string) error {
	rules := store.Platform("delete a half-made clinic's rules").Collection(RulesCollection)
	_, err := rules.DeleteMany(ctx, ClinicFilter{TenantID: tenantID}.filter())
	return err
}

func init() { db.ReservePlatform(RulesCollection) }
