package audit_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/audit"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db/dbtest"
)

// view is an entry of a view, as the test compares it.
type view struct {
	Action, Target, Route string
	Records               []audit.Ref
}

func TestViewsBecomeEntries(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	dbtest.CheckQueries(t, s)
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	p1, p2 := audit.Ref{ID: "p1", Label: "C-000001"}, audit.Ref{ID: "p2", Label: "C-000002"}
	const list, route = "chart.list", "GET /x"
	cases := []struct {
		name     string
		reports  func(ctx context.Context)
		reported bool
		want     []view
	}{
		{"nothing reported", func(context.Context) {}, false, nil},
		{"an empty list: reported, no entry", func(ctx context.Context) { audit.Shown(ctx, list) }, true, nil},
		{"one record: named as the target too", func(ctx context.Context) { audit.Shown(ctx, chartView, p1) }, true,
			[]view{{chartView, "chart:p1", route, []audit.Ref{p1}}}},
		{"a list: one entry naming every record", func(ctx context.Context) { audit.Shown(ctx, list, p1, p2) }, true,
			[]view{{list, "", route, []audit.Ref{p1, p2}}}},
		{"reports of one action add up", func(ctx context.Context) {
			audit.Shown(ctx, list, p1)
			audit.Shown(ctx, list, p2)
		}, true, []view{{list, "", route, []audit.Ref{p1, p2}}}},
		{"two actions: two entries", func(ctx context.Context) {
			audit.Shown(ctx, chartView, p1)
			audit.Shown(ctx, list, p1, p2)
		}, true, []view{
			{chartView, "chart:p1", route, []audit.Ref{p1}},
			{list, "", route, []audit.Ref{p1, p2}},
		}},
	}
	for i, tc := range cases {
		tdb := s.ForTenant(string(rune('A' + i)))
		serve(t, &audit.Binding{Clinic: tdb, ActorID: "u1", Clock: clk, Actions: catalogue(t)}, func(c *gin.Context) {
			ctx, v := audit.Watch(c.Request.Context())
			tc.reports(ctx)
			if v.Reported() != tc.reported {
				t.Errorf("%s: Reported() = %v", tc.name, v.Reported())
			}
			if err := v.Record(audit.For(c), route); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		})
		var got []view
		for _, action := range []string{chartView, list} {
			for _, e := range logOf(t, tdb, action) {
				if e.ActorID != "u1" || e.IP == "" || !e.At.Equal(clk.Now()) {
					t.Errorf("%s: entry %+v", tc.name, e)
				}
				got = append(got, view{e.Action, e.Target, e.Route, e.Records})
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
	// Outside a watched request a report has nowhere to go: it is logged,
	// never a panic.
	audit.Shown(context.Background(), chartView, p1)
}

func TestUnreportedViewIsRecorded(t *testing.T) {
	t.Parallel()
	s := dbtest.Open(t, audit.Indexes...)
	tdb := s.ForTenant("A")
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	serve(t, &audit.Binding{Clinic: tdb, ActorID: "u1", Clock: clk, Actions: catalogue(t)}, func(c *gin.Context) {
		if err := audit.RecordUnreported(audit.For(c), "GET /charts/:id", "/charts/c1"); err != nil {
			t.Error(err)
		}
	})
	es := logOf(t, tdb, audit.UnreportedView)
	if len(es) != 1 || es[0].Route != "GET /charts/:id" || es[0].After != "unreported view of /charts/c1" || es[0].ActorID != "u1" {
		t.Errorf("entries: %+v", es)
	}
}
