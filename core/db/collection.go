package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
)

// ErrCrossTenant is returned when an operation names another tenant, or
// would read or write outside the handle's tenant.
var ErrCrossTenant = errors.New("db: operation reaches outside the tenant")

// ErrRefused is returned for operations Ward's query language cannot make
// fast and safe (an update that changes tenantId, a field name that is not
// a plain path, …).
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
	return &Collection{store: t.store, name: name, tenant: t.id}
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
	return &Collection{store: p.store, name: name}
}

// CollectionNames lists the database's collections.
func (p *Platform) CollectionNames(ctx context.Context) ([]string, error) {
	return p.store.engine.collections(ctx)
}

// Collection is a collection of documents. Bound to a tenant, it adds
// tenantId = id to every filter, sets tenantId on every document written,
// and refuses updates that would change it. From the Platform handle it
// does neither.
type Collection struct {
	store  *Store
	name   string
	tenant string // "" only for platform collections
}

// Name is the collection's name.
func (c *Collection) Name() string { return c.name }

// Find decodes the matching documents into out (a pointer to a slice).
func (c *Collection) Find(ctx context.Context, f Filter, out any, o FindOptions) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("db: Find needs a pointer to a slice, not %T", out)
	}
	slice := rv.Elem()
	slice.SetLen(0)
	elem := slice.Type().Elem()
	err := c.each(ctx, f, o, func(raw bson.Raw) error {
		v := reflect.New(elem)
		if err := bson.Unmarshal(raw, v.Interface()); err != nil {
			return fmt.Errorf("db: decoding %s: %w", c.name, err)
		}
		slice.Set(reflect.Append(slice, v.Elem()))
		return nil
	})
	if err == nil && slice.IsNil() {
		slice.Set(reflect.MakeSlice(slice.Type(), 0, 0))
	}
	return err
}

// Paging is one page of a list (web.Pager): where it starts, how long it
// is, how far its count goes, and where the count is kept.
type Paging interface {
	Skip() int64
	Limit() int64
	CountLimit() int64
	SetTotal(total int64, more bool)
}

// FindPage counts the matches into p, stopping at p.CountLimit(), then
// decodes p's page of them, in sort order, into out: two round trips.
func (c *Collection) FindPage(ctx context.Context, f Filter, out any, p Paging, sort ...Order) error {
	total, more, err := c.CountUpTo(ctx, f, p.CountLimit())
	if err != nil {
		return err
	}
	p.SetTotal(total, more)
	return c.Find(ctx, f, out, FindOptions{Sort: sort, Skip: p.Skip(), Limit: p.Limit()})
}

// Each decodes matching documents one at a time into a fresh T and calls fn,
// so long runs (exports, demo data) do not hold the whole result in memory.
func Each[T any](ctx context.Context, c *Collection, f Filter, o FindOptions, fn func(*T) error) error {
	return c.each(ctx, f, o, func(raw bson.Raw) error {
		v := new(T)
		if err := bson.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("db: decoding %s: %w", c.name, err)
		}
		return fn(v)
	})
}

func (c *Collection) each(ctx context.Context, f Filter, o FindOptions, fn func(bson.Raw) error) error {
	f, err := c.filter(f)
	if err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	o.Sort = withIDTiebreak(o.Sort)
	c.store.observe(ctx, c.name, "find", f, o.Sort)
	return c.store.engine.find(ctx, c.name, f, o, fn)
}

// FindOne decodes the first matching document (in sort order) into out, or
// returns ErrNotFound.
func (c *Collection) FindOne(ctx context.Context, f Filter, out any, sort ...Order) error {
	found := false
	err := c.each(ctx, f, FindOptions{Sort: sort, Limit: 1}, func(raw bson.Raw) error {
		found = true
		return bson.Unmarshal(raw, out)
	})
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	return nil
}

// Count counts matching documents.
func (c *Collection) Count(ctx context.Context, f Filter) (int64, error) {
	f, err := c.filter(f)
	if err != nil {
		return 0, err
	}
	c.store.observe(ctx, c.name, "count", f, nil)
	return c.store.engine.count(ctx, c.name, f)
}

// CountUpTo counts matching documents, stopping at max: a list of a
// hundred thousand records needs "more than max", not the exact figure,
// and counting stops early instead of reading the whole index.
func (c *Collection) CountUpTo(ctx context.Context, f Filter, max int64) (n int64, more bool, err error) {
	if max <= 0 {
		return 0, false, fmt.Errorf("%w: CountUpTo needs a positive maximum", ErrRefused)
	}
	f, err = c.filter(f)
	if err != nil {
		return 0, false, err
	}
	c.store.observe(ctx, c.name, "count", f, nil)
	n, err = c.store.engine.countUpTo(ctx, c.name, f, max+1)
	if n > max {
		return max, true, err
	}
	return n, false, err
}

// Sum groups matching documents by the field by and adds up field in each
// group (field "" counts the documents). Groups come sorted by key.
func (c *Collection) Sum(ctx context.Context, f Filter, by, field string) ([]Group, error) {
	f, err := c.filter(f)
	if err != nil {
		return nil, err
	}
	for _, n := range []string{by, field} {
		if n != "" {
			if err := checkField(n); err != nil {
				return nil, err
			}
		}
	}
	if by == "" {
		return nil, fmt.Errorf("%w: Sum needs a field to group by", ErrRefused)
	}
	c.store.observe(ctx, c.name, "sum", f, []Order{Asc(by)})
	return c.store.engine.sum(ctx, c.name, f, by, field)
}

// Insert inserts doc with the tenant's id set on it (and a new _id when it
// has none). A unique-index violation is ErrDuplicate.
func (c *Collection) Insert(ctx context.Context, doc any) error {
	raw, err := c.document(doc)
	if err != nil {
		return err
	}
	return c.store.engine.insert(ctx, c.name, []bson.Raw{raw})
}

// InsertMany inserts docs in one go, all or nothing on the embedded engine
// (on MongoDB, in order until the first error).
func (c *Collection) InsertMany(ctx context.Context, docs []any) error {
	if len(docs) == 0 {
		return nil
	}
	raws := make([]bson.Raw, len(docs))
	for i, doc := range docs {
		r, err := c.document(doc)
		if err != nil {
			return err
		}
		raws[i] = r
	}
	return c.store.engine.insert(ctx, c.name, raws)
}

// Update applies u to the first matching document and reports how many
// matched (0 or 1). Each update is atomic on every engine.
func (c *Collection) Update(ctx context.Context, f Filter, u Update) (int64, error) {
	return c.update(ctx, f, u, false, false)
}

// UpdateMany applies u to every matching document.
func (c *Collection) UpdateMany(ctx context.Context, f Filter, u Update) (int64, error) {
	return c.update(ctx, f, u, true, false)
}

// Upsert applies u to the first matching document, or inserts one made of
// the filter's equalities with u applied. Two concurrent upserts of a new
// key can both insert: give the collection a unique index on the key (one
// then gets ErrDuplicate).
func (c *Collection) Upsert(ctx context.Context, f Filter, u Update) error {
	_, err := c.update(ctx, f, u, false, true)
	return err
}

func (c *Collection) update(ctx context.Context, f Filter, u Update, many, upsert bool) (int64, error) {
	f, err := c.filter(f)
	if err != nil {
		return 0, err
	}
	if err := u.check(); err != nil {
		return 0, err
	}
	if c.tenant != "" && u.touches(TenantField) {
		return 0, fmt.Errorf("%w: an update may not change tenantId", ErrCrossTenant)
	}
	c.store.observe(ctx, c.name, "update", f, nil)
	return c.store.engine.update(ctx, c.name, f, u, many, upsert)
}

// Replace replaces the first matching document with doc (its _id kept,
// tenantId set) and reports how many matched.
func (c *Collection) Replace(ctx context.Context, f Filter, doc any) (int64, error) {
	f, err := c.filter(f)
	if err != nil {
		return 0, err
	}
	raw, err := c.document(doc)
	if err != nil {
		return 0, err
	}
	c.store.observe(ctx, c.name, "replace", f, nil)
	return c.store.engine.replace(ctx, c.name, f, raw)
}

// Delete deletes the first matching document and reports how many it
// deleted (0 or 1).
func (c *Collection) Delete(ctx context.Context, f Filter) (int64, error) {
	return c.delete(ctx, f, false)
}

// DeleteMany deletes every matching document.
func (c *Collection) DeleteMany(ctx context.Context, f Filter) (int64, error) {
	return c.delete(ctx, f, true)
}

func (c *Collection) delete(ctx context.Context, f Filter, many bool) (int64, error) {
	f, err := c.filter(f)
	if err != nil {
		return 0, err
	}
	c.store.observe(ctx, c.name, "delete", f, nil)
	return c.store.engine.delete(ctx, c.name, f, many)
}

// filter checks f and, for a tenant's collection, binds it to the tenant.
// A filter that names tenantId itself must name this tenant.
func (c *Collection) filter(f Filter) (Filter, error) {
	if err := checkCollection(c.name); err != nil {
		return Filter{}, err
	}
	f, err := f.check()
	if err != nil {
		return Filter{}, err
	}
	if c.tenant == "" {
		return f, nil
	}
	err = f.walk(func(leaf Filter) error {
		if strings.HasPrefix(leaf.field, TenantField+".") {
			return fmt.Errorf("%w: filter names %s", ErrCrossTenant, leaf.field)
		}
		if leaf.field != TenantField {
			return nil
		}
		if s, ok := leaf.value.(string); leaf.op == opEq && ok && s == c.tenant {
			return nil
		}
		return fmt.Errorf("%w: filter names %s", ErrCrossTenant, leaf.field)
	})
	if err != nil {
		return Filter{}, err
	}
	return And(Eq(TenantField, c.tenant), f), nil
}

// document marshals doc, gives it an _id if it has none and, for a tenant's
// collection, sets tenantId; a document that names another tenant is
// refused.
func (c *Collection) document(doc any) (bson.Raw, error) {
	if err := checkCollection(c.name); err != nil {
		return nil, err
	}
	b, err := bson.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	raw := bson.Raw(b)
	id, err := raw.LookupErr(IDField)
	hasID := err == nil
	if hasID {
		if s, ok := id.StringValueOK(); !ok || s == "" {
			return nil, fmt.Errorf("%w: _id must be a non-empty string", ErrRefused)
		}
	}
	tv, terr := raw.LookupErr(TenantField)
	if c.tenant != "" && terr == nil {
		if s, ok := tv.StringValueOK(); !ok || (s != "" && s != c.tenant) {
			return nil, fmt.Errorf("%w: document names another tenant", ErrCrossTenant)
		}
	}
	if hasID && (c.tenant == "" || (terr == nil && tv.StringValue() == c.tenant)) {
		return raw, nil
	}
	// Rebuild with _id first and tenantId set.
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	out := make(bson.D, 0, len(d)+2)
	if !hasID {
		out = append(out, bson.E{Key: IDField, Value: NewID()})
	}
	tenantSet := false
	for _, e := range d {
		if e.Key == TenantField && c.tenant != "" {
			e.Value, tenantSet = c.tenant, true
		}
		out = append(out, e)
	}
	if c.tenant != "" && !tenantSet {
		out = append(out, bson.E{Key: TenantField, Value: c.tenant})
	}
	b, err = bson.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	return b, nil
}

// checkCollection refuses collection names that are not plain identifiers
// (the embedded engine names a table after each).
func checkCollection(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w: collection name %q", ErrRefused, name)
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("%w: collection name %q", ErrRefused, name)
		}
	}
	return nil
}
