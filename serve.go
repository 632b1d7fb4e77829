package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/rs/zerolog"

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

// serve runs the server on PORT until ctx ends. It returns 0 when ctx ends
// (Ctrl-C, SIGTERM: a clean stop), 1 when the server cannot start or fails,
// 2 for bad usage or configuration.
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
	listen := func() (net.Listener, error) {
		return net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	}
	return serveOn(ctx, cfg, log, listen)
}

// serveOn runs the server on the listener listen opens. The listener opens
// at once; the database is waited for in the background, /readyz answers
// 503 until it answers and every index exists, and then one line tells the
// address to open.
func serveOn(ctx context.Context, cfg *config.Config, log zerolog.Logger, listen func() (net.Listener, error)) int {
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
	ln, err := listen()
	if err != nil {
		log.Error().Err(err).Int("port", cfg.Port).Msg("cannot listen")
		return 1
	}

	// stop ends the server: ctx ending (a signal) is a clean stop, a failed
	// start-up is not. The two are told apart by startErr, not by ctx's
	// cause: a signal's cause is an error too.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	startErr := make(chan error, 1)
	background := make(chan struct{})
	go func() {
		defer close(background)
		if err := a.Start(runCtx); err != nil {
			if runCtx.Err() == nil {
				log.Error().Err(err).Msg("start-up failed")
				startErr <- err
				stop()
			}
			return
		}
		log.Info().Msg(readyLine(cfg.PublicURL))
		jobs.New(log, w.Services.Clock, store, w.Jobs()).Run(runCtx)
	}()

	err = server.Serve(runCtx, ln, handler, server.Options{
		ReadTimeout:     cfg.ReadTimeout,
		WriteTimeout:    cfg.WriteTimeout,
		IdleTimeout:     cfg.IdleTimeout,
		ShutdownTimeout: cfg.ShutdownTimeout,
	}, log)
	stop()
	waitBackground(background, cfg.ShutdownTimeout, log)
	if err != nil {
		log.Error().Err(err).Msg("server failed")
		return 1
	}
	select {
	case <-startErr:
		return 1
	default:
		return 0
	}
}

// waitBackground waits up to timeout for start-up and the background jobs
// to end, so the database is not closed under a running job.
func waitBackground(done <-chan struct{}, timeout time.Duration, log zerolog.Logger) {
	select {
	case <-done:
	case <-time.After(timeout):
		log.Warn().Dur("timeout", timeout).Msg("background jobs still running at shutdown; stopping anyway")
	}
}

// readyLine is the line that tells the address to open once Ward is ready:
// the platform's PUBLIC_URL and the pattern of a clinic's address.
func readyLine(publicURL string) string {
	line := "Ward is ready: " + publicURL
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		line += " (clinics at " + u.Scheme + "://NAME." + u.Host + ")"
	}
	return line
}
