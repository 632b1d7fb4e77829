package staff

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// roleChoices are the clinic's roles as the signed-in person may use them.
// Someone may give a role — or change the account of someone who has one —
// only when their own role holds every permission of it. Otherwise staff
// rights would be every right: anyone could give themselves (or a friend) a
// bigger role. It is the role editor's rule, "no one grants more than they
// hold", applied to people; admins hold everything.
type roleChoices struct {
	Roles   []rbac.Role       // the roles me may give, for pickers
	Names   map[string]string // every role's name, by key
	Givable map[string]bool   // the keys of Roles
}

func (m *Module) roleChoices(c *gin.Context, me *auth.User) (roleChoices, error) {
	ctx := c.Request.Context()
	rs, err := rbac.ListRoles(ctx, m.S.Clinic(c))
	if err != nil {
		return roleChoices{}, err
	}
	grants, err := m.S.Policy(c).Grants(ctx)
	if err != nil {
		return roleChoices{}, err
	}
	ch := roleChoices{Names: roleNames(rs), Givable: map[string]bool{}}
	for _, r := range rs {
		if grants[me.RoleKey].Covers(grants[r.Key]) {
			ch.Roles = append(ch.Roles, r)
			ch.Givable[r.Key] = true
		}
	}
	return ch, nil
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
	return tdb.Collection(auth.UsersCollection).Count(ctx, db.And(db.Eq("roleKey", rbac.AdminKey), db.Eq("status", auth.UserActive)))
}
