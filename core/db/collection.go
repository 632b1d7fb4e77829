package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// ErrCrossTenant is returned when an operation names another tenant, or
// would read or write outside the handle's tenant.
var ErrCrossTenant = errors.New("db: operation reaches outside the tenant")

// ErrRefused is returned for operations the tenant-scoped layer cannot
// make safe (a $lookup stage, an update that changes tenantId, …).
var ErrRefused = errors.New("db: operation refused")

// Tenant is a handle on the database bound to one tenant. Everything done
// through its collections is limited to that tenant's documents.
type Tenant struct {
	store *Store
	id    string
}

// ForTenant returns the handle for tenant id. Request code gets it from the
// tenant middleware; jobs name the tenant they work on explicitly.
func (s *Store) ForTenant(id string) *Tenant {
	if id == "" {
		panic("db: ForTenant with an empty tenant id")
	}
	return &Tenant{store: s, id: id}
}

// ID is the tenant's id.
func (t *Tenant) ID() string { return t.id }

// Collection returns a tenant-scoped collection. Asking for a platform
// collection (see ReservePlatform) is a programming error and panics: a
// tenantId filter does not make the clinic registry or the sessions a
// clinic's own.
func (t *Tenant) Collection(name string) *Collection {
	if IsPlatform(name) {
		panic("db: collection " + name + " belongs to the platform, not to a clinic")
	}
	return &Collection{c: t.store.database.Collection(name), tenant: t.id}
}

// platformOnly holds the names of the collections only the platform handle
// opens.
var platformOnly sync.Map

// IsPlatform reports whether the collection is the platform's.
func IsPlatform(name string) bool {
	_, ok := platformOnly.Load(name)
	return ok
}

// ReservePlatform marks collections as the platform's (the clinic registry,
// sessions, sign-in failures, permission rules): no tenant handle opens
// them. The packages that own them call it from init.
func ReservePlatform(names ...string) {
	for _, n := range names {
		platformOnly.Store(n, true)
	}
}

// Platform is the explicit handle for work that crosses tenants: the tenant
// registry, the operator console, jobs that iterate tenants. Each use names
// its reason, which is logged at debug level.
type Platform struct {
	store *Store
}

// Platform returns the cross-tenant handle. Modules must not use it.
func (s *Store) Platform(reason string) *Platform {
	s.log.Debug().Str("reason", reason).Msg("platform handle")
	return &Platform{store: s}
}

// Collection returns an unscoped collection.
func (p *Platform) Collection(name string) *Collection {
	return &Collection{c: p.store.database.Collection(name)}
}

// CollectionNames lists the database's collections.
func (p *Platform) CollectionNames(ctx context.Context) ([]string, error) {
	return p.store.database.ListCollectionNames(ctx, bson.D{})
}

// Collection wraps a driver collection. Bound to a tenant, it adds
// {tenantId: id} to every filter, sets tenantId on every document written,
// and starts every pipeline with a $match on it; it refuses what it cannot
// scope. From the Platform handle it does neither.
type Collection struct {
	c      *mongo.Collection
	tenant string // "" only for platform collections
}

// Name is the collection's name.
func (c *Collection) Name() string { return c.c.Name() }

// FindOptions are the options of Find.
type FindOptions struct {
	Sort       bson.D
	Skip       int64
	Limit      int64
	Projection bson.D
}

// Find decodes every matching document into out (a pointer to a slice).
// Use Limit: on the embedded database every query is a scan.
func (c *Collection) Find(ctx context.Context, filter any, out any, o FindOptions) error {
	f, err := c.filter(filter)
	if err != nil {
		return err
	}
	cur, err := c.c.Find(ctx, f, o.driver())
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// driver turns o into the driver's find options.
func (o FindOptions) driver() *options.FindOptions {
	fo := options.Find()
	if o.Sort != nil {
		fo.SetSort(o.Sort)
	}
	if o.Skip > 0 {
		fo.SetSkip(o.Skip)
	}
	if o.Limit > 0 {
		fo.SetLimit(o.Limit)
	}
	if o.Projection != nil {
		fo.SetProjection(o.Projection)
	}
	return fo
}

// Each decodes matching documents one at a time into a fresh T and calls fn,
// so long runs (exports, demo data) do not hold the whole result in memory.
func Each[T any](ctx context.Context, c *Collection, filter any, o FindOptions, fn func(*T) error) error {
	f, err := c.filter(filter)
	if err != nil {
		return err
	}
	cur, err := c.c.Find(ctx, f, o.driver().SetBatchSize(200))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		v := new(T)
		if err := cur.Decode(v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return cur.Err()
}

// FindOne decodes the first matching document into out, or returns
// ErrNotFound.
func (c *Collection) FindOne(ctx context.Context, filter any, out any, sort bson.D) error {
	f, err := c.filter(filter)
	if err != nil {
		return err
	}
	if id, ok := byIDOnly(f); ok && c.tenant != "" {
		return c.findByID(ctx, id, out)
	}
	o := options.FindOne()
	if sort != nil {
		o.SetSort(sort)
	}
	return translate(c.c.FindOne(ctx, f, o).Decode(out))
}

// Count counts matching documents.
func (c *Collection) Count(ctx context.Context, filter any) (int64, error) {
	f, err := c.filter(filter)
	if err != nil {
		return 0, err
	}
	return c.c.CountDocuments(ctx, f)
}

// Distinct returns the distinct values of field among matching documents.
func (c *Collection) Distinct(ctx context.Context, field string, filter any) ([]any, error) {
	f, err := c.filter(filter)
	if err != nil {
		return nil, err
	}
	return c.c.Distinct(ctx, field, f)
}

// InsertOne inserts doc with the tenant's id set on it. A unique-index
// violation is ErrDuplicate.
func (c *Collection) InsertOne(ctx context.Context, doc any) (any, error) {
	d, err := c.document(doc)
	if err != nil {
		return nil, err
	}
	res, err := c.c.InsertOne(ctx, d)
	if err != nil {
		return nil, translate(err)
	}
	return res.InsertedID, nil
}

// InsertMany inserts docs in order, each with the tenant's id, stopping at
// the first error.
func (c *Collection) InsertMany(ctx context.Context, docs []any) error {
	ds := make([]any, len(docs))
	for i, doc := range docs {
		d, err := c.document(doc)
		if err != nil {
			return err
		}
		ds[i] = d
	}
	_, err := c.c.InsertMany(ctx, ds)
	return translate(err)
}

// UpdateResult says what an update did.
type UpdateResult struct {
	Matched, Modified int64
	UpsertedID        any
}

// UpdateOne applies update ($set, $push, …) to the first matching document.
// With upsert, a new document gets tenantId from the filter. On the embedded
// database updates are not atomic: see DESIGN.md "Atomicity" and Claim.
func (c *Collection) UpdateOne(ctx context.Context, filter, update any, upsert bool) (UpdateResult, error) {
	return c.update(ctx, filter, update, upsert, false)
}

// UpdateMany applies update to every matching document.
func (c *Collection) UpdateMany(ctx context.Context, filter, update any) (UpdateResult, error) {
	return c.update(ctx, filter, update, false, true)
}

func (c *Collection) update(ctx context.Context, filter, update any, upsert, many bool) (UpdateResult, error) {
	f, err := c.filter(filter)
	if err != nil {
		return UpdateResult{}, err
	}
	u, err := c.updateDoc(update)
	if err != nil {
		return UpdateResult{}, err
	}
	var res *mongo.UpdateResult
	if many {
		res, err = c.c.UpdateMany(ctx, f, u)
	} else {
		res, err = c.c.UpdateOne(ctx, f, u, options.Update().SetUpsert(upsert))
	}
	if err != nil {
		return UpdateResult{}, translate(err)
	}
	return UpdateResult{Matched: res.MatchedCount, Modified: res.ModifiedCount, UpsertedID: res.UpsertedID}, nil
}

// ReplaceOne replaces the first matching document with doc (tenantId set).
func (c *Collection) ReplaceOne(ctx context.Context, filter, doc any, upsert bool) (UpdateResult, error) {
	f, err := c.filter(filter)
	if err != nil {
		return UpdateResult{}, err
	}
	d, err := c.document(doc)
	if err != nil {
		return UpdateResult{}, err
	}
	res, err := c.c.ReplaceOne(ctx, f, d, options.Replace().SetUpsert(upsert))
	if err != nil {
		return UpdateResult{}, translate(err)
	}
	return UpdateResult{Matched: res.MatchedCount, Modified: res.ModifiedCount, UpsertedID: res.UpsertedID}, nil
}

// DeleteOne deletes the first matching document and reports how many it
// deleted (0 or 1).
func (c *Collection) DeleteOne(ctx context.Context, filter any) (int64, error) {
	f, err := c.filter(filter)
	if err != nil {
		return 0, err
	}
	res, err := c.c.DeleteOne(ctx, f)
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// DeleteMany deletes every matching document.
func (c *Collection) DeleteMany(ctx context.Context, filter any) (int64, error) {
	f, err := c.filter(filter)
	if err != nil {
		return 0, err
	}
	res, err := c.c.DeleteMany(ctx, f)
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// FindOneAndUpdate updates the first matching document and decodes it (after
// the update when returnNew) into out. Not atomic on the embedded database.
func (c *Collection) FindOneAndUpdate(ctx context.Context, filter, update, out any, returnNew bool) error {
	f, err := c.filter(filter)
	if err != nil {
		return err
	}
	u, err := c.updateDoc(update)
	if err != nil {
		return err
	}
	o := options.FindOneAndUpdate()
	if returnNew {
		o.SetReturnDocument(options.After)
	}
	return translate(c.c.FindOneAndUpdate(ctx, f, u, o).Decode(out))
}

// FindOneAndDelete deletes the first matching document and decodes it into out.
func (c *Collection) FindOneAndDelete(ctx context.Context, filter, out any) error {
	f, err := c.filter(filter)
	if err != nil {
		return err
	}
	return translate(c.c.FindOneAndDelete(ctx, f).Decode(out))
}

// byIDOnly reports whether a scoped filter is {tenantId, _id: value} and
// returns the id.
func byIDOnly(f bson.D) (any, bool) {
	if len(f) != 2 || f[1].Key != "_id" {
		return nil, false
	}
	switch f[1].Value.(type) {
	case string, primitive.ObjectID:
		return f[1].Value, true
	}
	return nil, false
}

// findByID reads a document by _id alone and then checks it is this
// tenant's: the embedded database looks up an _id-only filter directly but
// scans every document for {tenantId, _id}. A document of another tenant is
// "not found", exactly as with the combined filter.
func (c *Collection) findByID(ctx context.Context, id any, out any) error {
	raw, err := c.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return translate(err)
	}
	if t, ok := raw.Lookup(TenantField).StringValueOK(); !ok || t != c.tenant {
		return ErrNotFound
	}
	return bson.Unmarshal(raw, out)
}

// allowedStages are the pipeline stages a tenant-scoped aggregation may use.
// Stages that read other collections ($lookup, $unionWith, $graphLookup),
// write ($out, $merge) or hide sub-pipelines ($facet) are refused. Mind the
// embedded database's traps (DESIGN.md): one $sum per $group, no "$field"
// values in $project.
var allowedStages = map[string]bool{
	"$match": true, "$sort": true, "$skip": true, "$limit": true, "$count": true,
	"$unwind": true, "$group": true, "$project": true, "$addFields": true, "$set": true, "$unset": true,
}

// Aggregate runs pipeline after a leading {$match: {tenantId}} and decodes
// the results into out.
func (c *Collection) Aggregate(ctx context.Context, pipeline []bson.D, out any) error {
	p := make([]bson.D, 0, len(pipeline)+1)
	if c.tenant != "" {
		p = append(p, bson.D{{Key: "$match", Value: bson.D{{Key: TenantField, Value: c.tenant}}}})
		for i, stage := range pipeline {
			if len(stage) != 1 || !allowedStages[stage[0].Key] {
				name := "?"
				if len(stage) > 0 {
					name = stage[0].Key
				}
				return fmt.Errorf("%w: pipeline stage %d (%s) is not allowed in a tenant-scoped aggregation", ErrRefused, i, name)
			}
		}
	}
	p = append(p, pipeline...)
	cur, err := c.c.Aggregate(ctx, p)
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// filter turns any filter into a bson.D led by {tenantId: id}. A filter that
// names tenantId itself must name this tenant.
func (c *Collection) filter(filter any) (bson.D, error) {
	d, err := toD(filter)
	if err != nil {
		return nil, err
	}
	if c.tenant == "" {
		return d, nil
	}
	out := make(bson.D, 0, len(d)+1)
	out = append(out, bson.E{Key: TenantField, Value: c.tenant})
	for _, e := range d {
		switch {
		case e.Key == TenantField:
			if s, ok := e.Value.(string); !ok || s != c.tenant {
				return nil, fmt.Errorf("%w: filter names tenantId %v", ErrCrossTenant, e.Value)
			}
			continue
		case e.Key == "$where":
			return nil, fmt.Errorf("%w: $where", ErrRefused)
		}
		out = append(out, e)
	}
	return out, nil
}

// document turns doc into a bson.D carrying this tenant's id; a document that
// names another tenant is refused.
func (c *Collection) document(doc any) (bson.D, error) {
	d, err := toD(doc)
	if err != nil {
		return nil, err
	}
	if c.tenant == "" {
		return d, nil
	}
	found := false
	for i, e := range d {
		if e.Key != TenantField {
			continue
		}
		if s, ok := e.Value.(string); found || !ok || (s != "" && s != c.tenant) {
			return nil, fmt.Errorf("%w: document names tenantId %v", ErrCrossTenant, e.Value)
		}
		d[i].Value = c.tenant
		found = true
	}
	if found {
		return d, nil
	}
	return append(d, bson.E{Key: TenantField, Value: c.tenant}), nil
}

// updateDoc checks an update document: operators only, none touching tenantId.
func (c *Collection) updateDoc(update any) (bson.D, error) {
	d, err := toD(update)
	if err != nil {
		return nil, err
	}
	if len(d) == 0 {
		return nil, fmt.Errorf("%w: empty update", ErrRefused)
	}
	for _, op := range d {
		if !strings.HasPrefix(op.Key, "$") {
			return nil, fmt.Errorf("%w: update without operators (use ReplaceOne)", ErrRefused)
		}
		if c.tenant == "" {
			continue
		}
		fields, err := toD(op.Value)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			if f.Key == TenantField || strings.HasPrefix(f.Key, TenantField+".") {
				return nil, fmt.Errorf("%w: an update may not change tenantId", ErrCrossTenant)
			}
			if s, ok := f.Value.(string); ok && op.Key == "$rename" && (s == TenantField || strings.HasPrefix(s, TenantField+".")) {
				return nil, fmt.Errorf("%w: an update may not change tenantId", ErrCrossTenant)
			}
		}
	}
	return d, nil
}

// toD converts a filter, document or update (bson.D, bson.M, struct, nil)
// into a bson.D.
func toD(v any) (bson.D, error) {
	switch t := v.(type) {
	case nil:
		return bson.D{}, nil
	case bson.D:
		return slices.Clone(t), nil
	}
	b, err := bson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	var d bson.D
	if err := bson.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	return d, nil
}
