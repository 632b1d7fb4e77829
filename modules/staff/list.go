package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

var listPage = web.NewPage("staff/list")

type listView struct {
	Users   []auth.User
	Roles   []rbac.Role // the roles the viewer may give
	RoleOf  map[string]string
	Givable map[string]bool // see roleChoices
	Me      string
}

// rowView is one table row, rendered alone after an htmx change.
type rowView struct {
	User    auth.User
	Roles   []rbac.Role
	RoleOf  map[string]string
	Givable map[string]bool
	Me      string
	Message string // what the change did
	Error   string // why it was refused
}

func (m *Module) list(c *gin.Context) error {
	me := m.S.User(c)
	users, err := auth.ListUsers(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return err
	}
	ch, err := m.roleChoices(c, me)
	if err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, listPage, web.Page{Title: "Staff", Data: listView{
		Users: users, Roles: ch.Roles, RoleOf: ch.Names, Givable: ch.Givable, Me: me.ID,
	}})
}
