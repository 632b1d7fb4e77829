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
	Roles   []rbac.Role // the roles the viewer may hand out
	RoleOf  map[string]string
	Me      string
	MeAdmin bool   // only administrators may change an administrator
	Message string // result of the last change, shown in the row
}

// rowView is one table row, rendered alone after an htmx change.
type rowView struct {
	User    auth.User
	Roles   []rbac.Role
	RoleOf  map[string]string
	Me      string
	MeAdmin bool
	Message string
	Error   string
}

func (m *Module) list(c *gin.Context) error {
	ctx := c.Request.Context()
	tdb, me := tenant.DB(ctx), auth.FromContext(ctx)
	users, err := auth.ListUsers(ctx, tdb)
	if err != nil {
		return err
	}
	rs, err := roles(ctx, tdb)
	if err != nil {
		return err
	}
	return m.render.Page(c, http.StatusOK, "staff/list", web.Page{Title: "Staff", Data: listView{
		Users: users, Roles: pickable(rs, me), RoleOf: roleNames(rs), Me: me.ID, MeAdmin: me.RoleKey == rbac.AdminKey,
		Message: c.Query("added"),
	}})
}
