package db

import (
	"context"
	"fmt"
	"slices"
)

// Observer sees the shape of every query made through the store (tests use
// it to check that each query is served by a declared index). A query with
// the zero filter — only a platform collection's can have one — is a
// deliberate walk through the whole collection and is not shown.
type Observer func(ctx context.Context, collection, op string, f Filter, sort []Order)

// Observe installs o (nil removes it).
func (s *Store) Observe(o Observer) {
	if o == nil {
		s.observer.Store(nil)
		return
	}
	s.observer.Store(&o)
}

func (s *Store) observe(ctx context.Context, coll, op string, f Filter, sort []Order) {
	if o := s.observer.Load(); o != nil && !f.IsAll() {
		(*o)(ctx, coll, op, f, sort)
	}
}

// CheckShape reports whether a declared index of coll serves a query with
// filter f and sort: an index whose leading keys are equalities of the
// filter (tenantId first on a tenant's collection; no equality of the
// filter left further down the index), followed by the sort keys in order (all in the index's direction or all against it). Each
// branch of an Or must be served on its own. A lookup by _id is always
// served. This is the rule the mongo engine is held to; the embedded engine
// is also checked by its query plans (sqlite_plan.go).
func (s *Store) CheckShape(coll string, f Filter, sort []Order) error {
	return checkShape(s.Indexes(coll), coll, f, sort)
}

func checkShape(indexes []Index, coll string, f Filter, sort []Order) error {
	for _, branch := range branches(f) {
		if err := servedBy(indexes, branch, sort); err != nil {
			return fmt.Errorf("%s: query (%s) sorted by %v: %w", coll, branch, sortNames(sort), err)
		}
	}
	return nil
}

// branches expands a filter's Or terms into conjunctions (bounded: a
// filter with a very wide Or is checked per term).
func branches(f Filter) []Filter {
	switch f.op {
	case opOr:
		var out []Filter
		for _, s := range f.subs {
			out = append(out, branches(s)...)
		}
		return out
	case opAnd:
		out := []Filter{{}}
		for _, s := range f.subs {
			bs := branches(s)
			if len(out)*len(bs) > 64 {
				bs = bs[:1]
			}
			var next []Filter
			for _, o := range out {
				for _, b := range bs {
					next = append(next, And(o, b))
				}
			}
			out = next
		}
		return out
	}
	return []Filter{f}
}

func servedBy(indexes []Index, f Filter, sort []Order) error {
	eq := map[string]bool{}
	ranged := map[string]bool{}
	_ = f.walk(func(l Filter) error {
		switch l.op {
		case opEq:
			eq[l.field] = true
		case opIn:
			if len(l.list) <= 1 {
				eq[l.field] = true
			} else {
				ranged[l.field] = true
			}
		case opGt, opGte, opLt, opLte, opPrefix:
			ranged[l.field] = true
		}
		return nil
	})
	if eq[IDField] {
		return nil
	}
	// Sort keys fixed by an equality, and the _id tiebreak, need no index.
	var want []Order
	for _, o := range sort {
		if !eq[o.Field] && o.Field != IDField {
			want = append(want, o)
		}
	}
	for _, ix := range indexes {
		keys := ix.keys()
		p := 0
		for p < len(keys) && eq[keys[p].field] {
			p++
		}
		if slices.ContainsFunc(keys[p:], func(k key) bool { return eq[k.field] }) {
			continue // an equality after a gap: the index reads more than it must
		}
		if p == 0 && (len(want) == 0 || keys[0].field != want[0].Field) && !ranged[keys[0].field] {
			continue
		}
		if !ix.Platform && p == 0 {
			continue
		}
		if len(want) == 0 {
			return nil
		}
		rest := keys[p:]
		if len(rest) < len(want) {
			continue
		}
		ok := true
		flip := rest[0].desc != want[0].Desc
		for i, o := range want {
			if rest[i].field != o.Field || (rest[i].desc != o.Desc) != flip {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("no declared index serves it (indexes: %v)", indexNames(indexes))
}

func sortNames(sort []Order) []string {
	out := make([]string, 0, len(sort))
	for _, o := range sort {
		if o.Desc {
			out = append(out, "-"+o.Field)
		} else {
			out = append(out, o.Field)
		}
	}
	return out
}

func indexNames(ixs []Index) []string {
	out := make([]string, len(ixs))
	for i, ix := range ixs {
		out[i] = ix.Name()
	}
	return slices.Clip(out)
}
