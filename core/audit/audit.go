// Package audit keeps a clinic's audit log: who did what, when, from where.
// It is append-only: Ward has no code path that edits or deletes an entry.
// Handlers record with For(c).Record: the clinic, the person, the address
// and the time come from the request as core bound it (Bind), never from
// the caller, and only the actions declared at start (Catalogue) are
// recorded.
package audit

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
)

// Collection is the audit log.
const Collection = "audit_log"

// Indexes serve the browse filters, newest first.
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{db.TenantField, "-at"}},
	{Collection: Collection, Keys: []string{db.TenantField, "actorId", "-at"}},
	{Collection: Collection, Keys: []string{db.TenantField, "action", "-at"}},
}

// Actions recorded by core, declared with their labels by CoreActions.
// Modules declare their own (app.AuditDeclarer).
const (
	SignInSuccess    = "signin.success"
	SignInFailure    = "signin.failure"
	SignOut          = "signout"
	PasswordChange   = "password.change"
	PasswordReset    = "password.reset"
	TOTPEnable       = "totp.enable"
	TOTPDisable      = "totp.disable"
	RoleCreate       = "role.create"
	RoleRename       = "role.rename"
	RoleDelete       = "role.delete"
	PermissionGrant  = "permission.grant"
	PermissionRevoke = "permission.revoke"
	UserCreate       = "user.create"
	UserUpdate       = "user.update"
	// UnreportedView is written by core when a clinical page answered
	// without reporting what it showed (see Shown): a defect in Ward,
	// recorded so the view still leaves a trace.
	UnreportedView = "view.unreported"
)

// Views of patient records.
//
// Deprecated: the patients module declares and names its own actions.
const (
	PatientView = "patient.view"
	PatientList = "patient.list"
)

// Action is one kind of audit entry a module declares: its code, as stored
// ("patient.view"), and a label people read in the log's filter.
type Action struct {
	Code  string
	Label string
}

// Entry is one audit record.
type Entry struct {
	ID         string    `bson:"_id"`
	TenantID   string    `bson:"tenantId"`
	At         time.Time `bson:"at"`
	ActorID    string    `bson:"actorId,omitempty"`
	ActorEmail string    `bson:"actorEmail,omitempty"`
	Action     string    `bson:"action"`
	Target     string    `bson:"target,omitempty"` // what it was done to: "user:…", "patient:…", "role:doctor"
	Before     string    `bson:"before,omitempty"`
	After      string    `bson:"after,omitempty"`
	Records    []Ref     `bson:"records,omitempty"` // the records a view showed, in order
	Route      string    `bson:"route,omitempty"`   // the route that showed them: "GET /patients/:id"
	IP         string    `bson:"ip,omitempty"`
	RequestID  string    `bson:"requestId,omitempty"`
}

// Record appends e to the clinic's log. A failure to record is logged and
// returned: callers doing something that must be audited should fail too.
//
// Deprecated: use For(c).Record, which takes the clinic, the actor, the
// time and the address from the request.
func Record(ctx context.Context, tdb *db.Tenant, e Entry) error {
	return insert(ctx, tdb, e)
}

// insert appends e to the clinic's log, logging a failure.
func insert(ctx context.Context, tdb *db.Tenant, e Entry) error {
	e.ID = db.NewID()
	if e.RequestID == "" {
		e.RequestID = logging.RequestID(ctx)
	}
	err := tdb.Collection(Collection).Insert(ctx, e)
	if err != nil {
		logging.FromContext(ctx).Error().Err(err).Str("action", e.Action).Msg("audit entry not recorded")
	}
	return err
}

// Filter narrows the browse view.
type Filter struct {
	ActorID string
	Action  string
	From    time.Time // inclusive
	To      time.Time // exclusive
}

// List returns entries matching f, newest first, a page at a time.
func List(ctx context.Context, tdb *db.Tenant, f Filter, skip, limit int64) ([]Entry, int64, error) {
	var q db.Filter
	if f.ActorID != "" {
		q = db.And(q, db.Eq("actorId", f.ActorID))
	}
	if f.Action != "" {
		q = db.And(q, db.Eq("action", f.Action))
	}
	if !f.From.IsZero() {
		q = db.And(q, db.Gte("at", f.From))
	}
	if !f.To.IsZero() {
		q = db.And(q, db.Lt("at", f.To))
	}
	coll := tdb.Collection(Collection)
	total, err := coll.Count(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	var out []Entry
	err = coll.Find(ctx, q, &out, db.FindOptions{Sort: []db.Order{db.Desc("at"), db.Desc(db.IDField)}, Skip: skip, Limit: limit})
	return out, total, err
}
