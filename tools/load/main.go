// Command load measures Ward end to end and prints ratios from one run.
//
//	go run ./tools/load [-patients 1000] [-clinics 5] [-c 4] [-d 5s] [-n 5000]
//
// It starts a whole Ward in this process — the embedded database in a
// temporary DATA_DIR, the same modules and wiring as `ward serve`
// (kit.Build, app.Start, server.Serve) and a real HTTP server on
// 127.0.0.1 with a random port — then creates clinics full of made-up
// patients, signs in through the real sign-in page, and for each scenario runs
// C concurrent workers for D or N requests, whichever comes first.
//
// The machine is small and shared, so absolute timings vary from run to run;
// what this tool is for are the RATIOS inside one run: how much slower a
// signed-in page is than /healthz, how many pages of a kind per dashboard
// page, and how many database round trips each request costs (the store
// counts the commands it sends). Client, server and database share the same
// CPUs, so the numbers are Ward's cost as a whole, not the network's.
//
// Every request goes to 127.0.0.1 (the client dials only the listener's
// address, whatever the host name says); every loop is bounded in requests and
// time, and the program stops by itself. The background jobs of `ward serve`
// (mail, clean-ups) are not started: they would add their own round trips to
// what is counted per request.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/server"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules"
	"github.com/wardclinic/ward/modules/appointments"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// password of the admin of every clinic the tool creates.
const password = "correct horse battery staple"

// options are the command-line flags.
type options struct {
	patients int           // patients per clinic
	clinics  int           // clinics, all of the same size; the last is measured
	workers  int           // concurrent workers per scenario
	duration time.Duration // how long each scenario runs at most
	requests int           // how many requests each scenario sends at most
	timeout  time.Duration // one request's limit
	verbose  bool          // Ward's log on stderr
}

func main() {
	var o options
	flag.IntVar(&o.patients, "patients", 1000, "made-up patients in each clinic")
	flag.IntVar(&o.clinics, "clinics", 5, "clinics of that size (the last one is measured, the others make the collections bigger)")
	flag.IntVar(&o.workers, "c", 4, "concurrent workers per scenario")
	flag.DurationVar(&o.duration, "d", 5*time.Second, "how long each scenario runs at most")
	flag.IntVar(&o.requests, "n", 5000, "how many requests each scenario sends at most")
	flag.DurationVar(&o.timeout, "timeout", time.Minute, "limit of one request")
	flag.BoolVar(&o.verbose, "v", false, "write Ward's log (JSON) to stderr")
	flag.Parse()
	switch {
	case o.patients < 0 || o.patients > 100_000:
		fail(errors.New("-patients must be 0 to 100000"))
	case o.clinics < 1 || o.clinics > 50:
		fail(errors.New("-clinics must be 1 to 50"))
	case o.workers < 1 || o.workers > 256:
		fail(errors.New("-c must be 1 to 256"))
	case o.duration <= 0 || o.duration > 10*time.Minute:
		fail(errors.New("-d must be more than 0 and at most 10m"))
	case o.requests < 1 || o.requests > 1_000_000:
		fail(errors.New("-n must be 1 to 1000000"))
	case o.timeout <= 0 || o.timeout > 5*time.Minute:
		fail(errors.New("-timeout must be more than 0 and at most 5m"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(1)
}

func run(ctx context.Context, o options) error {
	began := time.Now()
	dir, err := os.MkdirTemp("", "ward-load-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// --- Ward, wired as serve.go does ---------------------------------
	cfg, err := config.Load(func(k string) string { return map[string]string{"DATA_DIR": dir}[k] })
	if err != nil {
		return err
	}
	// Request logs are written as in production (JSON, info) so their cost
	// is part of the measurement, but thrown away unless -v.
	var logw io.Writer = io.Discard
	if o.verbose {
		logw = os.Stderr
	}
	log := logging.New(logw, true, cfg.LogLevel)
	store, err := db.Open(db.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = store.Close(cctx)
	}()
	w, err := kit.Build(kit.Options{Config: cfg, Log: log, Store: store, Templates: templates.FS, Static: static.FS}, modules.All()...)
	if err != nil {
		return err
	}
	a := w.App
	handler, err := a.Handler()
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	err = a.Start(sctx)
	cancel()
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(srvCtx, ln, handler, server.Options{ReadTimeout: cfg.ReadTimeout,
			WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, ShutdownTimeout: 5 * time.Second}, log)
	}()
	defer func() {
		stopServer()
		<-served // Serve returns within its shutdown timeout
	}()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	// --- Clinics and patients -------------------------------------------
	// The clinic measured is the last one made, its records behind everyone
	// else's: its pages are index range scans and should not depend on the
	// other clinics (compare a run with -clinics 1).
	seeded := time.Now()
	var clinic *loadClinic
	for i := 1; i <= o.clinics; i++ {
		c, err := newClinic(ctx, w.Platform, fmt.Sprintf("loadclinic%d", i))
		if err != nil {
			return err
		}
		if err := patients.SeedDemo(ctx, c.tdb, o.patients, uint64(i), time.Now().UTC(), nil); err != nil {
			return err
		}
		if _, err := appointments.SeedDemo(ctx, c.tdb, appointments.Demo{Providers: c.providers, Zone: time.UTC,
			Seed: uint64(i), Now: time.Now().UTC()}); err != nil {
			return err
		}
		clinic = c
	}
	seedTime := time.Since(seeded)
	// Patients to open on the patient page: up to 100 spread evenly over the
	// clinic's patients (one query, outside the measurement).
	var all []struct {
		ID     string `bson:"_id"`
		Active bool   `bson:"active"`
	}
	if err := clinic.tdb.Collection("patients").Find(ctx, db.Filter{}, &all, db.FindOptions{Fields: []string{db.IDField, "active"}}); err != nil {
		return err
	}
	var ids, active []string // active: whom a booking may name
	for i := 0; i < len(all) && len(ids) < 100; i += max(len(all)/100, 1) {
		ids = append(ids, all[i].ID)
		if all[i].Active {
			active = append(active, all[i].ID)
		}
	}

	// --- Clients: one anonymous and one signed-in browser per worker ----
	host := clinic.sub + "." + cfg.BaseDomain + ":" + port
	anon := make([]*client, o.workers)
	staffc := make([]*client, o.workers)
	for w := range o.workers {
		anon[w] = newClient(addr, host, o.timeout)
		staffc[w] = newClient(addr, host, o.timeout)
		if err := staffc[w].signIn(ctx, clinic.email); err != nil {
			return err
		}
	}
	platform := newClient(addr, cfg.BaseDomain+":"+port, o.timeout)
	platforms := make([]*client, o.workers)
	for w := range platforms {
		platforms[w] = platform // /healthz needs no cookies: one shared client
	}

	fmt.Printf("Ward load: %d clinic(s) × %d patients (%d in the collection), %d workers, %s or %d requests per scenario, GOMAXPROCS %d, %s\n",
		o.clinics, o.patients, o.clinics*o.patients, o.workers, o.duration, o.requests, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Printf("set-up %.1fs (seeding %.1fs); measuring clinic %s\n\n", time.Since(began).Seconds(), seedTime.Seconds(), host)

	// A late page: near the end of a clinic's list, and no further than the
	// list pages (patients.MaxPages).
	latePage := max(1, min(patients.MaxPages, o.patients*8/10/patients.PageSize))

	// --- Scenarios --------------------------------------------------------
	scenarios := []scenario{
		{name: "GET /healthz", clients: platforms, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/healthz", nil }},
		{name: "GET /login", clients: anon, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/login", nil }},
		{name: "GET /dashboard", clients: staffc, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/dashboard", nil }},
		{name: "GET /patients", clients: staffc, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/patients", nil }},
		{name: "GET /patients?page=" + strconv.Itoa(latePage), clients: staffc, want: http.StatusOK,
			req: func(int) (string, string, []byte) {
				return http.MethodGet, "/patients?page=" + strconv.Itoa(latePage), nil
			}},
		{name: "GET /patients?q=smi", clients: staffc, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/patients?q=smi", nil }},
		{name: "GET /patients/:id", clients: staffc, want: http.StatusOK,
			req: func(i int) (string, string, []byte) { return http.MethodGet, "/patients/" + ids[i%len(ids)], nil }},
		{name: "POST /api/patients", clients: staffc, want: http.StatusCreated,
			req: func(i int) (string, string, []byte) {
				body := fmt.Sprintf(`{"firstName":"Load","lastName":"Tester %d","dateOfBirth":"1980-01-02","sex":"female","phone":"+1 555 010 %04d"}`, i, i%10000)
				return http.MethodPost, "/api/patients", []byte(body)
			}},
	}
	// Bookings far ahead, each at its own time: none is refused.
	bookFrom := time.Date(time.Now().Year()+3, 1, 5, 0, 0, 0, 0, time.UTC)
	scenarios = append(scenarios,
		scenario{name: "GET /appointments", clients: staffc, want: http.StatusOK,
			req: func(int) (string, string, []byte) { return http.MethodGet, "/appointments", nil }},
		scenario{name: "POST /api/appointments", clients: staffc, want: http.StatusCreated,
			req: func(i int) (string, string, []byte) {
				body := fmt.Sprintf(`{"patientId":%q,"providerId":%q,"start":%q,"minutes":10}`, active[i%len(active)],
					clinic.providers[0], bookFrom.Add(time.Duration(i)*10*time.Minute).Format(time.RFC3339))
				return http.MethodPost, "/api/appointments", []byte(body)
			}})
	if len(active) == 0 {
		scenarios = slices.DeleteFunc(scenarios, func(s scenario) bool {
			return s.name == "GET /patients/:id" || s.name == "POST /api/appointments"
		})
	}
	results := make([]result, 0, len(scenarios))
	for _, s := range scenarios {
		r, err := s.run(ctx, store, o)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("%-20s %6d req  %4d err  %8.1f req/s  p50 %-7s p95 %-7s p99 %-7s %.1f db/req\n",
			r.name, r.requests, r.errors, r.rate, ms(r.p50), ms(r.p95), ms(r.p99), r.dbPerReq)
		if r.firstErr != "" {
			fmt.Printf("%-20s first error: %s\n", "", r.firstErr)
		}
		results = append(results, r)
	}
	printTable(os.Stdout, results)
	fmt.Printf("\ntotal %.1fs\n", time.Since(began).Seconds())
	return nil
}

// loadClinic is a clinic made for the run.
type loadClinic struct {
	sub, email string
	tdb        *db.Tenant
	providers  []string // the admin and three doctors: the calendar's columns
}

// newClinic creates an active clinic with the default roles, settings and an
// admin directly in the database, as core/apptest's NewClinic does (the state
// onboarding leaves, without its pages).
func newClinic(ctx context.Context, p *kit.Platform, sub string) (*loadClinic, error) {
	now := time.Now().UTC()
	tn := &tenant.Tenant{ID: db.NewID(), Name: "Clinic " + sub, Subdomain: sub, Status: tenant.StatusActive,
		Subscription: tenant.Subscription{Plan: "trial", Status: "trialing", ExpiresAt: now.AddDate(0, 0, 7)}, CreatedAt: now, UpdatedAt: now}
	if err := p.Tenants().Insert(ctx, tn); err != nil {
		return nil, err
	}
	tdb := p.Clinic(tn.ID)
	if err := p.Seed(ctx, tdb, settings.Settings{ClinicName: tn.Name, Timezone: "UTC", Currency: "USD"}, now); err != nil {
		return nil, err
	}
	c := &loadClinic{sub: sub, email: "admin@" + sub + ".test", tdb: tdb}
	u := &auth.User{Name: "Ada Admin", Email: c.email, RoleKey: "admin"}
	if err := auth.CreateUser(ctx, tdb, u, password, now); err != nil {
		return nil, err
	}
	c.providers = append(c.providers, u.ID)
	for i := range 3 {
		d := &auth.User{Name: fmt.Sprintf("Dr Load %d", i+1), Email: fmt.Sprintf("doctor%d@%s.test", i+1, sub), RoleKey: "doctor"}
		if err := auth.CreateUser(ctx, tdb, d, password, now); err != nil {
			return nil, err
		}
		c.providers = append(c.providers, d.ID)
	}
	return c, nil
}

// client is one browser: its own cookie jar and CSRF token, redirects not
// followed, and every connection dialled to the listener on 127.0.0.1
// whatever host name the URL carries.
type client struct {
	http  *http.Client
	base  string // http://host:port
	host  string
	token string // CSRF token of the last page that had one
}

func newClient(addr, host string, timeout time.Duration) *client {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
		MaxIdleConnsPerHost: 64,
	}
	return &client{base: "http://" + host, host: host, http: &http.Client{
		Jar: jar, Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// do sends one request and reads the whole answer. JSON and form bodies
// carry same-origin headers and the CSRF token, as the browser would send.
func (c *client) do(ctx context.Context, method, path string, body []byte, form bool) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if method != http.MethodGet {
		req.Header.Set("Origin", c.base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-CSRF-Token", c.token)
		if form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, b, err
}

// signIn signs in through the pages: GET /login for the CSRF token, POST
// /login, then GET /dashboard for the session's own token.
func (c *client) signIn(ctx context.Context, email string) error {
	page := func(path string) error {
		status, b, err := c.do(ctx, http.MethodGet, path, nil, false)
		if err != nil {
			return err
		}
		m := csrfMeta.FindSubmatch(b)
		if status != http.StatusOK || m == nil {
			return fmt.Errorf("GET %s%s: %d without a CSRF token", c.host, path, status)
		}
		c.token = string(m[1])
		return nil
	}
	if err := page("/login"); err != nil {
		return err
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {c.token}}
	status, b, err := c.do(ctx, http.MethodPost, "/login", []byte(form.Encode()), true)
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("sign-in of %s: %d %s", email, status, snippet(b))
	}
	return page("/dashboard")
}

// scenario is one kind of request, sent by one client per worker.
type scenario struct {
	name    string
	clients []*client
	want    int                                            // the status that counts as success
	req     func(i int) (method, path string, body []byte) // the i-th request
}

// result is what one scenario measured.
type result struct {
	name             string
	requests, errors int
	rate             float64 // requests per second
	p50, p95, p99    time.Duration
	dbPerReq         float64 // database commands per request
	firstErr         string
}

// run sends one warm-up request (which must succeed), then lets the workers
// take request numbers until N are taken or D has passed. A request already
// sent when D passes is waited for (up to its timeout), so every request is
// counted with the database commands it caused.
func (s scenario) run(ctx context.Context, store *db.Store, o options) (result, error) {
	m, p, b := s.req(o.requests) // a number the measured run does not use
	status, body, err := s.clients[0].do(ctx, m, p, b, false)
	if err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	if status != s.want {
		return result{}, fmt.Errorf("warm-up: %d, want %d: %s", status, s.want, snippet(body))
	}

	lat := make([]time.Duration, o.requests) // slot i: request i's latency
	sent := make([]bool, o.requests)         // request i was sent (a number taken after D is not)
	ok := make([]bool, o.requests)           // and answered with the wanted status
	var next atomic.Int64
	var firstErr sync.Once
	var errText string
	// Hard stop: no request outlives D plus one request's timeout.
	rctx, cancel := context.WithTimeout(ctx, o.duration+o.timeout)
	defer cancel()
	cmds0 := store.Commands()
	start := time.Now()
	deadline := start.Add(o.duration)
	var wg sync.WaitGroup
	for w := range o.workers {
		c := s.clients[w]
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= o.requests || time.Now().After(deadline) || rctx.Err() != nil {
					return
				}
				m, p, b := s.req(i)
				t0 := time.Now()
				status, body, err := c.do(rctx, m, p, b, false)
				lat[i], sent[i] = time.Since(t0), true
				ok[i] = err == nil && status == s.want
				if !ok[i] {
					firstErr.Do(func() {
						if err != nil {
							errText = err.Error()
						} else {
							errText = fmt.Sprintf("%d %s %s: %s", status, m, p, snippet(body))
						}
					})
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cmds := store.Commands() - cmds0

	r := result{name: s.name, firstErr: errText}
	var done []time.Duration
	for i := range lat {
		if !sent[i] {
			continue
		}
		done = append(done, lat[i])
		if !ok[i] {
			r.errors++
		}
	}
	r.requests = len(done)
	if r.requests == 0 {
		return r, errors.New("no request was sent")
	}
	slices.Sort(done)
	r.p50, r.p95, r.p99 = pct(done, 50), pct(done, 95), pct(done, 99)
	r.rate = float64(r.requests) / elapsed.Seconds()
	r.dbPerReq = float64(cmds) / float64(r.requests)
	return r, nil
}

// pct is the p-th percentile of sorted latencies (nearest rank).
func pct(sorted []time.Duration, p float64) time.Duration {
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(k, 0)]
}

// printTable prints the summary: each scenario against /healthz (latency)
// and against the dashboard (throughput).
func printTable(w io.Writer, rs []result) {
	var health, dash *result
	for i := range rs {
		switch rs[i].name {
		case "GET /healthz":
			health = &rs[i]
		case "GET /dashboard":
			dash = &rs[i]
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\treqs\terrs\treq/s\tp50\tp95\tp99\tp50/healthz\tp95/healthz\treq/s vs dashboard\tdb/req\t")
	few := false
	for _, r := range rs {
		if r.requests < 20 {
			r.name += " *"
			few = true
		}
		vsH, vsH95, vsD := "-", "-", "-"
		if health != nil && health.p50 > 0 {
			vsH = fmt.Sprintf("×%.1f", float64(r.p50)/float64(health.p50))
		}
		if health != nil && health.p95 > 0 {
			vsH95 = fmt.Sprintf("×%.1f", float64(r.p95)/float64(health.p95))
		}
		if dash != nil && dash.rate > 0 {
			vsD = fmt.Sprintf("×%.3g", r.rate/dash.rate)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t\n",
			r.name, r.requests, r.errors, r.rate, ms(r.p50), ms(r.p95), ms(r.p99), vsH, vsH95, vsD, r.dbPerReq)
	}
	_ = tw.Flush()
	if few {
		fmt.Fprintln(w, "* fewer than 20 requests: its p95 and p99 are about its slowest few; run longer (-d) for more")
	}
}

// ms formats a latency with two or three significant digits.
func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
