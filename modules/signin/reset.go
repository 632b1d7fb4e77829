package signin

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/web"
)

var (
	forgotPage = web.NewPage("signin/forgot")
	resetPage  = web.NewPage("signin/reset")
)

type resetView struct {
	Email string
	Sent  bool
	Token string
	// Name is the account's owner, greeted on an invitation.
	Name string
	// Invite: the page was opened from an invitation (invite.go), so it
	// welcomes a new staff member instead of resetting a password.
	Invite bool
}

func (m *Module) showForgot(c *gin.Context) error {
	return m.S.Render.Page(c, http.StatusOK, forgotPage, web.Page{Title: "Reset your password", Data: resetView{}})
}

// forgotFloor is the least time forgot takes to answer. The work for a
// real account (a token, a mail) takes a few milliseconds more than none,
// and the time must not tell which accounts exist any more than the page.
const forgotFloor = 150 * time.Millisecond

// forgot emails a reset link if the account exists. The answer is the same
// either way, so the page tells no one which accounts exist.
func (m *Module) forgot(c *gin.Context) error {
	began := time.Now() // real time, not the clinic's clock: this is about response times
	ctx := c.Request.Context()
	t, tdb := m.S.Tenant(c), m.S.Clinic(c)
	now := m.S.Now()
	email, msg := auth.NormalizeEmail(c.PostForm("email"))
	if msg != "" {
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, forgotPage, web.Page{Title: "Reset your password",
			Data: resetView{Email: c.PostForm("email")}, Errors: map[string]string{"email": msg}})
	}
	u, err := auth.UserByEmail(ctx, tdb, email)
	switch {
	case errors.Is(err, auth.ErrUserNotFound):
	case err != nil:
		return err
	case u.Status == auth.UserActive:
		// One link per account every few minutes: the form must not become a
		// way to flood someone's inbox.
		recent, err := tdb.Collection(auth.ResetTokensCollection).Count(ctx, db.And(db.Eq("userId", u.ID),
			db.Gt("createdAt", now.Add(-5*time.Minute))))
		if err != nil {
			return err
		}
		if recent == 0 {
			tok, err := auth.NewResetToken(ctx, tdb, u.ID, auth.ResetTTL, now)
			if err != nil {
				return err
			}
			link := m.S.Link(c, "/password/reset?token="+tok)
			// Account mail: while a new clinic's mail is held, a reset still
			// reaches the address being confirmed (core/mail, hold.go).
			if err := m.S.Mail(c, mail.Message{To: u.Email, Account: true, Subject: "Reset your Ward password for " + t.Name,
				Text: "Hello " + u.Name + ",\n\nSomeone (hopefully you) asked to reset your password at " + t.Name + ".\n" +
					"Open this link within an hour to choose a new one. It works once:\n\n    " + link + "\n\n" +
					"If you did not ask, ignore this message: your password stays as it is.\n\n— Ward\n"}); err != nil {
				return err
			}
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(began.Add(forgotFloor))):
	}
	return m.S.Render.Page(c, http.StatusOK, forgotPage, web.Page{Title: "Reset your password", Data: resetView{Email: email, Sent: true}})
}

func (m *Module) showReset(c *gin.Context) error {
	return m.choosePassword(c, false)
}

// choosePassword shows the form to choose a password with the link's
// token: for a reset, or (invite) for a new staff member's invitation. It
// names the account — the email as a read-only username field, so a
// password manager saves the new password under the right name.
func (m *Module) choosePassword(c *gin.Context, invite bool) error {
	tok := c.Query("token")
	u, err := m.tokenUser(c, tok)
	if errors.Is(err, auth.ErrTokenInvalid) {
		return m.badLink(c, invite)
	}
	if err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, resetPage, web.Page{Title: passwordTitle(invite), Data: viewFor(u, tok, invite)})
}

// tokenUser is the account a password link is for; an unknown, used or
// expired token, or one whose account is gone, is auth.ErrTokenInvalid.
func (m *Module) tokenUser(c *gin.Context, tok string) (*auth.User, error) {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	userID, err := auth.CheckResetToken(ctx, tdb, tok, m.S.Now())
	if err != nil {
		return nil, err
	}
	u, err := auth.UserByID(ctx, tdb, userID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return nil, auth.ErrTokenInvalid
	}
	return u, err
}

func viewFor(u *auth.User, tok string, invite bool) resetView {
	return resetView{Token: tok, Email: u.Email, Name: u.Name, Invite: invite}
}

// passwordTitle is the title of the page to choose a password.
func passwordTitle(invite bool) string {
	if invite {
		return "Welcome: choose your password"
	}
	return "Choose a new password"
}

// badLink answers a link that no longer works. An invitation's is
// explained differently: whoever manages the clinic's staff sends a new
// one.
func (m *Module) badLink(c *gin.Context, invite bool) error {
	title, msg := "Link expired", "This link has expired or was used already. Ask for a new one."
	if invite {
		title, msg = "Invitation expired", "This invitation has expired or was used already. "+
			"Ask whoever manages staff at the clinic to send you a new one; if you already chose your password, sign in."
	}
	return m.S.Render.Page(c, http.StatusGone, resetPage, web.Page{Title: title, Data: resetView{Invite: invite},
		Errors: map[string]string{"form": msg}})
}

func (m *Module) reset(c *gin.Context) error {
	ctx := c.Request.Context()
	t, tdb := m.S.Tenant(c), m.S.Clinic(c)
	now := m.S.Now()
	tok, invite := c.PostForm("token"), c.PostForm("invite") == "1"
	u, err := m.tokenUser(c, tok)
	if errors.Is(err, auth.ErrTokenInvalid) {
		return m.badLink(c, invite)
	}
	if err != nil {
		return err
	}
	pw := c.PostForm("password")
	errs := map[string]string{}
	if msg := auth.CheckNewPassword(pw, t.Name, u.Email, u.Name); msg != "" {
		errs["password"] = msg
	} else if pw != c.PostForm("confirm") {
		errs["confirm"] = "The two passwords are not the same."
	}
	if len(errs) > 0 {
		return m.S.Render.Page(c, http.StatusUnprocessableEntity, resetPage, web.Page{Title: passwordTitle(invite),
			Data: viewFor(u, tok, invite), Errors: errs})
	}
	if _, err := auth.UseResetToken(ctx, tdb, tok, pw, now); err != nil {
		if errors.Is(err, auth.ErrTokenInvalid) {
			return m.badLink(c, invite)
		}
		return err
	}
	// The lockout message offers a reset: a reset lifts the lockout.
	if err := m.S.SignIn().Forget(c, u.Email); err != nil {
		return err
	}
	// No one is signed in: the link in the mail proved who this is.
	if err := audit.For(c).As(u.ID, u.Email).Record(audit.PasswordReset, "user:"+u.ID); err != nil {
		return err
	}
	if invite {
		web.Flash(c, "Your password is saved. Welcome to "+t.Name+": sign in with your email and the new password.")
	} else {
		web.Flash(c, "Your password was changed. Sign in with the new one.")
	}
	web.Redirect(c, "/login")
	return nil
}
