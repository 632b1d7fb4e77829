package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runCLI runs one operator command on dataDir and returns its exit code and
// output.
func runCLI(t *testing.T, dataDir string, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error"}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

// The demo seed creates a clinic with made-up patients, reuses it when run
// again, and the tenant commands see, suspend, reactivate and extend it.
func TestSeedDemoAndTenantCommands(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, dir, "seed", "demo", "--clinic", "Sunrise Clinic", "--patients", "30")
	if code != 0 || !strings.Contains(out, "Created Sunrise Clinic at http://sunrise-clinic.localhost:8080/login") ||
		!strings.Contains(out, "Sign in as admin@sunrise-clinic.example with password: ") || !strings.Contains(out, "Added 30 patients") ||
		!strings.Contains(out, "Staff, each with the password ") || !strings.Contains(out, "  Dr Amara Osei (doctor): amara@sunrise-clinic.example\n") {
		t.Fatalf("first seed: exit %d\n%s%s", code, out, errs)
	}
	var booked int
	if m := regexp.MustCompile(`Added (\d+) appointments`).FindStringSubmatch(out); m != nil {
		booked, _ = strconv.Atoi(m[1])
	}
	if booked < 300 {
		t.Fatalf("the demo calendar: %d appointments, want a month of them\n%s", booked, out)
	}
	code, out, errs = runCLI(t, dir, "seed", "demo", "--clinic", "Sunrise Clinic", "--patients", "5")
	if code != 0 || !strings.Contains(out, "Using the existing clinic Sunrise Clinic (sunrise-clinic)") || !strings.Contains(out, "Added 5 patients") {
		t.Fatalf("second seed: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out, "Staff, each") || strings.Contains(out, "appointments") {
		t.Fatalf("the second seed made the staff or the calendar again:\n%s", out)
	}

	show := func() string {
		t.Helper()
		code, out, errs := runCLI(t, dir, "tenant", "show", "sunrise-clinic")
		if code != 0 {
			t.Fatalf("tenant show: exit %d %s", code, errs)
		}
		return out
	}
	if out := show(); !strings.Contains(out, "Patients:      35") || !strings.Contains(out, "Users:         5") || !strings.Contains(out, "Status:        active") {
		t.Fatalf("tenant show after seeding:\n%s", out)
	}
	if code, out, _ := runCLI(t, dir, "tenant", "list"); code != 0 || !strings.Contains(out, "sunrise-clinic") || !strings.Contains(out, "trial") {
		t.Fatalf("tenant list: exit %d\n%s", code, out)
	}
	for _, step := range []struct {
		args []string
		show string
	}{
		{[]string{"tenant", "suspend", "sunrise-clinic"}, "Status:        suspended"},
		{[]string{"tenant", "activate", "sunrise-clinic"}, "Status:        active"},
		{[]string{"tenant", "set-expiry", "sunrise-clinic", "2031-01-31"}, "Expires:       2031-01-31T23:59:59Z"},
		{[]string{"tenant", "set-expiry", "sunrise-clinic", "2031-01-31"}, "Subscription:  in its trial"},
		{[]string{"tenant", "set-expiry", "sunrise-clinic", "2001-01-31"}, "Subscription:  suspended since 2001-02-07T23:59:59Z"},
		{[]string{"tenant", "monitor"}, "Subscription:  suspended since 2001-02-07T23:59:59Z"},
		{[]string{"tenant", "record-payment", "sunrise-clinic", "--plan", "yearly", "--reference", "TR 2031/7"}, "Plan:          yearly\n"},
		{[]string{"tenant", "record-payment", "sunrise-clinic", "--plan", "yearly", "--reference", "TR 2031/7"}, "Subscription:  active"},
	} {
		if code, out, errs := runCLI(t, dir, step.args...); code != 0 {
			t.Fatalf("%v: exit %d %s%s", step.args, code, out, errs)
		}
		if out := show(); !strings.Contains(out, step.show) {
			t.Fatalf("after %v:\n%s", step.args, out)
		}
	}

	for _, bad := range [][]string{
		{"seed", "demo", "--patients", "-1"},
		{"seed", "nonsense"},
		{"tenant", "set-expiry", "sunrise-clinic", "31/01/2031"},
		{"tenant", "frobnicate", "sunrise-clinic"},
		{"tenant", "monitor", "sunrise-clinic"},
		{"tenant", "record-payment", "sunrise-clinic", "--plan", "weekly", "--reference", "R"},
	} {
		if code, _, errs := runCLI(t, dir, bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", bad, code, errs)
		}
	}
	if code, _, errs := runCLI(t, dir, "tenant", "show", "nowhere"); code != 1 || !strings.Contains(errs, `no clinic "nowhere"`) {
		t.Errorf("show of an unknown clinic: exit %d %q", code, errs)
	}
}
