package roles

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
)

// create adds a custom role, with no permissions, and opens its grid.
func (m *Module) create(c *gin.Context) error {
	f, msg := parseName(c.PostForm)
	if msg == "" {
		r, err := rbac.CreateRole(c.Request.Context(), m.S.Clinic(c), f.Name, m.S.Now())
		if err == nil {
			return saved(c, audit.RoleCreate, r.Key, r.Key, audit.Note(r.Name))
		}
		if msg, err = nameRefused(err); err != nil {
			return err
		}
	}
	// Shown again on the role the page was showing (a hidden field).
	return m.page(c, http.StatusUnprocessableEntity, c.PostForm("role"), false,
		formState{errors: map[string]string{"create": msg}, newName: f.Raw})
}
