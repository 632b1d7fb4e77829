package signin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/access"
	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/session"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

var codePage = web.NewPage("signin/code")

// pending returns the user whose password was accepted and who still owes
// the second factor, or nil (then the person starts over at /login).
func (m *Module) pending(c *gin.Context) (*auth.User, error) {
	ctx := c.Request.Context()
	d, ok := m.s.SignIn().Current(c)
	t := tenant.FromContext(ctx)
	if !ok || !d.Pending || d.TenantID != t.ID || session.Check(d, m.s.Now(), 0) != nil {
		return nil, nil
	}
	u, err := auth.UserByID(ctx, tenant.DB(ctx), d.UserID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, nil
	}
	return u, err
}

func (m *Module) showCode(c *gin.Context) error {
	u, err := m.pending(c)
	if err != nil {
		return err
	}
	if u == nil {
		c.Redirect(http.StatusSeeOther, "/login")
		return nil
	}
	return m.render.Page(c, http.StatusOK, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: access.SafeNext(c.Query("next"))}})
}

func (m *Module) code(c *gin.Context) error {
	ctx := c.Request.Context()
	u, err := m.pending(c)
	if err != nil {
		return err
	}
	if u == nil {
		web.Redirect(c, "/login")
		return nil
	}
	tdb := tenant.DB(ctx)
	now := m.s.Now()
	next := access.SafeNext(c.PostForm("next"))
	attempt, wait, err := m.s.SignIn().Begin(c, m.source(c, u.Email, u))
	if err != nil {
		return err
	}
	if attempt == nil {
		_ = m.s.SignIn().End(c)
		c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
		return m.render.Page(c, http.StatusTooManyRequests, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: next},
			Errors: map[string]string{"form": "Too many wrong codes. Sign in again in " + auth.WaitText(wait) + "."}})
	}
	code := strings.TrimSpace(c.PostForm("code"))
	if err := auth.VerifySecondFactor(ctx, tdb, u, code, now); err != nil {
		// The attempt stays recorded as a failure.
		_ = audit.Record(ctx, tdb, audit.Entry{At: now, ActorID: u.ID, ActorEmail: u.Email, Action: audit.SignInFailure, After: "wrong second factor", IP: c.ClientIP()})
		return m.render.Page(c, http.StatusUnprocessableEntity, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: next},
			Errors: map[string]string{"code": "That code is not right, or was used already. Enter the current code from your app, or a recovery code."}})
	}
	return m.signIn(c, u, next)
}
