package records_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/records"
)

// room is a small record type, as a module would declare one.
type room struct {
	records.Meta `bson:",inline"`
	Code         string `bson:"code"`
	Name         string `bson:"name"`
}

var kind = records.Kind{Collection: "rooms", Revisions: "room_revisions", Ref: "roomId"}

var now = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// open returns the rooms of clinic A and of clinic B, on a fresh store of
// the engine under test, every query checked against the indexes.
func open(t *testing.T) (a, b records.Store[room, *room], tdb *db.Tenant) {
	t.Helper()
	s := dbtest.Open(t, append(kind.Indexes(), db.Index{Collection: kind.Collection, Keys: []string{db.TenantField, "code"}, Unique: true})...)
	dbtest.CheckQueries(t, s)
	tdb = s.ForTenant("A")
	return records.For[room](tdb, kind), records.For[room](s.ForTenant("B"), kind), tdb
}

func create(t *testing.T, s records.Store[room, *room], code, name string) *room {
	t.Helper()
	r := &room{Code: code, Name: name}
	if err := s.Create(context.Background(), r, "u1", now); err != nil {
		t.Fatal(err)
	}
	return r
}

func get(t *testing.T, s records.Store[room, *room], id string) *room {
	t.Helper()
	r, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return r
}

func countRevisions(t *testing.T, tdb *db.Tenant, id string) int64 {
	t.Helper()
	n, err := tdb.Collection(kind.Revisions).Count(context.Background(), db.Eq(kind.Ref, id))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateSaveAndHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, other, _ := open(t)

	r := create(t, s, "R1", "Consulting room")
	want := records.Meta{ID: r.ID, TenantID: "A", Active: true, Version: 1, CreatedAt: now, CreatedBy: "u1", UpdatedAt: now, UpdatedBy: "u1"}
	if r.ID == "" || r.Meta != want {
		t.Fatalf("created: %+v", r.Meta)
	}
	if got := get(t, s, r.ID); got.Meta != want || got.Name != "Consulting room" {
		t.Fatalf("stored: %+v", got)
	}

	later := now.Add(time.Hour)
	r.Name = "Treatment room"
	if err := s.Save(ctx, r, 1, []string{"name"}, "u2", later); err != nil {
		t.Fatal(err)
	}
	got := get(t, s, r.ID)
	if got.Version != 2 || got.Name != "Treatment room" || got.UpdatedBy != "u2" || !got.UpdatedAt.Equal(later) ||
		got.CreatedBy != "u1" || !got.CreatedAt.Equal(now) {
		t.Errorf("after a save: %+v", got)
	}

	h, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Version != 2 || !slices.Equal(h[0].Changed, []string{"name"}) || h[0].By != "u2" || !h[0].At.Equal(later) ||
		h[1].Version != 1 || len(h[1].Changed) != 0 || h[1].By != "u1" {
		t.Errorf("history: %+v", h)
	}
	if old, err := s.Revision(ctx, r.ID, 1); err != nil || old.Name != "Consulting room" || old.Version != 1 {
		t.Errorf("revision 1: %+v, %v", old, err)
	}
	if _, err := s.Revision(ctx, r.ID, 3); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("revision 3: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, db.NewID()); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}

	// Another clinic sees none of it.
	if _, err := other.Get(ctx, r.ID); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("other clinic's Get: %v, want ErrNotFound", err)
	}
	if h, err := other.History(ctx, r.ID); err != nil || len(h) != 0 {
		t.Errorf("other clinic's history: %+v, %v", h, err)
	}
	if _, err := other.Revision(ctx, r.ID, 1); !errors.Is(err, records.ErrNotFound) {
		t.Errorf("other clinic's revision: %v, want ErrNotFound", err)
	}
}

func TestStaleOrEmptySavesWriteNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	r := create(t, s, "R1", "Consulting room")

	// Nothing changed: nothing written, no version spent.
	if err := s.Save(ctx, r, 1, nil, "u2", now); err != nil {
		t.Fatal(err)
	}
	// A record loaded at version 1 cannot be saved as if from version 7,
	// changes or not.
	r.Name = "Treatment room"
	for _, changed := range [][]string{{"name"}, nil} {
		if err := s.Save(ctx, r, 7, changed, "u2", now); !errors.Is(err, records.ErrConflict) {
			t.Errorf("save from version 7 (changed %v): %v, want ErrConflict", changed, err)
		}
	}
	if got := get(t, s, r.ID); got.Version != 1 || got.Name != "Consulting room" || countRevisions(t, tdb, r.ID) != 1 {
		t.Errorf("after refused saves: %+v, %d revisions", got, countRevisions(t, tdb, r.ID))
	}
}

func TestCreateReturnsTheRecordsDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, other, tdb := open(t)
	create(t, s, "R1", "Consulting room")

	dup := &room{Code: "R1", Name: "Another"}
	err := s.Create(ctx, dup, "u1", now)
	if !db.IsDuplicate(err) {
		t.Fatalf("same code: %v, want a duplicate", err)
	}
	// The record was not created, so neither was its history.
	if n := countRevisions(t, tdb, dup.ID); n != 0 {
		t.Errorf("the refused record left %d revisions", n)
	}
	// Unique per clinic.
	if err := other.Create(ctx, &room{Code: "R1"}, "u1", now); err != nil {
		t.Errorf("same code in another clinic: %v", err)
	}
}

// A save the record's own unique index refuses leaves the record as it
// was and its version free: the next save of it from the same version works.
func TestSaveRefusedByAUniqueIndexReleasesTheVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	create(t, s, "R1", "Consulting room")
	r := create(t, s, "R2", "Treatment room")

	r.Code = "R1"
	if err := s.Save(ctx, r, 1, []string{"code"}, "u2", now); !db.IsDuplicate(err) {
		t.Fatalf("save with a taken code: %v, want a duplicate", err)
	}
	if got := get(t, s, r.ID); got.Code != "R2" || got.Version != 1 || r.Version != 1 || countRevisions(t, tdb, r.ID) != 1 {
		t.Fatalf("after the refused save: %+v (in hand: version %d), %d revisions", got, r.Version, countRevisions(t, tdb, r.ID))
	}
	r.Code = "R3"
	if err := s.Save(ctx, r, 1, []string{"code"}, "u2", now); err != nil {
		t.Fatalf("the next save from version 1: %v", err)
	}
	if got := get(t, s, r.ID); got.Code != "R3" || got.Version != 2 {
		t.Errorf("after the next save: %+v", got)
	}
}

func TestArchiveAndRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := open(t)
	r := create(t, s, "R1", "Consulting room")

	steps := []struct {
		name        string
		do          func(context.Context, *room, int64, string, time.Time) (bool, error)
		from        int64
		wantChanged bool
		wantErr     error
		wantVersion int64
		wantActive  bool
	}{
		{"archive", s.Archive, 1, true, nil, 2, false},
		{"archive again", s.Archive, 2, false, nil, 2, false},
		{"restore from a stale version", s.Restore, 1, false, records.ErrConflict, 2, false},
		{"restore", s.Restore, 2, true, nil, 3, true},
		{"restore again", s.Restore, 3, false, nil, 3, true},
	}
	for _, st := range steps {
		r := get(t, s, r.ID)
		changed, err := st.do(ctx, r, st.from, "u2", now)
		got := get(t, s, r.ID)
		if changed != st.wantChanged || !errors.Is(err, st.wantErr) || got.Version != st.wantVersion || got.Active != st.wantActive {
			t.Errorf("%s: changed %v err %v, stored version %d active %v", st.name, changed, err, got.Version, got.Active)
		}
	}
	h, err := s.History(ctx, r.ID)
	if err != nil || len(h) != 3 || !slices.Equal(h[0].Changed, []string{"active"}) || !slices.Equal(h[1].Changed, []string{"active"}) {
		t.Errorf("history: %+v, %v", h, err)
	}
}

func TestImportKeepsActive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	in := []*room{{Code: "R1", Name: "Open"}, {Code: "R2", Name: "Closed"}}
	in[0].Active = true
	if err := s.Import(ctx, in, "import", now); err != nil {
		t.Fatal(err)
	}
	for i, r := range in {
		got := get(t, s, r.ID)
		if got.Version != 1 || got.Active != (i == 0) || got.CreatedBy != "import" || got.Name != r.Name || countRevisions(t, tdb, r.ID) != 1 {
			t.Errorf("imported %s: %+v, %d revisions", r.Code, got, countRevisions(t, tdb, r.ID))
		}
	}
}

// Twenty people save the same version at once: the revision claim lets
// exactly one through. The claim is a unique insert, atomic on every engine
// (FerretDB included), so this runs on both.
func TestConcurrentSavesOfOneVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	r := create(t, s, "R1", "Consulting room")

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			mine := *r // each editor loaded version 1
			mine.Name = fmt.Sprintf("Room %02d", i)
			<-startLine
			errs[i] = s.Save(ctx, &mine, 1, []string{"name"}, fmt.Sprintf("u%02d", i), now)
		})
	}
	close(startLine)
	wg.Wait()

	saved, conflicts, winner := 0, 0, ""
	for i, err := range errs {
		switch {
		case err == nil:
			saved++
			winner = fmt.Sprintf("Room %02d", i)
		case errors.Is(err, records.ErrConflict):
			conflicts++
		default:
			t.Errorf("save %d: %v", i, err)
		}
	}
	if saved != 1 || conflicts != n-1 {
		t.Fatalf("%d saved, %d conflicts; want 1 and %d", saved, conflicts, n-1)
	}
	if got := get(t, s, r.ID); got.Version != 2 || got.Name != winner {
		t.Errorf("stored version %d name %q; the saved edit was %q", got.Version, got.Name, winner)
	}
	if v2, err := s.Revision(ctx, r.ID, 2); err != nil || v2.Name != winner || countRevisions(t, tdb, r.ID) != 2 {
		t.Errorf("revision 2: %+v, %v; %d revisions", v2, err, countRevisions(t, tdb, r.ID))
	}
}

// A save whose record write is delayed until after a later save's (on an
// engine whose updates are not atomic the version filter cannot stop it)
// settles afterwards: the record ends as the newest revision.
func TestDelayedWriteNeverRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	r := create(t, s, "R1", "Consulting room")
	v1 := *r

	r.Name = "Treatment room"
	if err := s.Save(ctx, r, 1, []string{"name"}, "u2", now); err != nil {
		t.Fatal(err)
	}
	// The delayed write of version 1 lands last, then its save settles.
	if _, err := tdb.Collection(kind.Collection).Replace(ctx, db.ID(r.ID), &v1); err != nil {
		t.Fatal(err)
	}
	if get(t, s, r.ID).Version != 1 {
		t.Fatal("the delayed write did not land")
	}
	if err := records.Settle(ctx, s, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, r.ID); got.Version != 2 || got.Name != "Treatment room" {
		t.Errorf("after settling: version %d name %q, want version 2 with the later name", got.Version, got.Name)
	}
	if old, err := s.Revision(ctx, r.ID, 1); err != nil || old.Name != "Consulting room" {
		t.Errorf("revision 1: %+v, %v", old, err)
	}
}

// A save that claimed its version and stopped before writing the record
// (a crash between the two writes) must not lock the record: the next save
// from the version shown is a conflict that rolls the record forward, and
// the save after it goes through.
func TestCrashBetweenWritesIsRolledForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, tdb := open(t)
	r := create(t, s, "R1", "Consulting room")

	// What the interrupted save left: revision 2, the record at 1.
	snap := *r
	snap.Version, snap.Name, snap.UpdatedBy = 2, "Treatment room", "u2"
	if err := tdb.Collection(kind.Revisions).Insert(ctx, map[string]any{
		kind.Ref: r.ID, "version": 2, "snapshot": snap, "changed": []string{"name"}, "by": "u2", "at": now,
	}); err != nil {
		t.Fatal(err)
	}

	shown := get(t, s, r.ID)
	shown.Code = "R9"
	if err := s.Save(ctx, shown, 1, []string{"code"}, "u3", now); !errors.Is(err, records.ErrConflict) {
		t.Fatalf("save from the version shown: %v, want ErrConflict", err)
	}
	latest := get(t, s, r.ID)
	if latest.Version != 2 || latest.Name != "Treatment room" || latest.Code != "R1" {
		t.Fatalf("after the conflict: %+v, want the interrupted save's version 2", latest)
	}
	latest.Code = "R9"
	if err := s.Save(ctx, latest, 2, []string{"code"}, "u3", now); err != nil {
		t.Fatalf("save from the rolled-forward version: %v", err)
	}
	if got := get(t, s, r.ID); got.Version != 3 || got.Code != "R9" || got.Name != "Treatment room" {
		t.Errorf("after saving again: %+v", got)
	}
}

// Editors keep saving one record, each from the version they last read,
// while a reader watches it. The versions claimed are 1..N without a gap,
// and the record ends as the newest revision. Where single updates are
// atomic (the embedded store, a real MongoDB) the reader also never sees
// the record go back to an older version; FerretDB's read-then-write
// updates can put one back for a moment, which the next settle repairs.
func TestRacingSavesKeepTheNewestVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := open(t)
	r := create(t, s, "R1", "Consulting room")
	atomic := os.Getenv(dbtest.EngineVar) != "mongo" || dbtest.AtomicUpdates()

	const editors, saves = 8, 10
	var wg sync.WaitGroup
	done := make(chan struct{})
	var watchErr error
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		last := int64(0)
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := s.Get(ctx, r.ID)
			if err != nil {
				watchErr = err
				return
			}
			if atomic && got.Version < last {
				watchErr = fmt.Errorf("the record went back from version %d to %d", last, got.Version)
				return
			}
			last = max(last, got.Version)
		}
	}()
	errs := make(chan error, editors)
	for e := range editors {
		wg.Go(func() {
			for n := 0; n < saves; {
				cur, err := s.Get(ctx, r.ID)
				if err != nil {
					errs <- err
					return
				}
				cur.Name = fmt.Sprintf("editor %d save %d", e, n)
				switch err := s.Save(ctx, cur, cur.Version, []string{"name"}, "u", now); {
				case err == nil:
					n++
				case !errors.Is(err, records.ErrConflict):
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	<-watched
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if watchErr != nil {
		t.Error(watchErr)
	}

	h, err := s.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	const want = editors*saves + 1
	for i, e := range h {
		if e.Version != int64(want-i) {
			t.Fatalf("history has version %d at %d; want %d..1 without a gap", e.Version, i, want)
		}
	}
	if !atomic {
		if err := records.Settle(ctx, s, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	newest, err := s.Revision(ctx, r.ID, want)
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, r.ID); len(h) != want || got.Version != want || got.Name != newest.Name {
		t.Errorf("%d versions; the record is version %d %q, the newest revision %q", len(h), got.Version, got.Name, newest.Name)
	}
}

// A save refused as a conflict leaves the record in hand at the version it
// was loaded at: a form re-rendered from it cannot claim the winner's.
func TestConflictKeepsTheVersionInHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := open(t)
	r := create(t, s, "R1", "Consulting room")
	a, b := get(t, s, r.ID), get(t, s, r.ID)
	a.Name = "Room A"
	if err := s.Save(ctx, a, 1, []string{"name"}, "u1", now); err != nil {
		t.Fatal(err)
	}
	b.Name = "Room B"
	if err := s.Save(ctx, b, 1, []string{"name"}, "u2", now.Add(time.Minute)); !errors.Is(err, records.ErrConflict) {
		t.Fatalf("second save of version 1: %v, want a conflict", err)
	}
	if b.Version != 1 || b.UpdatedBy != "u1" || !b.UpdatedAt.Equal(now) {
		t.Errorf("the refused record in hand: version %d, by %s at %v", b.Version, b.UpdatedBy, b.UpdatedAt)
	}
}

// A record whose id was chosen before it was stored keeps it; a second
// record with that id is refused and leaves no history behind.
func TestCreateKeepsAPresetID(t *testing.T) {
	a, _, tdb := open(t)
	ctx := context.Background()
	r := &room{Meta: records.Meta{ID: "chosen-1"}, Code: "R1", Name: "One"}
	if err := a.Create(ctx, r, "u1", now); err != nil {
		t.Fatal(err)
	}
	if r.ID != "chosen-1" || r.Version != 1 || !r.Active {
		t.Fatalf("created %+v, want id chosen-1 at version 1, active", r.Meta)
	}
	if got := get(t, a, "chosen-1"); got.Name != "One" {
		t.Fatalf("stored %+v", got)
	}
	again := &room{Meta: records.Meta{ID: "chosen-1"}, Code: "R2", Name: "Two"}
	if err := a.Create(ctx, again, "u1", now); !db.IsDuplicate(err) {
		t.Fatalf("second create with the same id: %v, want a duplicate", err)
	}
	if n := countRevisions(t, tdb, "chosen-1"); n != 1 {
		t.Fatalf("%d revisions of chosen-1, want 1", n)
	}
}
