package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/wardclinic/ward/core/config"
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

func TestReadyLine(t *testing.T) {
	cases := []struct{ publicURL, want string }{
		{"http://localhost:8080", "Ward is ready: http://localhost:8080 (clinics at http://NAME.localhost:8080)"},
		{"https://ward.example.com", "Ward is ready: https://ward.example.com (clinics at https://NAME.ward.example.com)"},
		{"https://example.com:8443", "Ward is ready: https://example.com:8443 (clinics at https://NAME.example.com:8443)"},
	}
	for _, c := range cases {
		if got := readyLine(c.publicURL); got != c.want {
			t.Errorf("readyLine(%q) = %q, want %q", c.publicURL, got, c.want)
		}
	}
}

// lockedBuffer is a log destination written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitReady asks base/readyz until it answers 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("Ward did not become ready")
		}
	}
}

// Ending the context, as a signal does (with the signal as its cause), is a
// clean stop: exit code 0, after the line that tells the address to open.
func TestServeStopsCleanlyWhenContextEnds(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"DATA_DIR": t.TempDir(), "PORT": "18081"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	ctx, cancel := context.WithCancelCause(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- serveOn(ctx, cfg, zerolog.New(&logs), func() (net.Listener, error) { return ln, nil })
	}()

	waitReady(t, "http://"+ln.Addr().String())
	cancel(errors.New("interrupt signal received"))
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d after a clean stop, want 0; log:\n%s", c, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"level":"error"`) {
			t.Errorf("an error was logged while Ward started and stopped cleanly: %s", line)
		}
	}
	if want := "Ward is ready: http://localhost:18081 (clinics at http://NAME.localhost:18081)"; !strings.Contains(logs.String(), want) {
		t.Errorf("no line %q in the log:\n%s", want, logs.String())
	}
}

// The ward process stops with exit code 0 on Ctrl-C (SIGINT) and SIGTERM.
func TestSignalExitsZero(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			ln.Close()

			cmd := exec.Command(os.Args[0], "serve")
			cmd.Env = []string{"WARD_RUN_MAIN=1", "PORT=" + port, "DATA_DIR=" + t.TempDir()}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ready := make(chan struct{})
			var out strings.Builder
			read := make(chan struct{})
			go func() {
				defer close(read)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					out.WriteString(sc.Text() + "\n")
					if strings.Contains(sc.Text(), "Ward is ready: http://localhost:"+port) {
						close(ready)
					}
				}
			}()
			select {
			case <-ready:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-read
				t.Fatalf("no ready line within 20s:\n%s", out.String())
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			<-read
			err = cmd.Wait()
			if err != nil {
				t.Fatalf("after %s: %v (want exit code 0)\n%s", sig, err, out.String())
			}
		})
	}
}
