package policies_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardclinic/ward/policies"
)

func TestDefaultRoles(t *testing.T) {
	roles := policies.DefaultRoles()
	var keys, names []string
	for _, r := range roles {
		keys = append(keys, r.Key)
		names = append(names, r.Name)
	}
	if want := []string{"admin", "doctor", "nurse", "receptionist", "accountant", "medrep"}; !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if want := []string{"Admin", "Doctor", "Nurse", "Receptionist", "Accountant", "Medical Representative"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
	for _, r := range roles {
		if r.Description == "" {
			t.Errorf("%s has no description", r.Key)
		}
		if len(r.Grants) == 0 {
			t.Errorf("%s has no grants", r.Key)
		}
		n := 0
		for res, acts := range r.Grants {
			if res == "" || len(acts) == 0 {
				t.Errorf("%s: empty grant %q %v", r.Key, res, acts)
			}
			for _, a := range acts {
				if a == "" {
					t.Errorf("%s: empty action on %s", r.Key, res)
				}
				if (res == "*" || a == "*") && r.Key != "admin" {
					t.Errorf("%s has a wildcard grant %s:%s", r.Key, res, a)
				}
			}
			n += len(acts)
		}
		gs := r.SortedGrants()
		if len(gs) != n {
			t.Errorf("%s: %d sorted grants, %d in the data", r.Key, len(gs), n)
		}
		if !sort.SliceIsSorted(gs, func(i, j int) bool {
			return gs[i].Resource < gs[j].Resource || gs[i].Resource == gs[j].Resource && gs[i].Action < gs[j].Action
		}) {
			t.Errorf("%s: grants not sorted: %v", r.Key, gs)
		}
		for i := 1; i < len(gs); i++ {
			if gs[i] == gs[i-1] {
				t.Errorf("%s: grant twice: %v", r.Key, gs[i])
			}
		}
		if r.Key != "admin" && !slices.Contains(gs, policies.Grant{Resource: "dashboard", Action: "read"}) {
			t.Errorf("%s cannot read the dashboard", r.Key)
		}
	}
	if gs := roles[0].SortedGrants(); len(gs) != 1 || gs[0] != (policies.Grant{Resource: "*", Action: "*"}) {
		t.Errorf("admin grants = %v, want everything", gs)
	}
	// Each call returns its own copy: changing one does not change the next.
	roles[1].Grants["patients"] = append(roles[1].Grants["patients"], "delete")
	if slices.Contains(policies.DefaultRoles()[1].Grants["patients"], "delete") {
		t.Error("DefaultRoles shares its data between calls")
	}
}

// enforcer builds a casbin enforcer from Ward's model and the default roles
// of two clinics, plus user assignments.
func enforcer(t *testing.T, domains ...string) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, dom := range domains {
		for _, r := range policies.DefaultRoles() {
			for _, g := range r.SortedGrants() {
				if _, err := e.AddPolicy("role:"+r.Key, dom, g.Resource, g.Action); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return e
}

func TestModelEnforcesPerDomain(t *testing.T) {
	e := enforcer(t, "clinicA", "clinicB")
	for _, g := range [][]string{
		{"user:ann", "role:doctor", "clinicA"},
		{"user:bob", "role:admin", "clinicB"},
		{"user:cat", "role:receptionist", "clinicA"},
		{"user:cat", "role:accountant", "clinicB"},
	} {
		if _, err := e.AddGroupingPolicy(g[0], g[1], g[2]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		sub, dom, obj, act string
		want               bool
	}{
		// Roles asked directly (how Ward asks: by the user's role key).
		{"role:admin", "clinicA", "settings", "update", true},
		{"role:admin", "clinicA", "anything", "at-all", true},
		{"role:doctor", "clinicA", "prescriptions", "create", true},
		{"role:doctor", "clinicA", "prescriptions", "delete", false},
		{"role:doctor", "clinicA", "invoices", "read", false},
		{"role:nurse", "clinicA", "vitals", "update", true},
		{"role:nurse", "clinicA", "prescriptions", "create", false},
		{"role:receptionist", "clinicA", "appointments", "delete", true},
		{"role:receptionist", "clinicA", "visits", "read", false},
		{"role:accountant", "clinicA", "invoices", "delete", true},
		{"role:accountant", "clinicA", "patients", "read", false},
		{"role:medrep", "clinicA", "inventory", "delete", true},
		{"role:medrep", "clinicA", "patients", "read", false},
		{"role:nobody", "clinicA", "dashboard", "read", false},
		{"role:doctor", "clinicC", "patients", "read", false}, // a clinic with no rules

		// Users through their assignment, only in the clinic it names.
		{"user:ann", "clinicA", "patients", "update", true},
		{"user:ann", "clinicB", "patients", "read", false},
		{"user:ann", "clinicA", "settings", "update", false},
		{"user:bob", "clinicB", "settings", "update", true},
		{"user:bob", "clinicA", "settings", "update", false},
		{"user:bob", "clinicA", "dashboard", "read", false},
		{"user:cat", "clinicA", "patients", "create", true},
		{"user:cat", "clinicA", "invoices", "read", false},
		{"user:cat", "clinicB", "invoices", "read", true},
		{"user:cat", "clinicB", "patients", "create", false},
		{"user:dan", "clinicA", "dashboard", "read", false},
	}
	for _, tt := range tests {
		got, err := e.Enforce(tt.sub, tt.dom, tt.obj, tt.act)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s in %s %s %s = %v, want %v", tt.sub, tt.dom, tt.act, tt.obj, got, tt.want)
		}
	}

	// A grant added in one clinic does not leak into the other.
	if _, err := e.AddPolicy("role:medrep", "clinicA", "patients", "read"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce("role:medrep", "clinicA", "patients", "read"); !ok {
		t.Error("new grant not applied")
	}
	if ok, _ := e.Enforce("role:medrep", "clinicB", "patients", "read"); ok {
		t.Error("a grant in clinicA applies in clinicB")
	}
	// A rule naming a clinic in the grant but another in the request.
	if ok, _ := e.Enforce("role:admin", "clinicC", "settings", "read"); ok {
		t.Error("admin of other clinics is admin of clinicC")
	}
}

func TestEveryDefaultGrantIsAllowed(t *testing.T) {
	e := enforcer(t, "clinicA")
	for _, r := range policies.DefaultRoles() {
		for _, g := range r.SortedGrants() {
			if ok, err := e.Enforce("role:"+r.Key, "clinicA", g.Resource, g.Action); err != nil || !ok {
				t.Errorf("%s %s:%s not allowed (%v)", r.Key, g.Resource, g.Action, err)
			}
			if ok, _ := e.Enforce("role:"+r.Key, "clinicB", g.Resource, g.Action); ok {
				t.Errorf("%s %s:%s allowed in a clinic without rules", r.Key, g.Resource, g.Action)
			}
		}
	}
}
