package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteStore is the embedded engine: one SQLite database file in WAL mode
// under DATA_DIR, one table per collection holding each document as JSON
// (sqlite_json.go), the declared indexes as SQLite expression indexes, and
// every multi-step write in a transaction. WAL lets a second process (the
// operator commands) read and write the same file while the server runs.
//
// The process uses one connection for reads and writes. In WAL mode a
// connection drops its whole page cache whenever another connection has
// written, and Ward writes on most requests (audit entries, sessions): with
// a pool of readers beside a writer, every read started cold — five times
// slower on a 100,000-patient clinic. One connection keeps its cache; the
// database work of concurrent requests takes turns, which on an engine that
// runs inside the process costs little.
type sqliteStore struct {
	log     zerolog.Logger
	path    string
	conn    *sql.DB // one connection
	indexes *indexSet
	calls   atomic.Int64

	mu     sync.Mutex
	tables map[string]bool // tables known to exist
	stmts  map[string]*sql.Stmt

	// onScan, when set, is told about every query whose plan scans a whole
	// table or index (tests fail on it: every query must use an index).
	onScan  atomic.Pointer[func(ctx context.Context, coll, query, plan string)]
	planned sync.Map // SQL text → checked
}

// maxStatements bounds the prepared-statement cache (queries are built from
// a few shapes, but In lists of many lengths make many texts).
const maxStatements = 1000

func openSQLite(dir string, ix *indexSet, log zerolog.Logger) (engine, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("db: data directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("db: cannot create data directory %s: %w", abs, err)
	}
	path := filepath.Join(abs, "ward.db")
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-64000)")
	q.Set("_txlock", "immediate") // a transaction takes the write lock first
	conn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("db: opening %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxIdleTime(0)
	conn.SetConnMaxLifetime(0)
	s := &sqliteStore{log: log, path: path, conn: conn, indexes: ix, tables: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
	// Creating the file (and switching it to WAL) here makes a broken data
	// directory an error at start, not at the first request.
	if _, err := conn.Exec("PRAGMA user_version"); err != nil {
		s.close(context.Background())
		return nil, fmt.Errorf("db: opening %s: %w", path, err)
	}
	log.Info().Str("file", path).Msg("embedded database opened")
	return s, nil
}

func (s *sqliteStore) kind() string { return "sqlite" }

func (s *sqliteStore) commands() int64 { return s.calls.Load() }

func (s *sqliteStore) ping(ctx context.Context) error {
	return s.conn.PingContext(ctx)
}

func (s *sqliteStore) close(context.Context) error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	s.mu.Unlock()
	return s.conn.Close()
}

// table makes sure the collection's table exists. A collection never
// written to reads as empty without one.
func (s *sqliteStore) table(ctx context.Context, coll string) error {
	s.mu.Lock()
	known := s.tables[coll]
	s.mu.Unlock()
	if known {
		return nil
	}
	_, err := s.conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+quote(coll)+" (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID")
	if err != nil {
		return fmt.Errorf("db: creating %s: %w", coll, err)
	}
	s.mu.Lock()
	s.tables[coll] = true
	s.mu.Unlock()
	return nil
}

// exists reports whether the collection's table exists (reads of a
// collection never written return nothing rather than an error).
func (s *sqliteStore) exists(ctx context.Context, coll string) (bool, error) {
	s.mu.Lock()
	known := s.tables[coll]
	s.mu.Unlock()
	if known {
		return true, nil
	}
	var n int
	err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", coll).Scan(&n)
	if err != nil {
		return false, err
	}
	if n > 0 {
		s.mu.Lock()
		s.tables[coll] = true
		s.mu.Unlock()
	}
	return n > 0, nil
}

// stmt returns a prepared statement for query, cached.
func (s *sqliteStore) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	st := s.stmts[query]
	s.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := s.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := s.stmts[query]; have != nil {
		st.Close()
		return have, nil
	}
	if len(s.stmts) < maxStatements {
		s.stmts[query] = st
	}
	return st, nil
}

// whereSQL compiles f for coll.
func (s *sqliteStore) whereSQL(coll string, f Filter) (string, []any) {
	w := &where{scalar: func(field string) bool { return field == IDField || s.indexes.indexed(coll, field) }}
	w.compile(distribute(f))
	return w.sql.String(), w.args
}

// distribute moves the equalities beside an Or into each of its branches:
// tenantId = t AND (a OR b) becomes (tenantId = t AND a) OR (tenantId = t
// AND b). SQLite serves an Or from several indexes only when each branch
// has an index of its own to search; left outside, the tenant's equality
// makes it read the whole clinic instead.
func distribute(f Filter) Filter {
	if f.op != opAnd {
		return f
	}
	var eqs, rest []Filter
	or := -1
	for _, s := range f.subs {
		switch {
		case s.op == opEq:
			eqs = append(eqs, s)
		case s.op == opOr && or < 0:
			or = len(rest)
			rest = append(rest, s)
		default:
			rest = append(rest, s)
		}
	}
	if or < 0 || len(eqs) == 0 {
		return f
	}
	branches := make([]Filter, len(rest[or].subs))
	for i, b := range rest[or].subs {
		branches[i] = And(append(append([]Filter{}, eqs...), b)...)
	}
	rest[or] = Or(branches...)
	return And(rest...)
}

// findChunk is how many documents find reads before handing them on: the
// one connection is not held while the caller works on them (a caller that
// queries again from its callback would otherwise wait for itself). Large
// enough that a long run takes few OFFSET steps, small enough to bound the
// memory a run holds.
const findChunk = 5000

func (s *sqliteStore) find(ctx context.Context, coll string, f Filter, o FindOptions, fn func(bson.Raw) error) error {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return err
	}
	if q, args, ok := s.orPage(coll, f, o); ok {
		s.checkPlan(ctx, s.conn, coll, q, args)
		st, err := s.stmt(ctx, q)
		if err != nil {
			return fmt.Errorf("db: find in %s: %w", coll, err)
		}
		texts, err := s.read(ctx, st, args)
		if err != nil {
			return fmt.Errorf("db: find in %s: %w", coll, err)
		}
		return s.hand(texts, o, fn)
	}
	cond, args := s.whereSQL(coll, f)
	q := "SELECT doc FROM " + quote(coll) + " WHERE " + cond + orderBy(o.Sort) + " LIMIT ? OFFSET ?"
	s.checkPlan(ctx, s.conn, coll, q, append(args, findChunk, o.Skip))
	st, err := s.stmt(ctx, q)
	if err != nil {
		return fmt.Errorf("db: find in %s: %w", coll, err)
	}
	// Every sort ends with _id, so consecutive chunks neither repeat nor
	// skip a document unless it is written in between.
	skip, left := o.Skip, o.Limit
	for {
		n := int64(findChunk)
		if o.Limit > 0 {
			n = min(n, left)
		}
		texts, err := s.read(ctx, st, append(args, n, skip))
		if err != nil {
			return fmt.Errorf("db: find in %s: %w", coll, err)
		}
		if err := s.hand(texts, o, fn); err != nil {
			return err
		}
		skip += int64(len(texts))
		left -= int64(len(texts))
		if int64(len(texts)) < n || (o.Limit > 0 && left <= 0) {
			return nil
		}
		s.calls.Add(1)
	}
}

// hand decodes stored texts and gives them to fn.
func (s *sqliteStore) hand(texts [][]byte, o FindOptions, fn func(bson.Raw) error) error {
	for _, text := range texts {
		raw, err := fromJSON(text)
		if err != nil {
			return err
		}
		if raw, err = project(raw, o); err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

// orPage writes a sorted, limited query whose filter is an Or as one
// sorted, limited query per branch, merged: each branch then reads at most
// skip+limit entries from an index that serves it in order, where the
// Or as a whole (served by several indexes, none in order) would sort
// every match first — a search matching thousands of patients would sort
// them all to show 25.
func (s *sqliteStore) orPage(coll string, f Filter, o FindOptions) (string, []any, bool) {
	f = distribute(f)
	n := o.Skip + o.Limit
	if f.op != opOr || o.Limit <= 0 || n > findChunk || len(f.subs) > 8 {
		return "", nil, false
	}
	cols := make([]string, len(o.Sort))
	outer := make([]string, len(o.Sort))
	for i, so := range o.Sort {
		cols[i] = expr(so.Field) + " AS s" + strconv.Itoa(i)
		outer[i] = "u.s" + strconv.Itoa(i)
		if so.Desc {
			outer[i] += " DESC"
		}
	}
	var b strings.Builder
	var args []any
	b.WriteString("SELECT t.doc FROM " + quote(coll) + " t JOIN (")
	for i, branch := range f.subs {
		if i > 0 {
			b.WriteString(" UNION ")
		}
		w := &where{scalar: func(field string) bool { return field == IDField || s.indexes.indexed(coll, field) }}
		w.compile(branch)
		b.WriteString("SELECT * FROM (SELECT id, " + strings.Join(cols, ", ") + " FROM " + quote(coll) + s.indexFor(coll, branch) +
			" WHERE " + w.sql.String() + orderBy(o.Sort) + " LIMIT ?)")
		args = append(append(args, w.args...), n)
	}
	b.WriteString(") u ON t.id = u.id ORDER BY " + strings.Join(outer, ", ") + " LIMIT ? OFFSET ?")
	return b.String(), append(args, o.Limit, o.Skip), true
}

// indexFor names the index that searches a branch of an Or most narrowly:
// its leading keys are the branch's equalities, then the field it ranges
// over. Without the name SQLite may prefer an index that gives the sort
// order and read the whole clinic through it to find a rare prefix.
func (s *sqliteStore) indexFor(coll string, branch Filter) string {
	eq, ranged := map[string]bool{}, map[string]bool{}
	_ = branch.walk(func(l Filter) error {
		switch l.op {
		case opEq:
			eq[l.field] = true
		case opPrefix, opGt, opGte, opLt, opLte:
			ranged[l.field] = true
		}
		return nil
	})
	best, score := "", 1
	for _, ix := range s.indexes.on(coll) {
		keys := ix.keys()
		p := 0
		for p < len(keys) && eq[keys[p].field] {
			p++
		}
		if p < len(keys) && ranged[keys[p].field] {
			p++
		}
		if p > score {
			best, score = ix.Collection+"__"+ix.Name(), p
		}
	}
	if best == "" {
		return ""
	}
	return " INDEXED BY " + quote(best)
}

// read runs a query of documents and returns their texts.
func (s *sqliteStore) read(ctx context.Context, st *sql.Stmt, args []any) ([][]byte, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var texts [][]byte
	for rows.Next() {
		var text []byte
		if err := rows.Scan(&text); err != nil {
			return nil, err
		}
		texts = append(texts, text)
	}
	return texts, rows.Err()
}

func (s *sqliteStore) count(ctx context.Context, coll string, f Filter) (int64, error) {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return 0, err
	}
	cond, args := s.whereSQL(coll, f)
	q := "SELECT count(*) FROM " + quote(coll) + " WHERE " + cond
	s.checkPlan(ctx, s.conn, coll, q, args)
	st, err := s.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = st.QueryRowContext(ctx, args...).Scan(&n)
	return n, err
}

func (s *sqliteStore) countUpTo(ctx context.Context, coll string, f Filter, limit int64) (int64, error) {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return 0, err
	}
	cond, args := s.whereSQL(coll, f)
	q := "SELECT count(*) FROM (SELECT 1 FROM " + quote(coll) + " WHERE " + cond + " LIMIT ?)"
	s.checkPlan(ctx, s.conn, coll, q, append(args, limit))
	st, err := s.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = st.QueryRowContext(ctx, append(args, limit)...).Scan(&n)
	return n, err
}

func (s *sqliteStore) sum(ctx context.Context, coll string, f Filter, by, field string) ([]Group, error) {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return nil, err
	}
	cond, args := s.whereSQL(coll, f)
	total := "count(*)"
	if field != "" {
		// MongoDB's $sum leaves out what is not a number.
		total = "total(CASE WHEN " + jtype(field) + " IN ('integer','real') THEN " + expr(field) + " END)"
	}
	// A boolean reads as 1 or 0 in SQL: its JSON type keeps it apart.
	kind := "CASE WHEN " + jtype(by) + " IN ('true','false') THEN " + jtype(by) + " END"
	q := "SELECT " + kind + ", " + expr(by) + ", " + total + " FROM " + quote(coll) + " WHERE " + cond + " GROUP BY 1, 2"
	s.checkPlan(ctx, s.conn, coll, q, args)
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var b sql.NullString
		var k any
		var n float64
		if err := rows.Scan(&b, &k, &n); err != nil {
			return nil, err
		}
		key := sqlGroupKey(k)
		if b.Valid {
			key = b.String == "true"
		}
		out = append(out, Group{Key: key, Sum: n})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Group) int { return compareKeys(a.Key, b.Key) })
	return out, nil
}

// compareKeys orders group keys as MongoDB sorts values: null, numbers,
// strings, booleans, times.
func compareKeys(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case int64, float64:
			return 1
		case string:
			return 2
		case bool:
			return 3
		case time.Time:
			return 4
		}
		return 5
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case int64, float64:
		return cmp.Compare(toFloat(x), toFloat(b))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		if x == b.(bool) {
			return 0
		} else if !x {
			return -1
		}
		return 1
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	return 0
}

func toFloat(v any) float64 {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	return v.(float64)
}

// sqlGroupKey turns a grouping value read from SQL into the value MongoDB
// would return.
func sqlGroupKey(k any) any {
	switch t := k.(type) {
	case []byte:
		k = string(t)
	case float64:
		return t
	case int64:
		return t
	}
	str, ok := k.(string)
	if !ok {
		return k
	}
	if !strings.HasPrefix(str, dateLow) {
		return unescapeText(str)
	}
	{
		if raw, err := fromJSON([]byte(`{"v":` + str + `}`)); err == nil {
			return raw.Lookup("v").Time().UTC()
		}
	}
	return str
}

func (s *sqliteStore) insert(ctx context.Context, coll string, docs []bson.Raw) error {
	s.calls.Add(1)
	if err := s.table(ctx, coll); err != nil {
		return err
	}
	if len(docs) == 1 {
		id, text, err := s.encode(coll, docs[0])
		if err != nil {
			return err
		}
		st, err := s.stmt(ctx, "INSERT INTO "+quote(coll)+" (id, doc) VALUES (?, ?)")
		if err != nil {
			return err
		}
		_, err = st.ExecContext(ctx, id, text)
		return writeErr(err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, "INSERT INTO "+quote(coll)+" (id, doc) VALUES (?, ?)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, d := range docs {
			id, text, err := s.encode(coll, d)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, id, text); err != nil {
				return writeErr(err)
			}
		}
		return nil
	})
}

// encode checks a document for the collection's indexes (an indexed field
// holds no array) and renders it.
func (s *sqliteStore) encode(coll string, doc bson.Raw) (string, []byte, error) {
	id, ok := doc.Lookup(IDField).StringValueOK()
	if !ok || id == "" || escapeText(id) != id {
		return "", nil, fmt.Errorf("%w: _id must be a non-empty string (and not one that reads like a stored time)", ErrRefused)
	}
	for _, ix := range s.indexes.on(coll) {
		for _, k := range ix.keys() {
			if v, err := doc.LookupErr(strings.Split(k.field, ".")...); err == nil && v.Type == bsontype.Array {
				return "", nil, fmt.Errorf("%w: %s.%s is indexed, so it cannot hold an array", ErrRefused, coll, k.field)
			}
		}
	}
	text, err := toJSON(doc)
	return id, text, err
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE: the write lock is
// taken first, so what fn reads cannot change before it writes).
func (s *sqliteStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// selectIDs reads the id and document of the first (or every) match inside
// a transaction.
func (s *sqliteStore) matches(ctx context.Context, tx *sql.Tx, coll string, f Filter, many bool) ([]string, [][]byte, error) {
	cond, args := s.whereSQL(coll, f)
	q := "SELECT id, doc FROM " + quote(coll) + " WHERE " + cond
	if !many {
		q += " ORDER BY id LIMIT 1"
	}
	s.checkPlan(ctx, tx, coll, q, args)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []string
	var docs [][]byte
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, nil, err
		}
		ids, docs = append(ids, id), append(docs, doc)
	}
	return ids, docs, rows.Err()
}

func (s *sqliteStore) update(ctx context.Context, coll string, f Filter, u Update, many, upsert bool) (int64, error) {
	s.calls.Add(1)
	if err := s.table(ctx, coll); err != nil {
		return 0, err
	}
	var matched int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids, docs, err := s.matches(ctx, tx, coll, f, many)
		if err != nil {
			return err
		}
		matched = int64(len(ids))
		if len(ids) == 0 && upsert {
			d := seed(f)
			if d, err = apply(d, u); err != nil {
				return err
			}
			return s.insertTx(ctx, tx, coll, d)
		}
		for i, text := range docs {
			raw, err := fromJSON(text)
			if err != nil {
				return err
			}
			var d bson.D
			if err := bson.Unmarshal(raw, &d); err != nil {
				return err
			}
			if d, err = apply(d, u); err != nil {
				return err
			}
			if err := s.rewrite(ctx, tx, coll, ids[i], d); err != nil {
				return err
			}
		}
		return nil
	})
	return matched, err
}

func (s *sqliteStore) insertTx(ctx context.Context, tx *sql.Tx, coll string, d bson.D) error {
	raw, err := bson.Marshal(d)
	if err != nil {
		return err
	}
	id, text, err := s.encode(coll, raw)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO "+quote(coll)+" (id, doc) VALUES (?, ?)", id, text)
	return writeErr(err)
}

// rewrite stores d as the document with id (its _id forced to id).
func (s *sqliteStore) rewrite(ctx context.Context, tx *sql.Tx, coll, id string, d bson.D) error {
	d = withID(d, id)
	raw, err := bson.Marshal(d)
	if err != nil {
		return err
	}
	_, text, err := s.encode(coll, raw)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE "+quote(coll)+" SET doc = ? WHERE id = ?", text, id)
	return writeErr(err)
}

func (s *sqliteStore) replace(ctx context.Context, coll string, f Filter, doc bson.Raw) (int64, error) {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return 0, err
	}
	var matched int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids, _, err := s.matches(ctx, tx, coll, f, false)
		if err != nil || len(ids) == 0 {
			return err
		}
		matched = 1
		var d bson.D
		if err := bson.Unmarshal(doc, &d); err != nil {
			return err
		}
		return s.rewrite(ctx, tx, coll, ids[0], d)
	})
	return matched, err
}

func (s *sqliteStore) delete(ctx context.Context, coll string, f Filter, many bool) (int64, error) {
	s.calls.Add(1)
	if ok, err := s.exists(ctx, coll); err != nil || !ok {
		return 0, err
	}
	cond, args := s.whereSQL(coll, f)
	q := "DELETE FROM " + quote(coll) + " WHERE " + cond
	if !many {
		q = "DELETE FROM " + quote(coll) + " WHERE id = (SELECT id FROM " + quote(coll) + " WHERE " + cond + " ORDER BY id LIMIT 1)"
	}
	s.checkPlan(ctx, s.conn, coll, q, args)
	st, err := s.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *sqliteStore) ensureIndex(ctx context.Context, ix Index) error {
	if err := s.table(ctx, ix.Collection); err != nil {
		return err
	}
	_, err := s.conn.ExecContext(ctx, indexSQL(ix))
	if err != nil && ix.Unique && isUnique(err) {
		return fmt.Errorf("existing documents break the unique index: %w", err)
	}
	return err
}

func (s *sqliteStore) indexNames(ctx context.Context, coll string) ([]string, error) {
	names, err := s.names(ctx, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND name LIKE ? ESCAPE '\\' ORDER BY name", coll, coll+"\\_\\_%")
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, coll+"__")
	}
	return append([]string{"_id_"}, names...), err
}

func (s *sqliteStore) collections(ctx context.Context) ([]string, error) {
	return s.names(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
}

// names runs a query of the schema that returns one name a row.
func (s *sqliteStore) names(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// writeErr maps a unique violation to ErrDuplicate.
func writeErr(err error) error {
	if err != nil && isUnique(err) {
		return duplicate(err)
	}
	return err
}

func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
