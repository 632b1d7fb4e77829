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
	"github.com/wardclinic/ward/core/settings"
	"github.com/wardclinic/ward/core/subscription"
	"github.com/wardclinic/ward/core/tenant"
	"github.com/wardclinic/ward/modules"
	"github.com/wardclinic/ward/modules/appointments"
	"github.com/wardclinic/ward/modules/onboarding"
	"github.com/wardclinic/ward/modules/patients"
	"github.com/wardclinic/ward/modules/services"
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
		fmt.Fprintln(stderr, "usage: ward tenant list | show SUB | suspend SUB | activate SUB | set-expiry SUB YYYY-MM-DD")
		return 2
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
		fmt.Fprintf(stdout, "Name:          %s\nSubdomain:     %s\nID:            %s\nStatus:        %s\nPlan:          %s (%s)\nExpires:       %s\nSubscription:  %s\nCreated:       %s\nUsers:         %d\nPatients:      %d\n",
			t.Name, t.Subdomain, t.ID, t.Status, t.Subscription.Plan, t.Subscription.Status,
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
	}
	fmt.Fprintf(stderr, "ward tenant: unknown command %q\n", args[0])
	return 2
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
