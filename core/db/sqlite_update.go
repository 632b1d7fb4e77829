package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

// The embedded engine applies updates in Go, inside the write transaction
// that read the document: MongoDB's update operators on a bson.D.

// apply returns d with u's changes made.
func apply(d bson.D, u Update) (bson.D, error) {
	var err error
	for _, c := range u.ops {
		path := strings.Split(c.field, ".")
		switch c.kind {
		case chSet:
			d, err = setPath(d, path, c.value)
		case chUnset:
			d = unsetPath(d, path)
		case chInc:
			cur, _ := getPath(d, path)
			var next any
			if next, err = addNumber(cur, c.value.(int64)); err == nil {
				d, err = setPath(d, path, next)
			}
		case chPush:
			cur, found := getPath(d, path)
			arr, ok := cur.(bson.A)
			if found && !ok && cur != nil {
				return nil, fmt.Errorf("%w: $push to %s, which is not an array", ErrRefused, c.field)
			}
			d, err = setPath(d, path, append(append(bson.A{}, arr...), c.value))
		case chPull:
			cur, _ := getPath(d, path)
			arr, ok := cur.(bson.A)
			if !ok {
				continue
			}
			want, _ := scalar(c.value)
			kept := bson.A{}
			for _, e := range arr {
				if !sameValue(e, want) {
					kept = append(kept, e)
				}
			}
			d, err = setPath(d, path, kept)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func getPath(d bson.D, path []string) (any, bool) {
	for _, e := range d {
		if e.Key != path[0] {
			continue
		}
		if len(path) == 1 {
			return e.Value, true
		}
		if sub, ok := e.Value.(bson.D); ok {
			return getPath(sub, path[1:])
		}
		return nil, false
	}
	return nil, false
}

func setPath(d bson.D, path []string, v any) (bson.D, error) {
	for i, e := range d {
		if e.Key != path[0] {
			continue
		}
		if len(path) == 1 {
			d[i].Value = v
			return d, nil
		}
		sub, ok := e.Value.(bson.D)
		if !ok && e.Value != nil {
			return nil, fmt.Errorf("%w: cannot set %s inside a %T", ErrRefused, strings.Join(path, "."), e.Value)
		}
		sub, err := setPath(sub, path[1:], v)
		if err != nil {
			return nil, err
		}
		d[i].Value = sub
		return d, nil
	}
	if len(path) == 1 {
		return append(d, bson.E{Key: path[0], Value: v}), nil
	}
	sub, err := setPath(bson.D{}, path[1:], v)
	if err != nil {
		return nil, err
	}
	return append(d, bson.E{Key: path[0], Value: sub}), nil
}

func unsetPath(d bson.D, path []string) bson.D {
	for i, e := range d {
		if e.Key != path[0] {
			continue
		}
		if len(path) == 1 {
			return append(d[:i:i], d[i+1:]...)
		}
		if sub, ok := e.Value.(bson.D); ok {
			d[i].Value = unsetPath(sub, path[1:])
		}
		return d
	}
	return d
}

// addNumber adds n to a stored number (missing counts as 0), keeping
// doubles doubles and promoting int32 to int64 as MongoDB does on overflow.
func addNumber(cur any, n int64) (any, error) {
	switch t := cur.(type) {
	case nil:
		return n, nil
	case int32:
		s := int64(t) + n
		if s == int64(int32(s)) {
			return int32(s), nil
		}
		return s, nil
	case int64:
		return t + n, nil
	case float64:
		return t + float64(n), nil
	}
	return nil, fmt.Errorf("%w: $inc on a %T", ErrRefused, cur)
}

// sameValue compares a stored element with a normalised filter value.
func sameValue(stored, want any) bool {
	switch t := stored.(type) {
	case int32:
		stored = int64(t)
	case primitive.DateTime:
		stored = t.Time().UTC()
	}
	switch a := stored.(type) {
	case int64:
		switch b := want.(type) {
		case int64:
			return a == b
		case float64:
			return float64(a) == b
		}
		return false
	case float64:
		switch b := want.(type) {
		case int64:
			return a == float64(b)
		case float64:
			return a == b
		}
		return false
	case time.Time:
		b, ok := want.(time.Time)
		return ok && a.Equal(b)
	}
	return stored == want
}

// seed is the document an upsert starts from: the filter's equalities.
func seed(f Filter) bson.D {
	d := bson.D{}
	var walk func(Filter)
	walk = func(f Filter) {
		switch f.op {
		case opAnd:
			for _, s := range f.subs {
				walk(s)
			}
		case opEq:
			d, _ = setPath(d, strings.Split(f.field, "."), f.value)
		}
	}
	walk(f)
	if _, ok := getPath(d, []string{IDField}); !ok {
		d = append(bson.D{{Key: IDField, Value: NewID()}}, d...)
	}
	return d
}

// withID puts _id = id first in d.
func withID(d bson.D, id string) bson.D {
	out := make(bson.D, 0, len(d)+1)
	out = append(out, bson.E{Key: IDField, Value: id})
	for _, e := range d {
		if e.Key != IDField {
			out = append(out, e)
		}
	}
	return out
}

// project keeps only the fields FindOptions asks for.
func project(raw bson.Raw, o FindOptions) (bson.Raw, error) {
	if len(o.Fields) == 0 && len(o.Omit) == 0 {
		return raw, nil
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	if len(o.Omit) > 0 {
		for _, f := range o.Omit {
			d = unsetPath(d, strings.Split(f, "."))
		}
	} else {
		out := bson.D{}
		if v, ok := getPath(d, []string{IDField}); ok {
			out = append(out, bson.E{Key: IDField, Value: v})
		}
		for _, f := range o.Fields {
			if f == IDField {
				continue
			}
			if v, ok := getPath(d, strings.Split(f, ".")); ok {
				out, _ = setPath(out, strings.Split(f, "."), v)
			}
		}
		d = out
	}
	b, err := bson.Marshal(d)
	return b, err
}

// checkPlan asks SQLite how it will run a query, once per query text, and
// reports a plan that reads a whole table or index to the scan observer.
func (s *sqliteStore) checkPlan(ctx context.Context, q querier, coll, query string, args []any) {
	fn := s.onScan.Load()
	if fn == nil || strings.Contains(query, " WHERE 1") {
		return // no filter: a deliberate walk through the whole collection
	}
	if _, seen := s.planned.LoadOrStore(query, true); seen {
		return
	}
	rows, err := q.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		(*fn)(ctx, coll, query, "EXPLAIN failed: "+err.Error())
		return
	}
	defer rows.Close()
	var plan []string
	scan := false
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return
		}
		plan = append(plan, detail)
		if strings.HasPrefix(detail, "SCAN "+coll) && !strings.Contains(detail, "VIRTUAL TABLE") {
			scan = true
		}
	}
	if scan {
		(*fn)(ctx, coll, query, strings.Join(plan, "; "))
	}
}

// querier is the connection or the transaction a query runs on.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// OnScan installs fn to hear of every query that the embedded engine runs
// by reading a whole table or index (nil removes it). It does nothing on
// MongoDB, whose queries are held to CheckShape instead.
func (s *Store) OnScan(fn func(ctx context.Context, collection, query, plan string)) {
	if e, ok := s.engine.(*sqliteStore); ok {
		if fn == nil {
			e.onScan.Store(nil)
			return
		}
		e.planned.Range(func(k, _ any) bool { e.planned.Delete(k); return true })
		e.onScan.Store(&fn)
	}
}
