package rbac

import (
	"context"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardclinic/ward/core/db"
)

// Adapter is casbin's storage of rules over core/db, so rules work on
// either engine. Rules are documents {ptype, v0, …, v5} in RulesCollection
// (every field written, empty ones as ""), unique over the whole rule.
//
// It loads one clinic at a time (ClinicFilter): loading every clinic's
// rules at once is what the per-clinic enforcers exist to avoid, so
// LoadPolicy and SavePolicy are refused. It keeps no state between calls
// and may be used concurrently.
type Adapter struct {
	coll *db.Collection
}

var (
	_ persist.FilteredAdapter        = (*Adapter)(nil)
	_ persist.ContextFilteredAdapter = (*Adapter)(nil)
)

// ruleFields are the rule's value fields, in order.
var ruleFields = [6]string{"v0", "v1", "v2", "v3", "v4", "v5"}

func newRuleLine(ptype string, rule []string) (Rule, error) {
	if len(rule) > len(ruleFields) {
		return Rule{}, fmt.Errorf("rbac: a rule has at most %d values, not %d", len(ruleFields), len(rule))
	}
	var v [6]string
	copy(v[:], rule)
	return Rule{PType: ptype, V0: v[0], V1: v[1], V2: v[2], V3: v[3], V4: v[4], V5: v[5]}, nil
}

// values returns the rule's values without the empty ones at the end, as
// casbin reads them.
func (l Rule) values() []string {
	v := []string{l.V0, l.V1, l.V2, l.V3, l.V4, l.V5}
	for len(v) > 0 && v[len(v)-1] == "" {
		v = v[:len(v)-1]
	}
	return v
}

// filter matches exactly this rule.
func (l Rule) filter() db.Filter {
	return db.And(db.Eq("ptype", l.PType), db.Eq("v0", l.V0), db.Eq("v1", l.V1), db.Eq("v2", l.V2),
		db.Eq("v3", l.V3), db.Eq("v4", l.V4), db.Eq("v5", l.V5))
}

// domainField is where each kind of rule names its clinic: a grant
// (p = role, clinic, resource, action) in v1, an assignment (g = user,
// role, clinic) in v2.
var domainField = map[string]string{"p": "v1", "g": "v2"}

// ClinicFilter selects one clinic's rules for LoadFilteredPolicy: its
// grants and its role assignments.
type ClinicFilter struct {
	TenantID string
}

func (f ClinicFilter) filter() db.Filter {
	return db.Or(
		db.And(db.Eq("ptype", "p"), db.Eq(domainField["p"], f.TenantID)),
		db.And(db.Eq("ptype", "g"), db.Eq(domainField["g"], f.TenantID)),
	)
}

// ErrWholePolicy is returned for LoadPolicy and SavePolicy: Ward loads and
// edits one clinic's rules at a time.
var ErrWholePolicy = errors.New("rbac: every clinic's rules at once: load one clinic with ClinicFilter")

// NewAdapter returns the adapter over store's rules collection.
func NewAdapter(store *db.Store) *Adapter {
	return &Adapter{coll: store.Platform("casbin rules, one clinic at a time").Collection(RulesCollection)}
}

// background bounds the calls casbin makes without a context.
func background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), db.OpTimeout)
}

// LoadFilteredPolicyCtx loads the rules of the clinic filter names (a
// ClinicFilter) into m.
func (a *Adapter) LoadFilteredPolicyCtx(ctx context.Context, m model.Model, filter any) error {
	var f ClinicFilter
	switch v := filter.(type) {
	case ClinicFilter:
		f = v
	case *ClinicFilter:
		if v != nil {
			f = *v
		}
	default:
		return fmt.Errorf("rbac: policy filter %T: want a ClinicFilter", filter)
	}
	if f.TenantID == "" {
		return errors.New("rbac: policy filter names no clinic")
	}
	return db.Each(ctx, a.coll, f.filter(), db.FindOptions{}, func(l *Rule) error {
		return persist.LoadPolicyArray(append([]string{l.PType}, l.values()...), m)
	})
}

// LoadFilteredPolicy is LoadFilteredPolicyCtx for callers without a context.
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter any) error {
	ctx, cancel := background()
	defer cancel()
	return a.LoadFilteredPolicyCtx(ctx, m, filter)
}

// IsFiltered is always true: every load is one clinic's (and casbin then
// refuses to save the whole policy).
func (a *Adapter) IsFiltered() bool                   { return true }
func (a *Adapter) IsFilteredCtx(context.Context) bool { return true }

// LoadPolicy and SavePolicy would read or rewrite every clinic's rules.
func (a *Adapter) LoadPolicy(model.Model) error                     { return ErrWholePolicy }
func (a *Adapter) LoadPolicyCtx(context.Context, model.Model) error { return ErrWholePolicy }
func (a *Adapter) SavePolicy(model.Model) error                     { return ErrWholePolicy }
func (a *Adapter) SavePolicyCtx(context.Context, model.Model) error { return ErrWholePolicy }

// AddPolicyCtx stores a rule. Storing one that exists is an error that
// db.IsDuplicate recognises.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	l, err := newRuleLine(ptype, rule)
	if err != nil {
		return err
	}
	return a.coll.Insert(ctx, l)
}

// AddPolicy is AddPolicyCtx for callers without a context.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx, cancel := background()
	defer cancel()
	return a.AddPolicyCtx(ctx, sec, ptype, rule)
}

// RemovePolicyCtx deletes a rule; removing one that is not stored does
// nothing.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	l, err := newRuleLine(ptype, rule)
	if err != nil {
		return err
	}
	_, err = a.coll.Delete(ctx, l.filter())
	return err
}

// RemovePolicy is RemovePolicyCtx for callers without a context.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	ctx, cancel := background()
	defer cancel()
	return a.RemovePolicyCtx(ctx, sec, ptype, rule)
}

// RemoveFilteredPolicyCtx deletes the rules of ptype whose values from
// fieldIndex on equal fieldValues ("" matches any). The values must name
// the clinic: a removal never reaches into other clinics' rules.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > len(ruleFields) {
		return fmt.Errorf("rbac: rule values %d to %d do not exist", fieldIndex, fieldIndex+len(fieldValues))
	}
	conds := []db.Filter{db.Eq("ptype", ptype)}
	named := map[string]bool{}
	for i, v := range fieldValues {
		if v != "" {
			field := ruleFields[fieldIndex+i]
			conds = append(conds, db.Eq(field, v))
			named[field] = true
		}
	}
	if dom, ok := domainField[ptype]; !ok || !named[dom] {
		return fmt.Errorf("rbac: removing %s rules without naming their clinic", ptype)
	}
	_, err := a.coll.DeleteMany(ctx, db.And(conds...))
	return err
}

// RemoveFilteredPolicy is RemoveFilteredPolicyCtx for callers without a
// context.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	ctx, cancel := background()
	defer cancel()
	return a.RemoveFilteredPolicyCtx(ctx, sec, ptype, fieldIndex, fieldValues...)
}
