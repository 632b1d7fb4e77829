package roles

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// rename gives a role a new name; its key, grants and staff stay.
func (m *Module) rename(c *gin.Context) error {
	key := c.Param("key")
	f, msg := parseName(c.PostForm)
	if msg == "" {
		old, err := rbac.RenameRole(c.Request.Context(), m.S.Clinic(c), key, f.Name, m.S.Now())
		switch {
		case err == nil && old == f.Name: // the same name: nothing to record
			web.Redirect(c, rolesURL(key))
			return nil
		case err == nil:
			// The new name is shown on every page: a new policy version
			// renews the names cached by it (core/access).
			if err := m.policyChanged(c); err != nil {
				return err
			}
			return saved(c, audit.RoleRename, key, key, audit.Change(old, f.Name))
		}
		if msg, err = nameRefused(err); err != nil {
			return err
		}
	}
	return m.page(c, http.StatusUnprocessableEntity, key, true,
		formState{errors: map[string]string{"rename": msg}, rename: &f.Raw})
}
