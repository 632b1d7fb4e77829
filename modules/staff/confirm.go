package staff

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

var confirmPage = web.NewPage("staff/confirm")

// confirmView is the step before a change of someone's access: what it
// does, and the button that does it.
type confirmView struct {
	User       auth.User
	Deactivate bool   // else a change of role
	RoleKey    string // the role to give
	RoleName   string
	FromName   string   // the role they have
	Gains      []string // what the new role may do that the old one may not: "Patients: view, add"
	Losses     []string // and the reverse
}

// confirmDeactivate asks before deactivating the person the URL names: it
// signs them out everywhere.
func (m *Module) confirmDeactivate(c *gin.Context) error {
	u, _, err := m.person(c)
	if err != nil {
		return err
	}
	if u.Status != auth.UserActive {
		web.Flash(c, u.Name+" is already deactivated.")
		web.Redirect(c, "/staff")
		return nil
	}
	u.PasswordHash = ""
	return m.S.Render.Page(c, http.StatusOK, confirmPage, web.Page{Title: "Deactivate " + u.Name + "?",
		Data: confirmView{User: *u, Deactivate: true}})
}

// showConfirmRole is the staff list's "Change role" button: the
// confirmation of the role its dropdown names.
func (m *Module) showConfirmRole(c *gin.Context) error { return m.confirmRole(c, c.Query("roleKey")) }

// confirmRole asks before giving the person the URL names the role key,
// listing what it adds to and takes from what they may do.
func (m *Module) confirmRole(c *gin.Context, key string) error {
	u, ch, err := m.person(c)
	if err != nil {
		return err
	}
	name, ok := ch.Names[key]
	if !ok {
		return web.BadRequest("Choose a role.")
	}
	if !ch.Givable[key] {
		return web.Forbidden("You can give only a role whose permissions your own role has.")
	}
	if key == u.RoleKey {
		web.Flash(c, u.Name+" already has the role "+name+".")
		web.Redirect(c, "/staff")
		return nil
	}
	grants, err := m.S.Policy(c).Grants(c.Request.Context())
	if err != nil {
		return err
	}
	v := confirmView{RoleKey: key, RoleName: name, FromName: ch.Names[u.RoleKey]}
	v.Gains, v.Losses = m.difference(grants[u.RoleKey], grants[key])
	u.PasswordHash = ""
	v.User = *u
	return m.S.Render.Page(c, http.StatusOK, confirmPage, web.Page{Title: "Change " + u.Name + "'s role?", Data: v})
}

// actionWords name the standard actions in the clinic's words; a module's
// own action is shown as it is declared.
var actionWords = map[string]string{"read": "view", "create": "add", "update": "change", "delete": "delete"}

// difference lists, by area of the permission catalogue, what to allows
// that from does not (gains) and the reverse (losses).
func (m *Module) difference(from, to rbac.GrantSet) (gains, losses []string) {
	for _, p := range mergedPermissions(m.S.Permissions()) {
		var gained, lost []string
		for _, a := range p.Actions {
			word := cmp.Or(actionWords[a], a)
			switch had, has := from.Has(p.Resource, a), to.Has(p.Resource, a); {
			case has && !had:
				gained = append(gained, word)
			case had && !has:
				lost = append(lost, word)
			}
		}
		if len(gained) > 0 {
			gains = append(gains, p.Label+": "+strings.Join(gained, ", "))
		}
		if len(lost) > 0 {
			losses = append(losses, p.Label+": "+strings.Join(lost, ", "))
		}
	}
	return gains, losses
}

// permission is one area of the catalogue: its label and its actions.
type permission struct {
	Resource, Label string
	Actions         []string
}

// mergedPermissions joins the declarations of one resource by several
// modules, in the order they are first declared.
func mergedPermissions(ps []app.Permission) []permission {
	var out []permission
	at := map[string]int{}
	for _, p := range ps {
		if p.Resource == "" || p.Resource == "*" {
			continue
		}
		i, seen := at[p.Resource]
		if !seen {
			i = len(out)
			at[p.Resource] = i
			out = append(out, permission{Resource: p.Resource, Label: cmp.Or(p.Label, p.Resource)})
		}
		for _, a := range p.Actions {
			if a != "" && a != "*" && !slices.Contains(out[i].Actions, a) {
				out[i].Actions = append(out[i].Actions, a)
			}
		}
	}
	return out
}
