// Package db connects Ward to MongoDB — a real server named by MONGODB_URI, or
// an embedded FerretDB on SQLite under DATA_DIR — and is the only door to it.
//
// Modules never see an unscoped collection: they get a collection bound to one
// tenant (Scoped) that adds tenantId to everything it does. Cross-tenant work
// goes through the explicit Platform handle.
package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
)

// DefaultName is the database used when the URI names none.
const DefaultName = "ward"

// Timeouts for talking to the database. A request never waits longer than
// OpTimeout for one operation.
const (
	ConnectTimeout = 5 * time.Second
	PingTimeout    = 3 * time.Second
	IndexTimeout   = 30 * time.Second
	OpTimeout      = 10 * time.Second
)

// Options says which database to open.
type Options struct {
	URI     string // empty: start the embedded database in DataDir
	DataDir string
	Logger  zerolog.Logger
}

// Store is the process's connection to the database.
type Store struct {
	log      zerolog.Logger
	client   *mongo.Client
	database *mongo.Database
	embedded *embedded
	ready    atomic.Bool
	commands atomic.Int64 // database commands sent, for measuring round trips
}

// Open prepares the connection. It does not wait for the server to answer
// (see WaitReachable), so Ward can start and report "not ready" while the
// database is down. Only a configuration that can never work is an error here.
func Open(opts Options) (*Store, error) {
	s := &Store{log: opts.Logger.With().Str("component", "db").Logger()}
	uri := opts.URI
	name := DefaultName
	if uri == "" {
		e, err := startEmbedded(opts.DataDir, opts.Logger)
		if err != nil {
			return nil, err
		}
		s.embedded = e
		uri = e.uri
	} else if n := nameFromURI(uri); n != "" {
		name = n
	}

	monitor := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { s.commands.Add(1) }}
	copts := options.Client().ApplyURI(uri).
		SetMonitor(monitor).
		SetConnectTimeout(ConnectTimeout).
		SetServerSelectionTimeout(ConnectTimeout).
		// A socket deadline, not SetTimeout: the client-wide timeout makes the
		// driver send maxTimeMS, which the embedded database's distinct refuses.
		SetSocketTimeout(OpTimeout).
		SetAppName("ward")
	client, err := mongo.Connect(context.Background(), copts)
	if err != nil {
		s.closeEmbedded()
		return nil, fmt.Errorf("db: %w", err)
	}
	s.client = client
	s.database = client.Database(name)
	return s, nil
}

// WaitReachable pings the database until it answers, backing off between
// tries and logging each failure, or until ctx ends.
func (s *Store) WaitReachable(ctx context.Context) error {
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := s.Ping(ctx)
		if err == nil {
			if attempt > 1 {
				s.log.Info().Int("attempts", attempt).Msg("database reachable")
			}
			return nil
		}
		s.log.Error().Err(err).Int("attempt", attempt).Dur("retry_in", delay).Msg("database not reachable")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 15*time.Second)
	}
}

// Ping asks the database to answer within PingTimeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	return s.client.Ping(ctx, readpref.Primary())
}

// SetReady marks the store as ready for requests (reachable, indexes made).
func (s *Store) SetReady() { s.ready.Store(true) }

// Ready reports whether start-up finished and the database answers now.
func (s *Store) Ready(ctx context.Context) bool {
	return s.ready.Load() && s.Ping(ctx) == nil
}

// Commands returns how many commands were sent to the database so far; the
// difference over a request is its number of round trips.
func (s *Store) Commands() int64 { return s.commands.Load() }

// Started reports whether start-up finished, without asking the database.
func (s *Store) Started() bool { return s.ready.Load() }

// Embedded reports whether the store runs the embedded database.
func (s *Store) Embedded() bool { return s.embedded != nil }

// Database returns the driver's database for core packages that hand it to
// libraries (session store, policy adapter). Modules must not use it.
func (s *Store) Database() *mongo.Database { return s.database }

// Close disconnects and stops the embedded database.
func (s *Store) Close(ctx context.Context) error {
	err := s.client.Disconnect(ctx)
	s.closeEmbedded()
	return err
}

func (s *Store) closeEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
	}
}

// nameFromURI returns the database named in the URI's path, if any.
func nameFromURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// ErrDuplicate is returned when a write breaks a unique index. MongoDB reports
// it as E11000; the embedded database reports an update's violation as an
// internal "UNIQUE constraint failed" error. Both become ErrDuplicate.
var ErrDuplicate = errors.New("db: duplicate key")

// ErrNotFound is returned when a single-document read finds nothing.
var ErrNotFound = errors.New("db: not found")

// IsDuplicate reports whether err is a unique-index violation in either form.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrDuplicate) || mongo.IsDuplicateKeyError(err) {
		return true
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// translate maps driver errors to the package's sentinel errors.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case IsDuplicate(err):
		return fmt.Errorf("%w: %v", ErrDuplicate, err)
	}
	return err
}

// NewID returns a new document id: an ObjectID's hex string, so ids sort by
// creation time and read the same in URLs, logs and policy rules.
func NewID() string { return primitive.NewObjectID().Hex() }
