package roles

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// delete removes a custom role that no staff member holds, with its grants.
// A role still held is refused on the page, saying how many hold it.
func (m *Module) delete(c *gin.Context) error {
	key := c.Param("key")
	r, err := m.S.Policy(c).DeleteRole(c.Request.Context(), key)
	var inUse *rbac.InUseError
	switch {
	case errors.As(err, &inUse):
		return m.page(c, http.StatusUnprocessableEntity, key, true,
			formState{errors: map[string]string{"delete": inUse.Message()}})
	case errors.Is(err, rbac.ErrBuiltinRole):
		return web.Forbidden("Built-in roles cannot be deleted. You can rename them or change their permissions.")
	case err != nil:
		return refused(err)
	}
	if err := m.policyChanged(c); err != nil {
		return err
	}
	return saved(c, audit.RoleDelete, key, "", audit.Change(r.Name, ""))
}
