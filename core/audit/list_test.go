package audit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/web"
)

// TestListByRecord: the entries about a record are those naming it as
// their target and the views that showed it, in a list too; the other
// filters narrow them; only the clinic's own are found.
func TestListByRecord(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	a, b := s.ForTenant("A"), s.ForTenant("B")
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c1, c2 := audit.Ref{ID: "c1", Label: "C-000001"}, audit.Ref{ID: "c2", Label: "C-000002"}
	as := func(tdb, actor string, do func(c *gin.Context)) {
		clk.Advance(time.Minute)
		serve(t, &audit.Binding{Clinic: s.ForTenant(tdb), ActorID: actor, Clock: clk, Actions: catalogue(t)}, do)
	}
	view := func(action string, refs ...audit.Ref) func(c *gin.Context) {
		return func(c *gin.Context) {
			ctx, v := audit.Watch(c.Request.Context())
			audit.Shown(ctx, action, refs...)
			if err := v.Record(audit.For(c), "GET /charts"); err != nil {
				t.Error(err)
			}
		}
	}
	record := func(action, target string, ds ...audit.Detail) func(c *gin.Context) {
		return func(c *gin.Context) {
			if err := audit.For(c).Record(action, target, ds...); err != nil {
				t.Error(err)
			}
		}
	}
	as("A", "u1", view(chartView, c1))                                            // 1: opened c1
	as("A", "u2", view("chart.list", c2, c1))                                     // 2: a list showing c1
	as("A", "u1", view("chart.list", c2))                                         // 3: a list without it
	as("A", "u2", record(audit.UserUpdate, "chart:c1", audit.Label("Chart one"))) // 4: a change of c1
	as("A", "u1", record(audit.SignOut, ""))                                      // 5
	as("B", "u1", view(chartView, c1))                                            // another clinic's c1

	ctx := context.Background()
	list := func(f audit.Filter, page, size int) ([]string, int64) {
		t.Helper()
		p := &web.Pager{Page: page, Size: size}
		es, err := audit.List(ctx, a, f, p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.ActorID+" "+e.Action)
		}
		return got, p.Total
	}
	if got, total := list(audit.Filter{Record: "chart:c1"}, 1, 10); total != 3 || !slices.Equal(got, []string{"u2 user.update", "u2 chart.list", "u1 chart.view"}) {
		t.Errorf("entries about c1: %d %q", total, got)
	}
	if got, total := list(audit.Filter{Record: "chart:c1"}, 2, 1); total != 3 || !slices.Equal(got, []string{"u2 chart.list"}) {
		t.Errorf("the second page of one: %d %q", total, got)
	}
	if got, _ := list(audit.Filter{Record: "chart:c1"}, 9, 1); !slices.Equal(got, []string{"u1 chart.view"}) {
		t.Errorf("a page past the end is not the last: %q", got)
	}
	if got, _ := list(audit.Filter{Record: "chart:c1", ActorID: "u1"}, 1, 10); !slices.Equal(got, []string{"u1 chart.view"}) {
		t.Errorf("u1 about c1: %q", got)
	}
	if got, _ := list(audit.Filter{Record: "chart:c1", Action: "chart.list"}, 1, 10); !slices.Equal(got, []string{"u2 chart.list"}) {
		t.Errorf("lists showing c1: %q", got)
	}
	if got, _ := list(audit.Filter{Action: "chart.list"}, 1, 10); len(got) != 2 {
		t.Errorf("the lists are in the log: %q", got)
	}
	start := time.Date(2026, 3, 2, 9, 2, 0, 0, time.UTC)
	if got, _ := list(audit.Filter{Record: "chart:c1", From: start.Add(2 * time.Minute), To: start.Add(3 * time.Minute)}, 1, 10); !slices.Equal(got, []string{"u2 user.update"}) {
		t.Errorf("c1 in one minute: %q", got)
	}
	if got, total := list(audit.Filter{Record: "chart:c9"}, 1, 10); total != 0 || len(got) != 0 {
		t.Errorf("a record nobody saw: %d %q", total, got)
	}
	pb := &web.Pager{Page: 1, Size: 10}
	if es, _ := audit.List(ctx, b, audit.Filter{Record: "chart:c1"}, pb); pb.Total != 1 || len(es) != 1 || es[0].TenantID != "B" {
		t.Errorf("B's entries about its c1: %d %+v", pb.Total, es)
	}
	es, _ := audit.List(ctx, a, audit.Filter{Action: audit.UserUpdate}, &web.Pager{Page: 1, Size: 10})
	if len(es) != 1 || es[0].Label != "Chart one" {
		t.Errorf("the label recorded: %+v", es)
	}
}

func TestClinicCreated(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	tdb := s.ForTenant("A")
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := audit.ClinicCreated(context.Background(), tdb, "u1", "ada@sunrise.test", "Sunrise Clinic", at); err != nil {
		t.Fatal(err)
	}
	es := logOf(t, tdb, audit.ClinicCreate)
	if len(es) != 1 || es[0].ActorID != "u1" || es[0].ActorEmail != "ada@sunrise.test" || es[0].Label != "Sunrise Clinic" ||
		es[0].Target != "clinic" || !es[0].At.Equal(at) {
		t.Errorf("entries: %+v", es)
	}
	if es, _ := audit.List(context.Background(), tdb, audit.Filter{Record: "clinic"}, &web.Pager{Page: 1, Size: 10}); len(es) != 1 {
		t.Errorf("entries about the clinic: %+v", es)
	}
}

// capped is a pager whose count stops at max matches.
type capped struct {
	*web.Pager
	max int64
}

func (c capped) CountLimit() int64 { return c.max }

// TestListCountsUpToTheLimit: the count stops at the pager's limit and says
// there are more, on the whole log and by record; the page is still read.
func TestListCountsUpToTheLimit(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	tdb := s.ForTenant("A")
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 4 {
		if err := audit.ClinicCreated(ctx, tdb, "u1", "ada@sunrise.test", "Sunrise Clinic", at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []audit.Filter{{}, {Record: "clinic"}} {
		p := capped{&web.Pager{Page: 1, Size: 2}, 3}
		es, err := audit.List(ctx, tdb, f, p)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 3 || !p.More || p.Pages != 2 || len(es) != 2 || !es[0].At.Equal(at.Add(3*time.Minute)) {
			t.Errorf("%+v: total %d, more %v, %d pages, %d entries", f, p.Total, p.More, p.Pages, len(es))
		}
		p = capped{&web.Pager{Page: 1, Size: 2}, 4}
		if _, err := audit.List(ctx, tdb, f, p); err != nil || p.Total != 4 || p.More {
			t.Errorf("%+v: all counted: total %d, more %v, %v", f, p.Total, p.More, err)
		}
	}
}

// TestEntryRecordedWhenItsReferencesAreNot: once the entry is written, a
// failure to index it by its records is no failure to record (a retry
// would write the entry twice); the entry is in the log.
func TestEntryRecordedWhenItsReferencesAreNot(t *testing.T) {
	t.Parallel()
	// One reference per record: the second entry about "clinic" cannot
	// be indexed by it.
	s := dbtest.Open(t, append(slices.Clone(audit.Indexes), db.Index{Collection: audit.RecordsCollection, Keys: []string{db.TenantField, "record"}, Unique: true})...)
	tdb := s.ForTenant("A")
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := range 2 {
		if err := audit.ClinicCreated(ctx, tdb, "u1", "ada@sunrise.test", "Sunrise Clinic", at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("entry %d: %v", i+1, err)
		}
	}
	if es := logOf(t, tdb, audit.ClinicCreate); len(es) != 2 {
		t.Errorf("%d entries in the log, want 2", len(es))
	}
	if n, err := tdb.Collection(audit.RecordsCollection).Count(ctx, db.Eq("record", "clinic")); err != nil || n != 1 {
		t.Errorf("%d references, want 1 (%v)", n, err)
	}
}
