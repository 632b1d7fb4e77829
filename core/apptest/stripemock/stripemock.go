// Package stripemock runs stripe-mock (Stripe's API mock, the tool of
// tools/stripemock/go.mod) for tests: it builds it with the go command into
// the test's temporary directory, starts it on 127.0.0.1 on ports the
// system picks, waits until it answers and stops it when the test ends.
// Nothing is downloaded at run time beyond what the go command fetches for
// the pinned module (the module cache, or the module proxy on a fresh
// clone). It is imported only by tests.
//
// When stripe-mock cannot be built or started, the test fails if CI is set
// (CI must run the card payment tests) and is skipped, saying why,
// otherwise — as the browser tests treat a missing Chromium.
package stripemock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Key is a secret key stripe-mock accepts (any sk_test_ key does).
const Key = "sk_test_ward"

// toolDir is the module that pins stripe-mock, from the repository's root.
const toolDir = "tools/stripemock"

// pkg is stripe-mock's main package.
const pkg = "github.com/stripe/stripe-mock"

// Start starts stripe-mock and returns its base URL (STRIPE_API_BASE),
// e.g. "http://127.0.0.1:41234". It stops when t ends.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := build(t.TempDir())
	if err != nil {
		unavailable(t, err)
	}
	base, err := run(t, bin)
	if err != nil {
		unavailable(t, err)
	}
	return base
}

// unavailable fails the test under CI and skips it otherwise.
func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("stripe-mock is not available (%v); it is built from %s/go.mod with `go build %s`, which needs the go command and the module (from the module proxy or the module cache)", err, toolDir, pkg)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ". CI is set, so the card payment tests must run.")
	}
	t.Skip(msg + ". Skipping the card payment tests (they fail instead when CI is set).")
}

// build builds stripe-mock into dir (the go command's build cache makes
// every build after the first a link).
func build(dir string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "stripe-mock")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = filepath.Join(root, toolDir) // works with go.work and with GOWORK=off
	if b, err := cmd.CombinedOutput(); err != nil {
		if out := strings.TrimSpace(string(b)); out != "" {
			err = fmt.Errorf("%v:\n%s", err, out)
		}
		return "", fmt.Errorf("go build %s in %s: %w", pkg, toolDir, err)
	}
	return out, nil
}

// repoRoot is the repository's root: the nearest folder up from the
// test's working directory that holds tools/stripemock/go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, toolDir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New(toolDir + "/go.mod not found above the working directory")
		}
		dir = up
	}
}

// run starts the binary on ports the system picks, reads the HTTP address
// it prints and waits until it answers.
func run(t testing.TB, bin string) (string, error) {
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = pw.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		const prefix = "Listening for HTTP at address: "
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				addr <- strings.TrimSpace(a)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-exited:
		return "", errors.New("stripe-mock exited at start")
	case <-time.After(30 * time.Second):
		return "", errors.New("stripe-mock printed no address within 30 s")
	}
	return base, wait(base)
}

// wait polls stripe-mock until it answers an API call.
func wait(base string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/balance", nil)
		req.SetBasicAuth(Key, "")
		r, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /v1/balance: %s", r.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stripe-mock does not answer at %s: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond) // polling until it answers, not a fixed wait
	}
}
