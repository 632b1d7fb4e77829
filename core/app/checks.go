package app

import (
	"fmt"
	"slices"

	"github.com/wardclinic/ward/policies"
)

// checkDeclarations refuses to start when what modules declare does not fit
// together: a route or a navigation entry naming a permission no module
// declares, a navigation entry under an unknown heading, a page a module
// renders that no template defines, a default role granting an unknown
// permission, clinic routes with no access guard.
func (a *App) checkDeclarations(roles []policies.Role) error {
	known := map[string][]string{}
	for _, p := range a.permissions {
		known[p.Resource] = append(known[p.Resource], p.Actions...)
	}
	has := func(resource, action string) bool { return slices.Contains(known[resource], action) }
	for _, r := range a.routes {
		if res := r.Access.Resource; res != "" && !has(res, r.Access.Action) {
			return fmt.Errorf("module %q: %s %s requires %s:%s, which no module declares (see Permissions)", r.Module, r.Method, r.Path, res, r.Access.Action)
		}
		if r.Host == ClinicHost && a.access == nil {
			return fmt.Errorf("module %q: %s %s is a clinic route but Ward has no access guard", r.Module, r.Method, r.Path)
		}
	}
	for _, n := range a.nav {
		if n.Resource != "" && !has(n.Resource, "read") {
			return fmt.Errorf("navigation entry %q: resource %q has no read permission in the catalogue", n.Label, n.Resource)
		}
	}
	if err := checkNav(a.nav); err != nil {
		return err
	}
	for _, role := range roles {
		for _, g := range role.SortedGrants() {
			// A resource no module declares is granted ahead of the module
			// that will declare it (appointments, billing…), so clinics
			// made today hold it when the module lands. A declared
			// resource's action must exist: that is a typo.
			if _, declared := known[g.Resource]; declared && !has(g.Resource, g.Action) {
				return fmt.Errorf("policies: default role %q grants %s:%s, but the module declaring %q has no action %q", role.Name, g.Resource, g.Action, g.Resource, g.Action)
			}
		}
	}
	if missing := a.Render.Missing(); len(missing) > 0 {
		return fmt.Errorf("module %q: page %q is rendered but no template defines it", missing[0].Module(), missing[0].String())
	}
	return nil
}
