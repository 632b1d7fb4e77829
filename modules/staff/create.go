package staff

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/text"
	"github.com/wardclinic/ward/core/web"
)

var newPage = web.NewPage("staff/new")

// newForm is the add-a-person form.
type newForm struct {
	Name    string
	Email   string
	RoleKey string
}

type newView struct {
	Form  newForm
	Roles []rbac.Role
}

// personName is a staff member's name: shown in the staff list, the audit
// log and the mail that invites them.
var personName = text.Field{Label: "Name", Max: 100, Required: true, Missing: "Enter the person's name."}

func (f *newForm) validate(roleOf map[string]string) map[string]string {
	errs := map[string]string{}
	if name, msg := personName.Check(f.Name); msg != "" {
		errs["name"] = msg
	} else {
		f.Name = name
	}
	email, msg := auth.NormalizeEmail(f.Email)
	if msg != "" {
		errs["email"] = msg
	} else {
		f.Email = email
	}
	if _, ok := roleOf[f.RoleKey]; !ok {
		errs["roleKey"] = "Choose a role."
	}
	return errs
}

func (m *Module) showNew(c *gin.Context) error {
	ch, err := m.roleChoices(c, m.S.User(c))
	if err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, newPage, web.Page{Title: "Add a person",
		Data: newView{Roles: ch.Roles, Form: newForm{RoleKey: "receptionist"}}})
}

// create adds a user with a password no one knows and emails them a link to
// choose their own: the admin never handles anyone's password.
func (m *Module) create(c *gin.Context) error {
	ctx := c.Request.Context()
	t, tdb, me := m.S.Tenant(c), m.S.Clinic(c), m.S.User(c)
	now := m.S.Now()
	f := newForm{Name: strings.TrimSpace(c.PostForm("name")), Email: strings.TrimSpace(c.PostForm("email")), RoleKey: c.PostForm("roleKey")}
	ch, err := m.roleChoices(c, me)
	if err != nil {
		return err
	}
	invalid := func(errs map[string]string) error {
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, newPage, web.Page{Title: "Add a person", Data: newView{Form: f, Roles: ch.Roles}, Errors: errs})
	}
	errs := f.validate(ch.Names)
	if _, ok := errs["roleKey"]; !ok && !ch.Givable[f.RoleKey] {
		errs["roleKey"] = "You can add people only with a role whose permissions your own role has."
	}
	if len(errs) > 0 {
		return invalid(errs)
	}
	u := &auth.User{Name: f.Name, Email: f.Email, RoleKey: f.RoleKey}
	err = auth.CreateUser(ctx, tdb, u, unguessable(), now)
	if errors.Is(err, auth.ErrEmailTaken) {
		return invalid(map[string]string{"email": "Someone in this clinic already signs in with this email."})
	}
	if err != nil {
		return err
	}
	if err := recordInvitation(ctx, tdb, u, now); err != nil {
		return err
	}
	intro := me.Name + " added you to " + t.Name + " on Ward as " + ch.Names[u.RoleKey] + "."
	if err := m.sendInvitation(c, u, intro, 1); err != nil {
		return err
	}
	if err := audit.For(c).Record(audit.UserCreate, "user:"+u.ID, audit.Label(u.Name), audit.Note(u.Name+" <"+u.Email+"> as "+u.RoleKey)); err != nil {
		return err
	}
	web.Flash(c, added(u.Email, t.EmailUnconfirmed))
	web.Redirect(c, "/staff")
	return nil
}

// added is what the staff list says after someone is added. A clinic whose
// address is not confirmed yet has its mail held (core/mail), the
// invitation too: the admin should not tell the person to look for it.
func added(email string, mailHeld bool) string {
	if mailHeld {
		return email + " was added and will be sent an email to choose a password once this clinic's email address is confirmed."
	}
	return email + " was added and has been sent an email to choose a password."
}

// unguessable is a throw-away password for a new account until its owner
// chooses one.
func unguessable() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
