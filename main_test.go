package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets tests run the real ward process: when WARD_RUN_MAIN is set
// the test binary acts as ward itself.
func TestMain(m *testing.M) {
	if os.Getenv("WARD_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runWard runs the ward process with env and returns its exit code and
// standard error.
func runWard(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append([]string{"WARD_RUN_MAIN=1", "DATA_DIR=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

func TestBadConfigurationStopsWithOneClearLine(t *testing.T) {
	cases := []struct {
		env  string
		want string
	}{
		{"PORT=http", "config: PORT=\"http\": must be a number from 1 to 65535"},
		{"PORT=99999", "config: PORT=\"99999\""},
		{"MONGODB_URI=localhost:27017", "config: MONGODB_URI="},
		{"APP_ENV=prod", "config: APP_ENV=\"prod\""},
		{"PUBLIC_URL=https://evil.example", "config: PUBLIC_URL=\"https://evil.example\": its host must be BASE_DOMAIN"},
	}
	for _, c := range cases {
		code, stderr := runWard(t, []string{c.env}, "serve")
		if code != 2 {
			t.Errorf("%s: exit code %d, want 2 (stderr %q)", c.env, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
			t.Errorf("%s: stderr = %q, want one line containing %q", c.env, stderr, c.want)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb); code != 2 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr = %q", errb.String())
	}
}

// With the database unreachable Ward still starts: /healthz answers 200 and
// /readyz 503, and the failure is logged.
func TestUnreachableDatabaseIsNotReady(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()

	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = []string{"WARD_RUN_MAIN=1", "PORT=" + port, "DATA_DIR=" + t.TempDir(), "APP_ENV=production",
		"SESSION_SECRET=" + strings.Repeat("x", 32), "PUBLIC_URL=https://localhost", "MONGODB_URI=mongodb://127.0.0.1:1/ward"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if !strings.Contains(stderr.String(), `"message":"database not reachable"`) {
			t.Errorf("no clear log line for the unreachable database:\n%s", stderr.String())
		}
	}()

	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("healthz: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz: %d, want 503", resp.StatusCode)
	}
	time.Sleep(4 * time.Second) // let a retry be logged
}
