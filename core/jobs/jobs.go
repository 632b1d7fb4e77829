// Package jobs runs Ward's background jobs: each on its own ticker, one run
// at a time, with a timeout, logging failures. Jobs carry any tenant they
// work on explicitly; nothing here knows about "the current tenant".
package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
)

// Runner runs jobs until its context ends.
type Runner struct {
	log  zerolog.Logger
	jobs []app.Job
}

// New returns a runner for jobs.
func New(log zerolog.Logger, jobs []app.Job) *Runner {
	return &Runner{log: log.With().Str("component", "jobs").Logger(), jobs: jobs}
}

// Run starts every job and returns when ctx ends and every running job has
// stopped.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range r.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.loop(ctx, j)
		}()
	}
	wg.Wait()
}

func (r *Runner) loop(ctx context.Context, j app.Job) {
	t := time.NewTicker(j.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.RunOnce(ctx, j)
		}
	}
}

// RunOnce runs one job now, bounded by its period (at least a minute).
func (r *Runner) RunOnce(ctx context.Context, j app.Job) {
	timeout := max(j.Every, time.Minute)
	jctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	if err := j.Run(jctx); err != nil && ctx.Err() == nil {
		r.log.Error().Err(err).Str("job", j.Name).Msg("job failed")
		return
	}
	r.log.Debug().Str("job", j.Name).Dur("duration", time.Since(start)).Msg("job done")
}
