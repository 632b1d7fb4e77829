package roles

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

var listPage = web.NewPage("roles/list")

// listView is the roles page: the role picker, the chosen role's grid and
// the forms around it.
type listView struct {
	Roles   []roleItem
	Role    rbac.Role
	Staff   int64 // staff holding the chosen role
	Admin   bool  // the chosen role is Admin: shown, never edited
	Actions []column
	Rows    []row
	// Other lists grants on resources no installed module declares (the
	// default roles carry grants for modules a clinic may not run yet), so
	// the grid never hides what a role may do.
	Other   []otherGrant
	Rename  string // the rename field
	NewName string // the create field
}

type roleItem struct {
	Key      string
	Name     string
	Staff    int64
	Selected bool
}

type column struct{ Action, Label string }

type row struct {
	Resource    string
	Label       string
	Description string
	Cells       []cell
}

// cell is one permission of the chosen role, as the grid shows it.
type cell struct {
	RoleKey       string
	RoleName      string
	Resource      string
	ResourceLabel string
	Action        string
	ActionLabel   string
	Applies       bool // the resource has this action at all
	Granted       bool
	Editable      bool // the person may switch it here and now
}

// otherGrant is what a role may do on a resource the grid does not show,
// in words: the resource's label (or its name made readable, when no
// installed module declares it) and the actions' labels.
type otherGrant struct {
	Resource     string
	Label        string
	Actions      []string
	ActionLabels []string
}

// formState carries a refused form back into the page.
type formState struct {
	errors  map[string]string
	rename  *string // as typed, when the rename form was refused
	newName string
}

func (m *Module) list(c *gin.Context) error {
	return m.page(c, http.StatusOK, c.Query("role"), true, formState{})
}

// page renders the roles page showing the role with key; "" shows the first
// role after Admin. A key that names no role is a 404 when asked for
// (strict), and the default role when it only says where a form came from.
func (m *Module) page(c *gin.Context, status int, key string, strict bool, st formState) error {
	v, err := m.view(c, key)
	if errors.Is(err, rbac.ErrRoleNotFound) && !strict {
		v, err = m.view(c, "")
	}
	if errors.Is(err, rbac.ErrRoleNotFound) {
		return errNoRole
	}
	if err != nil {
		return err
	}
	if st.rename != nil {
		v.Rename = *st.rename
	}
	v.NewName = st.newName
	return m.S.Render.Page(c, status, listPage, web.Page{Title: "Roles · " + v.Role.Name, Data: v, Errors: st.errors})
}

func (m *Module) view(c *gin.Context, key string) (listView, error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	roles, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		return listView{}, err
	}
	sel := pick(roles, key)
	if sel == nil {
		return listView{}, rbac.ErrRoleNotFound
	}
	staff, err := rbac.UsersByRole(ctx, tdb)
	if err != nil {
		return listView{}, err
	}
	grants, err := m.S.Policy(c).Grants(ctx)
	if err != nil {
		return listView{}, err
	}
	held := grants[sel.Key]
	v := listView{Role: *sel, Staff: staff[sel.Key], Admin: sel.Key == rbac.AdminKey, Rename: sel.Name}
	for _, r := range roles {
		v.Roles = append(v.Roles, roleItem{Key: r.Key, Name: r.Name, Staff: staff[r.Key], Selected: r.Key == sel.Key})
	}
	for _, a := range m.catalogue.actions {
		v.Actions = append(v.Actions, column{Action: a, Label: actionLabel(a)})
	}
	canUpdate := m.can(c, "roles", "update")
	for _, p := range m.catalogue.resources {
		r := row{Resource: p.Resource, Label: p.Label, Description: p.Description}
		for _, a := range m.catalogue.actions {
			r.Cells = append(r.Cells, m.cell(c, sel, held, p.Resource, a, canUpdate))
		}
		v.Rows = append(v.Rows, r)
	}
	if !v.Admin {
		for _, g := range held.List() {
			if m.catalogue.has(g.Resource, g.Action) {
				continue
			}
			if n := len(v.Other); n > 0 && v.Other[n-1].Resource == g.Resource {
				v.Other[n-1].Actions = append(v.Other[n-1].Actions, g.Action)
				continue
			}
			v.Other = append(v.Other, otherGrant{Resource: g.Resource, Actions: []string{g.Action}})
		}
		for i := range v.Other {
			o := &v.Other[i]
			slices.SortFunc(o.Actions, actionOrder(m.catalogue.actions))
			o.Label = m.catalogue.label(o.Resource)
			for _, a := range o.Actions {
				o.ActionLabels = append(o.ActionLabels, actionLabel(a))
			}
		}
	}
	return v, nil
}

// pick returns the role with key, or for "" the first role after Admin
// (Admin's grid cannot be edited, so it is rarely what someone came for).
func pick(roles []rbac.Role, key string) *rbac.Role {
	for i, r := range roles {
		if r.Key == key || (key == "" && r.Key != rbac.AdminKey) {
			return &roles[i]
		}
	}
	if key == "" && len(roles) > 0 {
		return &roles[0]
	}
	return nil
}

// cell builds one grid cell. It can be switched when the person may update
// roles, the role is not Admin, the permission is not held through a "*"
// grant, and the person's own role has it: nobody gives or takes away what
// they do not hold.
func (m *Module) cell(c *gin.Context, role *rbac.Role, held rbac.GrantSet, resource, action string, canUpdate bool) cell {
	x := cell{
		RoleKey: role.Key, RoleName: role.Name,
		Resource: resource, ResourceLabel: m.catalogue.label(resource),
		Action: action, ActionLabel: actionLabel(action),
		Applies: m.catalogue.has(resource, action),
		Granted: held.Has(resource, action),
	}
	x.Editable = x.Applies && canUpdate && role.Key != rbac.AdminKey &&
		held.Exact(resource, action) == x.Granted && m.can(c, resource, action)
	return x
}

// can reports whether the signed-in person may do action on resource.
func (m *Module) can(c *gin.Context, resource, action string) bool {
	ok, err := m.S.Can(c, resource, action)
	return err == nil && ok
}
