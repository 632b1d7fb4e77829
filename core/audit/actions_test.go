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
		{"no code", []audit.Declaration{core, mod(audit.Action{"", "Opened a chart"})}, `charts: audit action "": the code must be one word`},
		{"a code of two words", []audit.Declaration{core, mod(audit.Action{"chart view", "Opened a chart"})}, `charts: audit action "chart view": the code must be one word`},
		{"no label", []audit.Declaration{core, mod(audit.Action{"chart.view", " "})}, `charts: audit action "chart.view" has no label`},
		{"a code declared twice", []audit.Declaration{core, mod(audit.Action{audit.SignOut, "Left"})}, `audit action "signout" declared by both "core" and "charts"`},
		{"one label for two actions", []audit.Declaration{core, mod(audit.Action{"chart.signout", "Signed out"})},
			`charts: audit action "chart.signout" has the label "Signed out" of another action (declared by "core")`},
	}
	for _, tc := range cases {
		c, err := audit.NewCatalogue(tc.ds...)
		if err == nil || err.Error() != tc.want || c != nil {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}
}
