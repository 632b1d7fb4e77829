package app

import (
	"fmt"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/wardclinic/ward/core/web"
)

// The headings of the navigation, in the order it shows them. A NavEntry
// names one in Group; an entry without a group is listed above them all.
const (
	GroupFrontDesk = "Front desk"
	GroupClinical  = "Clinical"
	GroupBilling   = "Billing"
	GroupAdmin     = "Admin"
	// GroupUser is not a heading: its entries are the signed-in person's
	// own links ("My profile"), shown with their name and the sign-out.
	GroupUser = "user"
)

// NavGroups are the navigation's headings, in order.
var NavGroups = []string{GroupFrontDesk, GroupClinical, GroupBilling, GroupAdmin}

// groupRank orders groups: no group first, then NavGroups in order, then
// any other, then the user's menu.
func groupRank(group string) int {
	if group == "" {
		return 0
	}
	if i := slices.Index(NavGroups, group); i >= 0 {
		return i + 1
	}
	if group == GroupUser {
		return len(NavGroups) + 2
	}
	return len(NavGroups) + 1
}

// knownGroup reports whether a nav entry may name group.
func knownGroup(group string) bool {
	return group == "" || group == GroupUser || slices.Contains(NavGroups, group)
}

// sortNav puts entries in the order the navigation lists them: by group,
// then by Order, then as declared.
func sortNav(nav []NavEntry) {
	slices.SortStableFunc(nav, func(a, b NavEntry) int {
		if ra, rb := groupRank(a.Group), groupRank(b.Group); ra != rb {
			return ra - rb
		}
		return a.Order - b.Order
	})
}

// checkNav refuses an entry under a heading the navigation does not have
// (a misspelt group would be a heading of its own).
func checkNav(nav []NavEntry) error {
	for _, n := range nav {
		if !knownGroup(n.Group) {
			return fmt.Errorf("navigation entry %q: group %q is not one of app.NavGroups (or empty, or app.GroupUser)", n.Label, n.Group)
		}
	}
	return nil
}

// GroupNav splits the links a person may open into the navigation's
// headings, in the order of NavGroups (the links without a group first, in
// a group without Label; headings with no link left out), and the links of
// their own menu (GroupUser). Links keep their order within a group.
func GroupNav(links []web.NavLink) (groups []web.NavGroup, user []web.NavLink) {
	byGroup := map[string][]web.NavLink{}
	var order []string // groups not in NavGroups, as first met
	for _, l := range links {
		if l.Group == GroupUser {
			user = append(user, l)
			continue
		}
		if _, seen := byGroup[l.Group]; !seen && l.Group != "" && !slices.Contains(NavGroups, l.Group) {
			order = append(order, l.Group)
		}
		byGroup[l.Group] = append(byGroup[l.Group], l)
	}
	for _, g := range slices.Concat([]string{""}, NavGroups, order) {
		if ls := byGroup[g]; len(ls) > 0 {
			groups = append(groups, web.NavGroup{Label: g, Links: ls})
		}
	}
	return groups, user
}

// groupNav is the page decorator that fills NavGroups and UserMenu from the
// links the access guard let through (Nav).
func groupNav(_ *gin.Context, g *web.Globals) {
	g.NavGroups, g.UserMenu = GroupNav(g.Nav)
}
