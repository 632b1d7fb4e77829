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
	"github.com/wardclinic/ward/core/web"
)

var codePage = web.NewPage("signin/code")

// pending returns the user whose password was accepted and who still owes
// the second factor, or nil (then the person starts over at /login).
func (m *Module) pending(c *gin.Context) (*auth.User, error) {
	d, ok := m.S.SignIn().Current(c)
	if !ok || !d.Pending || d.TenantID != m.S.Tenant(c).ID || session.Check(d, m.S.Now(), 0) != nil {
		return nil, nil
	}
	u, err := auth.UserByID(c.Request.Context(), m.S.Clinic(c), d.UserID)
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
	return m.S.Render.Page(c, http.StatusOK, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: access.SafeNext(c.Query("next"))}})
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
	next := access.SafeNext(c.PostForm("next"))
	attempt, wait, err := m.S.SignIn().Begin(c, m.source(c, u.Email, u))
	if err != nil {
		return err
	}
	if attempt == nil {
		_ = m.S.SignIn().End(c)
		c.Header("Retry-After", strconv.Itoa(auth.WaitSeconds(wait)))
		return m.S.Render.Page(c, http.StatusTooManyRequests, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: next},
			Errors: map[string]string{"form": "Too many wrong codes. Sign in again in " + auth.WaitText(wait) + "."}})
	}
	code := strings.TrimSpace(c.PostForm("code"))
	if err := auth.VerifySecondFactor(ctx, m.S.Clinic(c), u, code, m.S.Now()); err != nil {
		// The attempt stays recorded as a failure.
		_ = audit.For(c).As(u.ID, u.Email).Record(audit.SignInFailure, "", audit.Note("wrong second factor"))
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, codePage, web.Page{Title: "Enter your code", Data: loginView{Next: next},
			Errors: map[string]string{"code": "That code is not right, or was used already. Enter the current code from your app, or a recovery code."}})
	}
	return m.signIn(c, u, next)
}
