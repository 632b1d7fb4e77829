package tenant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// A clinic is signed up on the platform host, and its admin works on the
// clinic's own host. Sessions are host-only cookies, so the sign-up cannot
// sign anyone in there; instead it makes a hand-off: a random token, good
// once and for HandoffTTL, that the clinic's host exchanges for a session
// (NewHandoff, UseHandoff). The token lives in the clinic's own data: on any
// other clinic's host it is simply unknown. Only its hash is stored. It
// works only from the client address that signed the clinic up: a link
// passed on to someone else does not sign them into a stranger's clinic.
//
// A used hand-off leaves a welcome for the person it signed in, which the
// dashboard takes once (TakeWelcome) to show the first steps.

// HandoffsCollection holds the clinic's hand-offs and welcomes.
const HandoffsCollection = "handoffs"

// HandoffTTL is how long a hand-off token works: the browser uses it within
// a second of the sign-up; the margin covers a slow network.
const HandoffTTL = 2 * time.Minute

// welcomeTTL is how long a welcome waits for the dashboard.
const welcomeTTL = 24 * time.Hour

// HandoffIndexes serve the clean-up of what expired, across clinics, and
// a clinic's own (a half-made clinic's purge). The lookups are by _id.
var HandoffIndexes = []db.Index{
	{Collection: HandoffsCollection, Keys: []string{"expiresAt"}, Platform: true},
	{Collection: HandoffsCollection, Keys: []string{db.TenantField, "expiresAt"}},
	{Collection: db.ClaimsCollection, Keys: []string{"kind", "at"}, Platform: true},
}

// handoffClaim is the claim kind of a used hand-off.
const handoffClaim = "handoff"

// ErrHandoffInvalid is returned for a token that is unknown here, used
// already or expired.
var ErrHandoffInvalid = errors.New("tenant: hand-off token unknown, used or expired")

// handoff is one token (ID "t:" and the token's hash) or one welcome (ID
// "w:" and the user's id).
type handoff struct {
	ID        string    `bson:"_id"`
	TenantID  string    `bson:"tenantId"`
	UserID    string    `bson:"userId"`
	IP        string    `bson:"ip,omitempty"` // the client address the token was made for
	ExpiresAt time.Time `bson:"expiresAt"`
	CreatedAt time.Time `bson:"createdAt"`
}

// maxHandoffToken is the longest token looked up (they are 43 characters).
const maxHandoffToken = 64

// NewHandoff makes a token that signs userID in on the clinic's host once,
// within HandoffTTL of now, from the client address ip.
func NewHandoff(ctx context.Context, tdb *db.Tenant, userID, ip string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := handoff{ID: handoffID(tok), UserID: userID, IP: ip, ExpiresAt: now.Add(HandoffTTL), CreatedAt: now}
	if err := tdb.Collection(HandoffsCollection).Insert(ctx, h); err != nil {
		return "", err
	}
	return tok, nil
}

// UseHandoff uses token on the clinic, from the client address ip, and
// returns the id of the user it signs in, or ErrHandoffInvalid. Of several
// uses of one token, even at the same moment, one gets the user: the use is
// claimed by a unique insert. From another address the token is refused and
// left for its owner. The user is left a welcome (TakeWelcome).
func UseHandoff(ctx context.Context, tdb *db.Tenant, token, ip string, now time.Time) (string, error) {
	if token == "" || len(token) > maxHandoffToken {
		return "", ErrHandoffInvalid
	}
	id := handoffID(token)
	coll := tdb.Collection(HandoffsCollection)
	var h handoff
	if err := coll.FindOne(ctx, db.ID(id), &h); errors.Is(err, db.ErrNotFound) {
		return "", ErrHandoffInvalid
	} else if err != nil {
		return "", err
	}
	if !now.Before(h.ExpiresAt) {
		_, _ = coll.Delete(ctx, db.ID(id))
		return "", ErrHandoffInvalid
	}
	if h.IP != ip {
		return "", ErrHandoffInvalid
	}
	if err := tdb.Claim(ctx, handoffClaim, id, now); errors.Is(err, db.ErrClaimed) {
		return "", ErrHandoffInvalid
	} else if err != nil {
		return "", err
	}
	if _, err := coll.Delete(ctx, db.ID(id)); err != nil {
		return "", err
	}
	w := handoff{ID: welcomeID(h.UserID), UserID: h.UserID, ExpiresAt: now.Add(welcomeTTL), CreatedAt: now}
	if err := coll.Insert(ctx, w); err != nil && !db.IsDuplicate(err) {
		return "", err
	}
	return h.UserID, nil
}

// TakeWelcome reports whether userID has a welcome waiting, and removes it:
// true once after a hand-off signed them in.
func TakeWelcome(ctx context.Context, tdb *db.Tenant, userID string) (bool, error) {
	n, err := tdb.Collection(HandoffsCollection).Delete(ctx, db.ID(welcomeID(userID)))
	return n == 1, err
}

// DeleteExpiredHandoffs removes every clinic's hand-offs and welcomes that
// expired before t, and the claims of hand-offs used before their tokens
// could have expired (clean-up job): a token whose time is over is refused
// without its claim.
func DeleteExpiredHandoffs(ctx context.Context, store *db.Store, t time.Time) (int64, error) {
	p := store.Platform("delete expired hand-offs")
	n, err := p.Collection(HandoffsCollection).DeleteMany(ctx, db.Lt("expiresAt", t))
	if err != nil {
		return n, err
	}
	_, err = p.Collection(db.ClaimsCollection).DeleteMany(ctx, db.And(db.Eq("kind", handoffClaim), db.Lt("at", t.Add(-HandoffTTL))))
	return n, err
}

func handoffID(token string) string {
	s := sha256.Sum256([]byte(token))
	return "t:" + hex.EncodeToString(s[:])
}

func welcomeID(userID string) string { return "w:" + userID }
