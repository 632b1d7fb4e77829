package roles

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardclinic/ward/core/app"
)

// catalogue is the permission catalogue as the grid shows it: one row per
// resource, however many modules declare it, and one column per action.
type catalogue struct {
	resources []app.Permission // merged, in the order modules declare them
	actions   []string         // every action of any resource, standard ones first
}

// standardActions come first, in this order; other actions follow in the
// order they are first declared.
var standardActions = []string{"read", "create", "update", "delete"}

// actionLabels are the column headings, in the clinic's words.
var actionLabels = map[string]string{"read": "View", "create": "Add", "update": "Change", "delete": "Delete"}

// actionLabel is a column heading: a module's own action ("export") gets
// its first letter capitalised.
func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	r, n := utf8.DecodeRuneInString(a)
	return string(unicode.ToUpper(r)) + a[n:]
}

// newCatalogue merges declarations by resource: actions are united, and the
// first declaration's label and description are kept.
func newCatalogue(ps []app.Permission) catalogue {
	var c catalogue
	at := map[string]int{}
	for _, p := range ps {
		if p.Resource == "" || p.Resource == "*" {
			continue
		}
		i, seen := at[p.Resource]
		if !seen {
			i = len(c.resources)
			at[p.Resource] = i
			q := p
			q.Actions = nil
			if q.Label == "" {
				q.Label = readable(p.Resource)
			}
			c.resources = append(c.resources, q)
		}
		for _, a := range p.Actions {
			if a == "" || a == "*" {
				continue
			}
			if !slices.Contains(c.resources[i].Actions, a) {
				c.resources[i].Actions = append(c.resources[i].Actions, a)
			}
			if !slices.Contains(c.actions, a) {
				c.actions = append(c.actions, a)
			}
		}
	}
	byRank := actionOrder(slices.Clone(c.actions)) // c.actions is sorted below
	for i := range c.resources {
		slices.SortStableFunc(c.resources[i].Actions, byRank)
	}
	slices.SortStableFunc(c.actions, byRank)
	return c
}

// actionOrder compares actions: the standard ones first, in their order,
// then the others in the order of others (unknown ones last, by name).
func actionOrder(others []string) func(a, b string) int {
	rank := func(a string) int {
		if i := slices.Index(standardActions, a); i >= 0 {
			return i
		}
		if i := slices.Index(others, a); i >= 0 {
			return len(standardActions) + i
		}
		return len(standardActions) + len(others)
	}
	return func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	}
}

// has reports whether action on resource is in the catalogue: only those
// can be switched on or off from the editor.
func (c catalogue) has(resource, action string) bool {
	for _, p := range c.resources {
		if p.Resource == resource {
			return slices.Contains(p.Actions, action)
		}
	}
	return false
}

// label returns the resource's label; a resource no installed module
// declares (a default role's grant for a part of Ward the clinic does not
// run) gets its name made readable: "lab_results" is "Lab results".
func (c catalogue) label(resource string) string {
	for _, p := range c.resources {
		if p.Resource == resource {
			return p.Label
		}
	}
	return readable(resource)
}

// readable turns a resource's name into words: separators become spaces,
// the first letter a capital.
func readable(name string) string {
	s := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(name))
	if s == "" {
		return name
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
