package dbtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/db"
)

// EngineVar names the environment variable that picks the engine tests run
// on: unset (or "sqlite") for the embedded store, "mongo" for the mongo
// engine (see MongoURI).
const EngineVar = "WARD_TEST_ENGINE"

// Open opens an empty store for t on the engine EngineVar names, waits
// until it answers, declares indexes, and closes it when t ends.
func Open(t testing.TB, indexes ...db.Index) *db.Store {
	t.Helper()
	opts := db.Options{DataDir: t.TempDir(), Logger: zerolog.Nop()}
	switch e := os.Getenv(EngineVar); e {
	case "", "sqlite":
	case "mongo":
		opts.URI = MongoURI(t)
	default:
		t.Fatalf("%s=%q: want sqlite or mongo", EngineVar, e)
	}
	return OpenWith(t, opts, indexes...)
}

// OpenWith opens the store opts names, as Open does.
func OpenWith(t testing.TB, opts db.Options, indexes ...db.Index) *db.Store {
	t.Helper()
	s, err := db.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitReachable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx, "test", indexes); err != nil {
		t.Fatal(err)
	}
	return s
}
