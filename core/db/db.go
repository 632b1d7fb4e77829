// Package db is Ward's only door to its data: typed queries (query.go) over
// one of two engines — MongoDB through the driver when MONGODB_URI is set,
// or the embedded SQLite store under DATA_DIR — with one contract, proven by
// one conformance suite.
//
// Modules never see an unscoped collection: they get a collection bound to one
// tenant (Tenant.Collection) that adds tenantId to everything it does.
// Cross-tenant work goes through the explicit Platform handle.
package db

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.mongodb.org/mongo-driver/bson/primitive"
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
	URI     string // empty: the embedded store in DataDir
	DataDir string
	Logger  zerolog.Logger
}

// Store is the process's connection to the database.
type Store struct {
	log    zerolog.Logger
	engine engine
	ready  atomic.Bool
	// indexes are the declared indexes by collection (for the query-shape
	// check and the embedded engine's array rule).
	indexes  indexSet
	observer atomic.Pointer[Observer]
}

// Open prepares the store. For MongoDB it does not wait for the server to
// answer (see WaitReachable), so Ward can start and report "not ready" while
// the database is down. Only a configuration that can never work is an
// error here.
func Open(opts Options) (*Store, error) {
	s := &Store{log: opts.Logger.With().Str("component", "db").Logger()}
	var err error
	if opts.URI == "" {
		s.engine, err = openSQLite(opts.DataDir, &s.indexes, s.log)
	} else {
		s.engine, err = openMongo(opts.URI, s.log)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Engine names the engine in use: "sqlite" or "mongo".
func (s *Store) Engine() string { return s.engine.kind() }

// Embedded reports whether the store is the embedded one.
func (s *Store) Embedded() bool { return s.engine.kind() == "sqlite" }

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
	return s.engine.ping(ctx)
}

// SetReady marks the store as ready for requests (reachable, indexes made).
func (s *Store) SetReady() { s.ready.Store(true) }

// Ready reports whether start-up finished and the database answers now.
func (s *Store) Ready(ctx context.Context) bool {
	return s.ready.Load() && s.Ping(ctx) == nil
}

// Commands returns how many round trips were made to the database so far;
// the difference over a request is its number of round trips.
func (s *Store) Commands() int64 { return s.engine.commands() }

// Started reports whether start-up finished, without asking the database.
func (s *Store) Started() bool { return s.ready.Load() }

// Close closes the database.
func (s *Store) Close(ctx context.Context) error { return s.engine.close(ctx) }

// ErrDuplicate is returned when a write breaks a unique index, on every
// engine.
var ErrDuplicate = errors.New("db: duplicate key")

// ErrNotFound is returned when a single-document read finds nothing.
var ErrNotFound = errors.New("db: not found")

// IsDuplicate reports whether err is a unique-index violation.
func IsDuplicate(err error) bool { return errors.Is(err, ErrDuplicate) }

func duplicate(err error) error { return fmt.Errorf("%w: %v", ErrDuplicate, err) }

// NewID returns a new document id: an ObjectID's hex string, so ids sort by
// creation time and read the same in URLs, logs and policy rules.
func NewID() string { return primitive.NewObjectID().Hex() }
