package audit_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/audit"
)

func TestCatalogue(t *testing.T) {
	t.Parallel()
	c := catalogue(t)
	all := c.All()
	if len(all) != len(audit.CoreActions())+2 || all[0].Code != audit.SignInSuccess || all[len(all)-1].Code != "chart.list" {
		t.Errorf("All() = %+v", all)
	}
	all[0].Label = "changed"
	if c.Label(audit.SignInSuccess) != "Signed in" {
		t.Error("All() hands out the catalogue itself")
	}
	if !c.Has(chartView) || c.Label(chartView) != "Opened a chart" {
		t.Errorf("a module's action: %v %q", c.Has(chartView), c.Label(chartView))
	}
	// An entry of an action no part of Ward declares now (a module since
	// removed) is still shown, by its code.
	if c.Has("visit.view") || c.Label("visit.view") != "visit.view" {
		t.Errorf("an undeclared action: %v %q", c.Has("visit.view"), c.Label("visit.view"))
	}
	for _, a := range audit.CoreActions() {
		if !c.Has(a.Code) {
			t.Errorf("core's %q is missing", a.Code)
		}
	}
	if slices.ContainsFunc(audit.CoreActions(), func(a audit.Action) bool { return strings.HasPrefix(a.Code, "patient.") }) {
		t.Error("core declares the patients module's actions")
	}
}

func TestCatalogueRefuses(t *testing.T) {
	t.Parallel()
	core := audit.Declaration{By: "core", Actions: audit.CoreActions()}
	mod := func(as ...audit.Action) audit.Declaration { return audit.Declaration{By: "charts", Actions: as} }
	cases := []struct {
		name string
		ds   []audit.Declaration
		want string
	}{
		{"no code", []audit.Declaration{core, mod(audit.Action{Code: "", Label: "Opened a chart"})}, `charts: audit action "": the code must be one word`},
		{"a code of two words", []audit.Declaration{core, mod(audit.Action{Code: "chart view", Label: "Opened a chart"})}, `charts: audit action "chart view": the code must be one word`},
		{"no label", []audit.Declaration{core, mod(audit.Action{Code: "chart.view", Label: " "})}, `charts: audit action "chart.view" has no label`},
		{"a code declared twice", []audit.Declaration{core, mod(audit.Action{Code: audit.SignOut, Label: "Left"})}, `audit action "signout" declared by both "core" and "charts"`},
		{"a link to another site", []audit.Declaration{core, mod(audit.Action{Code: "chart.view", Label: "Opened a chart", Link: "//evil.test/"})},
			`charts: audit action "chart.view": the link "//evil.test/" must be a path such as /patients/`},
		{"one label for two actions", []audit.Declaration{core, mod(audit.Action{Code: "chart.signout", Label: "Signed out"})},
			`charts: audit action "chart.signout" has the label "Signed out" of another action (declared by "core")`},
	}
	for _, tc := range cases {
		c, err := audit.NewCatalogue(tc.ds...)
		if err == nil || err.Error() != tc.want || c != nil {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestCatalogueSentences(t *testing.T) {
	t.Parallel()
	c := catalogue(t)
	if a := c.Action(chartView); a.Says != "opened the chart of" || a.Plural != "charts" || a.Link != "/charts/" {
		t.Errorf("a declared sentence: %+v", a)
	}
	// Without a sentence, the label says it; a list of records is of "records".
	if a := c.Action("chart.list"); a.Says != "listed charts" || a.Plural != "records" {
		t.Errorf("the sentence made from the label: %+v", a)
	}
	if a := c.Action("visit.view"); a.Label != "visit.view" || a.Says != "did visit.view" || a.Link != "" {
		t.Errorf("an undeclared action: %+v", a)
	}
	for _, a := range c.All() {
		if a.Says == "" || a.Says != strings.TrimSpace(a.Says) || a.Says[:1] != strings.ToLower(a.Says[:1]) {
			t.Errorf("%s: the sentence %q should be a verb phrase in lower case", a.Code, a.Says)
		}
	}
	if !c.Has(audit.ClinicCreate) {
		t.Error("clinic creation is not declared")
	}
}

func TestHref(t *testing.T) {
	t.Parallel()
	cases := []struct {
		link, target, want string
	}{
		{"/patients/", "patient:64f0c0ffee", "/patients/64f0c0ffee"},
		{"/roles?role=", "role:custom-1 a", "/roles?role=custom-1+a"},
		{"/services/", "service:a/b", "/services/a%2Fb"},
		{"/settings", "settings", "/settings"},
		{"/patients/", "", ""},
		{"", "patient:1", ""},
	}
	for _, c := range cases {
		if got := (audit.Action{Link: c.link}).Href(c.target); got != c.want {
			t.Errorf("Href(%q) of %q = %q, want %q", c.target, c.link, got, c.want)
		}
	}
}

func TestRecordsOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		e    audit.Entry
		want []string
	}{
		{"nothing", audit.Entry{Action: audit.SignInSuccess}, nil},
		{"a target", audit.Entry{Action: audit.UserUpdate, Target: "user:u1"}, []string{"user:u1"}},
		{"a view of one record", audit.Entry{Action: chartView, Target: "chart:c1", Records: []audit.Ref{{ID: "c1"}}}, []string{"chart:c1"}},
		{"a list, a record twice", audit.Entry{Action: "chart.list", Records: []audit.Ref{{ID: "c1"}, {ID: "c2"}, {ID: "c1"}}}, []string{"chart:c1", "chart:c2"}},
	}
	for _, c := range cases {
		if got := audit.RecordsOf(c.e); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
