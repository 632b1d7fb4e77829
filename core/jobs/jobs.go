// Package jobs runs Ward's background jobs: each once per period, one run
// at a time, with a timeout, logging failures and panics. Jobs carry any
// tenant they work on explicitly; nothing here knows about "the current
// tenant".
//
// Every Ward instance on a database runs every job, unless the job is
// Single: then each period's run is leased by a claim in the database (a
// unique insert, see db.Platform.Claim), and only the instance that takes
// it runs the job.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db"
)

// Runner runs jobs until its context ends.
type Runner struct {
	log   zerolog.Logger
	clock clock.Clock
	store *db.Store // holds Single jobs' leases
	jobs  []app.Job
}

// New returns a runner for jobs. clk says which period it is; store
// holds the leases of Single jobs and may be nil when there are none. A job
// with no name, a duplicate name, no period, or a Single job with no store
// is a programming error and panics, so it stops the start.
func New(log zerolog.Logger, clk clock.Clock, store *db.Store, jobs []app.Job) *Runner {
	seen := map[string]bool{}
	for _, j := range jobs {
		switch {
		case j.Name == "":
			panic("jobs: a job has no name")
		case seen[j.Name]:
			panic("jobs: two jobs are named " + j.Name)
		case j.Every <= 0:
			panic("jobs: " + j.Name + " has no period")
		case j.Run == nil:
			panic("jobs: " + j.Name + " has nothing to run")
		case j.Single && store == nil:
			panic("jobs: " + j.Name + " runs on one instance at a time and needs the store for its lease")
		}
		seen[j.Name] = true
	}
	return &Runner{log: log.With().Str("component", "jobs").Logger(), clock: clk, store: store, jobs: jobs}
}

// Run starts every job and returns when ctx ends and every running job has
// stopped.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range r.jobs {
		wg.Go(func() { r.loop(ctx, j) })
	}
	wg.Wait()
}

// loop runs j at the start of each period by the clock, so every instance
// reaches for the same period's lease at the same moment.
func (r *Runner) loop(ctx context.Context, j app.Job) {
	var last time.Time
	for {
		now := r.clock.Now()
		// Never the same period twice, even if the clock reads a little
		// behind the timer that woke us.
		start := now.Truncate(j.Every).Add(j.Every)
		if !last.IsZero() {
			start = later(start, last.Add(j.Every))
		}
		t := time.NewTimer(start.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.run(ctx, j, start)
		last = start
	}
}

// RunOnce runs one job now, as the runner does at the start of a period: a
// Single job only if this instance takes the current period's lease.
func (r *Runner) RunOnce(ctx context.Context, j app.Job) {
	r.run(ctx, j, r.clock.Now().Truncate(j.Every))
}

// run runs j for the period beginning at period. A Single job is cut off
// after one period, when the next period's lease may be taken by another
// instance; others get at least a minute.
func (r *Runner) run(ctx context.Context, j app.Job, period time.Time) {
	timeout := max(j.Every, time.Minute)
	if j.Single {
		if !r.lease(ctx, j, period) {
			return
		}
		timeout = j.Every
	}
	jctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := time.Now()
	err := call(jctx, j)
	var p *panicked
	switch {
	case errors.As(err, &p):
		r.log.Error().Str("job", j.Name).Str("panic", fmt.Sprint(p.value)).Bytes("stack", p.stack).Msg("job panicked")
	case err != nil && ctx.Err() == nil:
		r.log.Error().Err(err).Str("job", j.Name).Msg("job failed")
	case err == nil:
		r.log.Debug().Str("job", j.Name).Dur("duration", time.Since(started)).Msg("job done")
	}
}

// lease claims j's run for period and reports whether this instance won it.
// Claims older than the period before are removed: one period is kept in
// case another instance's clock runs a little behind.
func (r *Runner) lease(ctx context.Context, j app.Job, period time.Time) bool {
	p := r.store.Platform("lease of job " + j.Name)
	kind := "job:" + j.Name
	err := p.Claim(ctx, kind, period.UTC().Format(time.RFC3339Nano), period)
	if errors.Is(err, db.ErrClaimed) {
		r.log.Debug().Str("job", j.Name).Time("period", period).Msg("job run by another instance")
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error().Err(err).Str("job", j.Name).Msg("job lease not taken")
		}
		return false
	}
	if err := p.ReleaseBefore(ctx, kind, period.Add(-j.Every)); err != nil {
		r.log.Warn().Err(err).Str("job", j.Name).Msg("old job leases not removed")
	}
	return true
}

// panicked is a job's panic, with the stack where it happened.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// call runs j, turning a panic into an error, so one broken job stops
// neither the runner nor the other jobs.
func call(ctx context.Context, j app.Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{value: v, stack: debug.Stack()}
		}
	}()
	return j.Run(ctx)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
