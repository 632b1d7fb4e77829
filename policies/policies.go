// Package policies holds Ward's access model (casbin, RBAC with domains) and
// the default roles every new clinic starts with, as data.
package policies

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Model is the casbin model text.
//
//go:embed model.conf
var Model string

//go:embed default_roles.json
var defaultRoles []byte

// Role is one default role and its grants (resource → actions; "*" is all).
type Role struct {
	Key         string              `json:"key"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Grants      map[string][]string `json:"grants"`
}

// Grant is one (resource, action) pair.
type Grant struct{ Resource, Action string }

// SortedGrants lists the role's grants in a stable order.
func (r Role) SortedGrants() []Grant {
	var gs []Grant
	for res, acts := range r.Grants {
		for _, a := range acts {
			gs = append(gs, Grant{res, a})
		}
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Resource != gs[j].Resource {
			return gs[i].Resource < gs[j].Resource
		}
		return gs[i].Action < gs[j].Action
	})
	return gs
}

// DefaultRoles returns the six roles a clinic starts with, Admin first.
// The data is parsed once; Check reports a file that does not parse.
func DefaultRoles() []Role {
	roles, err := parsed()
	if err != nil {
		panic(err)
	}
	out := slices.Clone(roles)
	for i, r := range out {
		out[i].Grants = make(map[string][]string, len(r.Grants))
		for res, acts := range r.Grants {
			out[i].Grants[res] = slices.Clone(acts)
		}
	}
	return out
}

// Check parses the default roles and the plans: Ward calls it at start, so
// a broken file stops start-up instead of the first sign-up.
func Check() error {
	if _, err := parsed(); err != nil {
		return err
	}
	_, err := parsedPlans()
	return err
}

var parsed = sync.OnceValues(func() ([]Role, error) {
	var f struct {
		Roles []Role `json:"roles"`
	}
	if err := json.Unmarshal(defaultRoles, &f); err != nil {
		return nil, fmt.Errorf("policies: default_roles.json: %w", err)
	}
	return f.Roles, nil
})
