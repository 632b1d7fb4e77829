package signin

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/core/web"
)

// msgHandoffInvalid answers a hand-off link that cannot sign anyone in.
const msgHandoffInvalid = "That sign-in link has expired or was used already. Sign in with your email address and password."

// welcome is where the sign-up sends the new clinic's admin: the hand-off
// token (core/tenant) starts their session here, on the clinic's own host,
// exactly as signing in does, and the dashboard welcomes them.
func (m *Module) welcome(c *gin.Context) error {
	u, err := m.S.SignIn().Handoff(c, c.Query("token"))
	if errors.Is(err, tenant.ErrHandoffInvalid) {
		web.Flash(c, msgHandoffInvalid)
		c.Redirect(http.StatusSeeOther, "/login")
		return nil
	}
	if err != nil {
		return err
	}
	return m.signIn(c, u, "/dashboard")
}
