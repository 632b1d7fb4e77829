package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardclinic/ward/core/apptest"
	"github.com/wardclinic/ward/core/db/dbtest"
	"github.com/wardclinic/ward/modules"
)

// A payment recorded while a clinic is in grace, and one recorded after a
// clinic was suspended, restore access at once on two Ward processes that
// share one database over MongoDB's wire protocol: the test starts FerretDB
// (dbtest: in this test binary, listening on 127.0.0.1 — or the MongoDB
// named by WARD_TEST_MONGODB_URI), serves Ward from this process and from a
// second process (the test binary re-run as `ward serve`, see TestMain),
// both with MONGODB_URI pointing at it, and records the payments with
// `ward tenant record-payment` (run()) on the same MONGODB_URI.
//
// Every Ward here runs on the system clock: the second process has no
// other, so this one's test clock is set to the time of day too, and the
// end dates are set relative to today.
func TestPaymentSeenBySecondProcessOverWire(t *testing.T) {
	uri := dbtest.MongoURI(t)
	s := apptest.Start(t, apptest.Options{Env: map[string]string{"MONGODB_URI": uri}}, modules.All()...)
	s.Clock.Set(time.Now())
	other := startWard(t, uri)

	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "MONGODB_URI": uri}
	cli := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
		return code, out.String() + errb.String()
	}
	today := time.Now().UTC()
	type clinic struct {
		name, ended string
		cl          *apptest.Clinic
		here, there *apptest.Client
	}
	clinics := []*clinic{
		{name: "grace", ended: today.AddDate(0, 0, -2).Format(time.DateOnly)},
		{name: "suspended", ended: today.AddDate(0, 0, -10).Format(time.DateOnly)},
	}
	for _, k := range clinics {
		k.cl = s.NewClinic(t, "wire-"+k.name)
		k.here = s.SignedIn(t, k.cl.Host, k.cl.Admin.Email)
		k.there = other.SignedIn(t, k.cl.Host, k.cl.Admin.Email)
		if code, out := cli("tenant", "set-expiry", k.cl.Subdomain, k.ended); code != 0 || !strings.Contains(out, k.name) {
			t.Fatalf("set-expiry %s: exit %d %s", k.ended, code, out)
		}
	}
	write := func(k *clinic, c *apptest.Client) string {
		c.Get(k.cl.Host, "/subscription") // a CSRF token in every state
		r := c.PostForm(k.cl.Host, "/patients", url.Values{"firstName": {"Wanda"}, "lastName": {"Wire"}})
		loc, _, _ := strings.Cut(r.Header.Get("Location"), "?")
		if strings.HasPrefix(loc, "/patients/") {
			loc = "/patients/ID"
		}
		return r.Status + " " + loc
	}
	each := func(k *clinic, want string, within time.Duration) {
		t.Helper()
		since := time.Now()
		for i, c := range []*apptest.Client{k.here, k.there} {
			waitFor(t, within-time.Since(since), func() (bool, string) {
				got := write(k, c)
				return got == want, fmt.Sprintf("%s, Ward process %d: %s, want %s", k.name, i+1, got, want)
			})
		}
	}
	for _, k := range clinics {
		each(k, "303 See Other /subscription", time.Second)
	}
	for _, k := range clinics {
		code, out := cli("tenant", "record-payment", k.cl.Subdomain, "--plan", "monthly", "--reference", "WIRE-"+k.name)
		if code != 0 || !strings.Contains(out, k.name+" → active until ") {
			t.Fatalf("record-payment %s: exit %d %s", k.name, code, out)
		}
		each(k, "303 See Other /patients/ID", time.Second)
	}
}

// startWard runs a second Ward process (this test binary as `ward serve`)
// on the database at uri, and returns it for clients once it is ready. It
// stops when the test ends.
func startWard(t *testing.T, uri string) *apptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = []string{"WARD_RUN_MAIN=1", "PORT=" + port, "MONGODB_URI=" + uri, "DATA_DIR=" + t.TempDir(),
		"PASSWORD_HASH_COST=4", "PATH=" + os.Getenv("PATH")}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logs.WriteString(sc.Text() + "\n")
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			defer mu.Unlock()
			t.Logf("the second Ward's log:\n%s", logs.String())
		}
	})
	waitReady(t, "http://127.0.0.1:"+port)
	return apptest.Elsewhere(port)
}
