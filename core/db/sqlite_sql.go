package db

import (
	"fmt"
	"strings"
	"time"
)

// Filters become SQL over json_extract(doc, '$.path') — the same expression
// the declared indexes are built on, so SQLite serves a query from an index
// whenever one fits. Values are always bound parameters; field paths are
// spliced in only after checkField has admitted them (letters, digits,
// underscores and dots).

// where is a WHERE clause being built.
type where struct {
	sql  strings.Builder
	args []any
	// scalar reports whether a field holds one value of one kind per
	// document (it is named by an index), so array elements need not be
	// searched nor kinds told apart.
	scalar func(field string) bool
}

// expr is the SQL expression for a field's value.
func expr(field string) string {
	if field == IDField {
		return "id"
	}
	return "json_extract(doc,'$." + field + "')"
}

// jtype is the SQL expression for a field's JSON type (NULL when missing).
func jtype(field string) string {
	if field == IDField {
		return "'text'"
	}
	return "json_type(doc,'$." + field + "')"
}

func (w *where) add(s string, args ...any) {
	w.sql.WriteString(s)
	w.args = append(w.args, args...)
}

// compile writes f as a SQL condition that is never NULL.
func (w *where) compile(f Filter) {
	switch f.op {
	case opAll:
		w.add("1")
	case opAnd, opOr:
		if len(f.subs) == 0 {
			w.add(map[op]string{opAnd: "1", opOr: "0"}[f.op])
			return
		}
		joiner := map[op]string{opAnd: " AND ", opOr: " OR "}[f.op]
		w.add("(")
		for i, s := range f.subs {
			if i > 0 {
				w.add(joiner)
			}
			w.compile(s)
		}
		w.add(")")
	case opEq:
		w.eq(f.field, f.value)
	case opNe:
		w.add("NOT coalesce(")
		w.eq(f.field, f.value)
		w.add(", 0)")
	case opIn:
		w.in(f.field, f.list)
	case opGt, opGte, opLt, opLte:
		w.compare(f)
	case opPrefix:
		p := escapeText(f.value.(string))
		e := expr(f.field)
		w.add("("+e+" >= ? AND "+e+" < ?", p, p+"\U0010FFFF")
		if p == "" || p[0] == '{' || p[0] == '[' {
			// Only a string can start so: not an object's or array's text.
			w.add(" AND " + jtype(f.field) + " = 'text'")
		}
		w.add(")")
	case opExists:
		w.add(jtype(f.field) + " IS NOT NULL")
	case opMissing:
		w.add(jtype(f.field) + " IS NULL")
	}
}

// eq writes field = v, as MongoDB means it: nil matches null and missing; a
// boolean does not match the numbers 1 and 0; an array field matches when an
// element equals v.
func (w *where) eq(field string, v any) {
	e := expr(field)
	if v == nil {
		w.add("(" + e + " IS NULL")
		if !w.scalar(field) {
			w.add(" OR (" + jtype(field) + " = 'array' AND EXISTS (SELECT 1 FROM json_each(doc,'$." + field + "') WHERE type = 'null'))")
		}
		w.add(")")
		return
	}
	if w.scalar(field) {
		// An indexed field holds one kind of value: no guard, so the
		// index alone answers (a guard reads every document in range).
		w.add("("+e+" = ?)", sqlValue(v))
		return
	}
	w.add("("+e+" = ?"+typeGuard(field, v), sqlValue(v))
	{
		w.add(" OR ("+jtype(field)+" = 'array' AND EXISTS (SELECT 1 FROM json_each(doc,'$."+field+"') WHERE value = ?"+elemGuard(v)+"))", sqlValue(v))
	}
	w.add(")")
}

// typeGuard keeps booleans and the numbers 0 and 1 apart (SQLite reads JSON
// true as 1).
func typeGuard(field string, v any) string {
	switch t := v.(type) {
	case bool:
		return " AND " + jtype(field) + " = '" + boolName(t) + "'"
	case int64:
		if t == 0 || t == 1 {
			return " AND " + jtype(field) + " IN ('integer','real')"
		}
	case float64:
		if t == 0 || t == 1 {
			return " AND " + jtype(field) + " IN ('integer','real')"
		}
	}
	return ""
}

func elemGuard(v any) string {
	switch t := v.(type) {
	case bool:
		return " AND type = '" + boolName(t) + "'"
	case int64, float64:
		return " AND type IN ('integer','real')"
	}
	return ""
}

func boolName(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (w *where) in(field string, list []any) {
	if len(list) == 0 {
		w.add("0")
		return
	}
	w.add("(")
	for i, v := range list {
		if i > 0 {
			w.add(" OR ")
		}
		w.eq(field, v)
	}
	w.add(")")
}

// compare writes a range condition that, like MongoDB's, matches values of
// the bound value's kind only.
func (w *where) compare(f Filter) {
	e := expr(f.field)
	sym := map[op]string{opGt: ">", opGte: ">=", opLt: "<", opLte: "<="}[f.op]
	switch v := f.value.(type) {
	case time.Time:
		w.add("("+e+" "+sym+" ? AND "+e+" >= ? AND "+e+" < ?)", dateText(v), dateLow, dateHigh)
	case string:
		// Numbers sort before every string; objects (times) and arrays are
		// JSON text that may sort among strings, so the type is checked
		// where the field may hold them.
		w.add("("+e+" "+sym+" ? AND "+e+" >= ''", escapeText(v))
		if w.scalar(f.field) {
			// Decided from the index alone: not a stored time.
			w.add(" AND NOT ("+e+" >= ? AND "+e+" < ?)", dateLow, dateHigh)
		} else {
			w.add(" AND " + jtype(f.field) + " = 'text'")
		}
		w.add(")")
	case bool:
		w.add("("+e+" "+sym+" ? AND "+jtype(f.field)+" IN ('true','false'))", sqlValue(v))
	default: // numbers: below every string
		w.add("("+e+" "+sym+" ? AND "+e+" < ''", v)
		if !w.scalar(f.field) {
			w.add(" AND " + jtype(f.field) + " IN ('integer','real')")
		}
		w.add(")")
	}
}

// orderBy writes the ORDER BY clause.
func orderBy(sort []Order) string {
	if len(sort) == 0 {
		return ""
	}
	parts := make([]string, len(sort))
	for i, o := range sort {
		parts[i] = expr(o.Field)
		if o.Desc {
			parts[i] += " DESC"
		}
	}
	return " ORDER BY " + strings.Join(parts, ", ")
}

// quote quotes a table or index name (already limited to letters, digits
// and underscores).
func quote(name string) string { return `"` + name + `"` }

// indexSQL is the CREATE INDEX statement for ix.
func indexSQL(ix Index) string {
	cols := make([]string, 0, len(ix.Keys))
	for _, k := range ix.keys() {
		c := expr(k.field)
		if k.desc {
			c += " DESC"
		}
		cols = append(cols, c)
	}
	unique := ""
	if ix.Unique {
		unique = "UNIQUE "
	}
	return fmt.Sprintf("CREATE %sINDEX IF NOT EXISTS %s ON %s (%s)", unique, quote(ix.Collection+"__"+ix.Name()), quote(ix.Collection), strings.Join(cols, ", "))
}
