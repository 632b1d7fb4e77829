package roles

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// toggle switches one permission of a role on or off. htmx gets the cell
// back as saved; a plain form post goes back to the role's grid.
func (m *Module) toggle(c *gin.Context) error {
	ctx := c.Request.Context()
	key := c.Param("key")
	f, msg := parseGrant(c.PostForm, m.catalogue)
	if msg != "" {
		return web.BadRequest(msg)
	}
	if !m.can(c, f.Resource, f.Action) {
		return web.Forbidden(notHeld(f.On))
	}
	changed, err := m.S.Policy(c).SetGrant(ctx, key, f.Resource, f.Action, f.On)
	if errors.Is(err, rbac.ErrWildcardGrant) {
		return web.Conflict("This role has every action on " + m.catalogue.label(f.Resource) + " through one grant, which cannot be taken away one action at a time.")
	}
	if err != nil {
		return refused(err)
	}
	if changed {
		if err := m.grantChanged(c, key, f); err != nil {
			return err
		}
	}
	if !htmx.IsRequest(c.Request) {
		web.Redirect(c, rolesURL(key))
		return nil
	}
	return m.grantCell(c, key, f)
}

// grantChanged makes a new grant of role key take effect and records it.
func (m *Module) grantChanged(c *gin.Context, key string, f grantForm) error {
	if err := m.policyChanged(c); err != nil {
		return err
	}
	action := audit.PermissionGrant
	if !f.On {
		action = audit.PermissionRevoke
	}
	perm := f.Resource + ":" + f.Action
	return audit.For(c).Record(action, roleTarget(key), audit.Change(perm+" "+onOff(!f.On), perm+" "+onOff(f.On)))
}

// grantCell answers htmx with the grid's cell of f's permission of role
// key: what is stored now, read back, not what was asked for.
func (m *Module) grantCell(c *gin.Context, key string, f grantForm) error {
	ctx := c.Request.Context()
	role, err := rbac.RoleByKey(ctx, m.S.Clinic(c), key)
	if err != nil {
		return err
	}
	grants, err := m.S.Policy(c).Grants(ctx)
	if err != nil {
		return err
	}
	x := m.cell(c, role, grants[key], f.Resource, f.Action, m.can(c, "roles", "update"))
	return m.S.Render.Fragment(c, http.StatusOK, listPage, "grant-cell", web.Page{Data: x})
}

// notHeld refuses a change to a permission the person does not hold. Taking
// one away is refused like giving it: otherwise anyone who may edit roles
// could strip the clinical staff of what only they should decide on.
func notHeld(on bool) string {
	if on {
		return "You can give a role only permissions that your own role has."
	}
	return "You can take away only permissions that your own role has."
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
