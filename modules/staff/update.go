package staff

import (
	"cmp"
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

// changeRole gives a person another role; it applies from their next
// request. A role is access: without confirm=1 nothing changes and the
// answer is the confirmation page, which says what the new role adds and
// takes away.
func (m *Module) changeRole(c *gin.Context) error {
	if c.PostForm("confirm") != "1" {
		return m.confirmRole(c, c.PostForm("roleKey"))
	}
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
			message:    "Role changed to " + row.RoleOf[key] + ".",
			flash:      u.Name + "'s role is now " + row.RoleOf[key] + "."}, nil
	})
}

// changeStatus deactivates or reactivates a person; a deactivated person's
// open sessions end on their next request. Deactivating needs confirm=1
// (else the answer is the confirmation page); the page after it offers to
// undo it. Reactivating is that undo, and needs no confirmation.
func (m *Module) changeStatus(c *gin.Context) error {
	status := c.PostForm("status")
	if status == auth.UserInactive && c.PostForm("confirm") != "1" {
		return m.confirmDeactivate(c)
	}
	return m.change(c, func(u *auth.User, row *rowView) (edit, error) {
		if status != auth.UserActive && status != auth.UserInactive {
			return edit{}, web.BadRequest("Unknown status.")
		}
		e := edit{field: "status", value: &u.Status, to: status, save: auth.SetStatus,
			dropsAdmin: status == auth.UserInactive && u.RoleKey == rbac.AdminKey}
		if status == auth.UserInactive {
			e.message, e.next = "Deactivated: signed out everywhere.", "/staff?deactivated="+u.ID
		} else {
			e.message, e.flash = "Reactivated.", u.Name+" was reactivated."
		}
		return e, nil
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
	flash      string // what the staff list says once it is made (a page, not htmx)
	next       string // where the page goes once it is made; the staff list if empty
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
	pending, _, err := invited(ctx, tdb, u)
	if err != nil {
		return err
	}
	row := m.row(ch, me, *u, pending, m.S.Tenant(c).EmailUnconfirmed)
	var e edit
	err = web.Forbidden(offLimits)
	if ch.Givable[u.RoleKey] {
		e, err = m.apply(c, u, &row, fn)
	}
	var we *web.Error
	if errors.As(err, &we) && we.Status < 500 {
		row.Error = we.Message
		return m.answer(c, we.Status, row, e)
	}
	if err != nil {
		return err
	}
	row.User = *u
	row.User.PasswordHash = ""
	return m.answer(c, http.StatusOK, row, e)
}

// apply makes the edit fn asks for of u, unless it changes nothing, and
// records it. A change that would leave the clinic without an active
// administrator is refused. The edit comes back with its message cleared
// when nothing changed.
func (m *Module) apply(c *gin.Context, u *auth.User, row *rowView, fn func(u *auth.User, row *rowView) (edit, error)) (edit, error) {
	e, err := fn(u, row)
	if err != nil {
		return edit{}, err
	}
	if *e.value == e.to {
		e.message, e.flash = "", ""
		return e, nil
	}
	if e.dropsAdmin {
		if err := m.keepOneAdmin(c); err != nil {
			return edit{}, err
		}
	}
	if err := e.save(c.Request.Context(), m.S.Clinic(c), u.ID, e.to, m.S.Now()); err != nil {
		return edit{}, err
	}
	before := *e.value
	*e.value, row.Message = e.to, e.message
	return e, audit.For(c).Record(audit.UserUpdate, "user:"+u.ID, audit.Label(u.Name), audit.Change(e.field+" "+before, e.field+" "+e.to))
}

// answer is the row for htmx; for a page, the error page or, after the
// change, the page the edit names with its message.
func (m *Module) answer(c *gin.Context, status int, row rowView, e edit) error {
	if htmx.IsRequest(c.Request) {
		if status >= 400 {
			status = http.StatusUnprocessableEntity // htmx swaps 422: the row shows why
		}
		return m.S.Render.Fragment(c, status, listPage, "row", web.Page{Data: row})
	}
	if status >= 400 {
		return &web.Error{Status: status, Message: row.Error, Link: "/staff", LinkText: "Back to the staff list"}
	}
	web.Flash(c, e.flash)
	web.Redirect(c, cmp.Or(e.next, "/staff"))
	return nil
}
