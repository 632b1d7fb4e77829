package audit

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		query string
		want  filterForm
	}{
		{"", filterForm{}},
		{"user=u1&action=role.create&from=2026-03-01&to=2026-03-02&page=3", filterForm{"u1", "role.create", "2026-03-01", "2026-03-02", ""}},
		{"record=patient:p1&action=patient.view", filterForm{Action: "patient.view", Record: "patient:p1"}},
		{"action=+signout+", filterForm{Action: "signout"}},
		{"user=" + strings.Repeat("x", 101), filterForm{}},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		if got := parseFilter(q.Get); got != c.want {
			t.Errorf("parseFilter(%q) = %+v, want %+v", c.query, got, c.want)
		}
	}
}

func TestFilterQueryUsesTheClinicsDays(t *testing.T) {
	nairobi, err := time.LoadLocation("Africa/Nairobi") // UTC+3, no DST
	if err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		f        filterForm
		loc      *time.Location
		from, to time.Time // UTC
		errs     []string
	}{
		{name: "no dates", f: filterForm{User: "u", Action: "a", Record: "patient:p1"}, loc: time.UTC},
		{name: "one day in Nairobi", f: filterForm{From: "2026-03-02", To: "2026-03-02"}, loc: nairobi,
			from: time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)},
		{name: "the day the clocks go forward has 23 hours", f: filterForm{From: "2026-03-29", To: "2026-03-29"}, loc: london,
			from: time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC)},
		{name: "from only", f: filterForm{From: "2026-03-02"}, loc: time.UTC, from: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{name: "to only", f: filterForm{To: "2026-03-02"}, loc: time.UTC, to: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
		{name: "bad dates", f: filterForm{From: "02/03/2026", To: "2026-02-30"}, loc: time.UTC, errs: []string{"from", "to"}},
		{name: "backwards", f: filterForm{From: "2026-03-03", To: "2026-03-02"}, loc: time.UTC, errs: []string{"to"}},
	}
	for _, c := range cases {
		q, errs := c.f.query(c.loc)
		if len(errs) != len(c.errs) {
			t.Errorf("%s: errors %v, want on %v", c.name, errs, c.errs)
			continue
		}
		for _, k := range c.errs {
			if errs[k] == "" {
				t.Errorf("%s: no message for %s", c.name, k)
			}
		}
		if len(c.errs) > 0 {
			continue
		}
		if !q.From.Equal(c.from) || !q.To.Equal(c.to) || q.ActorID != c.f.User || q.Action != c.f.Action || q.Record != c.f.Record {
			t.Errorf("%s: %+v, want from %v to %v", c.name, q, c.from, c.to)
		}
	}
}
