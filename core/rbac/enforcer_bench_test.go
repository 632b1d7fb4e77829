package rbac

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/wardclinic/ward/policies"
)

// warmEnforcer returns an Enforcer whose cache already holds n clinics, each
// with the default roles' grants, built in memory: the benchmark measures a
// check on a warm cache, not loading.
func warmEnforcer(b *testing.B, n int) (*Enforcer, []string) {
	b.Helper()
	e := &Enforcer{max: n + 1, entries: map[string]*entry{}}
	ids := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("tenant%04d", i)
		ids[i] = id
		m, err := model.NewModelFromString(policies.Model)
		if err != nil {
			b.Fatal(err)
		}
		ce, err := casbin.NewSyncedEnforcer(m)
		if err != nil {
			b.Fatal(err)
		}
		var rules [][]string
		for _, r := range policies.DefaultRoles() {
			for _, g := range r.SortedGrants() {
				rules = append(rules, []string{RoleSubject(r.Key), id, g.Resource, g.Action})
			}
		}
		if _, err := ce.AddPolicies(rules); err != nil {
			b.Fatal(err)
		}
		e.entries[id] = &entry{e: ce, version: "v1", used: time.Now()}
	}
	return e, ids
}

// BenchmarkAllowedWarm checks a permission on a warm cache holding 10 and
// 1,000 clinics. Each clinic has its own small enforcer, so the cost must not
// grow with the number of clinics.
func BenchmarkAllowedWarm(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("tenants=%d", n), func(b *testing.B) {
			e, ids := warmEnforcer(b, n)
			ctx := context.Background()
			checks := []struct{ role, res, act string }{
				{"doctor", "patients", "update"}, {"receptionist", "invoices", "read"}, {"admin", "roles", "update"}, {"medrep", "inventory", "create"},
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := checks[i%len(checks)]
				if _, err := e.Allowed(ctx, ids[i%len(ids)], "v1", c.role, c.res, c.act); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestWarmEnforcerAnswers(t *testing.T) {
	e, ids := warmEnforcer(&testing.B{}, 3)
	ctx := context.Background()
	for _, c := range []struct {
		role, res, act string
		want           bool
	}{
		{"admin", "anything", "delete", true},
		{"doctor", "patients", "update", true},
		{"doctor", "patients", "delete", false},
		{"receptionist", "invoices", "read", false},
		{"accountant", "invoices", "create", true},
		{"medrep", "patients", "read", false},
		{"nobody", "patients", "read", false},
	} {
		got, err := e.Allowed(ctx, ids[1], "v1", c.role, c.res, c.act)
		if err != nil || got != c.want {
			t.Errorf("%s %s:%s = %v, %v; want %v", c.role, c.res, c.act, got, err, c.want)
		}
	}
}
