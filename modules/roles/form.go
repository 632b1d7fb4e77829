package roles

import (
	"strings"

	"github.com/wardclinic/ward/core/rbac"
)

// grantForm is one grid cell's post: switch (Resource, Action) on or off.
type grantForm struct {
	Resource string
	Action   string
	On       bool
}

// parseGrant reads a cell's post. Only permissions in the catalogue can be
// switched: "*" and resources no module declares never come from the grid,
// so anything else is a tampered request and the message says so plainly.
func parseGrant(get func(string) string, cat catalogue) (grantForm, string) {
	f := grantForm{Resource: strings.TrimSpace(get("resource")), Action: strings.TrimSpace(get("action"))}
	switch get("grant") {
	case "on":
		f.On = true
	case "off":
	default:
		return f, "Say whether to give or take away the permission (grant=on or grant=off)."
	}
	if !cat.has(f.Resource, f.Action) {
		return f, "There is no such permission to change."
	}
	return f, ""
}

// nameForm is the create and rename forms' one field.
type nameForm struct {
	Raw  string // as typed, shown again with the message
	Name string // cleaned
}

// parseName reads a role name; rbac says what a valid name is, so the form
// and the store cannot disagree.
func parseName(get func(string) string) (nameForm, string) {
	f := nameForm{Raw: get("name")}
	var msg string
	f.Name, msg = rbac.CleanRoleName(f.Raw)
	return f, msg
}
