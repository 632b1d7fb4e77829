package rbac

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/policies"
)

// openRules opens an empty store on the engine WARD_TEST_ENGINE names (the
// embedded one unless it says "mongo") with the rules' indexes, and records
// every query made on the rules collection; on the embedded engine a query
// that reads the whole table fails the test.
func openRules(t *testing.T) (*db.Store, *queryLog) {
	t.Helper()
	store := dbtest.Open(t, Indexes...)
	ql := &queryLog{}
	store.Observe(func(_ context.Context, coll, op string, f db.Filter, sort []db.Order) {
		if coll == RulesCollection {
			ql.add(t, store, f, sort)
		}
	})
	store.OnScan(func(_ context.Context, coll, query, plan string) {
		if coll == RulesCollection {
			t.Errorf("a query reads the whole rules table: %s (%s)", query, plan)
		}
	})
	t.Cleanup(func() { store.Observe(nil); store.OnScan(nil) })
	return store, ql
}

// queryLog checks each query on the rules collection against the declared
// indexes as it is made and keeps its shape.
type queryLog struct {
	mu     sync.Mutex
	shapes []string
}

func (q *queryLog) add(t *testing.T, store *db.Store, f db.Filter, sort []db.Order) {
	if err := store.CheckShape(RulesCollection, f, sort); err != nil {
		t.Errorf("query shape: %v", err)
	}
	for _, branch := range equalityBranches(f) {
		if !tightIndex(store.Indexes(RulesCollection), branch) {
			t.Errorf("query (%s): no declared index is led by its equalities %v", f, branch)
		}
	}
	q.mu.Lock()
	q.shapes = append(q.shapes, f.String())
	q.mu.Unlock()
}

// equalityBranches lists, for each branch of an adapter's filter, the
// fields it compares for equality (read from the filter's printed form,
// which names fields and operators only: "or(and(ptype =, v1 =), …)").
func equalityBranches(f db.Filter) [][]string {
	s := f.String()
	if strings.HasPrefix(s, "or(") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "or("), ")")
	}
	var out [][]string
	for _, b := range regexp.MustCompile(`and\([^()]*\)|[A-Za-z0-9_]+ =`).FindAllString(s, -1) {
		out = append(out, regexp.MustCompile(`([A-Za-z0-9_]+) =`).FindAllString(b, -1))
	}
	for _, b := range out {
		for i := range b {
			b[i] = strings.TrimSuffix(b[i], " =")
		}
	}
	return out
}

// tightIndex reports whether an index's leading keys are all equalities of
// the query, as many of them as the index has or the query names: CheckShape
// is content with an index led by ptype alone, which reads every clinic's
// rules of that kind.
func tightIndex(ixs []db.Index, eq []string) bool {
	for _, ix := range ixs {
		n := min(len(ix.Keys), len(eq))
		ok := true
		for _, k := range ix.Keys[:n] {
			if !slices.Contains(eq, k) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// policyOf loads one clinic's rules through the adapter into a fresh
// enforcer.
func policyOf(t *testing.T, a *Adapter, tenantID string) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatal(err)
	}
	ce, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	ce.SetAdapter(a)
	if err := ce.LoadFilteredPolicyCtx(context.Background(), ClinicFilter{TenantID: tenantID}); err != nil {
		t.Fatal(err)
	}
	return ce
}

func rulesOf(t *testing.T, ce *casbin.Enforcer) string {
	t.Helper()
	p, err := ce.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	g, err := ce.GetGroupingPolicy()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range p {
		lines = append(lines, "p "+strings.Join(r, ","))
	}
	for _, r := range g {
		lines = append(lines, "g "+strings.Join(r, ","))
	}
	slices.Sort(lines)
	return strings.Join(lines, "; ")
}

func TestAdapterLoadsOneClinic(t *testing.T) {
	store, ql := openRules(t)
	a := NewAdapter(store)
	for _, c := range []string{"clinicA", "clinicB"} {
		for _, r := range [][]string{
			{RoleSubject("doctor"), c, "patients", "read"},
			{RoleSubject("doctor"), c, "patients", "update"},
			{RoleSubject("nurse"), c, "patients", "read"},
		} {
			if err := a.AddPolicy("p", "p", r); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.AddPolicy("g", "g", []string{UserSubject("u-" + c), RoleSubject("nurse"), c}); err != nil {
			t.Fatal(err)
		}
	}
	want := "g user:u-clinicA,role:nurse,clinicA; p role:doctor,clinicA,patients,read; " +
		"p role:doctor,clinicA,patients,update; p role:nurse,clinicA,patients,read"
	ce := policyOf(t, a, "clinicA")
	if got := rulesOf(t, ce); got != want {
		t.Fatalf("clinicA's policy:\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		sub, dom, act string
		want          bool
	}{
		{RoleSubject("doctor"), "clinicA", "update", true},
		{RoleSubject("nurse"), "clinicA", "update", false},
		{UserSubject("u-clinicA"), "clinicA", "read", true}, // through the assignment
		{RoleSubject("doctor"), "clinicB", "read", false},   // not loaded here
		{UserSubject("u-clinicB"), "clinicA", "read", false},
	} {
		if got, err := ce.Enforce(c.sub, c.dom, "patients", c.act); err != nil || got != c.want {
			t.Errorf("Enforce(%s, %s, patients, %s) = %v, %v; want %v", c.sub, c.dom, c.act, got, err, c.want)
		}
	}
	if len(ql.shapes) == 0 {
		t.Fatal("the query log saw no query")
	}
}

func TestAdapterAddRemove(t *testing.T) {
	store, _ := openRules(t)
	a := NewAdapter(store)
	grant := []string{RoleSubject("doctor"), "clinicA", "invoices", "read"}
	for _, c := range []string{"clinicA", "clinicB"} {
		for _, r := range [][]string{
			{RoleSubject("doctor"), c, "invoices", "read"},
			{RoleSubject("doctor"), c, "patients", "read"},
			{RoleSubject("nurse"), c, "patients", "read"},
		} {
			if err := a.AddPolicy("p", "p", r); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []string{"u1", "u2"} {
			if err := a.AddPolicy("g", "g", []string{UserSubject(u), RoleSubject("doctor"), c}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.AddPolicy("g", "g", []string{UserSubject("u3"), RoleSubject("nurse"), c}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.AddPolicy("p", "p", grant); !db.IsDuplicate(err) {
		t.Fatalf("adding a rule twice: %v, want a duplicate error", err)
	}

	if err := a.RemovePolicy("p", "p", grant); err != nil {
		t.Fatal(err)
	}
	if err := a.RemovePolicy("p", "p", grant); err != nil {
		t.Fatalf("removing a rule that is gone: %v", err)
	}
	// Every rule naming the doctor role in clinicA, as RemoveRole does.
	if err := a.RemoveFilteredPolicy("p", "p", 0, RoleSubject("doctor"), "clinicA"); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveFilteredPolicy("g", "g", 1, RoleSubject("doctor"), "clinicA"); err != nil {
		t.Fatal(err)
	}
	if got, want := rulesOf(t, policyOf(t, a, "clinicA")), "g user:u3,role:nurse,clinicA; p role:nurse,clinicA,patients,read"; got != want {
		t.Fatalf("clinicA after removals:\n got %s\nwant %s", got, want)
	}
	wantB := "g user:u1,role:doctor,clinicB; g user:u2,role:doctor,clinicB; g user:u3,role:nurse,clinicB; " +
		"p role:doctor,clinicB,invoices,read; p role:doctor,clinicB,patients,read; p role:nurse,clinicB,patients,read"
	if got := rulesOf(t, policyOf(t, a, "clinicB")); got != wantB {
		t.Fatalf("clinicB changed by clinicA's removals:\n got %s\nwant %s", got, wantB)
	}

	// A removal that does not name the clinic would reach every clinic.
	for _, c := range []struct {
		ptype string
		index int
		vals  []string
	}{
		{"p", 0, []string{RoleSubject("nurse")}},
		{"p", 0, []string{RoleSubject("nurse"), ""}},
		{"g", 0, []string{UserSubject("u3"), RoleSubject("nurse")}},
		{"g2", 0, []string{"x", "y", "z"}},
		{"p", 4, []string{"a", "b", "c"}},
	} {
		if err := a.RemoveFilteredPolicy("p", c.ptype, c.index, c.vals...); err == nil {
			t.Errorf("RemoveFilteredPolicy(%s, %d, %q) was allowed", c.ptype, c.index, c.vals)
		}
	}
	if got := rulesOf(t, policyOf(t, a, "clinicB")); got != wantB {
		t.Fatalf("a refused removal changed clinicB:\n got %s\nwant %s", got, wantB)
	}
}

func TestAdapterRefusesWholePolicy(t *testing.T) {
	store, _ := openRules(t)
	a := NewAdapter(store)
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadPolicy(m); !errors.Is(err, ErrWholePolicy) {
		t.Errorf("LoadPolicy: %v", err)
	}
	if err := a.SavePolicy(m); !errors.Is(err, ErrWholePolicy) {
		t.Errorf("SavePolicy: %v", err)
	}
	for _, f := range []any{nil, "clinicA", ClinicFilter{}, (*ClinicFilter)(nil)} {
		if err := a.LoadFilteredPolicy(m, f); err == nil {
			t.Errorf("LoadFilteredPolicy(%#v) was allowed", f)
		}
	}
	if err := a.LoadFilteredPolicy(m, &ClinicFilter{TenantID: "clinicA"}); err != nil {
		t.Errorf("LoadFilteredPolicy(*ClinicFilter): %v", err)
	}
}

// The rules written by SeedDefaults (roles.go) are what the adapter loads:
// the two agree on the document shape.
func TestAdapterReadsSeededRules(t *testing.T) {
	store, _ := openRules(t)
	tdb := store.ForTenant("seeded")
	if err := SeedDefaults(context.Background(), store, tdb, time.Now()); err != nil {
		t.Fatal(err)
	}
	ce := policyOf(t, NewAdapter(store), "seeded")
	n := 0
	for _, r := range policies.DefaultRoles() {
		n += len(r.SortedGrants())
	}
	p, err := ce.GetPolicy()
	if err != nil || len(p) != n || n == 0 {
		t.Fatalf("loaded %d of %d seeded grants (%v)", len(p), n, err)
	}
	stored, err := Rules(context.Background(), store, "seeded")
	if err != nil || len(stored) != n {
		t.Fatalf("Rules = %d, %v; want %d", len(stored), err, n)
	}
}
