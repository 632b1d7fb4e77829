package staff

import (
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// roles returns the clinic's roles for role pickers, built-in ones first.
func roles(ctx context.Context, tdb *db.Tenant) ([]rbac.Role, error) {
	return rbac.ListRoles(ctx, tdb)
}

// pickable is the roles me may hand out. Only an administrator may make
// someone an Admin: otherwise anyone granted staff rights could promote
// themselves.
func pickable(rs []rbac.Role, me *auth.User) []rbac.Role {
	if me.RoleKey == rbac.AdminKey {
		return rs
	}
	return slices.DeleteFunc(slices.Clone(rs), func(r rbac.Role) bool { return r.Key == rbac.AdminKey })
}

// mayManage reports whether me may change u's account: an administrator's
// only another administrator may.
func mayManage(me, u *auth.User) bool {
	return me.RoleKey == rbac.AdminKey || u.RoleKey != rbac.AdminKey
}

func roleNames(rs []rbac.Role) map[string]string {
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		m[r.Key] = r.Name
	}
	return m
}

// activeAdmins counts the clinic's active users with the Admin role: the
// last one may not lose the role or be deactivated, or no one could manage
// the clinic any more.
func activeAdmins(ctx context.Context, tdb *db.Tenant) (int64, error) {
	return tdb.Collection(auth.UsersCollection).Count(ctx, bson.D{{Key: "roleKey", Value: rbac.AdminKey}, {Key: "status", Value: auth.UserActive}})
}
