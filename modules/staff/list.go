package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

type listView struct {
	Users   []auth.User
	Roles   []rbac.Role
	RoleOf  map[string]string
	Me      string
	Message string // result of the last change, shown in the row
}

// rowView is one table row, rendered alone after an htmx change.
type rowView struct {
	User    auth.User
	Roles   []rbac.Role
	RoleOf  map[string]string
	Me      string
	Message string
	Error   string
}

func (m *Module) list(c *gin.Context) error {
	ctx := c.Request.Context()
	tdb := tenant.DB(ctx)
	users, err := auth.ListUsers(ctx, tdb)
	if err != nil {
		return err
	}
	rs, err := roles(ctx, tdb)
	if err != nil {
		return err
	}
	return m.render.Page(c, http.StatusOK, "staff/list", web.Page{Title: "Staff", Data: listView{
		Users: users, Roles: rs, RoleOf: roleNames(rs), Me: auth.FromContext(ctx).ID, Message: c.Query("added"),
	}})
}
