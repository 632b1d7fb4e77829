package mail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// A new clinic's admin address is anyone's until its owner confirms it:
// without a check, signing up a clinic would make Ward write to any address
// with text of the sender's choosing (the clinic's name). So a new clinic's
// mail is held — queued as StatusHeld, which the sender does not deliver —
// until the confirmation link sent to that address is used. The clinic
// works meanwhile; its mail goes out when the address is confirmed.
//
// Only account mail to the address being confirmed goes out at once: the
// confirmation itself and a password reset for that address. They reach
// the one mailbox that already receives the confirmation, and its owner
// must be able to get into the clinic to confirm.

// HoldsCollection holds, per clinic whose mail is held, the address being
// confirmed and the hash of the link that confirms it.
const HoldsCollection = "mail_holds"

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 48 * time.Hour

// Errors of the hold.
var (
	ErrNotHeld     = errors.New("mail: the clinic's mail is not held")
	ErrLinkInvalid = errors.New("mail: confirmation link unknown, used or expired")
)

// Hold is a clinic's held mail.
type Hold struct {
	ID        string    `bson:"_id"`
	TenantID  string    `bson:"tenantId"`
	Address   string    `bson:"address"`   // the address being confirmed
	TokenHash string    `bson:"tokenHash"` // sha256 of the current link's token
	ExpiresAt time.Time `bson:"expiresAt"`
	SentAt    time.Time `bson:"sentAt"` // when the current link was made
}

// HoldUntilConfirmed holds the clinic's mail until address is confirmed and
// returns the token of the link that confirms it. Called again (a resend),
// it replaces the link: the earlier one stops working.
func HoldUntilConfirmed(ctx context.Context, tdb *db.Tenant, address string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	err := tdb.Collection(HoldsCollection).Upsert(ctx, db.Filter{}, db.Set("address", address).
		Set("tokenHash", hashToken(tok)).Set("expiresAt", now.Add(ConfirmTTL)).Set("sentAt", now))
	return tok, err
}

// CurrentHold returns the clinic's hold, or ErrNotHeld.
func CurrentHold(ctx context.Context, tdb *db.Tenant) (*Hold, error) {
	var h Hold
	err := tdb.Collection(HoldsCollection).FindOne(ctx, db.Filter{}, &h)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotHeld
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// CheckLink reports whether tok is the clinic's current confirmation link,
// without using it.
func CheckLink(ctx context.Context, tdb *db.Tenant, tok string, now time.Time) error {
	h, err := CurrentHold(ctx, tdb)
	if errors.Is(err, ErrNotHeld) || (err == nil && (h.TokenHash != hashToken(tok) || now.After(h.ExpiresAt))) {
		return ErrLinkInvalid
	}
	return err
}

// Confirm uses the link, once (two concurrent uses race on a claim), and
// releases the clinic's held mail to the sender.
func Confirm(ctx context.Context, tdb *db.Tenant, tok string, now time.Time) error {
	if err := CheckLink(ctx, tdb, tok, now); err != nil {
		return err
	}
	if err := tdb.Claim(ctx, "mail-confirm", hashToken(tok), now); errors.Is(err, db.ErrClaimed) {
		return ErrLinkInvalid
	} else if err != nil {
		return err
	}
	// The hold goes first: a message queued from now on is not held, and
	// one held a moment ago is released below or by Queue's second look.
	if _, err := tdb.Collection(HoldsCollection).DeleteMany(ctx, db.Filter{}); err != nil {
		return err
	}
	_, err := tdb.Collection(Collection).UpdateMany(ctx, db.Eq("status", StatusHeld), db.Set("status", StatusQueued))
	return err
}

// statusFor is the status m is queued with: held while the clinic's mail
// is held, unless it is account mail to the address being confirmed.
func statusFor(ctx context.Context, tdb *db.Tenant, m Message) (string, error) {
	h, err := CurrentHold(ctx, tdb)
	switch {
	case errors.Is(err, ErrNotHeld):
		return StatusQueued, nil
	case err != nil:
		return "", err
	case m.Account && strings.EqualFold(m.To, h.Address):
		return StatusQueued, nil
	}
	return StatusHeld, nil
}

func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}
