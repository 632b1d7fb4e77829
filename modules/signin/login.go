package signin

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

const loginPage = "signin/login"

type loginView struct {
	Email string
	Next  string
	Reset bool // just came back from a password reset
}

// frontDoor sends visitors of a clinic's bare address where they belong.
func (m *Module) frontDoor(c *gin.Context) error {
	if auth.FromContext(c.Request.Context()) != nil {
		web.Redirect(c, "/dashboard")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

func (m *Module) showLogin(c *gin.Context) error {
	next := access.SafeNext(c.Query("next"))
	if auth.FromContext(c.Request.Context()) != nil {
		c.Redirect(http.StatusSeeOther, orDashboard(next))
		return nil
	}
	return m.render.Page(c, http.StatusOK, loginPage, web.Page{Title: "Sign in", Data: loginView{Next: next, Reset: c.Query("reset") == "done"}})
}

// wrong is the one answer for an unknown email, another clinic's user and a
// wrong password: no one learns which accounts exist.
const wrong = "Wrong email or password."

func (m *Module) login(c *gin.Context) error {
	ctx := c.Request.Context()
	t := tenant.FromContext(ctx)
	tdb := tenant.DB(ctx)
	now := m.core.Clock.Now()
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	password := c.PostForm("password")
	v := loginView{Email: email, Next: access.SafeNext(c.PostForm("next"))}
	if len(email) > 254 || len(password) > 1024 {
		return m.refuse(c, http.StatusUnprocessableEntity, v, wrong)
	}
	ip := c.ClientIP()

	attempt, until, err := m.core.Limiter.Begin(ctx, t.ID, email, ip, now)
	if err != nil {
		return err
	}
	if attempt == nil {
		return m.refuse(c, http.StatusTooManyRequests, v,
			"Too many failed sign-in attempts. For your clinic's safety, try again in "+auth.WaitMinutes(until.Sub(now))+", or reset your password.")
	}

	u, err := auth.UserByEmail(ctx, tdb, email)
	ok := false
	switch err {
	case nil:
		ok = auth.CheckPassword(u.PasswordHash, password)
	case auth.ErrUserNotFound:
		auth.CheckPassword(dummyHash(), password) // same time as a real check
	default:
		return err
	}
	if !ok {
		// The attempt stays recorded: it is the failure that counts.
		_ = audit.Record(ctx, tdb, audit.Entry{At: now, ActorEmail: email, Action: audit.SignInFailure, IP: ip})
		return m.refuse(c, http.StatusUnprocessableEntity, v, wrong)
	}
	if err := attempt.Cancel(ctx); err != nil {
		return err
	}
	if u.Status != auth.UserActive {
		_ = audit.Record(ctx, tdb, audit.Entry{At: now, ActorID: u.ID, ActorEmail: email, Action: audit.SignInFailure, After: "deactivated", IP: ip})
		return m.refuse(c, http.StatusForbidden, v, "This account is deactivated. Ask your clinic's administrator.")
	}

	if u.TOTPEnabled {
		// The password was right; the session signs no one in until the
		// second factor is given on /login/code.
		if err := m.core.Sessions.Start(c, session.Data{UserID: u.ID, TenantID: t.ID, Email: u.Email, Pending: true, AuthAt: now, CreatedAt: now, LastSeen: now}); err != nil {
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

// signIn starts the user's session under a new id and records it.
func (m *Module) signIn(c *gin.Context, u *auth.User, next string) error {
	ctx := c.Request.Context()
	t, tdb := tenant.FromContext(ctx), tenant.DB(ctx)
	now := m.core.Clock.Now()
	idle := tenant.DefaultIdleMinutes
	if s, err := tenant.LoadSettings(ctx, tdb); err == nil && s.IdleMinutes > 0 {
		idle = s.IdleMinutes
	}
	if err := m.core.Sessions.Start(c, session.Data{
		UserID: u.ID, TenantID: t.ID, Email: u.Email, RoleKey: u.RoleKey, IdleMinutes: idle,
		AuthAt: now, CreatedAt: now, LastSeen: now,
	}); err != nil {
		return err
	}
	m.core.CSRF.Forget(c)
	_ = m.core.Limiter.Forget(ctx, t.ID, u.Email)
	if err := audit.Record(ctx, tdb, audit.Entry{At: now, ActorID: u.ID, ActorEmail: u.Email, Action: audit.SignInSuccess, IP: c.ClientIP()}); err != nil {
		return err
	}
	web.Redirect(c, orDashboard(next))
	return nil
}

func (m *Module) refuse(c *gin.Context, status int, v loginView, msg string) error {
	return m.render.Page(c, status, loginPage, web.Page{Title: "Sign in", Data: v, Errors: map[string]string{"form": msg}})
}

func (m *Module) logout(c *gin.Context) error {
	ctx := c.Request.Context()
	u := auth.FromContext(ctx)
	if err := audit.Record(ctx, tenant.DB(ctx), audit.Entry{At: m.core.Clock.Now(), ActorID: u.ID, ActorEmail: u.Email, Action: audit.SignOut, IP: c.ClientIP()}); err != nil {
		return err
	}
	if err := m.core.Sessions.End(c); err != nil {
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
