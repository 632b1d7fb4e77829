package db

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/logging"
)

// embedded is FerretDB running inside the process on 127.0.0.1 with a random
// port, storing its data in SQLite files under the data directory.
type embedded struct {
	uri  string
	stop func()
}

func startEmbedded(dataDir string, log zerolog.Logger) (*embedded, error) {
	dir, err := filepath.Abs(filepath.Join(dataDir, "db"))
	if err != nil {
		return nil, fmt.Errorf("db: data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("db: cannot create data directory %s: %w", dir, err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    logging.Slog(log, "ferretdb", slog.LevelError),
	})
	if err != nil {
		return nil, fmt.Errorf("db: starting embedded database in %s: %w", dir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	uri := f.MongoDBURI() // waits until the listener is up
	log.Info().Str("component", "db").Str("dir", dir).Msg("embedded database started")
	return &embedded{
		uri: uri,
		stop: func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				log.Warn().Str("component", "db").Msg("embedded database did not stop in 10s")
			}
		},
	}, nil
}
