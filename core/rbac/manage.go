package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/cases"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/policies"
)

// Role management: what a clinic's role editor does. Roles live in the
// tenant-scoped roles collection; their grants are casbin rules written
// through the Enforcer's adapter. Every function that changes grants leaves
// the clinic's policy version to the caller (tenant sits above rbac), who
// must change it so that every instance reloads the clinic's rules.
//
// The no-lock-out rule: the Admin role holds "*" on "*" from onboarding, and
// nothing here changes it — its grants cannot be edited, it cannot be renamed
// or deleted — so a clinic always keeps someone who may read and update
// roles.

// AdminKey is the key of the Admin role, the one role that is never edited.
const AdminKey = "admin"

// MaxRoleName is the longest role name, in characters.
const MaxRoleName = 50

const (
	// customPrefix starts every custom role's key. The rest is a new id, not
	// a slug of the name: a key never changes, and a slug would go on
	// telling the old name after a rename (in URLs and audit targets).
	customPrefix = "custom-"
	// usersCollection is auth.UsersCollection: auth builds on rbac, so rbac
	// names the collection instead of importing auth.
	usersCollection = "users"
	// nameClaimKind claims a custom role's name (case-folded): the claim's
	// unique index, not a check before the write, keeps two concurrent
	// creates or renames from ending with the same name.
	nameClaimKind = "role-name"
	// staleNameClaim is how old a claim on a name that no role has must be
	// before it is taken to be left over from an interrupted create.
	staleNameClaim = time.Minute
	// maxRoles bounds the list read; a clinic has a handful of roles.
	maxRoles = 500
)

// Errors of role management. Handlers map them to messages.
var (
	ErrRoleNotFound    = errors.New("rbac: role not found")
	ErrRoleNameInvalid = errors.New("rbac: invalid role name")
	ErrRoleNameTaken   = errors.New("rbac: role name already used in this clinic")
	ErrAdminLocked     = errors.New("rbac: the Admin role cannot be changed")
	ErrBuiltinRole     = errors.New("rbac: built-in roles cannot be deleted")
	ErrRoleInUse       = errors.New("rbac: role is assigned to staff")
	ErrInvalidGrant    = errors.New("rbac: not a grantable permission")
	// ErrWildcardGrant: the permission comes from a "*" grant, which the
	// editor does not split into single actions.
	ErrWildcardGrant = errors.New("rbac: permission held through a wildcard grant")
)

// InUseError refuses to delete a role that staff still hold. It matches
// ErrRoleInUse with errors.Is.
type InUseError struct{ Count int64 }

func (e *InUseError) Error() string {
	return fmt.Sprintf("rbac: role is assigned to %d staff members", e.Count)
}

// Is makes errors.Is(err, ErrRoleInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrRoleInUse }

// Message says what to do, for the person who tried.
func (e *InUseError) Message() string {
	if e.Count == 1 {
		return "1 staff member has this role: assign them another role first."
	}
	return fmt.Sprintf("%d staff members have this role: assign them another role first.", e.Count)
}

// roleName is what a role's name may be (core/text: no control, direction
// or invisible characters, which could make one name look like another).
var roleName = text.Field{Label: "Role name", Max: MaxRoleName, Required: true, Missing: "Enter a name for the role."}

// CleanRoleName returns the name with surrounding and repeated spaces
// removed, or a message for the person saying what is wrong with it.
func CleanRoleName(s string) (string, string) {
	return roleName.Check(strings.Join(strings.Fields(s), " "))
}

// nameKey is what makes two names the same: Unicode case folding, so
// "Nurse", "NURSE" and "nurse" collide, without the zero-width joiners a
// name may hold (for Persian, or emoji) but which draw nothing between
// Latin letters: "Nur\u200dse" is "Nurse" too.
func nameKey(name string) string { return cases.Fold().String(joiners.Replace(name)) }

var joiners = strings.NewReplacer("\u200c", "", "\u200d", "")

// ListRoles returns the clinic's roles: the built-in ones in the order of
// policies.DefaultRoles, then custom roles by name.
func ListRoles(ctx context.Context, tdb *db.Tenant) ([]Role, error) {
	var rs []Role
	if err := tdb.Collection(RolesCollection).Find(ctx, db.Filter{}, &rs, db.FindOptions{Limit: maxRoles}); err != nil {
		return nil, fmt.Errorf("rbac: list roles: %w", err)
	}
	order := map[string]int{}
	for i, d := range policies.DefaultRoles() {
		order[d.Key] = i
	}
	rank := func(r Role) int {
		if i, ok := order[r.Key]; ok && r.Builtin {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(rs, func(a, b Role) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if c := strings.Compare(nameKey(a.Name), nameKey(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return rs, nil
}

// RoleByKey returns the clinic's role with key.
func RoleByKey(ctx context.Context, tdb *db.Tenant, key string) (*Role, error) {
	var r Role
	err := tdb.Collection(RolesCollection).FindOne(ctx, db.Eq("key", key), &r)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrRoleNotFound
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateRole adds a custom role with no grants.
func CreateRole(ctx context.Context, tdb *db.Tenant, name string, now time.Time) (*Role, error) {
	name, msg := CleanRoleName(name)
	if msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrRoleNameInvalid, msg)
	}
	if err := claimName(ctx, tdb, name, "", now); err != nil {
		return nil, err
	}
	id := db.NewID()
	r := &Role{ID: id, TenantID: tdb.ID(), Key: customPrefix + id, Name: name, CreatedAt: now}
	if err := tdb.Collection(RolesCollection).Insert(ctx, r); err != nil {
		_ = tdb.Release(context.WithoutCancel(ctx), nameClaimKind, nameKey(name))
		return nil, fmt.Errorf("rbac: create role: %w", err)
	}
	return r, nil
}

// RenameRole gives a role a new name and returns its old one. Built-in roles
// may be renamed — clinics have their own words ("Front desk" for
// Receptionist); the key, and so the grants and the staff holding it, stay.
// Admin may not: it is the role that can never be locked out, and the editor
// explains it by that name.
func RenameRole(ctx context.Context, tdb *db.Tenant, key, name string, now time.Time) (string, error) {
	r, err := RoleByKey(ctx, tdb, key)
	if err != nil {
		return "", err
	}
	if r.Key == AdminKey {
		return "", ErrAdminLocked
	}
	name, msg := CleanRoleName(name)
	if msg != "" {
		return "", fmt.Errorf("%w: %s", ErrRoleNameInvalid, msg)
	}
	if name == r.Name {
		return r.Name, nil
	}
	sameName := nameKey(name) == nameKey(r.Name) // only the case (or a joiner) changes
	if !sameName {
		if err := claimName(ctx, tdb, name, r.Key, now); err != nil {
			return "", err
		}
	}
	_, err = tdb.Collection(RolesCollection).Update(ctx, db.Eq("key", key), db.Set("name", name))
	if err != nil {
		if !sameName {
			_ = tdb.Release(context.WithoutCancel(ctx), nameClaimKind, nameKey(name))
		}
		return "", fmt.Errorf("rbac: rename role: %w", err)
	}
	if !sameName {
		// Built-in roles' seeded names were never claimed: releasing them
		// deletes nothing.
		if err := tdb.Release(ctx, nameClaimKind, nameKey(r.Name)); err != nil {
			return "", err
		}
	}
	return r.Name, nil
}

// claimName makes name this clinic's for the role with key except (or a new
// role when except is ""). Roles already named so — built-in roles are
// seeded without claims — are checked first; the claim then settles races
// between concurrent creates and renames.
func claimName(ctx context.Context, tdb *db.Tenant, name, except string, now time.Time) error {
	roles, err := ListRoles(ctx, tdb)
	if err != nil {
		return err
	}
	k := nameKey(name)
	for _, r := range roles {
		if r.Key != except && nameKey(r.Name) == k {
			return ErrRoleNameTaken
		}
	}
	err = tdb.Claim(ctx, nameClaimKind, k, now)
	if !errors.Is(err, db.ErrClaimed) {
		return err
	}
	// No role has the name, yet it is claimed: a create in flight right
	// now, or one interrupted after its claim. Only an old claim is taken
	// over; the filter on its age keeps a fresh claim from being removed.
	n, err := tdb.Collection(db.ClaimsCollection).Delete(ctx, db.And(
		db.Eq("kind", nameClaimKind), db.Eq("key", k), db.Lt("at", now.Add(-staleNameClaim)),
	))
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrRoleNameTaken
	}
	err = tdb.Claim(ctx, nameClaimKind, k, now)
	if errors.Is(err, db.ErrClaimed) {
		return ErrRoleNameTaken
	}
	return err
}

// UsersByRole counts the clinic's staff per role key.
func UsersByRole(ctx context.Context, tdb *db.Tenant) (map[string]int64, error) {
	groups, err := tdb.Collection(usersCollection).Sum(ctx, db.Filter{}, "roleKey", "")
	if err != nil {
		return nil, fmt.Errorf("rbac: count staff per role: %w", err)
	}
	out := make(map[string]int64, len(groups))
	for _, g := range groups {
		key, _ := g.Key.(string) // users with no role key count under ""
		out[key] += int64(g.Sum)
	}
	return out, nil
}

// DeleteRole removes a custom role that no staff member holds, with its
// grants, and returns it. Built-in roles stay: onboarding, the default
// grants and other modules refer to them by key. The caller then changes
// the clinic's policy version.
//
// Counting holders and deleting are two steps; a role assigned in between is
// left to a user whose role no longer exists, and such a user may do
// nothing — the failure closes, it never opens.
func DeleteRole(ctx context.Context, tdb *db.Tenant, e *Enforcer, key string) (*Role, error) {
	r, err := RoleByKey(ctx, tdb, key)
	if err != nil {
		return nil, err
	}
	if r.Builtin || r.Key == AdminKey {
		return nil, ErrBuiltinRole
	}
	n, err := tdb.Collection(usersCollection).Count(ctx, db.Eq("roleKey", key))
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, &InUseError{Count: n}
	}
	// Grants first, then the role: an interrupted delete leaves a role with
	// no grants, which deleting again finishes — never grants of a role
	// that is gone.
	if err := e.RemoveRole(tdb.ID(), key); err != nil {
		return nil, err
	}
	if _, err := tdb.Collection(RolesCollection).Delete(ctx, db.Eq("key", key)); err != nil {
		return nil, err
	}
	if err := tdb.Release(ctx, nameClaimKind, nameKey(r.Name)); err != nil {
		return nil, err
	}
	return r, nil
}

// RemoveRole deletes every rule naming the role in a clinic: its grants and
// any assignment to it.
func (e *Enforcer) RemoveRole(tenantID, roleKey string) error {
	e.loadMu.Lock()
	defer e.loadMu.Unlock()
	if err := e.ready(); err != nil {
		return err
	}
	if err := e.adapter.RemoveFilteredPolicy("p", "p", 0, RoleSubject(roleKey), tenantID); err != nil {
		return fmt.Errorf("rbac: remove grants of %s: %w", roleKey, err)
	}
	if err := e.adapter.RemoveFilteredPolicy("g", "g", 1, RoleSubject(roleKey), tenantID); err != nil {
		return fmt.Errorf("rbac: remove assignments to %s: %w", roleKey, err)
	}
	e.Invalidate(tenantID)
	return nil
}

// GrantSet is one role's grants, as "resource:action" keys; "*" in either
// part means all.
type GrantSet map[string]bool

func grantKey(resource, action string) string { return resource + ":" + action }

// Exact reports whether the role holds exactly (resource, action).
func (s GrantSet) Exact(resource, action string) bool { return s[grantKey(resource, action)] }

// Has reports whether the role may do action on resource, directly or
// through a "*" grant — the model's own matching.
func (s GrantSet) Has(resource, action string) bool {
	return s[grantKey(resource, action)] || s[grantKey(resource, "*")] ||
		s[grantKey("*", action)] || s[grantKey("*", "*")]
}

// Covers reports whether s holds every grant of other: someone whose role
// has s gains nothing by handing out other.
func (s GrantSet) Covers(other GrantSet) bool {
	for k := range other {
		res, act, _ := strings.Cut(k, ":")
		if !s.Has(res, act) {
			return false
		}
	}
	return true
}

// List returns the grants sorted by resource, then action.
func (s GrantSet) List() []policies.Grant {
	out := make([]policies.Grant, 0, len(s))
	for k := range s {
		res, act, _ := strings.Cut(k, ":")
		out = append(out, policies.Grant{Resource: res, Action: act})
	}
	slices.SortFunc(out, func(a, b policies.Grant) int {
		if c := strings.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		return strings.Compare(a.Action, b.Action)
	})
	return out
}

// Grants returns the clinic's grants by role key.
func Grants(ctx context.Context, store *db.Store, tenantID string) (map[string]GrantSet, error) {
	rules, err := Rules(ctx, store, tenantID)
	if err != nil {
		return nil, fmt.Errorf("rbac: grants: %w", err)
	}
	out := map[string]GrantSet{}
	for _, r := range rules {
		key, ok := strings.CutPrefix(r.V0, "role:")
		if r.PType != "p" || !ok || r.V1 != tenantID {
			continue
		}
		if out[key] == nil {
			out[key] = GrantSet{}
		}
		out[key][grantKey(r.V2, r.V3)] = true
	}
	return out, nil
}

// SetGrant gives a role one permission (on) or takes it away (off) and
// reports whether anything changed. Admin's grants are never changed, "*" is
// never granted or revoked here, and a permission held through a "*" grant
// is not revoked one action at a time. The caller checks that the person
// asking holds the permission — to give it or to take it away — and then
// changes the clinic's policy version.
func (e *Enforcer) SetGrant(ctx context.Context, store *db.Store, tdb *db.Tenant, roleKey, resource, action string, on bool) (bool, error) {
	if resource == "" || action == "" || resource == "*" || action == "*" ||
		strings.Contains(resource, ":") || strings.Contains(action, ":") {
		return false, ErrInvalidGrant
	}
	r, err := RoleByKey(ctx, tdb, roleKey)
	if err != nil {
		return false, err
	}
	if r.Key == AdminKey {
		return false, ErrAdminLocked
	}
	all, err := Grants(ctx, store, tdb.ID())
	if err != nil {
		return false, err
	}
	held := all[roleKey]
	if held.Exact(resource, action) == on {
		if !on && held.Has(resource, action) {
			return false, ErrWildcardGrant
		}
		return false, nil
	}
	if on {
		err = e.Grant(tdb.ID(), roleKey, resource, action)
	} else {
		err = e.Revoke(tdb.ID(), roleKey, resource, action)
	}
	if err != nil {
		return false, fmt.Errorf("rbac: set grant %s %s:%s: %w", roleKey, resource, action, err)
	}
	return true, nil
}
