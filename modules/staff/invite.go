package staff

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/mail"
	"github.com/wardclinic/ward/core/web"
)

// invitationsCollection keeps one document per person added from the staff
// pages: when their invitation was last sent, and the fingerprint of the
// throw-away password their account was made with. While the account still
// has that password its owner has not chosen one: the staff list shows
// them as Invited, and a new invitation may be sent.
const invitationsCollection = "staff_invitations"

// indexes: an invitation is read by its person's id (the _id); the staff
// list reads the clinic's invitations.
var indexes = []db.Index{
	{Collection: invitationsCollection, Keys: []string{db.TenantField, "sentAt"}},
}

// resendEvery is the least time between two invitations to one person: a
// double click, or an impatient admin, must not flood their inbox.
const resendEvery = time.Minute

// actionInvite is the audit code of an invitation sent again (the first
// one is part of adding the person: audit.UserCreate).
const actionInvite = "user.invite"

// invitation is one person's invitation.
type invitation struct {
	ID          string    `bson:"_id"` // the person's user id
	TenantID    string    `bson:"tenantId"`
	Placeholder string    `bson:"placeholder"` // fingerprint of the password hash the account was made with
	SentAt      time.Time `bson:"sentAt"`
	Sends       int64     `bson:"sends"` // invitations sent, the first included
}

// fingerprint stands for a password hash in an invitation: enough to tell
// whether the account's password changed, nothing to check a password with.
func fingerprint(passwordHash string) string {
	s := sha256.Sum256([]byte(passwordHash))
	return hex.EncodeToString(s[:])
}

// pending reports whether u still has the password the invitation was
// made with: they have not chosen their own yet. u must carry its
// password hash.
func (inv invitation) pending(u *auth.User) bool {
	return inv.Placeholder != "" && u.PasswordHash != "" && fingerprint(u.PasswordHash) == inv.Placeholder
}

// recordInvitation notes that u, just made with a throw-away password, was
// sent their first invitation.
func recordInvitation(ctx context.Context, tdb *db.Tenant, u *auth.User, now time.Time) error {
	return tdb.Collection(invitationsCollection).Insert(ctx, invitation{ID: u.ID, Placeholder: fingerprint(u.PasswordHash), SentAt: now, Sends: 1})
}

// invitations returns the clinic's invitations by person.
func invitations(ctx context.Context, tdb *db.Tenant) (map[string]invitation, error) {
	var invs []invitation
	if err := tdb.Collection(invitationsCollection).Find(ctx, db.Filter{}, &invs, db.FindOptions{Limit: 1000}); err != nil {
		return nil, err
	}
	out := make(map[string]invitation, len(invs))
	for _, inv := range invs {
		out[inv.ID] = inv
	}
	return out, nil
}

// invited reports whether u was invited and has not chosen a password yet.
func invited(ctx context.Context, tdb *db.Tenant, u *auth.User) (bool, invitation, error) {
	var inv invitation
	err := tdb.Collection(invitationsCollection).FindOne(ctx, db.ID(u.ID), &inv)
	if errors.Is(err, db.ErrNotFound) {
		return false, inv, nil
	}
	return err == nil && inv.pending(u), inv, err
}

// inviteMail is the invitation to u: intro says who invites them, link is
// where they choose their password.
func inviteMail(clinic, intro, link string, u *auth.User) string {
	return "Hello " + u.Name + ",\n\n" + intro + "\n" +
		"Choose your password within 7 days with this link (it works once):\n\n    " + link + "\n\n" +
		"You will sign in to " + clinic + " with this email address, " + u.Email + ".\n\n— Ward\n"
}

// sendInvitation gives u a new link to choose their password — every
// earlier link of theirs stops working — and mails it. sends counts the
// invitations, this one included: each is its own message in the outbox.
func (m *Module) sendInvitation(c *gin.Context, u *auth.User, intro string, sends int64) error {
	ctx, tdb := c.Request.Context(), m.S.Clinic(c)
	if _, err := tdb.Collection(auth.ResetTokensCollection).DeleteMany(ctx, db.Eq("userId", u.ID)); err != nil {
		return err
	}
	tok, err := auth.NewResetToken(ctx, tdb, u.ID, auth.InviteTTL, m.S.Now())
	if err != nil {
		return err
	}
	key := "invite:" + u.ID
	if sends > 1 {
		key += ":" + strconv.FormatInt(sends, 10)
	}
	clinic := m.S.Tenant(c).Name
	return m.S.Mail(c, mail.Message{Key: key, To: u.Email, Subject: "You have been added to " + clinic + " on Ward",
		Text: inviteMail(clinic, intro, m.S.Link(c, "/invitation?token="+tok), u)})
}

// resendInvitation sends a person who has not chosen a password yet a new
// invitation, at most once a minute; the link of the earlier one stops
// working.
func (m *Module) resendInvitation(c *gin.Context) error {
	ctx := c.Request.Context()
	t, tdb, me := m.S.Tenant(c), m.S.Clinic(c), m.S.User(c)
	u, ch, err := m.person(c)
	if err != nil {
		return err
	}
	refuse := func(status int, msg string) error {
		return &web.Error{Status: status, Message: msg, Link: "/staff", LinkText: "Back to the staff list"}
	}
	if u.Status != auth.UserActive {
		return refuse(http.StatusConflict, u.Name+" is deactivated. Reactivate them before sending a new invitation.")
	}
	if t.EmailUnconfirmed {
		return refuse(http.StatusConflict, "This clinic's email address is not confirmed yet, so Ward sends no mail: "+
			u.Name+"'s invitation waits and goes out once the address is confirmed.")
	}
	pending, inv, err := invited(ctx, tdb, u)
	if err != nil {
		return err
	}
	if !pending {
		return refuse(http.StatusConflict, u.Name+" has already chosen a password, so there is no invitation to send. "+
			"If they forgot it, they can reset it from the sign-in page.")
	}
	now := m.S.Now()
	claimed, err := tdb.Collection(invitationsCollection).Update(ctx, db.And(db.ID(u.ID), db.Lte("sentAt", now.Add(-resendEvery))),
		db.Set("sentAt", now).Inc("sends", 1))
	if err != nil {
		return err
	}
	if claimed == 0 {
		return refuse(http.StatusTooManyRequests, "An invitation was sent to "+u.Name+" less than a minute ago. Wait a minute before sending another.")
	}
	intro := me.Name + " sent you a new invitation to " + t.Name + " on Ward, as " + ch.Names[u.RoleKey] + ". The link in any earlier invitation no longer works."
	if err := m.sendInvitation(c, u, intro, inv.Sends+1); err != nil {
		return err
	}
	if err := audit.For(c).Record(actionInvite, "user:"+u.ID, audit.Label(u.Name), audit.Note("invitation sent again to "+u.Email)); err != nil {
		return err
	}
	web.Flash(c, "A new invitation was sent to "+u.Email+". The link in the earlier one no longer works.")
	web.Redirect(c, "/staff")
	return nil
}
