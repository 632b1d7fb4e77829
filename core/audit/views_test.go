package audit_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/wardclinic/ward/core/audit"
)

func TestViewsBecomeEntries(t *testing.T) {
	p1, p2 := audit.Ref{ID: "p1", Label: "P-000001"}, audit.Ref{ID: "p2", Label: "P-000002"}
	base := audit.Entry{ActorID: "u1", Route: "GET /x"}
	cases := []struct {
		name     string
		reports  func(ctx context.Context)
		reported bool
		want     []audit.Entry
	}{
		{"nothing reported", func(context.Context) {}, false, nil},
		{"an empty list: reported, no entry", func(ctx context.Context) { audit.Shown(ctx, audit.PatientList) }, true, nil},
		{"one record: named as the target too", func(ctx context.Context) { audit.Shown(ctx, audit.PatientView, p1) }, true,
			[]audit.Entry{{ActorID: "u1", Route: "GET /x", Action: audit.PatientView, Target: "patient:p1", Records: []audit.Ref{p1}}}},
		{"a list: one entry naming every record", func(ctx context.Context) { audit.Shown(ctx, audit.PatientList, p1, p2) }, true,
			[]audit.Entry{{ActorID: "u1", Route: "GET /x", Action: audit.PatientList, Records: []audit.Ref{p1, p2}}}},
		{"reports of one action add up", func(ctx context.Context) {
			audit.Shown(ctx, audit.PatientList, p1)
			audit.Shown(ctx, audit.PatientList, p2)
		}, true, []audit.Entry{{ActorID: "u1", Route: "GET /x", Action: audit.PatientList, Records: []audit.Ref{p1, p2}}}},
		{"two actions: two entries", func(ctx context.Context) {
			audit.Shown(ctx, audit.PatientView, p1)
			audit.Shown(ctx, audit.PatientList, p1, p2)
		}, true, []audit.Entry{
			{ActorID: "u1", Route: "GET /x", Action: audit.PatientView, Target: "patient:p1", Records: []audit.Ref{p1}},
			{ActorID: "u1", Route: "GET /x", Action: audit.PatientList, Records: []audit.Ref{p1, p2}},
		}},
	}
	for _, c := range cases {
		ctx, v := audit.Watch(context.Background())
		c.reports(ctx)
		if v.Reported() != c.reported {
			t.Errorf("%s: Reported() = %v", c.name, v.Reported())
		}
		if got := v.Entries(base); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
	// Outside a watched request a report has nowhere to go: it is logged,
	// never a panic.
	audit.Shown(context.Background(), audit.PatientView, p1)
}
