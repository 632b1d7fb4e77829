package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/clock"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/core/jobs"
)

// logBuffer collects log lines written from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestFailuresAreLoggedWithTheJobsName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(context.Context) error
		want []string
	}{
		{"failing", func(context.Context) error { return errors.New("smtp down") },
			[]string{`"job":"failing"`, `"message":"job failed"`, "smtp down"}},
		{"panicking", func(context.Context) error { panic("boom") },
			[]string{`"job":"panicking"`, `"message":"job panicked"`, `"panic":"boom"`, "jobs_test.go"}},
		{"nil map", func(context.Context) error {
			var m map[string]int
			m["x"] = 1
			return nil
		}, []string{`"job":"nil map"`, `"message":"job panicked"`, "assignment to entry in nil map"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out logBuffer
			j := app.Job{Name: c.name, Every: time.Hour, Run: c.run}
			r := jobs.New(zerolog.New(&out), clock.System{}, nil, []app.Job{j})
			r.RunOnce(context.Background(), j)
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("log lacks %s:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRunnerGoesOnAfterAPanic(t *testing.T) {
	t.Parallel()
	var out logBuffer
	var panics, runs atomic.Int64
	r := jobs.New(zerolog.New(&out), clock.System{}, nil, []app.Job{
		{Name: "broken", Every: 10 * time.Millisecond, Run: func(context.Context) error {
			panics.Add(1)
			panic("broken job")
		}},
		{Name: "healthy", Every: 10 * time.Millisecond, Run: func(context.Context) error {
			runs.Add(1)
			return nil
		}},
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		r.Run(ctx)
		close(stopped)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for panics.Load() < 3 || runs.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d panics, %d healthy runs; want 3 of each", panics.Load(), runs.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := strings.Count(out.String(), `"job":"broken"`); n < 3 {
		t.Errorf("%d panics logged, want at least 3:\n%s", n, out.String())
	}
}

func TestSingleJobRunsOncePerPeriodAcrossInstances(t *testing.T) {
	t.Parallel()
	store := dbtest.Open(t, db.ClaimIndexes...)
	clk := clock.NewFixed(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()

	// Two instances, each with its own copy of the same two jobs.
	type instance struct {
		runner        *jobs.Runner
		single, local app.Job
		singles       atomic.Int64
		locals        atomic.Int64
	}
	var log logBuffer
	instances := make([]*instance, 2)
	for i := range instances {
		in := &instance{}
		in.single = app.Job{Name: "monitor", Every: time.Hour, Single: true, Run: func(context.Context) error {
			in.singles.Add(1)
			return nil
		}}
		in.local = app.Job{Name: "local", Every: time.Hour, Run: func(context.Context) error {
			in.locals.Add(1)
			return nil
		}}
		in.runner = jobs.New(zerolog.New(&log), clk, store, []app.Job{in.single, in.local})
		instances[i] = in
	}
	// tick runs every job on both instances at once, as at the start of a
	// period.
	tick := func() {
		var wg sync.WaitGroup
		for _, in := range instances {
			wg.Go(func() { in.runner.RunOnce(ctx, in.single) })
			wg.Go(func() { in.runner.RunOnce(ctx, in.local) })
		}
		wg.Wait()
	}

	const periods = 5
	for p := 1; p <= periods; p++ {
		tick()
		clk.Advance(40 * time.Minute) // later in the same period: nothing new for the Single job
		tick()
		clk.Advance(20 * time.Minute)

		total := instances[0].singles.Load() + instances[1].singles.Load()
		if total != int64(p) {
			t.Fatalf("after %d periods the Single job ran %d times, want %d", p, total, p)
		}
		for i, in := range instances {
			if got := in.locals.Load(); got != int64(2*p) {
				t.Fatalf("after %d periods instance %d ran the local job %d times, want %d", p, i, got, 2*p)
			}
		}
	}
	if strings.Contains(log.String(), `"level":"error"`) {
		t.Errorf("errors logged:\n%s", log.String())
	}

	// Old periods' leases are removed: at most this period's and the last.
	n, err := store.Platform("test").Collection(db.ClaimsCollection).Count(ctx, db.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if n > 2 {
		t.Errorf("%d leases kept after %d periods, want at most 2", n, periods)
	}
}

func TestNewRefusesBadJobs(t *testing.T) {
	t.Parallel()
	run := func(context.Context) error { return nil }
	cases := []struct {
		name string
		jobs []app.Job
		want string
	}{
		{"no name", []app.Job{{Every: time.Hour, Run: run}}, "no name"},
		{"duplicate", []app.Job{{Name: "a", Every: time.Hour, Run: run}, {Name: "a", Every: time.Minute, Run: run}}, "two jobs are named a"},
		{"no period", []app.Job{{Name: "a", Run: run}}, "a has no period"},
		{"nothing to run", []app.Job{{Name: "a", Every: time.Hour}}, "a has nothing to run"},
		{"single without store", []app.Job{{Name: "a", Every: time.Hour, Run: run, Single: true}}, "needs the store"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				v := recover()
				if s, _ := v.(string); !strings.Contains(s, c.want) {
					t.Fatalf("panic = %v, want one saying %q", v, c.want)
				}
			}()
			jobs.New(zerolog.Nop(), clock.System{}, nil, c.jobs)
		})
	}
}
