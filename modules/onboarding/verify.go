package onboarding

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/web"
)

// The admin who signed a clinic up confirms their email address with the
// link in the confirmation mail; until then the clinic's other mail waits
// (core/mail's hold) and its admins see a banner with a Resend button.

var confirmPage = web.NewPage("onboarding/confirm")

// resendEvery is how often an admin may have the link sent again: the
// button must not become a way to flood someone's inbox.
const resendEvery = 5 * time.Minute

// confirmView is what the confirmation page shows.
type confirmView struct {
	Token string
	Done  bool // the address was confirmed
	Sent  bool // a new link was sent
}

// showConfirm is where the link leads: a button that confirms, so that mail
// scanners that open links confirm nothing.
func (m *Module) showConfirm(c *gin.Context) error {
	switch {
	case c.Query("done") != "":
		return m.S.Render.Page(c, http.StatusOK, confirmPage, web.Page{Title: "Email address confirmed", Data: confirmView{Done: true}})
	case c.Query("sent") != "":
		return m.S.Render.Page(c, http.StatusOK, confirmPage, web.Page{Title: "Link sent", Data: confirmView{Sent: true}})
	}
	tok := c.Query("token")
	if err := mail.CheckLink(c.Request.Context(), m.S.Clinic(c), tok, m.S.Now()); errors.Is(err, mail.ErrLinkInvalid) {
		return m.badLink(c)
	} else if err != nil {
		return err
	}
	return m.S.Render.Page(c, http.StatusOK, confirmPage, web.Page{Title: "Confirm your email address", Data: confirmView{Token: tok}})
}

// confirm uses the link: the clinic's held mail goes out.
func (m *Module) confirm(c *gin.Context) error {
	ctx := c.Request.Context()
	now := m.S.Now()
	if err := mail.Confirm(ctx, m.S.Clinic(c), c.PostForm("token"), now); errors.Is(err, mail.ErrLinkInvalid) {
		return m.badLink(c)
	} else if err != nil {
		return err
	}
	if _, err := m.platform.Tenants().EmailConfirmed(ctx, m.S.Tenant(c).ID, now); err != nil {
		return err
	}
	web.Redirect(c, "/email/verify?done=1")
	return nil
}

func (m *Module) badLink(c *gin.Context) error {
	return m.S.Render.Page(c, http.StatusGone, confirmPage, web.Page{Title: "Link expired",
		Errors: map[string]string{"form": "This link has expired, was replaced by a newer one, or was used already. " +
			"Sign in as the clinic's administrator to have a new one sent."}})
}

// resend sends a new link (the earlier one stops working) to the address
// being confirmed, at most every few minutes.
func (m *Module) resend(c *gin.Context) error {
	ctx := c.Request.Context()
	t, tdb, me := m.S.Tenant(c), m.S.Clinic(c), m.S.User(c)
	now := m.S.Now()
	if !t.EmailUnconfirmed {
		web.Redirect(c, "/email/verify?done=1")
		return nil
	}
	to := &auth.User{Name: me.Name, Email: me.Email}
	h, err := mail.CurrentHold(ctx, tdb)
	switch {
	case err == nil && now.Sub(h.SentAt) < resendEvery:
		web.Redirect(c, "/email/verify?sent=1")
		return nil
	case err == nil:
		if u, err := auth.UserByEmail(ctx, tdb, h.Address); err == nil {
			to = u
		} else if !errors.Is(err, auth.ErrUserNotFound) {
			return err
		}
		to.Email = h.Address
	case !errors.Is(err, mail.ErrNotHeld):
		return err
	}
	// With no hold (a confirmation interrupted after it released the mail),
	// this admin's own address is the one to confirm.
	tok, err := mail.HoldUntilConfirmed(ctx, tdb, to.Email, now)
	if err != nil {
		return err
	}
	if err := m.S.Mail(c, m.confirmationMail(t, to, "", tok)); err != nil {
		return err
	}
	web.Redirect(c, "/email/verify?sent=1")
	return nil
}

// DecoratePage shows the confirmation banner to a clinic's admins (those who may
// resend the link) while the address is unconfirmed.
func (m *Module) DecoratePage(c *gin.Context, g *web.Globals) {
	t := m.S.Tenant(c)
	if t == nil || !t.EmailUnconfirmed {
		return
	}
	ok, err := m.S.Can(c, resendAccess.Resource, resendAccess.Action)
	g.ConfirmEmail = err == nil && ok
}
