package roles

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// Messages shared by the handlers.
var (
	errNoRole = web.NotFound("There is no such role in this clinic. It may have been deleted.")
	errAdmin  = web.Forbidden("Admin always has every permission, so that the clinic can never lock itself out of Ward. It cannot be changed, renamed or deleted.")
	nameTaken = "Another role already has this name."
)

// refused answers what rbac refuses of any change to a role: the role is
// gone, or it is Admin, which nobody changes. Other errors stay as they are.
func refused(err error) error {
	switch {
	case errors.Is(err, rbac.ErrRoleNotFound):
		return errNoRole
	case errors.Is(err, rbac.ErrAdminLocked):
		return errAdmin
	}
	return err
}

// nameRefused sorts what rbac refuses of a role's new name: a name another
// role has is a message for the form, the rest is refused's answer.
func nameRefused(err error) (string, error) {
	if errors.Is(err, rbac.ErrRoleNameTaken) {
		return nameTaken, nil
	}
	return "", refused(err)
}

// saved records a change made to role key and goes back to the roles page,
// showing role show ("" for the first role).
func saved(c *gin.Context, action, key, show string, d audit.Detail) error {
	if err := audit.For(c).Record(action, roleTarget(key), d); err != nil {
		return err
	}
	web.Redirect(c, rolesURL(show))
	return nil
}

// policyChanged gives the clinic a new policy version: every Ward instance
// compares it with the version its cached rules were loaded at, and reloads.
func (m *Module) policyChanged(c *gin.Context) error {
	ok, err := m.S.Policy(c).Changed(c.Request.Context())
	if err != nil {
		return fmt.Errorf("roles: new policy version: %w", err)
	}
	if !ok {
		return fmt.Errorf("roles: clinic %s no longer exists", m.S.Tenant(c).ID)
	}
	return nil
}

func rolesURL(key string) string {
	if key == "" {
		return "/roles"
	}
	return "/roles?role=" + url.QueryEscape(key)
}

func roleTarget(key string) string { return "role:" + key }
