package db

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// TenantField is the field every tenant-owned document carries.
const TenantField = "tenantId"

// Index is one index a module (or core) declares on a collection.
type Index struct {
	Collection string
	Keys       bson.D // in order; values 1 or -1
	Unique     bool
	// Platform marks an index on a collection that is not tenant-owned (the
	// tenant registry itself). Only core declares those.
	Platform bool
}

// Name is the index's name: its keys joined, as MongoDB would name it.
func (ix Index) Name() string {
	parts := make([]string, 0, len(ix.Keys))
	for _, k := range ix.Keys {
		parts = append(parts, fmt.Sprintf("%s_%v", k.Key, k.Value))
	}
	return strings.Join(parts, "_")
}

// Validate refuses a declaration Ward cannot serve safely: no keys, or a
// tenant-owned index not led by tenantId (it could not serve tenant queries).
func (ix Index) Validate() error {
	if ix.Collection == "" || len(ix.Keys) == 0 {
		return fmt.Errorf("index %q on %q: needs a collection and at least one key", ix.Name(), ix.Collection)
	}
	if !ix.Platform && ix.Keys[0].Key != TenantField {
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
		model := mongo.IndexModel{
			Keys:    ix.Keys,
			Options: options.Index().SetName(ix.Name()).SetUnique(ix.Unique),
		}
		ictx, cancel := context.WithTimeout(ctx, IndexTimeout)
		_, err := s.database.Collection(ix.Collection).Indexes().CreateOne(ictx, model)
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
	cur, err := s.database.Collection(collection).Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	names := make([]string, len(specs))
	for i, sp := range specs {
		names[i] = sp.Name
	}
	return names, nil
}
