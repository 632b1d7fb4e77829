package roles

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// rename gives a role a new name; its key, grants and staff stay.
func (m *Module) rename(c *gin.Context) error {
	ctx := c.Request.Context()
	key := c.Param("key")
	f, msg := parseName(c.PostForm)
	if msg == "" {
		old, err := rbac.RenameRole(ctx, m.s.Clinic(c), key, f.Name, m.s.Now())
		switch {
		case errors.Is(err, rbac.ErrRoleNotFound):
			return errNoRole
		case errors.Is(err, rbac.ErrAdminLocked):
			return errAdmin
		case errors.Is(err, rbac.ErrRoleNameTaken):
			msg = nameTaken
		case err != nil:
			return err
		default:
			if old != f.Name {
				if err := audit.For(c).Record(audit.RoleRename, roleTarget(key), audit.Change(old, f.Name)); err != nil {
					return err
				}
			}
			web.Redirect(c, rolesURL(key))
			return nil
		}
	}
	return m.page(c, http.StatusUnprocessableEntity, key, true,
		formState{errors: map[string]string{"rename": msg}, rename: &f.Raw})
}
