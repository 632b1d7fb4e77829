package signin

import "github.com/gin-gonic/gin"

// showInvitation is the page a new staff member opens from the mail that
// invites them (modules/staff): the clinic's welcome and the form to choose
// their first password. The link's token is a password token like a
// reset's; the form posts to /password/reset with invite=1, which words
// the answers for a newcomer.
func (m *Module) showInvitation(c *gin.Context) error {
	return m.choosePassword(c, true)
}
