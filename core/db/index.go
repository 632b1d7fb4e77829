package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// TenantField is the field every tenant-owned document carries.
const TenantField = "tenantId"

// Index is one index a module (or core) declares on a collection. Keys are
// field paths in order, "-field" for descending. A field an index names
// holds one value per document, never an array: the embedded engine indexes
// expressions, not array elements, and refuses such a document.
type Index struct {
	Collection string
	Keys       []string
	Unique     bool
	// Platform marks an index on a collection that is not tenant-owned (the
	// tenant registry itself). Only core declares those.
	Platform bool
}

// key is one index key.
type key struct {
	field string
	desc  bool
}

func (ix Index) keys() []key {
	out := make([]key, len(ix.Keys))
	for i, k := range ix.Keys {
		out[i] = key{field: strings.TrimPrefix(k, "-"), desc: strings.HasPrefix(k, "-")}
	}
	return out
}

// Name is the index's name: its keys joined, as MongoDB would name it.
func (ix Index) Name() string {
	parts := make([]string, 0, len(ix.Keys))
	for _, k := range ix.keys() {
		dir := 1
		if k.desc {
			dir = -1
		}
		parts = append(parts, fmt.Sprintf("%s_%d", k.field, dir))
	}
	return strings.Join(parts, "_")
}

// Validate refuses a declaration Ward cannot serve safely: no keys, a bad
// field name, or a tenant-owned index not led by tenantId (it could not
// serve tenant queries).
func (ix Index) Validate() error {
	if err := checkCollection(ix.Collection); err != nil || len(ix.Keys) == 0 {
		return fmt.Errorf("index %q on %q: needs a collection and at least one key", ix.Name(), ix.Collection)
	}
	for _, k := range ix.keys() {
		if err := checkField(k.field); err != nil {
			return fmt.Errorf("index %q on %q: %w", ix.Name(), ix.Collection, err)
		}
	}
	if !ix.Platform && ix.keys()[0].field != TenantField {
		return fmt.Errorf("index %q on %q: a tenant-owned index must start with %s", ix.Name(), ix.Collection, TenantField)
	}
	return nil
}

// EnsureIndexes creates the indexes that do not exist yet. Creating an
// existing index with the same keys and options does nothing, so start-up can
// run it every time. An error names the owner and the index.
func (s *Store) EnsureIndexes(ctx context.Context, owner string, indexes []Index) error {
	for _, ix := range indexes {
		if err := ix.Validate(); err != nil {
			return fmt.Errorf("%s: %w", owner, err)
		}
		s.indexes.add(ix)
		ictx, cancel := context.WithTimeout(ctx, IndexTimeout)
		err := s.engine.ensureIndex(ictx, ix)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: creating index %q on %q: %w", owner, ix.Name(), ix.Collection, err)
		}
	}
	return nil
}

// IndexNames lists the index names on a collection (for tests and the
// operator's view).
func (s *Store) IndexNames(ctx context.Context, collection string) ([]string, error) {
	return s.engine.indexNames(ctx, collection)
}

// Indexes returns the indexes declared on collection so far.
func (s *Store) Indexes(collection string) []Index { return s.indexes.on(collection) }

// indexSet holds the declared indexes by collection.
type indexSet struct {
	mu sync.RWMutex
	by map[string][]Index
}

func (s *indexSet) add(ix Index) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string][]Index{}
	}
	for _, have := range s.by[ix.Collection] {
		if slices.Equal(have.Keys, ix.Keys) && have.Unique == ix.Unique {
			return
		}
	}
	s.by[ix.Collection] = append(s.by[ix.Collection], ix)
}

func (s *indexSet) on(coll string) []Index {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.by[coll])
}

// indexed reports whether some declared index of coll names field.
func (s *indexSet) indexed(coll, field string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, ix := range s.by[coll] {
		for _, k := range ix.keys() {
			if k.field == field {
				return true
			}
		}
	}
	return false
}
