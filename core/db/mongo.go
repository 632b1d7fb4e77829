package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"
)

// mongoEngine is MongoDB (or anything speaking its wire protocol) through
// the official driver. Typed filters and updates become the query documents
// MongoDB has always been given.
type mongoEngine struct {
	client   *mongo.Client
	database *mongo.Database
	sent     atomic.Int64 // commands sent, for measuring round trips
}

// findBatch is how many documents a cursor fetches per round trip.
const findBatch = 200

// openMongo prepares the client. It does not wait for the server (see
// Store.WaitReachable); only a URI that can never work is an error here.
func openMongo(uri string, log zerolog.Logger) (engine, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	name := cs.Database
	if name == "" {
		name = DefaultName
	}
	e := &mongoEngine{}
	monitor := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { e.sent.Add(1) }}
	copts := options.Client().ApplyURI(uri).
		SetMonitor(monitor).
		SetConnectTimeout(ConnectTimeout).
		SetServerSelectionTimeout(ConnectTimeout).
		// A socket deadline, not SetTimeout: the client-wide timeout makes the
		// driver send maxTimeMS with every command, which FerretDB refuses on
		// some of them.
		SetSocketTimeout(OpTimeout).
		SetAppName("ward")
	client, err := mongo.Connect(context.Background(), copts)
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	e.client = client
	e.database = client.Database(name)
	log.Debug().Str("database", name).Msg("mongo engine")
	return e, nil
}

func (e *mongoEngine) kind() string { return "mongo" }

func (e *mongoEngine) commands() int64 { return e.sent.Load() }

func (e *mongoEngine) find(ctx context.Context, coll string, f Filter, o FindOptions, fn func(bson.Raw) error) error {
	fo := options.Find().SetBatchSize(findBatch)
	if len(o.Sort) > 0 {
		fo.SetSort(mongoSort(o.Sort))
	}
	if o.Skip > 0 {
		fo.SetSkip(o.Skip)
	}
	if o.Limit > 0 {
		fo.SetLimit(o.Limit)
	}
	if p := mongoProjection(o); p != nil {
		fo.SetProjection(p)
	}
	cur, err := e.database.Collection(coll).Find(ctx, mongoFilter(f), fo)
	if err != nil {
		return translate(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		// Current is only valid until the next call to Next; fn may keep
		// what it decodes (bson.Raw fields alias their source).
		if err := fn(bytes.Clone(cur.Current)); err != nil {
			return err
		}
	}
	return translate(cur.Err())
}

func (e *mongoEngine) count(ctx context.Context, coll string, f Filter) (int64, error) {
	n, err := e.database.Collection(coll).CountDocuments(ctx, mongoFilter(f))
	return n, translate(err)
}

func (e *mongoEngine) countUpTo(ctx context.Context, coll string, f Filter, limit int64) (int64, error) {
	n, err := e.database.Collection(coll).CountDocuments(ctx, mongoFilter(f), options.Count().SetLimit(limit))
	return n, translate(err)
}

func (e *mongoEngine) sum(ctx context.Context, coll string, f Filter, by, field string) ([]Group, error) {
	var total any = 1
	if field != "" {
		total = "$" + field
	}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: mongoFilter(f)}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + by}, {Key: "s", Value: bson.D{{Key: "$sum", Value: total}}}}}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	}
	cur, err := e.database.Collection(coll).Aggregate(ctx, pipeline)
	if err != nil {
		return nil, translate(err)
	}
	var rows []struct {
		Key bson.RawValue `bson:"_id"`
		Sum bson.RawValue `bson:"s"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	out := make([]Group, 0, len(rows))
	for _, r := range rows {
		key, err := groupKey(r.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, Group{Key: key, Sum: sumValue(r.Sum)})
	}
	return out, nil
}

// groupKey turns a group's key into the Go value a filter would compare
// with: integers as int64, dates as UTC times, null as nil.
func groupKey(v bson.RawValue) (any, error) {
	switch v.Type {
	case bsontype.Null, bsontype.Undefined, 0:
		return nil, nil
	case bsontype.String:
		return v.StringValue(), nil
	case bsontype.Int32:
		return int64(v.Int32()), nil
	case bsontype.Int64:
		return v.Int64(), nil
	case bsontype.Double:
		return v.Double(), nil
	case bsontype.Boolean:
		return v.Boolean(), nil
	case bsontype.DateTime:
		return time.UnixMilli(v.DateTime()).UTC(), nil
	}
	var out any
	if err := v.Unmarshal(&out); err != nil {
		return nil, fmt.Errorf("db: group key: %w", err)
	}
	return out, nil
}

// sumValue reads a $sum result, whichever numeric type MongoDB chose for it.
func sumValue(v bson.RawValue) float64 {
	switch v.Type {
	case bsontype.Int32:
		return float64(v.Int32())
	case bsontype.Int64:
		return float64(v.Int64())
	case bsontype.Double:
		return v.Double()
	case bsontype.Decimal128:
		n, _ := strconv.ParseFloat(v.Decimal128().String(), 64)
		return n
	}
	return 0
}

func (e *mongoEngine) insert(ctx context.Context, coll string, docs []bson.Raw) error {
	c := e.database.Collection(coll)
	if len(docs) == 1 {
		_, err := c.InsertOne(ctx, docs[0])
		return translate(err)
	}
	many := make([]any, len(docs))
	for i, d := range docs {
		many[i] = d
	}
	_, err := c.InsertMany(ctx, many, options.InsertMany().SetOrdered(true))
	return translate(err)
}

func (e *mongoEngine) update(ctx context.Context, coll string, f Filter, u Update, many, upsert bool) (int64, error) {
	c := e.database.Collection(coll)
	doc := mongoUpdate(u)
	if upsert && !fixesID(f) {
		// Left alone, MongoDB would give an upserted document an ObjectID;
		// Ward's ids are strings.
		doc = append(doc, bson.E{Key: "$setOnInsert", Value: bson.D{{Key: IDField, Value: NewID()}}})
	}
	opts := options.Update().SetUpsert(upsert)
	var res *mongo.UpdateResult
	var err error
	if many {
		res, err = c.UpdateMany(ctx, mongoFilter(f), doc, opts)
	} else {
		res, err = c.UpdateOne(ctx, mongoFilter(f), doc, opts)
	}
	if err != nil {
		return 0, translate(err)
	}
	return res.MatchedCount, nil
}

// fixesID reports whether f pins _id by equality at its top level, where an
// upsert takes it from.
func fixesID(f Filter) bool {
	switch f.op {
	case opEq:
		return f.field == IDField
	case opAnd:
		for _, s := range f.subs {
			if s.op == opEq && s.field == IDField {
				return true
			}
		}
	}
	return false
}

func (e *mongoEngine) replace(ctx context.Context, coll string, f Filter, doc bson.Raw) (int64, error) {
	// The matched document keeps its _id: a replacement carrying another one
	// would be refused by MongoDB.
	elems, err := doc.Elements()
	if err != nil {
		return 0, fmt.Errorf("db: %w", err)
	}
	body := make(bson.D, 0, len(elems))
	for _, el := range elems {
		if el.Key() != IDField {
			body = append(body, bson.E{Key: el.Key(), Value: el.Value()})
		}
	}
	res, err := e.database.Collection(coll).ReplaceOne(ctx, mongoFilter(f), body)
	if err != nil {
		return 0, translate(err)
	}
	return res.MatchedCount, nil
}

func (e *mongoEngine) delete(ctx context.Context, coll string, f Filter, many bool) (int64, error) {
	c := e.database.Collection(coll)
	var res *mongo.DeleteResult
	var err error
	if many {
		res, err = c.DeleteMany(ctx, mongoFilter(f))
	} else {
		res, err = c.DeleteOne(ctx, mongoFilter(f))
	}
	if err != nil {
		return 0, translate(err)
	}
	return res.DeletedCount, nil
}

func (e *mongoEngine) ensureIndex(ctx context.Context, ix Index) error {
	keys := make(bson.D, 0, len(ix.Keys))
	for _, k := range ix.keys() {
		dir := 1
		if k.desc {
			dir = -1
		}
		keys = append(keys, bson.E{Key: k.field, Value: dir})
	}
	model := mongo.IndexModel{Keys: keys, Options: options.Index().SetName(ix.Name()).SetUnique(ix.Unique)}
	_, err := e.database.Collection(ix.Collection).Indexes().CreateOne(ctx, model)
	return translate(err)
}

func (e *mongoEngine) indexNames(ctx context.Context, coll string) ([]string, error) {
	cur, err := e.database.Collection(coll).Indexes().List(ctx)
	if err != nil {
		return nil, translate(err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, translate(err)
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names, nil
}

func (e *mongoEngine) collections(ctx context.Context) ([]string, error) {
	names, err := e.database.ListCollectionNames(ctx, bson.D{})
	return names, translate(err)
}

func (e *mongoEngine) ping(ctx context.Context) error {
	return e.client.Ping(ctx, readpref.Primary())
}

func (e *mongoEngine) close(ctx context.Context) error {
	return e.client.Disconnect(ctx)
}

// mongoFilter translates a checked filter into a MongoDB query document.
func mongoFilter(f Filter) bson.D {
	switch f.op {
	case opAll:
		return bson.D{}
	case opAnd:
		return mongoAnd(f.subs)
	case opOr:
		if len(f.subs) == 0 {
			// Or() matches nothing; MongoDB refuses an empty $or.
			return bson.D{{Key: IDField, Value: bson.D{{Key: "$in", Value: bson.A{}}}}}
		}
		subs := make(bson.A, len(f.subs))
		for i, s := range f.subs {
			subs[i] = mongoFilter(s)
		}
		return bson.D{{Key: "$or", Value: subs}}
	case opEq:
		return bson.D{{Key: f.field, Value: f.value}}
	case opIn:
		list := make(bson.A, len(f.list)) // never nil: $in needs an array
		copy(list, f.list)
		return fieldOp(f.field, "$in", list)
	case opPrefix:
		return fieldOp(f.field, "$regex", "^"+regexp.QuoteMeta(f.value.(string)))
	case opExists:
		return fieldOp(f.field, "$exists", true)
	case opMissing:
		return fieldOp(f.field, "$exists", false)
	}
	return fieldOp(f.field, comparisons[f.op], f.value)
}

// mongoAnd writes a conjunction as one document, one key per field, with
// only the terms that repeat a field under $and. It means the same to
// MongoDB, and FerretDB takes an upsert's equalities only from top-level
// keys (it ignores those inside $and, so an upserted document would lack
// tenantId).
func mongoAnd(subs []Filter) bson.D {
	var doc bson.D
	var rest bson.A
	seen := map[string]bool{}
	for _, s := range subs {
		d := mongoFilter(s)
		switch {
		case len(d) == 0:
		case len(d) == 1 && !seen[d[0].Key]:
			seen[d[0].Key] = true
			doc = append(doc, d[0])
		default:
			rest = append(rest, d)
		}
	}
	if len(rest) > 0 {
		doc = append(doc, bson.E{Key: "$and", Value: rest})
	}
	if doc == nil {
		return bson.D{}
	}
	return doc
}

var comparisons = map[op]string{opNe: "$ne", opGt: "$gt", opGte: "$gte", opLt: "$lt", opLte: "$lte"}

func fieldOp(field, operator string, v any) bson.D {
	return bson.D{{Key: field, Value: bson.D{{Key: operator, Value: v}}}}
}

func mongoSort(sort []Order) bson.D {
	d := make(bson.D, len(sort))
	for i, s := range sort {
		dir := 1
		if s.Desc {
			dir = -1
		}
		d[i] = bson.E{Key: s.Field, Value: dir}
	}
	return d
}

// mongoProjection returns the projection for o, or nil for whole documents.
func mongoProjection(o FindOptions) bson.D {
	names, keep := o.Fields, 1
	if len(names) == 0 {
		names, keep = o.Omit, 0
	}
	if len(names) == 0 {
		return nil
	}
	d := make(bson.D, len(names))
	for i, n := range names {
		d[i] = bson.E{Key: n, Value: keep}
	}
	return d
}

// mongoUpdate groups u's changes under their operators, in the order each
// operator first appears (Update.check made sure no field appears twice).
func mongoUpdate(u Update) bson.D {
	var doc bson.D
	at := map[changeKind]int{}
	for _, c := range u.ops {
		var v any
		switch c.kind {
		case chUnset:
			v = ""
		default:
			v = c.value
		}
		i, ok := at[c.kind]
		if !ok {
			i = len(doc)
			at[c.kind] = i
			doc = append(doc, bson.E{Key: changeNames[c.kind], Value: bson.D{}})
		}
		doc[i].Value = append(doc[i].Value.(bson.D), bson.E{Key: c.field, Value: v})
	}
	return doc
}

// translate maps driver errors to the package's errors. FerretDB reports a
// unique violation by an update as an internal SQLite error rather than
// E11000, so its text counts too.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case mongo.IsDuplicateKeyError(err), strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return duplicate(err)
	}
	return err
}
