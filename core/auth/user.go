package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/text"
)

// Collections.
const (
	UsersCollection    = "users"
	ProfilesCollection = "profiles"
)

// User statuses.
const (
	UserActive   = "active"
	UserInactive = "inactive"
)

// Indexes of the account collections. The staff list is sorted by name, and
// staff are counted per role.
var Indexes = []db.Index{
	{Collection: UsersCollection, Keys: []string{db.TenantField, "email"}, Unique: true},
	{Collection: UsersCollection, Keys: []string{db.TenantField, "name"}},
	{Collection: UsersCollection, Keys: []string{db.TenantField, "roleKey"}},
	{Collection: ProfilesCollection, Keys: []string{db.TenantField, "userId"}, Unique: true},
}

// User is a staff member's account in one clinic. The same email may have
// accounts in several clinics; they are unrelated.
type User struct {
	ID                string    `bson:"_id"`
	TenantID          string    `bson:"tenantId"`
	Email             string    `bson:"email"` // lower-case
	Name              string    `bson:"name"`
	PasswordHash      string    `bson:"passwordHash"`
	RoleKey           string    `bson:"roleKey"`
	Status            string    `bson:"status"`
	PasswordChangedAt time.Time `bson:"passwordChangedAt"`
	// SessionsEndedAt: every session signed in before it is over (set
	// when the password changes and when the user is deactivated, so a
	// reactivation does not bring old sessions back).
	SessionsEndedAt time.Time `bson:"sessionsEndedAt"`
	// Second factor (optional): the TOTP secret and the hashes of unused
	// recovery codes.
	TOTPEnabled   bool      `bson:"totpEnabled"`
	TOTPSecret    string    `bson:"totpSecret,omitempty"`
	RecoveryCodes []string  `bson:"recoveryCodes,omitempty"`
	CreatedAt     time.Time `bson:"createdAt"`
	UpdatedAt     time.Time `bson:"updatedAt"`
}

// SessionsEnded is when the user's sessions last ended: every session
// signed in before it is over. (Records older than sessionsEndedAt have only
// passwordChangedAt.)
func (u *User) SessionsEnded() time.Time {
	if u.PasswordChangedAt.After(u.SessionsEndedAt) {
		return u.PasswordChangedAt
	}
	return u.SessionsEndedAt
}

// Profile is what the clinic knows of a staff member beyond the account.
type Profile struct {
	ID        string    `bson:"_id"`
	TenantID  string    `bson:"tenantId"`
	UserID    string    `bson:"userId"`
	Name      string    `bson:"name"`
	Title     string    `bson:"title"`
	Phone     string    `bson:"phone,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
}

// ErrEmailTaken is returned when the clinic already has a user with the email.
var ErrEmailTaken = errors.New("auth: email already used in this clinic")

// ErrUserNotFound is returned when the clinic has no such user.
var ErrUserNotFound = errors.New("auth: user not found")

// NormalizeEmail returns the address part of an email, lower-cased, or an
// error message for a person.
func NormalizeEmail(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "Enter an email address."
	}
	if len(s) > 254 {
		return "", "An email address has at most 254 characters."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") && !strings.HasSuffix(s, "@localhost") {
		return "", "Enter an email address such as name@example.com."
	}
	// An address may hold any Unicode letter, and so a right-to-left
	// override or a zero-width space: two accounts that look the same.
	if _, msg := emailAddress.Check(s); msg != "" {
		return "", msg
	}
	return strings.ToLower(s), ""
}

var emailAddress = text.Field{Label: "Email address", Max: 254, Required: true}

// CreateUser adds a user with a new password hash. u.ID is set when empty.
func CreateUser(ctx context.Context, tdb *db.Tenant, u *User, password string, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = db.NewID()
	}
	u.TenantID = tdb.ID()
	u.PasswordHash = hash
	u.PasswordChangedAt, u.SessionsEndedAt, u.CreatedAt, u.UpdatedAt = now, now, now, now
	if u.Status == "" {
		u.Status = UserActive
	}
	err = tdb.Collection(UsersCollection).Insert(ctx, u)
	if db.IsDuplicate(err) {
		return ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("auth: create user: %w", err)
	}
	return nil
}

// UserByEmail returns the clinic's user with the (normalized) email.
func UserByEmail(ctx context.Context, tdb *db.Tenant, email string) (*User, error) {
	var u User
	err := tdb.Collection(UsersCollection).FindOne(ctx, db.Eq("email", email), &u)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrUserNotFound
	}
	return &u, err
}

// UserByID returns the clinic's user with the id.
func UserByID(ctx context.Context, tdb *db.Tenant, id string) (*User, error) {
	var u User
	err := tdb.Collection(UsersCollection).FindOne(ctx, db.ID(id), &u)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrUserNotFound
	}
	return &u, err
}

// CreateProfile adds a user's profile; a second profile for the same user is
// ignored, so provisioning can be retried.
func CreateProfile(ctx context.Context, tdb *db.Tenant, p *Profile) error {
	if p.ID == "" {
		p.ID = db.NewID()
	}
	p.TenantID = tdb.ID()
	err := tdb.Collection(ProfilesCollection).Insert(ctx, p)
	if err != nil && !db.IsDuplicate(err) {
		return fmt.Errorf("auth: create profile: %w", err)
	}
	return nil
}
