package boot

import (
	"context"
	"time"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/session"
)

// Jobs are core's own background jobs. Expiry is enforced when data is read;
// these only remove what can no longer be used (the embedded database has
// no TTL indexes).
func (c *Core) Jobs() []app.Job {
	return []app.Job{
		{Name: "delete expired sessions", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := c.Sessions.DeleteOlderThan(ctx, time.Now().Add(-session.MaxAge))
			return err
		}},
		{Name: "delete old sign-in failures", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := c.Limiter.DeleteOlderThan(ctx, c.Clock.Now().Add(-auth.DelayMemory))
			return err
		}},
		{Name: "delete old clinic sign-ups", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := c.Signups.DeleteOlderThan(ctx, c.Clock.Now().Add(-24*time.Hour))
			return err
		}},
		{Name: "send mail", Every: 15 * time.Second, Run: func(ctx context.Context) error {
			_, err := c.Mail.SendQueued(ctx, 100, c.Clock.Now())
			return err
		}},
	}
}
