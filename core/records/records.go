// Package records keeps a module's records versioned: every save makes a new
// version, the versions are the record's history, and of two people saving
// the same version only one wins — the other gets ErrConflict and nothing of
// theirs is written.
//
// A record lives in two collections: the record as it is now (Kind.Collection)
// and one revision per version (Kind.Revisions), a snapshot of what was saved,
// by whom and when.
//
// The claim: saving version v+1 starts by inserting revision v+1. A unique
// index on {tenantId, ref, version} (Kind.Indexes) lets exactly one of several
// concurrent saves of v+1 through: an insert on a unique key is atomic on
// every engine, where an update is not (FerretDB's are read-then-write).
//
// The record write comes second, and only replaces an older record, so a
// delayed write never rolls back a newer version. The save then settles: if
// the record is behind the newest revision anyway, it is rolled forward to it.
//
// The roll-forward also finishes a save that stopped between its two writes
// (a crash, a timeout): the revision exists, the record still shows the
// version before. The next save of that version finds it claimed, rolls the
// record forward to the newest revision and returns ErrConflict, so the editor
// reloads the latest and the record is never stuck behind its own history.
//
// A record type embeds Meta; Store binds it to one clinic's handle.
package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardclinic/ward/core/db"
)

// Errors the store returns.
var (
	ErrNotFound = errors.New("records: not found")
	// ErrConflict: someone saved the record since the editor loaded it.
	ErrConflict = errors.New("records: edited by someone else")
)

// Kind names where a record type is stored.
type Kind struct {
	Collection string // the records: "patients"
	Revisions  string // one document per saved version: "patient_revisions"
	Ref        string // the revisions' field holding the record's id: "patientId"
}

// Indexes are the indexes the kind needs: the unique one on the revisions
// that makes saving a version a claim (and serves history). The module
// declares them with its own.
func (k Kind) Indexes() []db.Index {
	return []db.Index{{Collection: k.Revisions, Keys: []string{db.TenantField, k.Ref, "version"}, Unique: true}}
}

// Meta is what the store keeps on every record. A record type embeds it
// with `bson:",inline"`; the store sets every field.
type Meta struct {
	ID       string `bson:"_id" json:"id"`
	TenantID string `bson:"tenantId" json:"-"`
	// Active is false once archived: hidden, never deleted.
	Active bool `bson:"active" json:"active"`
	// Version counts saves; an edit must name the version it started from.
	Version   int64     `bson:"version" json:"version"`
	CreatedAt time.Time `bson:"createdAt" json:"createdAt"`
	CreatedBy string    `bson:"createdBy" json:"-"`
	UpdatedAt time.Time `bson:"updatedAt" json:"updatedAt"`
	UpdatedBy string    `bson:"updatedBy" json:"-"`
}

func (m *Meta) meta() *Meta { return m }

// Ptr is the pointer type of a record type T, which embeds Meta.
type Ptr[T any] interface {
	*T
	meta() *Meta
}

// Store reads and saves one kind of record of one clinic.
type Store[T any, P Ptr[T]] struct {
	tdb  *db.Tenant
	kind Kind
}

// For returns the store of records of type T (records.For[Patient](tdb, k)).
func For[T any, P Ptr[T]](tdb *db.Tenant, k Kind) Store[T, P] {
	return Store[T, P]{tdb: tdb, kind: k}
}

func (s Store[T, P]) records() *db.Collection   { return s.tdb.Collection(s.kind.Collection) }
func (s Store[T, P]) revisions() *db.Collection { return s.tdb.Collection(s.kind.Revisions) }

// revision is one saved version as stored (the record's id is under
// Kind.Ref, which a struct tag cannot name).
type revision[T any] struct {
	Version  int64    `bson:"version"`
	Snapshot T        `bson:"snapshot"`
	Changed  []string `bson:"changed,omitempty"`
}

func (s Store[T, P]) revisionDoc(rec P, changed []string) map[string]any {
	m := rec.meta()
	doc := map[string]any{db.IDField: db.NewID(), s.kind.Ref: m.ID, "version": m.Version,
		"snapshot": rec, "by": m.UpdatedBy, "at": m.UpdatedAt}
	if len(changed) > 0 {
		doc["changed"] = changed
	}
	return doc
}

// stamp makes rec a new record's version 1, active, with a new id unless
// it has one already.
func (s Store[T, P]) stamp(rec P, by string, now time.Time) {
	id := rec.meta().ID
	if id == "" {
		id = db.NewID()
	}
	*rec.meta() = Meta{ID: id, TenantID: s.tdb.ID(), Active: true, Version: 1,
		CreatedAt: now, CreatedBy: by, UpdatedAt: now, UpdatedBy: by}
}

// Create stores rec as version 1 of a new record, active, with a new id —
// or with the id rec already has (a record whose id other documents name
// before it is stored: an appointment's claims on its time).
// An error from inserting the record itself is returned wrapped, so a
// module's own unique index (a patient number) shows as db.IsDuplicate.
func (s Store[T, P]) Create(ctx context.Context, rec P, by string, now time.Time) error {
	s.stamp(rec, by, now)
	rev := s.revisionDoc(rec, nil)
	if err := s.revisions().Insert(ctx, rev); err != nil {
		return err
	}
	if err := s.records().Insert(ctx, rec); err != nil {
		// The record does not exist: its history must not either (even if
		// the request is gone by now).
		_, _ = s.revisions().Delete(context.WithoutCancel(ctx), db.ID(rev[db.IDField].(string)))
		return fmt.Errorf("records: create %s: %w", s.kind.Collection, err)
	}
	return nil
}

// Import stores records made elsewhere (demo data, records moved from
// another system) as version 1 each, active or archived as they come, in
// two round trips. If the records cannot all be stored, none of them (nor
// their histories) are kept.
func (s Store[T, P]) Import(ctx context.Context, recs []P, by string, now time.Time) error {
	docs, revs := make([]any, len(recs)), make([]any, len(recs))
	ids, revIDs := make([]string, len(recs)), make([]string, len(recs))
	for i, rec := range recs {
		active := rec.meta().Active
		s.stamp(rec, by, now)
		rec.meta().Active = active
		rev := s.revisionDoc(rec, nil)
		docs[i], revs[i], ids[i], revIDs[i] = rec, rev, rec.meta().ID, rev[db.IDField].(string)
	}
	if err := s.revisions().InsertMany(ctx, revs); err != nil {
		return err
	}
	if err := s.records().InsertMany(ctx, docs); err != nil {
		bg := context.WithoutCancel(ctx)
		_, _ = s.records().DeleteMany(bg, db.In(db.IDField, ids))
		_, _ = s.revisions().DeleteMany(bg, db.In(db.IDField, revIDs))
		return fmt.Errorf("records: import %s: %w", s.kind.Collection, err)
	}
	return nil
}

// Get returns the clinic's record with id, or ErrNotFound.
func (s Store[T, P]) Get(ctx context.Context, id string) (P, error) {
	rec := P(new(T))
	err := s.records().FindOne(ctx, db.ID(id), rec)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Save stores rec — the record as loaded at version from, with changes
// applied — as version from+1. changed names the fields that differ (the
// history keeps the names); a save that changes nothing writes nothing. If
// rec is not at version from, or another save claimed from+1 first, nothing
// is written and ErrConflict is returned: load the record again. On any
// error rec keeps the version it had (a form re-rendered from it must not
// claim a version it did not save).
func (s Store[T, P]) Save(ctx context.Context, rec P, from int64, changed []string, by string, now time.Time) (err error) {
	m := rec.meta()
	if m.Version != from {
		return ErrConflict
	}
	if len(changed) == 0 {
		return nil
	}
	old := *m
	defer func() {
		if err != nil {
			m.Version, m.UpdatedAt, m.UpdatedBy = old.Version, old.UpdatedAt, old.UpdatedBy
		}
	}()
	m.Version, m.UpdatedAt, m.UpdatedBy = from+1, now, by
	rev := s.revisionDoc(rec, changed)
	err = s.revisions().Insert(ctx, rev)
	if db.IsDuplicate(err) {
		// The winner may have stopped before writing the record: finish it.
		if err := s.settle(ctx, m.ID); err != nil {
			return err
		}
		return ErrConflict
	}
	if err != nil {
		return err
	}
	matched, err := s.records().Replace(ctx, db.And(db.ID(m.ID), db.Lt("version", m.Version)), rec)
	if db.IsDuplicate(err) {
		// A unique index of the module's refused the version (a code
		// another record has): it was never written, so its claim goes
		// and the record stays at from, free for the next save.
		_, _ = s.revisions().Delete(context.WithoutCancel(ctx), db.ID(rev[db.IDField].(string)))
		return fmt.Errorf("records: save %s: %w", s.kind.Collection, err)
	}
	if err != nil {
		return err
	}
	if matched == 0 {
		if _, err := s.Get(ctx, m.ID); err != nil {
			return err
		}
	}
	// The filter above keeps this write from replacing a later one on an
	// engine whose updates are atomic; the revisions still have the last
	// word.
	return s.settle(ctx, m.ID)
}

// Archive hides rec (loaded at version from) as a versioned save; nothing
// is deleted. It reports whether anything changed: archiving an archived
// record does nothing.
func (s Store[T, P]) Archive(ctx context.Context, rec P, from int64, by string, now time.Time) (bool, error) {
	return s.setActive(ctx, rec, from, false, by, now)
}

// Restore brings an archived rec (loaded at version from) back, as Archive
// hides it.
func (s Store[T, P]) Restore(ctx context.Context, rec P, from int64, by string, now time.Time) (bool, error) {
	return s.setActive(ctx, rec, from, true, by, now)
}

func (s Store[T, P]) setActive(ctx context.Context, rec P, from int64, active bool, by string, now time.Time) (bool, error) {
	m := rec.meta()
	if m.Version != from {
		return false, ErrConflict
	}
	if m.Active == active {
		return false, nil
	}
	m.Active = active
	if err := s.Save(ctx, rec, from, []string{"active"}, by, now); err != nil {
		m.Active = !active
		return false, err
	}
	return true, nil
}

// Revision returns the record as saved in version v (the history keeps
// every version).
func (s Store[T, P]) Revision(ctx context.Context, id string, v int64) (P, error) {
	var rev revision[T]
	err := s.revisions().FindOne(ctx, db.And(db.Eq(s.kind.Ref, id), db.Eq("version", v)), &rev)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return P(&rev.Snapshot), nil
}

// Entry is one saved version in a record's history.
type Entry struct {
	Version int64     `bson:"version"`
	Changed []string  `bson:"changed"` // field names; none for version 1
	By      string    `bson:"by"`
	At      time.Time `bson:"at"`
}

// History lists a record's versions, newest first.
func (s Store[T, P]) History(ctx context.Context, id string) ([]Entry, error) {
	var out []Entry
	err := s.revisions().Find(ctx, db.Eq(s.kind.Ref, id), &out, db.FindOptions{Sort: []db.Order{db.Desc("version")}})
	return out, err
}

// settle rolls the record forward to its newest revision if it is behind
// it: a save that stopped before writing the record, or a delayed write
// that landed after a newer one.
func (s Store[T, P]) settle(ctx context.Context, id string) error {
	var newest revision[T]
	if err := s.revisions().FindOne(ctx, db.Eq(s.kind.Ref, id), &newest, db.Desc("version")); err != nil {
		return err
	}
	cur, err := s.Get(ctx, id)
	if err != nil || cur.meta().Version >= newest.Version {
		return err
	}
	// Only from the version just read: a newer write in between wins.
	_, err = s.records().Replace(ctx, db.And(db.ID(id), db.Eq("version", cur.meta().Version)), P(&newest.Snapshot))
	return err
}
