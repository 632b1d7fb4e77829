package auth

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/wardclinic/ward/core/db"
)

// ListUsers returns the clinic's users by name.
func ListUsers(ctx context.Context, tdb *db.Tenant) ([]User, error) {
	var us []User
	err := tdb.Collection(UsersCollection).Find(ctx, bson.D{}, &us, db.FindOptions{
		Sort:       bson.D{{Key: "name", Value: 1}},
		Projection: bson.D{{Key: "passwordHash", Value: 0}, {Key: "totpSecret", Value: 0}, {Key: "recoveryCodes", Value: 0}},
		Limit:      1000,
	})
	return us, err
}

// CountWithRole counts the clinic's users holding a role.
func CountWithRole(ctx context.Context, tdb *db.Tenant, roleKey string) (int64, error) {
	return tdb.Collection(UsersCollection).Count(ctx, bson.D{{Key: "roleKey", Value: roleKey}})
}

// SetPassword replaces a user's password. Every session the user had ends:
// sessions signed in before SessionsEndedAt are refused.
func SetPassword(ctx context.Context, tdb *db.Tenant, userID, password string, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return update(ctx, tdb, userID, bson.D{
		{Key: "passwordHash", Value: hash}, {Key: "passwordChangedAt", Value: now},
		{Key: "sessionsEndedAt", Value: now}, {Key: "updatedAt", Value: now},
	})
}

// SetStatus activates or deactivates a user. Deactivation ends every
// session the user had, for good: they stay ended after a reactivation.
func SetStatus(ctx context.Context, tdb *db.Tenant, userID, status string, now time.Time) error {
	set := bson.D{{Key: "status", Value: status}, {Key: "updatedAt", Value: now}}
	switch status {
	case UserActive:
	case UserInactive:
		set = append(set, bson.E{Key: "sessionsEndedAt", Value: now})
	default:
		return errors.New("auth: unknown status " + status)
	}
	return update(ctx, tdb, userID, set)
}

// SetRole changes a user's role; it applies from the user's next request.
func SetRole(ctx context.Context, tdb *db.Tenant, userID, roleKey string, now time.Time) error {
	return update(ctx, tdb, userID, bson.D{{Key: "roleKey", Value: roleKey}, {Key: "updatedAt", Value: now}})
}

// SetName changes a user's display name.
func SetName(ctx context.Context, tdb *db.Tenant, userID, name string, now time.Time) error {
	return update(ctx, tdb, userID, bson.D{{Key: "name", Value: name}, {Key: "updatedAt", Value: now}})
}

func update(ctx context.Context, tdb *db.Tenant, userID string, set bson.D) error {
	res, err := tdb.Collection(UsersCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{{Key: "$set", Value: set}}, false)
	if err != nil {
		return err
	}
	if res.Matched == 0 {
		return ErrUserNotFound
	}
	return nil
}
