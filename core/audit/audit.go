// Package audit keeps a clinic's audit log: who did what, when, from where.
// It is append-only: Ward has no code path that edits or deletes an entry.
// Handlers record with For(c).Record: the clinic, the person, the address
// and the time come from the request as core bound it (Bind), never from
// the caller, and only the actions declared at start (Catalogue) are
// recorded. Each entry is also indexed by the records it is about, so the
// log can answer "who opened this patient?" (Filter.Record).
package audit

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/logging"
)

// Collection is the audit log.
const Collection = "audit_log"

// RecordsCollection indexes the log by record: one document per record an
// entry is about (its target, and each record a view showed), so that
// "who opened this patient?" is one indexed query, the entries of lists
// included (an index cannot name the elements of an entry's Records).
const RecordsCollection = "audit_records"

// Indexes serve the browse filters, newest first, and the entries about a
// record.
var Indexes = []db.Index{
	{Collection: Collection, Keys: []string{db.TenantField, "-at"}},
	{Collection: Collection, Keys: []string{db.TenantField, "actorId", "-at"}},
	{Collection: Collection, Keys: []string{db.TenantField, "action", "-at"}},
	{Collection: RecordsCollection, Keys: []string{db.TenantField, "record", "-at"}},
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
	// ClinicCreate is written once, in a new clinic's log, by its first
	// admin (see ClinicCreated).
	ClinicCreate = "clinic.create"
	// UnreportedView is written by core when a clinical page answered
	// without reporting what it showed (see Shown): a defect in Ward,
	// recorded so the view still leaves a trace.
	UnreportedView = "view.unreported"
)

// Entry is one audit record.
type Entry struct {
	ID         string    `bson:"_id"`
	TenantID   string    `bson:"tenantId"`
	At         time.Time `bson:"at"`
	ActorID    string    `bson:"actorId,omitempty"`
	ActorEmail string    `bson:"actorEmail,omitempty"`
	Action     string    `bson:"action"`
	Target     string    `bson:"target,omitempty"` // what it was done to: "user:…", "patient:…", "role:doctor"
	Label      string    `bson:"label,omitempty"`  // the target as people knew it then: "John Doe (P-000001)"
	Before     string    `bson:"before,omitempty"`
	After      string    `bson:"after,omitempty"`
	Records    []Ref     `bson:"records,omitempty"` // the records a view showed, in order
	Route      string    `bson:"route,omitempty"`   // the route that showed them: "GET /patients/:id"
	IP         string    `bson:"ip,omitempty"`
	RequestID  string    `bson:"requestId,omitempty"`
}

// insert appends e to the clinic's log, then indexes it by the records it
// is about (RecordsCollection). A failure to write the entry is logged and
// returned: callers doing something that must be audited should fail too.
// A failure to write its references is logged only: the entry, which is
// what the log must hold, is written, and a retry of the caller would
// write it twice; the entry is then missing from "entries about this
// record", not from the log. A list is indexed by every record it showed:
// a view is a view whether it shows one record or twenty-five.
func insert(ctx context.Context, tdb *db.Tenant, e Entry) error {
	e.ID = db.NewID()
	if e.RequestID == "" {
		e.RequestID = logging.RequestID(ctx)
	}
	if err := tdb.Collection(Collection).Insert(ctx, e); err != nil {
		logging.FromContext(ctx).Error().Err(err).Str("action", e.Action).Msg("audit entry not recorded")
		return err
	}
	rs := RecordsOf(e)
	if len(rs) == 0 {
		return nil
	}
	refs := make([]any, len(rs))
	for i, r := range rs {
		refs[i] = reference{ID: e.ID + " " + r, Record: r, EntryID: e.ID, At: e.At, ActorID: e.ActorID, Action: e.Action}
	}
	if err := tdb.Collection(RecordsCollection).InsertMany(ctx, refs); err != nil {
		logging.FromContext(ctx).Error().Err(err).Str("action", e.Action).Str("entry", e.ID).
			Msg("audit entry recorded, but not indexed by its records: searches by record miss it")
	}
	return nil
}

// reference says that an entry is about a record. It repeats what the
// log's filters narrow by (who, what, when), so that they apply to it.
type reference struct {
	ID      string    `bson:"_id"` // the entry's id and the record: one per pair, in the entries' order
	Record  string    `bson:"record"`
	EntryID string    `bson:"entryId"`
	At      time.Time `bson:"at"`
	ActorID string    `bson:"actorId,omitempty"`
	Action  string    `bson:"action"`
}

// RecordsOf lists the records e is about, each once, as targets are
// written ("patient:<id>"): its target, then every record a view showed
// (their kind is the action's first word, as in Views.Record).
func RecordsOf(e Entry) []string {
	var out []string
	add := func(r string) {
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	add(e.Target)
	kind, _, _ := strings.Cut(e.Action, ".")
	for _, r := range e.Records {
		if r.ID != "" {
			add(kind + ":" + r.ID)
		}
	}
	return out
}

// ClinicCreated records, in the log of the clinic tdb, that the person
// userID (email) created it, named name, at the given time. It is the one
// entry written with an explicit clinic and actor: onboarding makes the
// clinic on the platform host, where no request is bound to it (see For),
// and its first admin is who created it.
func ClinicCreated(ctx context.Context, tdb *db.Tenant, userID, email, name string, at time.Time) error {
	return insert(ctx, tdb, Entry{At: at, ActorID: userID, ActorEmail: email, Action: ClinicCreate, Target: "clinic", Label: name})
}

// Filter narrows the browse view.
type Filter struct {
	ActorID string
	Action  string
	Record  string    // entries about this record ("patient:<id>"): its target, or shown by a view
	From    time.Time // inclusive
	To      time.Time // exclusive
}

// conditions are f's conditions but the record's, on the fields entries
// and references share.
func (f Filter) conditions() db.Filter {
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
	return q
}

// newest is the log's order, newest first: the _id breaks ties, in the
// order entries were written (a reference's _id starts with its entry's).
var newest = []db.Order{db.Desc("at"), db.Desc(db.IDField)}

// List returns p's page of the entries matching f, newest first. It counts
// the matches into p first, stopping at p.CountLimit() (p.SetTotal), so
// that a page past the end is read as the last page.
func List(ctx context.Context, tdb *db.Tenant, f Filter, p db.Paging) ([]Entry, error) {
	if f.Record != "" {
		return listByRecord(ctx, tdb, f, p)
	}
	var out []Entry
	err := tdb.Collection(Collection).FindPage(ctx, f.conditions(), &out, p, newest...)
	return out, err
}

// listByRecord pages through the references to f.Record, then reads their
// entries in one query.
func listByRecord(ctx context.Context, tdb *db.Tenant, f Filter, p db.Paging) ([]Entry, error) {
	q := db.And(db.Eq("record", f.Record), f.conditions())
	var refs []reference
	if err := tdb.Collection(RecordsCollection).FindPage(ctx, q, &refs, p, newest...); err != nil || len(refs) == 0 {
		return nil, err
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.EntryID
	}
	var found []Entry
	if err := tdb.Collection(Collection).Find(ctx, db.In(db.IDField, ids), &found, db.FindOptions{}); err != nil {
		return nil, err
	}
	byID := make(map[string]Entry, len(found))
	for _, e := range found {
		byID[e.ID] = e
	}
	out := make([]Entry, 0, len(ids))
	for _, id := range ids {
		if e, ok := byID[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}
