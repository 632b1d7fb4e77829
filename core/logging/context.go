package logging

import (
	"context"

	"github.com/rs/zerolog"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	requestIDKey
)

// WithRequest returns ctx carrying the request's id and its logger (which
// already names the request id and, once resolved, the tenant).
func WithRequest(ctx context.Context, id string, l zerolog.Logger) context.Context {
	ctx = context.WithValue(ctx, requestIDKey, id)
	return context.WithValue(ctx, loggerKey, l)
}

// WithLogger replaces the request's logger (tenancy adds the tenant to it).
func WithLogger(ctx context.Context, l zerolog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey, l)
}

// FromContext returns the request's logger, or a disabled one outside a
// request.
func FromContext(ctx context.Context) *zerolog.Logger {
	if l, ok := ctx.Value(loggerKey).(zerolog.Logger); ok {
		return &l
	}
	l := zerolog.Nop()
	return &l
}

// RequestID returns the request's id, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
