package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/app"
	"github.com/wardclinic/ward/core/auth"
	"github.com/wardclinic/ward/core/config"
	"github.com/wardclinic/ward/core/db"
	"github.com/wardclinic/ward/core/kit"
	"github.com/wardclinic/ward/core/logging"
	"github.com/wardclinic/ward/core/money"
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules"
	"github.com/wardclinic/ward/modules/appointments"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/services"
	"github.com/wardclinic/ward/modules/subscriptions"
	"github.com/wardclinic/ward/policies"
	"github.com/wardclinic/ward/static"
	"github.com/wardclinic/ward/templates"
)

// ward is Ward assembled for a command that works on the database without
// serving HTTP.
type ward struct {
	cfg   *config.Config
	log   zerolog.Logger
	store *db.Store
	ward  *kit.Ward
	app   *app.App
}

// open connects to the configured database, builds Ward and waits until the
// database answers and the indexes exist.
func open(ctx context.Context, getenv func(string) string, stderr io.Writer) (*ward, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	log := logging.New(stderr, cfg.Production(), "warn")
	store, err := db.Open(db.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	w, err := kit.Build(kit.Options{Config: cfg, Log: log, Store: store, Templates: templates.FS, Static: static.FS}, modules.All()...)
	if err != nil {
		_ = store.Close(ctx)
		return nil, err
	}
	a := w.App
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.Start(sctx); err != nil {
		_ = store.Close(ctx)
		return nil, fmt.Errorf("database: %w", err)
	}
	return &ward{cfg: cfg, log: log, store: store, ward: w, app: a}, nil
}

func (w *ward) close() { _ = w.store.Close(context.Background()) }

// tenantCmd runs the operator's tenant commands.
func tenantCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, tenantUsage)
		return 2
	}
	var pay *subscription.NewPayment
	if args[0] == "record-payment" {
		var ok bool
		if pay, ok = paymentArgs(args[1:], stderr); !ok {
			return 2
		}
		args = args[:2]
	}
	w, err := open(ctx, getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return configOrRuntime(err)
	}
	defer w.close()
	reg := w.ward.Platform.Tenants()
	now := time.Now().UTC()

	need := func(n int) (*tenant.Tenant, bool) {
		if len(args) != n {
			fmt.Fprintf(stderr, "ward tenant %s: expected %d argument(s)\n", args[0], n-1)
			return nil, false
		}
		t, err := reg.BySubdomain(ctx, strings.ToLower(args[1]))
		if err != nil {
			fmt.Fprintf(stderr, "ward: no clinic %q\n", args[1])
			return nil, false
		}
		return t, true
	}
	switch args[0] {
	case "list":
		ts, err := reg.List(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "ward: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SUBDOMAIN\tNAME\tSTATUS\tPLAN\tEXPIRES")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Subdomain, t.Name, t.Status, t.Subscription.Plan, t.Subscription.ExpiresAt.Format(time.DateOnly))
		}
		_ = tw.Flush()
		return 0
	case "show":
		t, ok := need(2)
		if !ok {
			return 1
		}
		tdb := w.ward.Platform.Clinic(t.ID)
		users, _ := tdb.Collection("users").Count(ctx, db.Filter{})
		pats, _ := tdb.Collection("patients").Count(ctx, db.Filter{})
		st := subscription.DefaultRules().At(t.Subscription.Plan, t.Subscription.ExpiresAt, now)
		fmt.Fprintf(stdout, "Name:          %s\nSubdomain:     %s\nID:            %s\nStatus:        %s\nPlan:          %s\nExpires:       %s\nSubscription:  %s\nCreated:       %s\nUsers:         %d\nPatients:      %d\n",
			t.Name, t.Subdomain, t.ID, t.Status, t.Subscription.Plan,
			t.Subscription.ExpiresAt.Format(time.RFC3339), stateWords(st), t.CreatedAt.Format(time.RFC3339), users, pats)
		return 0
	case "suspend", "activate":
		t, ok := need(2)
		if !ok {
			return 1
		}
		status := map[string]string{"suspend": tenant.StatusSuspended, "activate": tenant.StatusActive}[args[0]]
		if t.Status == tenant.StatusProvisioning {
			fmt.Fprintf(stderr, "ward: %s is still being set up\n", t.Subdomain)
			return 1
		}
		if _, err := reg.SetStatus(ctx, t.ID, status, now); err != nil {
			fmt.Fprintf(stderr, "ward: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s is now %s (running servers notice within %s)\n", t.Subdomain, status, tenant.CacheTTL)
		return 0
	case "set-expiry":
		t, ok := need(3)
		if !ok {
			return 1
		}
		d, err := time.Parse(time.DateOnly, args[2])
		if err != nil {
			fmt.Fprintf(stderr, "ward: expiry %q: use YYYY-MM-DD\n", args[2])
			return 2
		}
		end := d.Add(24*time.Hour - time.Second)
		if _, err := reg.SetExpiry(ctx, t.ID, end, now); err != nil {
			fmt.Fprintf(stderr, "ward: %v\n", err)
			return 1
		}
		st := subscription.DefaultRules().At(t.Subscription.Plan, end, now)
		fmt.Fprintf(stdout, "%s now expires at %s: %s (running servers notice within %s)\n",
			t.Subdomain, end.Format(time.RFC3339), stateWords(st), tenant.CacheTTL)
		return 0
	case "record-payment":
		t, ok := need(2)
		if !ok {
			return 1
		}
		return recordPayment(ctx, w, t, *pay, stdout, stderr)
	case "monitor":
		if len(args) != 1 {
			fmt.Fprintln(stderr, "ward tenant monitor: expected no arguments")
			return 2
		}
		return monitor(ctx, w, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ward tenant: unknown command %q\n", args[0])
	return 2
}

const tenantUsage = "usage: ward tenant list | show SUB | suspend SUB | activate SUB | set-expiry SUB YYYY-MM-DD | record-payment SUB --plan PLAN --reference REF | monitor"

// paymentArgs reads record-payment's arguments: SUB --plan PLAN
// --reference REF [--method METHOD]. The plan and the reference are
// checked here, so a mistake is bad usage (exit 2) before the database is
// opened.
func paymentArgs(args []string, stderr io.Writer) (*subscription.NewPayment, bool) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: ward tenant record-payment SUB --plan PLAN --reference REF [--method METHOD]")
		return nil, false
	}
	fs := flag.NewFlagSet("tenant record-payment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	plan := fs.String("plan", "", "the plan paid for: "+strings.Join(planKeys(), ", "))
	ref := fs.String("reference", "", "the payment's reference (the bank transfer's)")
	method := fs.String("method", "Bank transfer", "how it was paid, as the clinic's admins will read it")
	if err := fs.Parse(args[1:]); err != nil {
		return nil, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ward tenant record-payment: unexpected %q\n", fs.Arg(0))
		return nil, false
	}
	np := &subscription.NewPayment{Plan: *plan, Reference: *ref, Provider: subscription.Manual,
		Method: strings.TrimSpace(*method), Source: "Ward's operator"}
	if np.Method == "" {
		np.Method = "Bank transfer"
	}
	if _, err := np.Check(policies.SubscriptionPlans()); err != nil {
		switch {
		case errors.Is(err, subscription.ErrNoPlan):
			fmt.Fprintf(stderr, "ward tenant record-payment: --plan %q: choose one of %s\n", *plan, strings.Join(planKeys(), ", "))
		default:
			fmt.Fprintf(stderr, "ward tenant record-payment: --reference: give the payment's reference (at most %d printable characters)\n", subscription.MaxReference)
		}
		return nil, false
	}
	return np, true
}

// planKeys are the plans a clinic can pay for.
func planKeys() []string {
	var keys []string
	for _, p := range policies.SubscriptionPlans().ForSale() {
		keys = append(keys, p.Key)
	}
	return keys
}

// recordPayment records a payment the operator received for clinic t and
// says what it bought.
func recordPayment(ctx context.Context, w *ward, t *tenant.Tenant, np subscription.NewPayment, stdout, stderr io.Writer) int {
	r, err := w.ward.Platform.RecordPayment(ctx, t.ID, np)
	if err != nil {
		fmt.Fprintf(stderr, "ward: %s: %v\n", t.Subdomain, err)
		return 1
	}
	p := r.Payment
	if r.Duplicate {
		fmt.Fprintf(stdout, "%s: the payment %s was recorded on %s; nothing changed. %s is %s until %s.\n",
			t.Subdomain, p.Reference, p.PaidAt.Format(time.RFC3339), t.Subdomain, r.Status.State, r.Status.ExpiresAt.Format(time.RFC3339))
		return 0
	}
	fmt.Fprintf(stdout, "%s paid %s for the %s plan (%s): %s → active until %s (running servers notice within %s)\n",
		t.Subdomain, money.Format(p.Amount, p.Currency), p.Plan, p.Reference, p.Before, p.PeriodEnd.Format(time.RFC3339), tenant.CacheTTL)
	return 0
}

// monitor runs one pass of the subscription monitor now, beside any
// server's daily run: it takes no lease, as everything the monitor writes
// (a history entry, a reminder) is claimed once by a unique key, so a
// pass run twice writes nothing twice.
func monitor(ctx context.Context, w *ward, stdout, stderr io.Writer) int {
	for _, j := range w.ward.Jobs() {
		if j.Name != subscriptions.MonitorJob {
			continue
		}
		start := time.Now()
		if err := j.Run(ctx); err != nil {
			fmt.Fprintf(stderr, "ward: %s: %v\n", j.Name, err)
			return 1
		}
		fmt.Fprintf(stdout, "The %s ran over every clinic in %s: transitions recorded, reminders queued.\n", j.Name, time.Since(start).Round(time.Millisecond))
		return 0
	}
	fmt.Fprintln(stderr, "ward: this Ward has no subscription monitor")
	return 1
}

// stateWords says where a clinic is in its subscription's lifecycle, for
// the operator.
func stateWords(st subscription.Status) string {
	switch st.State {
	case subscription.Trial:
		return "in its trial"
	case subscription.Active:
		return "active"
	case subscription.Grace:
		return "lapsed, read-only until " + st.GraceEnds.Format(time.RFC3339)
	}
	if st.GraceEnds.IsZero() {
		return "suspended"
	}
	return "suspended since " + st.GraceEnds.Format(time.RFC3339)
}

// seedCmd creates demo data: `ward seed demo --clinic NAME --patients N`.
func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "demo" {
		fmt.Fprintln(stderr, "usage: ward seed demo --clinic NAME [--subdomain SUB] [--patients N]")
		return 2
	}
	fs := flag.NewFlagSet("seed demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("clinic", "Demo Clinic", "the clinic's name")
	sub := fs.String("subdomain", "", "the clinic's subdomain (default: from the name)")
	n := fs.Int("patients", 200, "how many made-up patients to add")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *n < 0 || *n > 1_000_000 {
		fmt.Fprintln(stderr, "ward seed demo: --patients must be 0 to 1000000")
		return 2
	}
	if *sub == "" {
		*sub = slug(*name)
	}
	w, err := open(ctx, getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return configOrRuntime(err)
	}
	defer w.close()

	t, err := w.ward.Platform.Tenants().BySubdomain(ctx, *sub)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		var ob *onboarding.Module
		for _, m := range w.ward.Services.Modules() {
			if o, ok := m.(*onboarding.Module); ok {
				ob = o
			}
		}
		password := randomPassword()
		email := "admin@" + *sub + ".example"
		t, err = ob.CreateClinic(ctx, onboarding.Form{ClinicName: *name, Subdomain: *sub, AdminName: "Demo Admin",
			AdminEmail: email, AdminPassword: password, Timezone: "UTC", Currency: "USD"})
		if err != nil {
			fmt.Fprintf(stderr, "ward: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Created %s at %s\nSign in as %s with password: %s\n",
			t.Name, w.ward.Platform.Links().ClinicURL(t.Subdomain, "/login"), email, password)
	case err != nil:
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return 1
	default:
		fmt.Fprintf(stdout, "Using the existing clinic %s (%s)\n", t.Name, t.Subdomain)
	}

	start := time.Now()
	err = patients.SeedDemo(ctx, w.ward.Platform.Clinic(t.ID), *n, uint64(time.Now().UnixNano()), time.Now().UTC(), func(done int) {
		fmt.Fprintf(stdout, "\r%d/%d patients", done, *n)
	})
	fmt.Fprintln(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Added %d patients in %s\n", *n, time.Since(start).Round(time.Millisecond))
	if err := seedCalendar(ctx, w, t, *sub, stdout); err != nil {
		fmt.Fprintf(stderr, "ward: %v\n", err)
		return 1
	}
	return 0
}

// demoStaff are the made-up staff of a demo clinic: the first three see
// patients.
var demoStaff = []struct{ name, login, role string }{
	{"Dr Amara Osei", "amara", "doctor"},
	{"Dr Lukas Weber", "lukas", "doctor"},
	{"Joy Mensah", "joy", "nurse"},
	{"Rita Reyes", "rita", "receptionist"},
}

// seedCalendar gives a demo clinic its staff (each with the password it
// prints, once), services, working hours and a month of appointments.
func seedCalendar(ctx context.Context, w *ward, t *tenant.Tenant, sub string, stdout io.Writer) error {
	tdb, now := w.ward.Platform.Clinic(t.ID), time.Now().UTC()
	password := randomPassword()
	var providers []string
	for i, s := range demoStaff {
		email := s.login + "@" + sub + ".example"
		u, err := auth.UserByEmail(ctx, tdb, email)
		if errors.Is(err, auth.ErrUserNotFound) {
			u = &auth.User{Name: s.name, Email: email, RoleKey: s.role}
			if err = auth.CreateUser(ctx, tdb, u, password, now); err == nil {
				if i == 0 {
					fmt.Fprintf(stdout, "Staff, each with the password %s:\n", password)
				}
				fmt.Fprintf(stdout, "  %s (%s): %s\n", s.name, s.role, email)
			}
		}
		if err != nil {
			return err
		}
		if i < 3 {
			providers = append(providers, u.ID)
		}
	}
	services, err := services.SeedDemo(ctx, tdb, now)
	if err != nil {
		return err
	}
	n, err := appointments.SeedDemo(ctx, tdb, appointments.Demo{Providers: providers, Services: services,
		Zone: settings.Zone(ctx, tdb), Seed: uint64(now.UnixNano()), Now: now})
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(stdout, "Added %d appointments (two weeks back, two weeks ahead)\n", n)
	}
	return nil
}

// slug makes a subdomain from a clinic name: "Sunrise Clinic" → "sunrise-clinic".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > tenant.MaxSubdomain {
		s = strings.Trim(s[:tenant.MaxSubdomain], "-")
	}
	return s
}

func randomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// configOrRuntime is the exit code for err: 2 for configuration, 1 otherwise.
func configOrRuntime(err error) int {
	var ce *config.Error
	if errors.As(err, &ce) {
		return 2
	}
	return 1
}
