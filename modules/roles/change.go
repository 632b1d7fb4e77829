package roles

import (
	"fmt"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/web"
)

// Messages shared by the handlers.
var (
	errNoRole = web.NotFound("There is no such role in this clinic. It may have been deleted.")
	errAdmin  = web.Forbidden("Admin always has every permission, so that the clinic can never lock itself out of Ward. It cannot be changed, renamed or deleted.")
	nameTaken = "Another role already has this name."
)

// policyChanged gives the clinic a new policy version: every Ward instance
// compares it with the version its cached rules were loaded at, and reloads.
func (m *Module) policyChanged(c *gin.Context) error {
	ok, err := m.s.Policy(c).Changed(c.Request.Context())
	if err != nil {
		return fmt.Errorf("roles: new policy version: %w", err)
	}
	if !ok {
		return fmt.Errorf("roles: clinic %s no longer exists", m.s.Tenant(c).ID)
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
