// Package logging sets up Ward's zerolog logger: JSON lines in production,
// readable console output in development.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// New returns the process logger writing to w (os.Stderr when nil).
func New(w io.Writer, production bool, level string) zerolog.Logger {
	if w == nil {
		w = os.Stderr
	}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	if !production {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000"}
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

// Slog adapts the logger for libraries that log through log/slog (the embedded
// database). Only records at min or above are kept: those libraries are chatty.
func Slog(l zerolog.Logger, component string, min slog.Level) *slog.Logger {
	return slog.New(&slogHandler{l: l.With().Str("component", component).Logger(), min: min})
}

type slogHandler struct {
	l     zerolog.Logger
	min   slog.Level
	attrs []slog.Attr
}

func (h *slogHandler) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= h.min }

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	var e *zerolog.Event
	switch {
	case r.Level >= slog.LevelError:
		e = h.l.Error()
	case r.Level >= slog.LevelWarn:
		e = h.l.Warn()
	case r.Level >= slog.LevelInfo:
		e = h.l.Info()
	default:
		e = h.l.Debug()
	}
	for _, a := range h.attrs {
		e = e.Str(a.Key, a.Value.String())
	}
	r.Attrs(func(a slog.Attr) bool {
		e = e.Str(a.Key, a.Value.String())
		return true
	})
	e.Msg(r.Message)
	return nil
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr{}, h.attrs...), attrs...)
	return &n
}

// WithGroup flattens groups: the few records kept are read by people, not parsed.
func (h *slogHandler) WithGroup(string) slog.Handler { return h }
