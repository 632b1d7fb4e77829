package staff

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/rbac"
	"github.com/wardclinic/ward/core/web"
)

var profilePage = web.NewPage("staff/profile")

type profileView struct {
	User     *auth.User
	RoleName string
	Setup    *auth.TOTPSetup // while turning on two-step sign-in
	Codes    []string        // recovery codes, shown once
}

func (m *Module) profileView(c *gin.Context) profileView {
	u := m.S.User(c)
	v := profileView{User: u, RoleName: u.RoleKey}
	if r, err := rbac.RoleByKey(c.Request.Context(), m.S.Clinic(c), u.RoleKey); err == nil {
		v.RoleName = r.Name
	}
	return v
}

func (m *Module) profile(c *gin.Context) error {
	return m.S.Render.Page(c, http.StatusOK, profilePage, web.Page{Title: "My profile", Data: m.profileView(c)})
}

func (m *Module) profileErrors(c *gin.Context, status int, v profileView, errs map[string]string) error {
	return m.S.Render.Page(c, status, profilePage, web.Page{Title: "My profile", Data: v, Errors: errs})
}

// changePassword needs the current password: a session left open on a
// shared computer must not be enough to take over the account. Every other
// session of the user ends; this one continues under a new id.
func (m *Module) changePassword(c *gin.Context) error {
	t, u := m.S.Tenant(c), m.S.User(c)
	now := m.S.Now()
	v := m.profileView(c)
	pw := c.PostForm("password")
	status, errs := http.StatusUnprocessableEntity, map[string]string{}
	wrong, err := m.checkCurrent(c, u, now)
	if err != nil {
		return err
	}
	if wrong != nil {
		status, errs["current"] = wrong.Status, wrong.Message
	} else if msg := auth.CheckNewPassword(pw, t.Name, u.Email, u.Name); msg != "" {
		errs["password"] = msg
	} else if pw != c.PostForm("confirm") {
		errs["confirm"] = "The two passwords are not the same."
	}
	if len(errs) > 0 {
		return m.profileErrors(c, status, v, errs)
	}
	if err := auth.SetPassword(c.Request.Context(), m.S.Clinic(c), u.ID, pw, now); err != nil {
		return err
	}
	if err := audit.For(c).Record(audit.PasswordChange, "user:"+u.ID); err != nil {
		return err
	}
	d, _ := m.S.SignIn().Current(c)
	d.AuthAt, d.CreatedAt, d.LastSeen = now, now, now
	if err := m.S.SignIn().Start(c, d); err != nil {
		return err
	}
	// After Start: the message is kept in the new session.
	web.Flash(c, "Your password was changed.")
	web.Redirect(c, "/profile")
	return nil
}

// checkCurrent checks the current password a change needs, and says why
// not (nil when it is right). Wrong guesses count as failed sign-ins, so an
// open session cannot be used to try passwords without limit.
func (m *Module) checkCurrent(c *gin.Context, u *auth.User, now time.Time) (*web.Error, error) {
	ctx := c.Request.Context()
	src := m.S.SignIn().Source(c, u.Email, u)
	attempt, wait, err := m.S.SignIn().Begin(c, src)
	if err != nil {
		return nil, err
	}
	if attempt == nil {
		return &web.Error{Status: http.StatusTooManyRequests, Message: "Too many wrong passwords. Try again in " + auth.WaitText(wait) + "."}, nil
	}
	if auth.CheckPassword(u.PasswordHash, c.PostForm("current")) {
		return nil, attempt.Cancel(ctx)
	}
	return &web.Error{Status: http.StatusUnprocessableEntity, Message: "That is not your current password."}, nil
}

// startTOTP shows a new secret to scan; nothing changes until a code from
// the app confirms it.
func (m *Module) startTOTP(c *gin.Context) error {
	v := m.profileView(c)
	setup, err := auth.NewTOTP(m.S.Tenant(c).Name, m.S.User(c).Email)
	if err != nil {
		return err
	}
	v.Setup = &setup
	return m.S.Render.Page(c, http.StatusOK, profilePage, web.Page{Title: "My profile", Data: v})
}

func (m *Module) enableTOTP(c *gin.Context) error {
	u := m.S.User(c)
	now := m.S.Now()
	secret := c.PostForm("secret")
	// again shows the same set-up with the error: the app already has it.
	again := func(status int, field, msg string) error {
		setup, err := auth.TOTPSetupFor(m.S.Tenant(c).Name, u.Email, secret)
		if err != nil {
			return err
		}
		v := m.profileView(c)
		v.Setup = &setup
		return m.profileErrors(c, status, v, map[string]string{field: msg})
	}
	// The password too: an open session alone must not be enough to tie
	// the account to someone else's phone.
	wrong, err := m.checkCurrent(c, u, now)
	if err != nil {
		return err
	}
	if wrong != nil {
		return again(wrong.Status, "totpCurrent", wrong.Message)
	}
	codes, err := auth.EnableTOTP(c.Request.Context(), m.S.Clinic(c), u.ID, secret, c.PostForm("code"), now)
	if errors.Is(err, auth.ErrCodeInvalid) {
		return again(http.StatusUnprocessableEntity, "code", "That code did not match. Enter the code your app shows now.")
	}
	if err != nil {
		return err
	}
	if err := audit.For(c).Record(audit.TOTPEnable, "user:"+u.ID); err != nil {
		return err
	}
	v := m.profileView(c)
	v.User.TOTPEnabled = true
	v.Codes = codes
	// Shown on this page, not after a redirect: the recovery codes are
	// shown once and must not be kept anywhere.
	return m.S.Render.Page(c, http.StatusOK, profilePage, web.Page{Title: "My profile", Data: v,
		Flash: "Two-step sign-in is on. Keep these recovery codes somewhere safe: each works once, if you lose your phone."})
}

func (m *Module) disableTOTP(c *gin.Context) error {
	u := m.S.User(c)
	now := m.S.Now()
	wrong, err := m.checkCurrent(c, u, now)
	if err != nil {
		return err
	}
	if wrong != nil {
		return m.profileErrors(c, wrong.Status, m.profileView(c), map[string]string{"totpCurrent": wrong.Message})
	}
	if err := auth.DisableTOTP(c.Request.Context(), m.S.Clinic(c), u.ID, now); err != nil {
		return err
	}
	if err := audit.For(c).Record(audit.TOTPDisable, "user:"+u.ID); err != nil {
		return err
	}
	web.Flash(c, "Two-step sign-in is off.")
	web.Redirect(c, "/profile")
	return nil
}
