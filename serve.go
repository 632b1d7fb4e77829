package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/jobs"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/server"
	"github.com/wardclinic/ward/modules"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// serve runs the server until ctx ends. The HTTP listener opens at once; the
// database is waited for in the background, and /readyz answers 503 until it
// answers and every index exists.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "ward serve: unexpected argument %q\n", args[0])
		return 2
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return 2
	}
	log := logging.New(stderr, cfg.Production(), cfg.LogLevel)

	store, err := db.Open(db.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		log.Error().Err(err).Msg("cannot open the database")
		return 1
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = store.Close(cctx)
	}()

	w, err := kit.Build(kit.Options{Config: cfg, Log: log, Store: store, Templates: templates.FS, Static: static.FS}, modules.All()...)
	if err != nil {
		log.Error().Err(err).Msg("start-up refused")
		return 1
	}
	a := w.App
	handler, err := a.Handler()
	if err != nil {
		log.Error().Err(err).Msg("start-up refused")
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		log.Error().Err(err).Int("port", cfg.Port).Msg("cannot listen")
		return 1
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		if err := a.Start(ctx); err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("start-up failed")
				cancel(err)
			}
			return
		}
		jobs.New(log, w.Services.Clock, store, w.Jobs()).Run(ctx)
	}()

	if err := server.Serve(ctx, ln, handler, server.Options{
		ReadTimeout:     cfg.ReadTimeout,
		WriteTimeout:    cfg.WriteTimeout,
		IdleTimeout:     cfg.IdleTimeout,
		ShutdownTimeout: cfg.ShutdownTimeout,
	}, log); err != nil {
		log.Error().Err(err).Msg("server failed")
		return 1
	}
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		return 1
	}
	return 0
}
