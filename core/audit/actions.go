package audit

import (
	"fmt"
	"slices"
	"strings"
)

// CoreActions are the actions core records, with their labels, in the
// order a person looks for them in the log's filter.
func CoreActions() []Action {
	return []Action{
		{SignInSuccess, "Signed in"},
		{SignInFailure, "Sign-in failed"},
		{SignOut, "Signed out"},
		{PasswordChange, "Changed a password"},
		{PasswordReset, "Reset a password"},
		{TOTPEnable, "Turned on two-step sign-in"},
		{TOTPDisable, "Turned off two-step sign-in"},
		{UserCreate, "Added a staff member"},
		{UserUpdate, "Changed a staff member"},
		{RoleCreate, "Created a role"},
		{RoleRename, "Renamed a role"},
		{RoleDelete, "Deleted a role"},
		{PermissionGrant, "Gave a role a permission"},
		{PermissionRevoke, "Took a permission from a role"},
		{UnreportedView, "Showed clinical data without naming it (a Ward defect)"},
	}
}

// Declaration is the actions one part of Ward records: core's, or one
// module's.
type Declaration struct {
	By      string // "core" or the module's name, for start-up errors
	Actions []Action
}

// Catalogue is every action Ward records, declared at start: the log's
// filter offers them by label, and Record refuses any other, so an action
// a module forgot to declare fails its tests rather than showing up in
// the log as a raw code.
type Catalogue struct {
	all    []Action
	labels map[string]string
}

// NewCatalogue checks the declarations and gathers them, in order. An
// action without a code or a label, a code declared twice, or two actions
// with one label (the filter could not tell them apart) is refused with a
// message naming who declared it.
func NewCatalogue(ds ...Declaration) (*Catalogue, error) {
	c := &Catalogue{labels: map[string]string{}}
	codeBy, labelBy := map[string]string{}, map[string]string{}
	for _, d := range ds {
		for _, a := range d.Actions {
			switch {
			case a.Code == "" || strings.ContainsAny(a.Code, " \t\n"):
				return nil, fmt.Errorf("%s: audit action %q: the code must be one word", d.By, a.Code)
			case strings.TrimSpace(a.Label) == "":
				return nil, fmt.Errorf("%s: audit action %q has no label", d.By, a.Code)
			case codeBy[a.Code] != "":
				return nil, fmt.Errorf("audit action %q declared by both %q and %q", a.Code, codeBy[a.Code], d.By)
			case labelBy[a.Label] != "":
				return nil, fmt.Errorf("%s: audit action %q has the label %q of another action (declared by %q)", d.By, a.Code, a.Label, labelBy[a.Label])
			}
			codeBy[a.Code], labelBy[a.Label] = d.By, d.By
			c.all = append(c.all, a)
			c.labels[a.Code] = a.Label
		}
	}
	return c, nil
}

// All returns every declared action, in the order declared.
func (c *Catalogue) All() []Action { return slices.Clone(c.all) }

// Has reports whether code was declared.
func (c *Catalogue) Has(code string) bool {
	_, ok := c.labels[code]
	return ok
}

// Label returns the label of code, or the code itself when it is not
// declared (an entry left by a module Ward no longer runs).
func (c *Catalogue) Label(code string) string {
	if l, ok := c.labels[code]; ok {
		return l
	}
	return code
}
