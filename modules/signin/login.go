package signin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/web"
)

var loginPage = web.NewPage("signin/login")

type loginView struct {
	Email string
	Next  string
}

// frontDoor sends visitors of a clinic's bare address where they belong.
func (m *Module) frontDoor(c *gin.Context) error {
	if m.S.User(c) != nil {
		web.Redirect(c, "/dashboard")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

func (m *Module) showLogin(c *gin.Context) error {
	next := access.SafeNext(c.Query("next"))
	if m.S.User(c) != nil {
		c.Redirect(http.StatusSeeOther, orDashboard(next))
		return nil
	}
	return m.S.Render.Page(c, http.StatusOK, loginPage, web.Page{Title: "Sign in", Data: loginView{Next: next}})
}

// wrong is the one answer for an unknown email, another clinic's user and a
// wrong password: no one learns which accounts exist.
const wrong = "Wrong email or password."

func (m *Module) login(c *gin.Context) error {
	ctx := c.Request.Context()
	now := m.S.Now()
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	v := loginView{Email: email, Next: access.SafeNext(c.PostForm("next"))}
	if len(email) > 254 || len(password) > 1024 {
		return m.refuse(c, http.StatusUnprocessableEntity, v, wrong)
	}

	// The account is looked up first: whether this browser is one of its
	// known devices decides which failures count. An unknown email has no
	// devices, and is limited like any account seen from an unknown device.
	u, err := auth.UserByEmail(ctx, m.S.Clinic(c), email)
	if err != nil && !errors.Is(err, auth.ErrUserNotFound) {
		return err
	}
	attempt, wait, err := m.S.SignIn().Begin(c, m.source(c, email, u))
	if err != nil {
		return err
	}
	if attempt == nil {
		return m.tooMany(c, v, wait)
	}

	ok := false
	if u != nil {
		ok = auth.CheckPassword(u.PasswordHash, password)
	} else {
		auth.CheckPassword(dummyHash(), password) // same time as a real check
	}
	if !ok {
		// The attempt stays recorded: it is the failure that counts. The
		// entry names the email tried but no user: a wrong password says
		// nothing about who typed it.
		_ = audit.For(c).As("", email).Record(audit.SignInFailure, "")
		return m.refuse(c, http.StatusUnprocessableEntity, v, wrong)
	}
	if err := attempt.Cancel(ctx); err != nil {
		return err
	}
	if u.Status != auth.UserActive {
		_ = audit.For(c).As(u.ID, email).Record(audit.SignInFailure, "", audit.Note("deactivated"))
		return m.refuse(c, http.StatusForbidden, v, "This account is deactivated. Ask your clinic's administrator.")
	}

	if u.TOTPEnabled {
		// The password was right; the session signs no one in until the
		// second factor is given on /login/code.
		if err := m.S.SignIn().Start(c, session.Data{UserID: u.ID, Email: u.Email, Pending: true, AuthAt: now, CreatedAt: now, LastSeen: now}); err != nil {
			return err
		}
		target := "/login/code"
		if v.Next != "" {
			target += "?next=" + url.QueryEscape(v.Next)
		}
		web.Redirect(c, target)
		return nil
	}
	return m.signIn(c, u, v.Next)
}

// signIn starts the user's session under a new id and records it. The
// browser becomes (or stays) a known device of the user.
func (m *Module) signIn(c *gin.Context, u *auth.User, next string) error {
	now := m.S.Now()
	if err := m.S.SignIn().Start(c, session.Data{
		UserID: u.ID, Email: u.Email, RoleKey: u.RoleKey,
		AuthAt: now, CreatedAt: now, LastSeen: now,
	}); err != nil {
		return err
	}
	_ = m.S.SignIn().Succeeded(c, m.source(c, u.Email, u))
	if err := m.S.SignIn().Remember(c, u); err != nil {
		return err
	}
	// The request was bound to its audit log before anyone was signed in:
	// the entry names the person explicitly.
	if err := audit.For(c).As(u.ID, u.Email).Record(audit.SignInSuccess, ""); err != nil {
		return err
	}
	web.Redirect(c, orDashboard(next))
	return nil
}

func (m *Module) refuse(c *gin.Context, status int, v loginView, msg string) error {
	return m.S.Render.Page(c, status, loginPage, web.Page{Title: "Sign in", Data: v, Errors: map[string]string{"form": msg}})
}

// tooMany answers a sign-in that must wait: at once, with the wait.
func (m *Module) tooMany(c *gin.Context, v loginView, wait time.Duration) error {
	c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
	return m.refuse(c, http.StatusTooManyRequests, v,
		"Too many failed sign-in attempts. For your clinic's safety, try again in "+auth.WaitText(wait)+", or reset your password.")
}

// source is who checks a password or code of the account email (u, or nil
// when no one has it) in this clinic.
func (m *Module) source(c *gin.Context, email string, u *auth.User) auth.Source {
	return m.S.SignIn().Source(c, email, u)
}

// logout records the sign-out while the session still names who it is,
// then ends it.
func (m *Module) logout(c *gin.Context) error {
	if err := audit.For(c).Record(audit.SignOut, ""); err != nil {
		return err
	}
	if err := m.S.SignIn().End(c); err != nil {
		return err
	}
	web.Redirect(c, "/login")
	return nil
}

func orDashboard(next string) string {
	if next == "" {
		return "/dashboard"
	}
	return next
}

var (
	dummyOnce sync.Once
	dummy     string
)

// dummyHash is a valid hash of nothing anyone knows, checked when the email
// is unknown so both answers take as long.
func dummyHash() string {
	dummyOnce.Do(func() { dummy, _ = auth.HashPassword("no account has this password, it only costs time") })
	return dummy
}
