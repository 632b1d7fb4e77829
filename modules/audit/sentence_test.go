package audit

import (
	"testing"

	"github.com/wardclinic/ward/core/audit"
)

func TestTell(t *testing.T) {
	cat, err := audit.NewCatalogue(audit.Declaration{By: "core", Actions: audit.CoreActions()}, audit.Declaration{By: "patients", Actions: []audit.Action{
		{Code: "patient.view", Label: "Opened a patient record", Says: "opened the record of", Plural: "patients", Link: "/patients/"},
		{Code: "patient.list", Label: "Listed patients", Says: "viewed a list showing", Plural: "patients", Link: "/patients/"},
		{Code: "patient.update", Label: "Changed a patient record", Says: "changed the record of", Link: "/patients/"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	n := names{
		people: map[string]person{"u1": {ID: "u1", Name: "Amina Otieno", Email: "amina@x.test"}, "u2": {ID: "u2", Email: "dan@x.test"}},
		roles:  map[string]string{"doctor": "Doctor", "nurse": "Nurse"},
		perms:  map[string]string{"patients": "Patients"},
	}
	john := audit.Ref{ID: "p1", Label: "John Doe (P-000001)"}
	cases := []struct {
		name     string
		e        audit.Entry
		sentence string
		link     string
		note     note
	}{
		{"a view of one record", audit.Entry{ActorID: "u1", Action: "patient.view", Target: "patient:p1", Records: []audit.Ref{john}},
			"Amina Otieno opened the record of John Doe (P-000001)", "/patients/p1", note{}},
		{"one record shown twice", audit.Entry{ActorID: "u1", Action: "patient.view", Records: []audit.Ref{john, john}},
			"Amina Otieno opened the record of John Doe (P-000001)", "/patients/p1", note{}},
		{"a list of one", audit.Entry{ActorID: "u1", Action: "patient.list", Target: "patient:p1", Records: []audit.Ref{john}},
			"Amina Otieno viewed a list showing John Doe (P-000001)", "/patients/p1", note{}},
		{"a list of several", audit.Entry{ActorID: "u1", Action: "patient.list", Records: []audit.Ref{john, {ID: "p2"}}},
			"Amina Otieno viewed a list of 2 patients", "", note{}},
		{"a label recorded with the change", audit.Entry{ActorID: "u1", Action: "patient.update", Target: "patient:p1", Label: "John Doe (P-000001)", After: "changed: phone"},
			"Amina Otieno changed the record of John Doe (P-000001)", "/patients/p1", note{After: "changed: phone"}},
		{"a record nothing names", audit.Entry{ActorID: "u1", Action: "patient.update", Target: "patient:p9", After: "P-000009"},
			"Amina Otieno changed a patient record", "/patients/p9", note{After: "P-000009"}},
		{"a note that repeats the name", audit.Entry{ActorID: "u1", Action: "patient.update", Target: "patient:p1", Label: "John Doe (P-000001)", After: "P-000001"},
			"Amina Otieno changed the record of John Doe (P-000001)", "/patients/p1", note{}},
		{"someone known by email only", audit.Entry{ActorID: "u2", ActorEmail: "dan@x.test", Action: audit.SignOut}, "dan@x.test signed out", "", note{}},
		{"an unknown email", audit.Entry{ActorEmail: "eve@x.test", Action: audit.SignInFailure, After: "no such person"}, "eve@x.test could not sign in", "", note{After: "no such person"}},
		{"nobody", audit.Entry{Action: audit.SignOut}, "Someone signed out", "", note{}},
		{"their own account", audit.Entry{ActorID: "u1", Action: audit.TOTPEnable, Target: "user:u1"}, "Amina Otieno turned on two-step sign-in for their own account", "", note{}},
		{"another's account", audit.Entry{ActorID: "u1", Action: audit.UserUpdate, Target: "user:u2", Before: "role nurse", After: "role doctor"},
			"Amina Otieno changed the staff account of dan@x.test", "", note{Before: "role Nurse", After: "role Doctor"}},
		{"someone gone", audit.Entry{ActorID: "u1", Action: audit.UserUpdate, Target: "user:u9", Before: "status active", After: "status inactive"},
			"Amina Otieno changed a staff member", "", note{Before: "status active", After: "status inactive"}},
		{"a role", audit.Entry{ActorID: "u1", Action: audit.PermissionRevoke, Target: "role:nurse", Before: "patients:update on", After: "patients:update off"},
			"Amina Otieno took a permission from the role Nurse", "/roles?role=nurse", note{After: "Patients: update"}},
		{"a role created, since deleted", audit.Entry{ActorID: "u1", Action: audit.RoleCreate, Target: "role:custom-1", After: "Triage"},
			"Amina Otieno created the role Triage", "/roles?role=custom-1", note{}},
		{"a role deleted", audit.Entry{ActorID: "u1", Action: audit.RoleDelete, Target: "role:custom-1", Before: "Triage"},
			"Amina Otieno deleted the role Triage", "", note{}},
		{"the clinic", audit.Entry{ActorID: "u1", Action: audit.ClinicCreate, Target: "clinic", Label: "Sunrise Clinic"},
			"Amina Otieno created the clinic Sunrise Clinic", "/settings", note{}},
		{"an action no longer declared", audit.Entry{ActorID: "u1", Action: "visit.view", Target: "visit:v1"}, "Amina Otieno did visit.view", "", note{}},
	}
	for _, c := range cases {
		a := cat.Action(c.e.Action)
		s := tell(c.e, a, cat.Has(c.e.Action), n)
		if s.String() != c.sentence || s.Link != c.link {
			t.Errorf("%s: %q → %q, want %q → %q", c.name, s, s.Link, c.sentence, c.link)
		}
		if got := noteOf(c.e, s, n); got != c.note {
			t.Errorf("%s: note %+v, want %+v", c.name, got, c.note)
		}
	}
}

func TestLearnedLabels(t *testing.T) {
	var n names
	n.learn([]audit.Entry{
		{Action: "patient.view", Target: "patient:p1", Records: []audit.Ref{{ID: "p1", Label: "John Doe (P-000001)"}}},
		{Action: "patient.list", Records: []audit.Ref{{ID: "p1", Label: "John (P-000001)"}, {ID: "p2", Label: "Mary Roe (P-000002)"}}},
		{Action: "service.update", Target: "service:s1", Label: "Consultation (CONS)"},
	})
	for target, want := range map[string]string{
		"patient:p1": "John Doe (P-000001)", // the newest label
		"patient:p2": "Mary Roe (P-000002)",
		"service:s1": "Consultation (CONS)",
	} {
		if got := n.records[target]; got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
	}
}

func TestChangedParts(t *testing.T) {
	cases := []struct{ before, after, wantBefore, wantAfter string }{
		{"Sunrise; UTC; KES", "Sunrise; Africa/Nairobi; KES", "UTC", "Africa/Nairobi"},
		{"Sunrise; UTC; KES", "Sunset; UTC; USD", "Sunrise; KES", "Sunset; USD"},
		{"a; b", "a; b", "a; b", "a; b"},
		{"a; b", "a; b; c", "a; b", "a; b; c"},
		{"role nurse", "role doctor", "role nurse", "role doctor"},
		{"", "P-000001", "", "P-000001"},
	}
	for _, c := range cases {
		if b, a := changedParts(c.before, c.after); b != c.wantBefore || a != c.wantAfter {
			t.Errorf("changedParts(%q, %q) = %q, %q", c.before, c.after, b, a)
		}
	}
}
