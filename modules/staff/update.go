package staff

import (
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
	return m.change(c, func(u *auth.User, row *rowView) (string, string, error) {
		key := c.PostForm("roleKey")
		if _, ok := row.RoleOf[key]; !ok {
			return "", "", web.BadRequest("Choose a role.")
		}
		if !row.Givable[key] {
			return "", "", web.Forbidden("You can give only a role whose permissions your own role has.")
		}
		if key == u.RoleKey {
			return "", "", nil
		}
		if u.RoleKey == rbac.AdminKey && u.Status == auth.UserActive {
			if err := m.keepOneAdmin(c); err != nil {
				return "", "", err
			}
		}
		before := u.RoleKey
		if err := auth.SetRole(c.Request.Context(), m.s.Clinic(c), u.ID, key, m.s.Now()); err != nil {
			return "", "", err
		}
		u.RoleKey = key
		row.Message = "Role changed to " + row.RoleOf[key] + "."
		return "role " + before, "role " + key, nil
	})
}

// changeStatus deactivates or reactivates a person; a deactivated person's
// open sessions end on their next request.
func (m *Module) changeStatus(c *gin.Context) error {
	return m.change(c, func(u *auth.User, row *rowView) (string, string, error) {
		status := c.PostForm("status")
		if status != auth.UserActive && status != auth.UserInactive {
			return "", "", web.BadRequest("Unknown status.")
		}
		if status == u.Status {
			return "", "", nil
		}
		if status == auth.UserInactive && u.RoleKey == rbac.AdminKey {
			if err := m.keepOneAdmin(c); err != nil {
				return "", "", err
			}
		}
		before := u.Status
		if err := auth.SetStatus(c.Request.Context(), m.s.Clinic(c), u.ID, status, m.s.Now()); err != nil {
			return "", "", err
		}
		u.Status = status
		row.Message = map[string]string{auth.UserActive: "Reactivated.", auth.UserInactive: "Deactivated: signed out everywhere."}[status]
		return "status " + before, "status " + status, nil
	})
}

var errLastAdmin = errors.New("last admin")

// keepOneAdmin refuses a change that would leave the clinic without an
// active administrator. It runs under the staff lock (see change).
func (m *Module) keepOneAdmin(c *gin.Context) error {
	n, err := activeAdmins(c.Request.Context(), m.s.Clinic(c))
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
func (m *Module) change(c *gin.Context, fn func(u *auth.User, row *rowView) (before, after string, err error)) error {
	ctx := c.Request.Context()
	tdb, me := m.s.Clinic(c), m.s.User(c)
	unlock, err := tdb.Lock(ctx, "staff", m.s.Now(), time.Minute)
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
	var before, after string
	if ch.Givable[u.RoleKey] {
		before, after, err = fn(u, &row)
	} else {
		err = web.Forbidden("You can change only the accounts of people whose role has no permission yours lacks.")
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
	if before != after {
		if err := audit.For(c).Record(audit.UserUpdate, "user:"+u.ID, audit.Change(before, after)); err != nil {
			return err
		}
	}
	return m.answer(c, http.StatusOK, row)
}

func (m *Module) answer(c *gin.Context, status int, row rowView) error {
	if htmx.IsRequest(c.Request) {
		if status >= 400 {
			status = http.StatusUnprocessableEntity // htmx swaps 422: the row shows why
		}
		return m.render.Fragment(c, status, listPage, "row", web.Page{Data: row})
	}
	if status >= 400 {
		return &web.Error{Status: status, Message: row.Error, Link: "/staff", LinkText: "Back to the staff list"}
	}
	web.Redirect(c, "/staff")
	return nil
}
