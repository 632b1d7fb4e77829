package staff

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/htmx"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

// changeRole gives a person another role; it applies from their next request.
func (m *Module) changeRole(c *gin.Context) error {
	return m.change(c, func(u *auth.User, row *rowView) (edit, error) {
		key := c.PostForm("roleKey")
		if _, ok := row.RoleOf[key]; !ok {
			return edit{}, web.BadRequest("Choose a role.")
		}
		if !row.Givable[key] {
			return edit{}, web.Forbidden("You can give only a role whose permissions your own role has.")
		}
		return edit{field: "role", value: &u.RoleKey, to: key, save: auth.SetRole,
			dropsAdmin: u.RoleKey == rbac.AdminKey && u.Status == auth.UserActive,
			message:    "Role changed to " + row.RoleOf[key] + "."}, nil
	})
}

// changeStatus deactivates or reactivates a person; a deactivated person's
// open sessions end on their next request.
func (m *Module) changeStatus(c *gin.Context) error {
	return m.change(c, func(u *auth.User, row *rowView) (edit, error) {
		status := c.PostForm("status")
		if status != auth.UserActive && status != auth.UserInactive {
			return edit{}, web.BadRequest("Unknown status.")
		}
		return edit{field: "status", value: &u.Status, to: status, save: auth.SetStatus,
			dropsAdmin: status == auth.UserInactive && u.RoleKey == rbac.AdminKey,
			message:    map[string]string{auth.UserActive: "Reactivated.", auth.UserInactive: "Deactivated: signed out everywhere."}[status]}, nil
	})
}

// edit is a change of one of a person's fields, as a form asks for it.
type edit struct {
	field      string  // its name in the audit log
	value      *string // the person's field
	to         string  // its new value
	dropsAdmin bool    // the change takes an active administrator away
	save       func(ctx context.Context, tdb *db.Tenant, userID, value string, now time.Time) error
	message    string // what the row says once it is made
}

var errLastAdmin = errors.New("last admin")

// keepOneAdmin refuses a change that would leave the clinic without an
// active administrator. It runs under the staff lock (see change).
func (m *Module) keepOneAdmin(c *gin.Context) error {
	n, err := activeAdmins(c.Request.Context(), m.S.Clinic(c))
	if err != nil {
		return err
	}
	if n <= 1 {
		return &web.Error{Status: http.StatusConflict, Err: errLastAdmin,
			Message: "This is the clinic's only active administrator. Make someone else an Admin first."}
	}
	return nil
}

// change loads the person, applies fn, audits it and answers with the
// updated row (htmx) or back to the list. It holds the clinic's staff lock
// from before the person is read until after the write: a check such as
// "someone else is still an administrator" and the change that depends on
// it are one step, even when two admins step down at the same moment (each
// write is atomic, a read followed by a write is not; see db.Tenant.Lock).
func (m *Module) change(c *gin.Context, fn func(u *auth.User, row *rowView) (edit, error)) error {
	ctx := c.Request.Context()
	tdb, me := m.S.Clinic(c), m.S.User(c)
	unlock, err := tdb.Lock(ctx, "staff", m.S.Now(), time.Minute)
	if errors.Is(err, db.ErrLocked) {
		return web.Conflict("Another change to the staff is being saved. Try again in a moment.")
	}
	if err != nil {
		return err
	}
	defer unlock()
	u, err := auth.UserByID(ctx, tdb, c.Param("id"))
	if errors.Is(err, auth.ErrUserNotFound) {
		return web.NotFound("There is no such person in this clinic.")
	}
	if err != nil {
		return err
	}
	ch, err := m.roleChoices(c, me)
	if err != nil {
		return err
	}
	row := rowView{User: *u, Roles: ch.Roles, RoleOf: ch.Names, Givable: ch.Givable, Me: me.ID}
	err = web.Forbidden("You can change only the accounts of people whose role has no permission yours lacks.")
	if ch.Givable[u.RoleKey] {
		err = m.apply(c, u, &row, fn)
	}
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		row.Error = we.Message
		return m.answer(c, we.Status, row)
	}
	if err != nil {
		return err
	}
	row.User = *u
	return m.answer(c, http.StatusOK, row)
}

// apply makes the edit fn asks for of u, unless it changes nothing, and
// records it. A change that would leave the clinic without an active
// administrator is refused.
func (m *Module) apply(c *gin.Context, u *auth.User, row *rowView, fn func(u *auth.User, row *rowView) (edit, error)) error {
	e, err := fn(u, row)
	if err != nil || *e.value == e.to {
		return err
	}
	if e.dropsAdmin {
		if err := m.keepOneAdmin(c); err != nil {
			return err
		}
	}
	if err := e.save(c.Request.Context(), m.S.Clinic(c), u.ID, e.to, m.S.Now()); err != nil {
		return err
	}
	before := *e.value
	*e.value, row.Message = e.to, e.message
	return audit.For(c).Record(audit.UserUpdate, "user:"+u.ID, audit.Change(e.field+" "+before, e.field+" "+e.to))
}

func (m *Module) answer(c *gin.Context, status int, row rowView) error {
	if htmx.IsRequest(c.Request) {
		if status >= 400 {
			status = http.StatusUnprocessableEntity // htmx swaps 422: the row shows why
		}
		return m.S.Render.Fragment(c, status, listPage, "row", web.Page{Data: row})
	}
	if status >= 400 {
		return &web.Error{Status: status, Message: row.Error, Link: "/staff", LinkText: "Back to the staff list"}
	}
	web.Redirect(c, "/staff")
	return nil
}
