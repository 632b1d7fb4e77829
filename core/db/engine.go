package db

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
)

// engine is a storage engine behind the typed API: MongoDB through the
// driver, or the embedded SQLite store. Filters reaching an engine are
// checked and already bound to the tenant; documents are marshalled. Both
// engines pass the same conformance suite (conformance_test.go).
type engine interface {
	kind() string
	find(ctx context.Context, coll string, f Filter, o FindOptions, fn func(bson.Raw) error) error
	count(ctx context.Context, coll string, f Filter) (int64, error)
	// countUpTo counts at most limit matches.
	countUpTo(ctx context.Context, coll string, f Filter, limit int64) (int64, error)
	sum(ctx context.Context, coll string, f Filter, by, field string) ([]Group, error)
	insert(ctx context.Context, coll string, docs []bson.Raw) error
	// update applies u to the first (or every) matching document atomically
	// and returns how many matched; with upsert and no match it inserts.
	update(ctx context.Context, coll string, f Filter, u Update, many, upsert bool) (int64, error)
	replace(ctx context.Context, coll string, f Filter, doc bson.Raw) (int64, error)
	delete(ctx context.Context, coll string, f Filter, many bool) (int64, error)
	ensureIndex(ctx context.Context, ix Index) error
	indexNames(ctx context.Context, coll string) ([]string, error)
	collections(ctx context.Context) ([]string, error)
	ping(ctx context.Context) error
	close(ctx context.Context) error
	// commands counts the round trips made so far.
	commands() int64
}
