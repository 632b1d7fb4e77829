// Package dbtest gives tests a MongoDB to run the mongo engine against: the
// server named by WARD_TEST_MONGODB_URI, or else a FerretDB started inside
// the test binary as a stand-in for MongoDB's wire protocol.
//
// Only _test.go files import it, so FerretDB never links into Ward itself.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// EnvURI names a real MongoDB to test against instead of FerretDB.
const EnvURI = "WARD_TEST_MONGODB_URI"

// MongoURI returns the URI of a fresh, empty database for t, dropped when
// t ends. Without WARD_TEST_MONGODB_URI the first call starts FerretDB (on
// SQLite), which the test binary's tests then share until it exits.
func MongoURI(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURI)
	if base == "" {
		var err error
		if base, err = ferret(); err != nil {
			t.Fatalf("dbtest: starting FerretDB: %v", err)
		}
	}
	name := freshName()
	uri := withDatabase(base, name)
	t.Cleanup(func() { drop(t, uri, name) })
	return uri
}

// AtomicUpdates reports whether the server applies each update atomically.
// FerretDB does not (an update reads, changes and writes back the document
// with no check in between), so tests of concurrent updates skip on it.
func AtomicUpdates() bool { return os.Getenv(EnvURI) != "" }

var (
	ferretOnce sync.Once
	ferretURI  string
	ferretErr  error
)

// ferret starts FerretDB once per test binary and returns its URI. It runs
// until the process exits: tests that start later still need it.
func ferret() (string, error) {
	ferretOnce.Do(func() { ferretURI, ferretErr = startFerret() })
	return ferretURI, ferretErr
}

// dirPrefix starts the name of FerretDB's data directories; the owning
// process id follows it, so a later run can remove what a finished one left.
const dirPrefix = "ward-ferretdb-"

func startFerret() (string, error) {
	removeStale()
	// Not t.TempDir: the first test's directory is removed when that test
	// ends, while FerretDB keeps serving the rest of the binary's tests.
	dir, err := os.MkdirTemp("", dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return "", err
	}
	go func() { _ = f.Run(context.Background()) }()
	return f.MongoDBURI(), nil // waits until the listener is up
}

// removeStale removes data directories left by test binaries that have
// exited (FerretDB is never stopped, so nothing removes them at the end).
func removeStale() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, m := range matches {
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(filepath.Base(m), dirPrefix), "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if !alive(pid) {
			_ = os.RemoveAll(m)
		}
	}
}

// alive reports whether process pid may still be running; only a process
// known to have finished counts as gone.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}

var names atomic.Int64

// freshName returns a database name unique across test binaries that share
// one server (go test runs packages in parallel).
func freshName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("wardtest_%s_%d", hex.EncodeToString(b), names.Add(1))
}

// withDatabase puts name in the URI's path, keeping hosts and options. When
// the URI has credentials and no authSource, the database it named (or
// admin) stays the one they are checked against.
func withDatabase(uri, name string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return uri
	}
	rest, query, _ := strings.Cut(rest, "?")
	hosts, oldDB, _ := strings.Cut(rest, "/")
	if strings.Contains(hosts, "@") && !strings.Contains(query, "authSource=") {
		if oldDB == "" {
			oldDB = "admin"
		}
		if query != "" {
			query += "&"
		}
		query += "authSource=" + oldDB
	}
	out := scheme + "://" + hosts + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}

// drop removes a test's database so a long-lived server does not collect
// them.
func drop(t testing.TB, uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err != nil {
		t.Logf("dbtest: dropping %s: %v", name, err)
		return
	}
	defer client.Disconnect(ctx)
	if err := client.Database(name).Drop(ctx); err != nil {
		t.Logf("dbtest: dropping %s: %v", name, err)
	}
}
