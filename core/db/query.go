package db

import (
	"fmt"
	"regexp"
	"time"
)

// Ward's queries are typed: modules build them from the functions below, and
// each engine translates them (to MongoDB filters, or to SQL with bound
// parameters). The language holds only what can be made fast and
// tenant-safe: no $where, no joins, no free regular expressions.

// Filter is a condition on documents. The zero Filter matches every document.
type Filter struct {
	op    op
	field string
	value any      // comparisons, Prefix (a string)
	list  []any    // In
	subs  []Filter // And, Or
}

type op uint8

const (
	opAll op = iota
	opEq
	opNe
	opIn
	opGt
	opGte
	opLt
	opLte
	opPrefix
	opExists
	opMissing
	opAnd
	opOr
)

// Eq matches documents whose field equals v (or, for an array field that no
// index names, holds v as an element). Eq(field, nil) matches null and
// missing, as MongoDB does.
func Eq(field string, v any) Filter { return Filter{op: opEq, field: field, value: v} }

// ID matches the document with the _id id.
func ID(id string) Filter { return Eq(IDField, id) }

// Ne matches documents whose field is not v (missing fields included).
func Ne(field string, v any) Filter { return Filter{op: opNe, field: field, value: v} }

// In matches documents whose field equals one of vs. An empty list matches
// nothing.
func In[T any](field string, vs []T) Filter {
	list := make([]any, len(vs))
	for i, v := range vs {
		list[i] = v
	}
	return Filter{op: opIn, field: field, list: list}
}

// Gt, Gte, Lt and Lte compare values of the same kind only (numbers with
// numbers, strings with strings, times with times), as MongoDB does.
func Gt(field string, v any) Filter  { return Filter{op: opGt, field: field, value: v} }
func Gte(field string, v any) Filter { return Filter{op: opGte, field: field, value: v} }
func Lt(field string, v any) Filter  { return Filter{op: opLt, field: field, value: v} }
func Lte(field string, v any) Filter { return Filter{op: opLte, field: field, value: v} }

// Prefix matches string fields that start with p (case-sensitive; store a
// folded search key to search without case). An empty prefix matches every
// string.
func Prefix(field, p string) Filter { return Filter{op: opPrefix, field: field, value: p} }

// Exists matches documents that have the field (null included); Missing
// those that do not.
func Exists(field string) Filter  { return Filter{op: opExists, field: field} }
func Missing(field string) Filter { return Filter{op: opMissing, field: field} }

// And matches documents that match every filter; And() matches all.
func And(fs ...Filter) Filter { return join(opAnd, fs) }

// Or matches documents that match at least one filter; Or() matches none.
func Or(fs ...Filter) Filter { return join(opOr, fs) }

func join(o op, fs []Filter) Filter {
	subs := make([]Filter, 0, len(fs))
	for _, f := range fs {
		if o == opAnd && f.op == opAll {
			continue // matches all: adds nothing to a conjunction
		}
		if f.op == o {
			subs = append(subs, f.subs...)
			continue
		}
		subs = append(subs, f)
	}
	if o == opAnd && len(subs) == 0 {
		return Filter{}
	}
	if len(subs) == 1 {
		return subs[0]
	}
	return Filter{op: o, subs: subs}
}

// IsAll reports whether f matches every document.
func (f Filter) IsAll() bool { return f.op == opAll }

// walk calls fn for every leaf of f.
func (f Filter) walk(fn func(Filter) error) error {
	switch f.op {
	case opAll:
		return nil
	case opAnd, opOr:
		for _, s := range f.subs {
			if err := s.walk(fn); err != nil {
				return err
			}
		}
		return nil
	}
	return fn(f)
}

// String shows the filter for errors and logs: field names and operators,
// never values (they may be patient data).
func (f Filter) String() string {
	switch f.op {
	case opAll:
		return "all"
	case opAnd, opOr:
		s := map[op]string{opAnd: "and(", opOr: "or("}[f.op]
		for i, sub := range f.subs {
			if i > 0 {
				s += ", "
			}
			s += sub.String()
		}
		return s + ")"
	}
	return f.field + " " + opNames[f.op]
}

var opNames = map[op]string{opEq: "=", opNe: "!=", opIn: "in", opGt: ">", opGte: ">=", opLt: "<", opLte: "<=",
	opPrefix: "prefix", opExists: "exists", opMissing: "missing"}

// IDField is the document id: a string, unique in its collection.
const IDField = "_id"

// fieldPattern is what a field path may be: dotted names of letters, digits
// and underscores, each starting with a letter. Paths are spliced into SQL,
// so nothing else passes; and no segment is a number, because MongoDB reads
// "tags.1" as an array position and SQLite's JSON paths do not.
var fieldPattern = regexp.MustCompile(`^(_id|[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$`)

func checkField(name string) error {
	if !fieldPattern.MatchString(name) {
		return fmt.Errorf("%w: field name %q", ErrRefused, name)
	}
	return nil
}

// scalar normalises a value a filter compares with: integers become int64,
// times UTC milliseconds (what both engines store). Anything else is refused.
func scalar(v any) (any, error) {
	switch t := v.(type) {
	case nil, string, bool, float64, int64:
		return t, nil
	case int:
		return int64(t), nil
	case int32:
		return int64(t), nil
	case float32:
		return float64(t), nil
	case time.Time:
		return t.UTC().Truncate(time.Millisecond), nil
	}
	return nil, fmt.Errorf("%w: a filter cannot compare with a %T", ErrRefused, v)
}

// check validates every leaf of f and normalises its values.
func (f Filter) check() (Filter, error) {
	switch f.op {
	case opAll:
		return f, nil
	case opAnd, opOr:
		out := Filter{op: f.op, subs: make([]Filter, len(f.subs))}
		for i, s := range f.subs {
			c, err := s.check()
			if err != nil {
				return Filter{}, err
			}
			out.subs[i] = c
		}
		return out, nil
	}
	if err := checkField(f.field); err != nil {
		return Filter{}, err
	}
	switch f.op {
	case opIn:
		list := make([]any, len(f.list))
		for i, v := range f.list {
			n, err := scalar(v)
			if err != nil {
				return Filter{}, err
			}
			list[i] = n
		}
		f.list = list
	case opExists, opMissing:
	case opPrefix:
		if _, ok := f.value.(string); !ok {
			return Filter{}, fmt.Errorf("%w: prefix of %s is not a string", ErrRefused, f.field)
		}
	case opGt, opGte, opLt, opLte:
		n, err := scalar(f.value)
		if err != nil {
			return Filter{}, err
		}
		if n == nil {
			return Filter{}, fmt.Errorf("%w: %s compared with null", ErrRefused, f.field)
		}
		f.value = n
	default:
		n, err := scalar(f.value)
		if err != nil {
			return Filter{}, err
		}
		f.value = n
	}
	return f, nil
}

// Order is one sort key.
type Order struct {
	Field string
	Desc  bool
}

// Asc and Desc name sort keys. Every sort ends with _id ascending, so pages
// are stable when the keys tie.
func Asc(field string) Order  { return Order{Field: field} }
func Desc(field string) Order { return Order{Field: field, Desc: true} }

// FindOptions are the options of Find.
type FindOptions struct {
	Sort  []Order
	Skip  int64
	Limit int64 // 0: no limit (keep collections small or use Each)
	// Fields, when set, are the only fields read (plus _id); Omit names
	// fields left out. Not both.
	Fields []string
	Omit   []string
}

func (o FindOptions) check() error {
	if len(o.Fields) > 0 && len(o.Omit) > 0 {
		return fmt.Errorf("%w: Fields and Omit together", ErrRefused)
	}
	if o.Skip < 0 || o.Limit < 0 {
		return fmt.Errorf("%w: negative skip or limit", ErrRefused)
	}
	for _, s := range o.Sort {
		if err := checkField(s.Field); err != nil {
			return err
		}
	}
	for _, f := range append(append([]string{}, o.Fields...), o.Omit...) {
		if err := checkField(f); err != nil {
			return err
		}
	}
	return nil
}

// withIDTiebreak appends _id ascending unless the sort already names it.
func withIDTiebreak(sort []Order) []Order {
	for _, s := range sort {
		if s.Field == IDField {
			return sort
		}
	}
	return append(append(make([]Order, 0, len(sort)+1), sort...), Asc(IDField))
}

// Update is a list of changes to a document, applied in order.
type Update struct {
	ops []change
}

type change struct {
	kind  changeKind
	field string
	value any
}

type changeKind uint8

const (
	chSet changeKind = iota
	chUnset
	chPush
	chPull
	chInc
)

var changeNames = map[changeKind]string{chSet: "$set", chUnset: "$unset", chPush: "$push", chPull: "$pull", chInc: "$inc"}

// Set sets field to v (any value: a struct, a slice, a time).
func Set(field string, v any) Update { return Update{}.Set(field, v) }

// Unset removes field.
func Unset(field string) Update { return Update{}.Unset(field) }

// Push appends v to the array field (creating it).
func Push(field string, v any) Update { return Update{}.Push(field, v) }

// Pull removes every element equal to v from the array field.
func Pull(field string, v any) Update { return Update{}.Pull(field, v) }

// Inc adds n to the numeric field (a missing field counts as 0).
func Inc(field string, n int64) Update { return Update{}.Inc(field, n) }

func (u Update) with(c change) Update {
	ops := make([]change, len(u.ops), len(u.ops)+1)
	copy(ops, u.ops)
	return Update{ops: append(ops, c)}
}

func (u Update) Set(field string, v any) Update  { return u.with(change{chSet, field, v}) }
func (u Update) Unset(field string) Update       { return u.with(change{chUnset, field, nil}) }
func (u Update) Push(field string, v any) Update { return u.with(change{chPush, field, v}) }
func (u Update) Pull(field string, v any) Update { return u.with(change{chPull, field, v}) }
func (u Update) Inc(field string, n int64) Update {
	return u.with(change{chInc, field, n})
}

// IsEmpty reports whether u changes nothing.
func (u Update) IsEmpty() bool { return len(u.ops) == 0 }

// check refuses updates that touch _id or a field twice, and bad names.
func (u Update) check() error {
	if len(u.ops) == 0 {
		return fmt.Errorf("%w: empty update", ErrRefused)
	}
	seen := map[string]bool{}
	for _, c := range u.ops {
		if err := checkField(c.field); err != nil {
			return err
		}
		if c.field == IDField {
			return fmt.Errorf("%w: an update may not change _id", ErrRefused)
		}
		if seen[c.field] {
			return fmt.Errorf("%w: %s changed twice in one update", ErrRefused, c.field)
		}
		seen[c.field] = true
		if c.kind == chPull {
			if _, err := scalar(c.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// touches reports whether u changes field or anything inside it.
func (u Update) touches(field string) bool {
	for _, c := range u.ops {
		if c.field == field || len(c.field) > len(field) && c.field[:len(field)+1] == field+"." {
			return true
		}
	}
	return false
}

// Group is one line of a Sum: the grouping field's value and the total.
type Group struct {
	Key any
	Sum float64
}
