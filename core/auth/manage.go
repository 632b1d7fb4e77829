package auth

import (
	"context"
	"errors"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// ListUsers returns the clinic's users by name.
func ListUsers(ctx context.Context, tdb *db.Tenant) ([]User, error) {
	var us []User
	err := tdb.Collection(UsersCollection).Find(ctx, db.Filter{}, &us, db.FindOptions{
		Sort:  []db.Order{db.Asc("name")},
		Omit:  []string{"passwordHash", "totpSecret", "recoveryCodes"},
		Limit: 1000,
	})
	return us, err
}

// CountWithRole counts the clinic's users holding a role.
func CountWithRole(ctx context.Context, tdb *db.Tenant, roleKey string) (int64, error) {
	return tdb.Collection(UsersCollection).Count(ctx, db.Eq("roleKey", roleKey))
}

// SetPassword replaces a user's password. Every session the user had ends:
// sessions signed in before SessionsEndedAt are refused.
func SetPassword(ctx context.Context, tdb *db.Tenant, userID, password string, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return update(ctx, tdb, userID, db.Set("passwordHash", hash).Set("passwordChangedAt", now).
		Set("sessionsEndedAt", now).Set("updatedAt", now))
}

// SetStatus activates or deactivates a user. Deactivation ends every
// session the user had, for good: they stay ended after a reactivation.
func SetStatus(ctx context.Context, tdb *db.Tenant, userID, status string, now time.Time) error {
	set := db.Set("status", status).Set("updatedAt", now)
	switch status {
	case UserActive:
	case UserInactive:
		set = set.Set("sessionsEndedAt", now)
	default:
		return errors.New("auth: unknown status " + status)
	}
	return update(ctx, tdb, userID, set)
}

// SetRole changes a user's role; it applies from the user's next request.
func SetRole(ctx context.Context, tdb *db.Tenant, userID, roleKey string, now time.Time) error {
	return update(ctx, tdb, userID, db.Set("roleKey", roleKey).Set("updatedAt", now))
}

// SetName changes a user's display name.
func SetName(ctx context.Context, tdb *db.Tenant, userID, name string, now time.Time) error {
	return update(ctx, tdb, userID, db.Set("name", name).Set("updatedAt", now))
}

func update(ctx context.Context, tdb *db.Tenant, userID string, set db.Update) error {
	matched, err := tdb.Collection(UsersCollection).Update(ctx, db.ID(userID), set)
	if err != nil {
		return err
	}
	if matched == 0 {
		return ErrUserNotFound
	}
	return nil
}
