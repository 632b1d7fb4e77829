package app_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/web"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// navModule declares a permission for each of its entries' resources.
type navModule struct {
	name    string
	entries []app.NavEntry
}

func (m navModule) Name() string        { return m.name }
func (m navModule) Nav() []app.NavEntry { return m.entries }
func (m navModule) Permissions() []app.Permission {
	var ps []app.Permission
	for _, e := range m.entries {
		if e.Resource != "" {
			ps = append(ps, app.Permission{Resource: e.Resource, Label: e.Label, Actions: []string{"read"}})
		}
	}
	return ps
}

func link(label, group string) web.NavLink {
	return web.NavLink{Label: label, Href: "/" + strings.ToLower(label), Group: group}
}

// labels shows groups as "heading: link link | heading: link".
func labels(groups []web.NavGroup) string {
	var parts []string
	for _, g := range groups {
		var ls []string
		for _, l := range g.Links {
			ls = append(ls, l.Label)
		}
		parts = append(parts, g.Label+": "+strings.Join(ls, " "))
	}
	return strings.Join(parts, " | ")
}

func TestGroupNav(t *testing.T) {
	cases := []struct {
		name   string
		links  []web.NavLink
		groups string
		user   []string
	}{
		{"nothing", nil, "", nil},
		{"headings in their order, whatever the links' order", []web.NavLink{
			link("Staff", app.GroupAdmin), link("Invoices", app.GroupBilling), link("Patients", app.GroupFrontDesk),
			link("Visits", app.GroupClinical), link("Roles", app.GroupAdmin),
		}, "Front desk: Patients | Clinical: Visits | Billing: Invoices | Admin: Staff Roles", nil},
		{"links without a group first, under no heading", []web.NavLink{
			link("Patients", app.GroupFrontDesk), link("Dashboard", ""),
		}, ": Dashboard | Front desk: Patients", nil},
		{"a heading with no link is left out", []web.NavLink{
			link("Dashboard", ""), link("Services", app.GroupBilling),
		}, ": Dashboard | Billing: Services", nil},
		{"the person's own links go to their menu", []web.NavLink{
			link("Dashboard", ""), link("My profile", app.GroupUser), link("Staff", app.GroupAdmin),
		}, ": Dashboard | Admin: Staff", []string{"My profile"}},
		{"an unknown heading comes after the known ones", []web.NavLink{
			link("Reports", "Reports"), link("Staff", app.GroupAdmin),
		}, "Admin: Staff | Reports: Reports", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			groups, user := app.GroupNav(tc.links)
			if got := labels(groups); got != tc.groups {
				t.Errorf("groups %q, want %q", got, tc.groups)
			}
			var got []string
			for _, l := range user {
				got = append(got, l.Label)
			}
			if !reflect.DeepEqual(got, tc.user) {
				t.Errorf("user menu %v, want %v", got, tc.user)
			}
		})
	}
}

// TestNavOrder: the app lists entries by heading (NavGroups' order), then by
// Order, whichever module declares them.
func TestNavOrder(t *testing.T) {
	cfg, _ := config.Load(func(string) string { return "" })
	a, err := app.New(app.Deps{Config: cfg, Templates: templates.FS, Static: static.FS},
		navModule{"admin", []app.NavEntry{
			{Label: "Settings", Href: "/settings", Resource: "settings", Group: app.GroupAdmin, Order: 95},
			{Label: "My profile", Href: "/profile", Group: app.GroupUser, Order: 1},
			{Label: "Staff", Href: "/staff", Resource: "staff", Group: app.GroupAdmin, Order: 80},
		}},
		navModule{"billing", []app.NavEntry{{Label: "Services", Href: "/services", Resource: "services", Group: app.GroupBilling, Order: 10}}},
		navModule{"desk", []app.NavEntry{{Label: "Patients", Href: "/patients", Resource: "patients", Group: app.GroupFrontDesk, Order: 50}}},
		navModule{"home", []app.NavEntry{{Label: "Dashboard", Href: "/dashboard", Resource: "dashboard", Order: 99}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range a.Nav() {
		got = append(got, n.Label)
	}
	want := []string{"Dashboard", "Patients", "Services", "Staff", "Settings", "My profile"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("navigation order %v, want %v", got, want)
	}
}

func TestNavRefusesUnknownGroup(t *testing.T) {
	cfg, _ := config.Load(func(string) string { return "" })
	_, err := app.New(app.Deps{Config: cfg, Templates: templates.FS, Static: static.FS},
		navModule{"lab", []app.NavEntry{{Label: "Labs", Href: "/labs", Resource: "labs", Group: "Clinic"}}})
	if want := `navigation entry "Labs": group "Clinic" is not one of app.NavGroups`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
}
