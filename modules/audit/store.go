package audit

import (
	"context"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/rbac"
)

// person is a staff member as the log shows them.
type person struct {
	ID    string `bson:"_id"`
	Name  string `bson:"name"`
	Email string `bson:"email"`
}

// maxPeople bounds the filter's list; a clinic has tens of staff.
const maxPeople = 1000

// people returns the clinic's staff by name: only the fields the page shows
// are read (never password hashes or second-factor secrets).
func people(ctx context.Context, tdb *db.Tenant) ([]person, error) {
	var ps []person
	err := tdb.Collection(auth.UsersCollection).Find(ctx, db.Filter{}, &ps, db.FindOptions{
		Sort:   []db.Order{db.Asc("name")},
		Fields: []string{"name", "email"},
		Limit:  maxPeople,
	})
	return ps, err
}

// roleNames maps the clinic's role keys to their names, for targets such as
// "role:custom-…".
func roleNames(ctx context.Context, tdb *db.Tenant) (map[string]string, error) {
	rs, err := rbac.ListRoles(ctx, tdb)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		out[r.Key] = r.Name
	}
	return out, nil
}
