package roles

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// create adds a custom role, with no permissions, and opens its grid.
func (m *Module) create(c *gin.Context) error {
	ctx := c.Request.Context()
	f, msg := parseName(c.PostForm)
	if msg == "" {
		r, err := rbac.CreateRole(ctx, m.s.Clinic(c), f.Name, m.s.Now())
		switch {
		case errors.Is(err, rbac.ErrRoleNameTaken):
			msg = nameTaken
		case err != nil:
			return err
		default:
			if err := audit.For(c).Record(audit.RoleCreate, roleTarget(r.Key), audit.Note(r.Name)); err != nil {
				return err
			}
			web.Redirect(c, rolesURL(r.Key))
			return nil
		}
	}
	// Shown again on the role the page was showing (a hidden field).
	return m.page(c, http.StatusUnprocessableEntity, c.PostForm("role"), false,
		formState{errors: map[string]string{"create": msg}, newName: f.Raw})
}
