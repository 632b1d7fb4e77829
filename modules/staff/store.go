package staff

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
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

// offLimits is the answer for a change to someone whose role holds a
// permission the signed-in person's lacks (see roleChoices).
const offLimits = "You can change only the accounts of people whose role has no permission yours lacks."

// person is the clinic's staff member the URL names, with the roles the
// signed-in person may give. Someone of another clinic, or no one, is a
// 404; someone whose role holds more than the signed-in person's is a 403.
func (m *Module) person(c *gin.Context) (*auth.User, roleChoices, error) {
	u, err := auth.UserByID(c.Request.Context(), m.S.Clinic(c), c.Param("id"))
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, roleChoices{}, web.NotFound("There is no such person in this clinic.")
	}
	if err != nil {
		return nil, roleChoices{}, err
	}
	ch, err := m.roleChoices(c, m.S.User(c))
	if err != nil {
		return nil, roleChoices{}, err
	}
	if !ch.Givable[u.RoleKey] {
		return nil, roleChoices{}, web.Forbidden(offLimits)
	}
	return u, ch, nil
}

// listStaff returns the clinic's staff by name, each marked whether they
// were invited and have not chosen a password yet. The password hashes it
// reads for that are not returned.
func listStaff(ctx context.Context, tdb *db.Tenant) ([]auth.User, map[string]bool, error) {
	var us []auth.User
	err := tdb.Collection(auth.UsersCollection).Find(ctx, db.Filter{}, &us, db.FindOptions{
		Sort:  []db.Order{db.Asc("name")},
		Omit:  []string{"totpSecret", "recoveryCodes"},
		Limit: 1000,
	})
	if err != nil {
		return nil, nil, err
	}
	invs, err := invitations(ctx, tdb)
	if err != nil {
		return nil, nil, err
	}
	pending := map[string]bool{}
	for i := range us {
		if inv, ok := invs[us[i].ID]; ok && inv.pending(&us[i]) {
			pending[us[i].ID] = true
		}
		us[i].PasswordHash = ""
	}
	return us, pending, nil
}
