package kit

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/session"
)

// Jobs are core's own background jobs, then the modules'. Expiry is
// enforced when data is read; core's jobs only remove what can no longer be
// used (the embedded database has no TTL indexes), and send the mail.
func (w *Ward) Jobs() []app.Job {
	s := w.Services
	return append([]app.Job{
		{Name: "delete expired sessions", Every: time.Hour, Single: true, Run: func(ctx context.Context) error {
			// The wall clock, not s.Clock: the session store stamps and
			// expires sessions by its own clock, time.Now.
			_, err := s.sessions.DeleteOlderThan(ctx, time.Now().Add(-session.MaxAge))
			return err
		}},
		{Name: "delete old sign-in failures", Every: time.Hour, Single: true, Run: func(ctx context.Context) error {
			_, err := s.limiter.DeleteOlderThan(ctx, s.Clock.Now().Add(-auth.DelayMemory))
			return err
		}},
		{Name: "delete old clinic sign-ups", Every: time.Hour, Single: true, Run: func(ctx context.Context) error {
			_, err := s.signups.DeleteOlderThan(ctx, s.Clock.Now().Add(-24*time.Hour))
			return err
		}},
		{Name: "send mail", Every: 15 * time.Second, Run: func(ctx context.Context) error {
			_, err := w.mail.SendQueued(ctx, 100, s.Clock.Now())
			return err
		}},
	}, w.App.Jobs()...)
}
