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
	Rows []rowView
	// Undo is the person just deactivated (?deactivated=ID), while they
	// still are: the page says so and offers to reactivate them.
	Undo *auth.User
}

// rowView is one table row, rendered alone after an htmx change.
type rowView struct {
	User    auth.User
	Roles   []rbac.Role // the roles the viewer may give
	RoleOf  map[string]string
	Givable map[string]bool // see roleChoices
	Me      string
	// Invited: added from the staff pages and no password chosen yet.
	Invited bool
	// MailHeld: the clinic's mail waits for its address to be confirmed,
	// invitations included, so none can be sent again.
	MailHeld bool
	Message  string // what the change did
	Error    string // why it was refused
}

func (m *Module) list(c *gin.Context) error {
	me := m.S.User(c)
	users, pending, err := listStaff(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return err
	}
	ch, err := m.roleChoices(c, me)
	if err != nil {
		return err
	}
	held := m.S.Tenant(c).EmailUnconfirmed
	v := listView{Rows: make([]rowView, len(users))}
	for i, u := range users {
		v.Rows[i] = m.row(ch, me, u, pending[u.ID], held)
		if u.ID == c.Query("deactivated") && u.Status == auth.UserInactive && ch.Givable[u.RoleKey] {
			v.Undo = &users[i]
		}
	}
	return m.S.Render.Page(c, http.StatusOK, listPage, web.Page{Title: "Staff", Data: v})
}

// row is u's row as me sees it.
func (m *Module) row(ch roleChoices, me *auth.User, u auth.User, invited, mailHeld bool) rowView {
	u.PasswordHash = ""
	return rowView{User: u, Roles: ch.Roles, RoleOf: ch.Names, Givable: ch.Givable, Me: me.ID, Invited: invited, MailHeld: mailHeld}
}
