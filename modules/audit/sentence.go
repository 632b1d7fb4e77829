package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardclinic/ward/core/audit"
)

// names is what the page knows of the people, roles and records its
// entries name.
type names struct {
	people  map[string]person // the clinic's staff by id
	roles   map[string]string // role names by key
	records map[string]string // records' labels by target ("patient:<id>"), as the page's entries recorded them
	perms   map[string]string // permission labels by resource
}

// learn adds the labels es recorded for their records, the newest first
// (es is newest first), so an entry that recorded none (a change) can
// still name a record another entry of the page named (a view).
func (n *names) learn(es []audit.Entry) {
	if n.records == nil {
		n.records = map[string]string{}
	}
	set := func(target, label string) {
		if _, ok := n.records[target]; !ok && target != "" && label != "" {
			n.records[target] = label
		}
	}
	for _, e := range es {
		set(e.Target, e.Label)
		kind := kindOf(e.Action)
		for _, r := range e.Records {
			set(kind+":"+r.ID, r.Label)
		}
	}
}

// sentence is an entry in words: "Amina Otieno opened the record of John
// Doe (P-000001)".
type sentence struct {
	Actor  string // who: their name, else the email they gave
	Says   string // what they did
	Object string // to what; "" when the phrase needs nothing more
	Link   string // the page of what it was done to: on Object, else on Says
}

// String is the sentence as text.
func (s sentence) String() string {
	return strings.TrimSpace(s.Actor + " " + s.Says + " " + s.Object)
}

// tell writes e, an entry of action a, as a sentence. declared is false
// for an action no part of Ward declares any more.
func tell(e audit.Entry, a audit.Action, declared bool, n names) sentence {
	s := sentence{Actor: actor(e, n)}
	rs := distinct(e.Records)
	if len(rs) > 1 {
		s.Says = fmt.Sprintf("viewed a list of %d %s", len(rs), a.Plural)
		return s
	}
	target := e.Target
	if target == "" && len(rs) == 1 {
		target = kindOf(e.Action) + ":" + rs[0].ID
	}
	s.Says, s.Object, s.Link = a.Says, object(e, target, n), a.Href(target)
	if _, id, _ := strings.Cut(target, ":"); s.Object == "" && id != "" && declared {
		// A record Ward cannot name: the label says it without a name
		// ("changed a service"), and the link leads to it.
		s.Says = lowerFirst(a.Label)
	}
	return s
}

// actor names who did e: their name, else the email recorded (a failed
// sign-in with an unknown email has only that).
func actor(e audit.Entry, n names) string {
	if p, ok := n.people[e.ActorID]; ok && p.Name != "" {
		return p.Name
	}
	return cmp.Or(e.ActorEmail, "Someone")
}

// object names target, what e was done to: the label recorded with the
// entry or by the view, the person or the role by their name now, else a
// label another entry of the page recorded for it; "" when nothing names it.
func object(e audit.Entry, target string, n names) string {
	if e.Label != "" {
		return e.Label
	}
	if rs := distinct(e.Records); len(rs) == 1 && rs[0].Label != "" {
		return rs[0].Label
	}
	kind, id, _ := strings.Cut(target, ":")
	switch kind {
	case "user":
		if id != "" && id == e.ActorID {
			return "their own account"
		}
		if p, ok := n.people[id]; ok {
			return cmp.Or(p.Name, p.Email)
		}
	case "role":
		if name, ok := n.roles[id]; ok {
			return name
		}
		switch e.Action { // a deleted role, by the name it had
		case audit.RoleCreate:
			return e.After
		case audit.RoleRename, audit.RoleDelete:
			return e.Before
		}
	}
	return n.records[target]
}

// note is what an entry says besides its sentence, in people's words:
// what something was and what it became, or a few words.
type note struct{ Before, After string }

// noteOf is e's note, without what s already says.
func noteOf(e audit.Entry, s sentence, n names) note {
	nt := note{Before: e.Before, After: e.After}
	switch e.Action {
	case audit.PermissionGrant, audit.PermissionRevoke:
		// "patients:read off" → "patients:read on": the sentence says which.
		nt = note{After: permission(e.After, n)}
	case audit.UserUpdate:
		nt = note{Before: roleNamed(nt.Before, n), After: roleNamed(nt.After, n)}
	}
	nt.Before, nt.After = changedParts(nt.Before, nt.After)
	if s.Object != "" && (nt.Before == "" || strings.Contains(s.Object, nt.Before)) && (nt.After == "" || strings.Contains(s.Object, nt.After)) {
		return note{} // it only repeats the name
	}
	return nt
}

// permission writes "patients:read on" as "Patients: read".
func permission(s string, n names) string {
	p, _, _ := strings.Cut(s, " ")
	res, act, ok := strings.Cut(p, ":")
	if !ok {
		return s
	}
	return cmp.Or(n.perms[res], res) + ": " + act
}

// roleNamed writes "role nurse" as "role Nurse".
func roleNamed(s string, n names) string {
	if key, ok := strings.CutPrefix(s, "role "); ok {
		if name, ok := n.roles[key]; ok {
			return "role " + name
		}
	}
	return s
}

// changedParts keeps, of a change between two lists of parts ("Sunrise;
// Africa/Nairobi; KES" → "Sunrise; Europe/London; KES"), the parts that
// changed ("Africa/Nairobi" → "Europe/London").
func changedParts(before, after string) (string, string) {
	const sep = "; "
	b, a := strings.Split(before, sep), strings.Split(after, sep)
	if len(b) < 2 || len(a) != len(b) {
		return before, after
	}
	var bs, as []string
	for i := range b {
		if b[i] != a[i] {
			bs, as = append(bs, b[i]), append(as, a[i])
		}
	}
	if len(bs) == 0 {
		return before, after
	}
	return strings.Join(bs, sep), strings.Join(as, sep)
}

// distinct returns rs with each record once, in order: a page showing a
// record twice (a form and its newer version) showed one record.
func distinct(rs []audit.Ref) []audit.Ref {
	out := make([]audit.Ref, 0, len(rs))
	for _, r := range rs {
		if !slices.ContainsFunc(out, func(o audit.Ref) bool { return o.ID == r.ID }) {
			out = append(out, r)
		}
	}
	return out
}

// kindOf is the kind of the records a view action shows: its first word
// ("patient.view" → "patient"), as core names them.
func kindOf(action string) string {
	kind, _, _ := strings.Cut(action, ".")
	return kind
}

// lowerFirst is s with its first letter in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
