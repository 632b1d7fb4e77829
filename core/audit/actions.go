package audit

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Action is one kind of audit entry a module declares: its code, as stored
// ("patient.view"), a label people read in the log's filter, and how the
// log says it in a sentence.
type Action struct {
	Code  string
	Label string // in the filter: "Opened a patient record"
	// Says is the verb phrase of the log's sentence: the person comes
	// before it and what the entry is about, when it names something,
	// after it: "opened the record of" → "Amina Otieno opened the record of
	// John Doe (P-000001)". Empty: the label, lower-cased ("Signed in" →
	// "signed in").
	Says string
	// Plural names the records of a view that showed several of them:
	// "patients" → "Amina Otieno viewed a list of 25 patients". Empty:
	// "records".
	Plural string
	// Link is the path of the page of what the entry is about, to which
	// the target's id is added: "/patients/" and "patient:42" make
	// /patients/42; a target with no id ("settings") links to Link itself.
	// Empty: the entry links nowhere.
	Link string
}

// Href is the page of target (as entries name it: "patient:<id>"), or ""
// when a has no Link or the entry names nothing.
func (a Action) Href(target string) string {
	if a.Link == "" || target == "" {
		return ""
	}
	_, id, _ := strings.Cut(target, ":")
	if strings.Contains(a.Link, "?") {
		return a.Link + url.QueryEscape(id)
	}
	return a.Link + url.PathEscape(id)
}

// CoreActions are the actions core records, with their labels and
// sentences, in the order a person looks for them in the log's filter.
func CoreActions() []Action {
	const roles = "/roles?role="
	return []Action{
		{Code: SignInSuccess, Label: "Signed in", Says: "signed in"},
		{Code: SignInFailure, Label: "Sign-in failed", Says: "could not sign in"},
		{Code: SignOut, Label: "Signed out", Says: "signed out"},
		{Code: PasswordChange, Label: "Changed a password", Says: "changed the password of"},
		{Code: PasswordReset, Label: "Reset a password", Says: "reset the password of"},
		{Code: TOTPEnable, Label: "Turned on two-step sign-in", Says: "turned on two-step sign-in for"},
		{Code: TOTPDisable, Label: "Turned off two-step sign-in", Says: "turned off two-step sign-in for"},
		{Code: UserCreate, Label: "Added a staff member", Says: "added the staff member"},
		{Code: UserUpdate, Label: "Changed a staff member", Says: "changed the staff account of"},
		{Code: RoleCreate, Label: "Created a role", Says: "created the role", Link: roles},
		{Code: RoleRename, Label: "Renamed a role", Says: "renamed the role", Link: roles},
		{Code: RoleDelete, Label: "Deleted a role", Says: "deleted the role"},
		{Code: PermissionGrant, Label: "Gave a role a permission", Says: "gave a permission to the role", Link: roles},
		{Code: PermissionRevoke, Label: "Took a permission from a role", Says: "took a permission from the role", Link: roles},
		{Code: ClinicCreate, Label: "Created the clinic", Says: "created the clinic", Link: "/settings"},
		{Code: UnreportedView, Label: "Showed clinical data without naming it (a Ward defect)", Says: "showed clinical data without naming it (a Ward defect)"},
	}
}

// lowerFirst is s with its first letter in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
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
	all  []Action
	code map[string]int // index in all
}

// NewCatalogue checks the declarations and gathers them, in order. An
// action without a code or a label, a code declared twice, two actions
// with one label (the filter could not tell them apart), or a link that is
// not a path of the clinic's site is refused with a message naming who
// declared it. A missing sentence is made from the label.
func NewCatalogue(ds ...Declaration) (*Catalogue, error) {
	c := &Catalogue{code: map[string]int{}}
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
			case a.Link != "" && (!strings.HasPrefix(a.Link, "/") || strings.HasPrefix(a.Link, "//")):
				return nil, fmt.Errorf("%s: audit action %q: the link %q must be a path such as /patients/", d.By, a.Code, a.Link)
			}
			codeBy[a.Code], labelBy[a.Label] = d.By, d.By
			if strings.TrimSpace(a.Says) == "" {
				a.Says = lowerFirst(strings.TrimSpace(a.Label))
			}
			if a.Plural == "" {
				a.Plural = "records"
			}
			c.code[a.Code] = len(c.all)
			c.all = append(c.all, a)
		}
	}
	return c, nil
}

// All returns every declared action, in the order declared.
func (c *Catalogue) All() []Action { return slices.Clone(c.all) }

// Has reports whether code was declared.
func (c *Catalogue) Has(code string) bool {
	_, ok := c.code[code]
	return ok
}

// Label returns the label of code, or the code itself when it is not
// declared (an entry left by a module Ward no longer runs).
func (c *Catalogue) Label(code string) string { return c.Action(code).Label }

// Action returns the declaration of code. An action no longer declared
// (an entry left by a module Ward no longer runs) is named by its code,
// links nowhere and reads "did <code>".
func (c *Catalogue) Action(code string) Action {
	if i, ok := c.code[code]; ok {
		return c.all[i]
	}
	return Action{Code: code, Label: code, Says: "did " + code, Plural: "records"}
}
