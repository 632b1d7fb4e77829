package auth

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

// ResetTokensCollection holds password-reset (and invitation) tokens,
// stored only as hashes.
const ResetTokensCollection = "password_tokens"

// ResetIndexes index tokens by user for clean-up.
var ResetIndexes = []db.Index{
	{Collection: ResetTokensCollection, Keys: []string{db.TenantField, "userId"}},
}

// Token lifetimes.
const (
	ResetTTL  = time.Hour
	InviteTTL = 7 * 24 * time.Hour
)

// ErrTokenInvalid is an unknown, used or expired token.
var ErrTokenInvalid = errors.New("auth: token invalid or expired")

type resetToken struct {
	ID        string    `bson:"_id"` // sha256 of the token
	TenantID  string    `bson:"tenantId"`
	UserID    string    `bson:"userId"`
	ExpiresAt time.Time `bson:"expiresAt"`
	CreatedAt time.Time `bson:"createdAt"`
}

func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// NewResetToken creates a single-use token for the user valid for ttl and
// returns it; only its hash is stored.
func NewResetToken(ctx context.Context, tdb *db.Tenant, userID string, ttl time.Duration, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	err := tdb.Collection(ResetTokensCollection).Insert(ctx, resetToken{
		ID: hashToken(tok), UserID: userID, ExpiresAt: now.Add(ttl), CreatedAt: now,
	})
	return tok, err
}

// CheckResetToken returns the user id the token is for, without using it.
func CheckResetToken(ctx context.Context, tdb *db.Tenant, tok string, now time.Time) (string, error) {
	var rt resetToken
	err := tdb.Collection(ResetTokensCollection).FindOne(ctx, db.ID(hashToken(tok)), &rt)
	if errors.Is(err, db.ErrNotFound) || (err == nil && now.After(rt.ExpiresAt)) {
		return "", ErrTokenInvalid
	}
	return rt.UserID, err
}

// UseResetToken sets the user's new password with the token, once: two
// concurrent uses race on a claim and only one wins. Every other token of
// the user is removed too.
func UseResetToken(ctx context.Context, tdb *db.Tenant, tok, password string, now time.Time) (string, error) {
	userID, err := CheckResetToken(ctx, tdb, tok, now)
	if err != nil {
		return "", err
	}
	if err := tdb.Claim(ctx, "reset-token", hashToken(tok), now); err != nil {
		if errors.Is(err, db.ErrClaimed) {
			return "", ErrTokenInvalid
		}
		return "", err
	}
	if err := SetPassword(ctx, tdb, userID, password, now); err != nil {
		return "", err
	}
	_, err = tdb.Collection(ResetTokensCollection).DeleteMany(ctx, db.Eq("userId", userID))
	return userID, err
}
