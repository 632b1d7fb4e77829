package roles

import (
	"net/url"
	"slices"
	"testing"

	"github.com/wardclinic/ward/core/app"
)

func TestNewCatalogueMergesByResource(t *testing.T) {
	t.Parallel()
	c := newCatalogue([]app.Permission{
		{Resource: "patients", Label: "Patients", Actions: []string{"update", "read"}},
		{Resource: "staff", Actions: []string{"read"}},
		{Resource: "patients", Label: "Ignored", Actions: []string{"read", "export", "delete"}},
		{Resource: "*", Actions: []string{"*"}},
		{Resource: "labs", Label: "Labs", Actions: []string{"approve", "*", "", "create"}},
	})
	var got []string
	for _, p := range c.resources {
		got = append(got, p.Resource+"="+p.Label)
	}
	if want := []string{"patients=Patients", "staff=Staff", "labs=Labs"}; !slices.Equal(got, want) {
		t.Errorf("resources = %v, want %v", got, want)
	}
	if want := []string{"read", "update", "delete", "export"}; !slices.Equal(c.resources[0].Actions, want) {
		t.Errorf("patients actions = %v, want %v", c.resources[0].Actions, want)
	}
	if want := []string{"read", "create", "update", "delete", "export", "approve"}; !slices.Equal(c.actions, want) {
		t.Errorf("columns = %v, want %v", c.actions, want)
	}
	for _, x := range []struct {
		res, act string
		want     bool
	}{
		{"patients", "export", true}, {"patients", "create", false}, {"labs", "approve", true},
		{"labs", "*", false}, {"*", "*", false}, {"billing", "read", false},
	} {
		if got := c.has(x.res, x.act); got != x.want {
			t.Errorf("has(%s, %s) = %v", x.res, x.act, got)
		}
	}
}

// TestLabels: the words the role editor shows for a resource and an
// action, declared or not.
func TestLabels(t *testing.T) {
	t.Parallel()
	c := newCatalogue([]app.Permission{{Resource: "patients", Label: "Patient records", Actions: []string{"read"}}})
	for _, tc := range []struct{ resource, want string }{
		{"patients", "Patient records"},
		{"appointments", "Appointments"},
		{"lab_results", "Lab results"},
		{"stock-counts", "Stock counts"},
		{"élèves", "Élèves"},
		{"", ""},
	} {
		if got := c.label(tc.resource); got != tc.want {
			t.Errorf("label(%q) = %q, want %q", tc.resource, got, tc.want)
		}
	}
	for _, tc := range []struct{ action, want string }{
		{"read", "View"}, {"create", "Add"}, {"update", "Change"}, {"delete", "Delete"}, {"export", "Export"},
	} {
		if got := actionLabel(tc.action); got != tc.want {
			t.Errorf("actionLabel(%q) = %q, want %q", tc.action, got, tc.want)
		}
	}
}

func TestParseGrant(t *testing.T) {
	t.Parallel()
	cat := newCatalogue([]app.Permission{{Resource: "audit", Actions: []string{"read"}}})
	cases := []struct {
		name string
		form url.Values
		want grantForm
		msg  bool
	}{
		{"grant", url.Values{"resource": {"audit"}, "action": {"read"}, "grant": {"on"}}, grantForm{"audit", "read", true}, false},
		{"revoke", url.Values{"resource": {" audit "}, "action": {"read"}, "grant": {"off"}}, grantForm{"audit", "read", false}, false},
		{"no switch", url.Values{"resource": {"audit"}, "action": {"read"}}, grantForm{}, true},
		{"odd switch", url.Values{"resource": {"audit"}, "action": {"read"}, "grant": {"yes"}}, grantForm{}, true},
		{"unknown action", url.Values{"resource": {"audit"}, "action": {"delete"}, "grant": {"on"}}, grantForm{}, true},
		{"wildcard", url.Values{"resource": {"*"}, "action": {"*"}, "grant": {"on"}}, grantForm{}, true},
		{"empty", url.Values{}, grantForm{}, true},
	}
	for _, c := range cases {
		got, msg := parseGrant(c.form.Get, cat)
		if (msg != "") != c.msg {
			t.Errorf("%s: message %q", c.name, msg)
		}
		if !c.msg && got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestParseName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, name, msg string
	}{
		{"Lab technician", "Lab technician", ""},
		{"  Front \t desk ", "Front desk", ""},
		{"", "", "Enter a name for the role."},
		{"Ärztin", "Ärztin", ""},
		{"12345678901234567890123456789012345678901234567890", "12345678901234567890123456789012345678901234567890", ""},
		{"123456789012345678901234567890123456789012345678901", "", "Use at most 50 characters."},
		{"Nurse\u200b", "", "Role name may not contain invisible characters."},
		{"Nurse\u202e", "", "Role name may not contain characters that change the direction of text."},
	}
	for _, c := range cases {
		f, msg := parseName(url.Values{"name": {c.raw}}.Get)
		if f.Name != c.name || msg != c.msg || f.Raw != c.raw {
			t.Errorf("parseName(%q) = %+v, %q; want %q, %q", c.raw, f, msg, c.name, c.msg)
		}
	}
}
