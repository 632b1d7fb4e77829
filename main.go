// Command ward is the Ward clinic management server and its operator tools.
//
//	ward serve            run the server (the default)
//	ward tenant …         operator commands on clinics
//	ward seed demo …      a clinic with made-up patients
//	ward help             list the commands
//
// Configuration comes from the environment; see README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code: 0 success,
// 1 failure while running, 2 bad usage or configuration.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "tenant":
		return tenantCmd(ctx, args, getenv, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "ward: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: ward <command>

Commands:
  serve                          run the Ward server (default)
  tenant list                    list the clinics
  tenant show SUB                show one clinic
  tenant suspend SUB             suspend a clinic (its staff see a suspension page)
  tenant activate SUB            make a suspended or inactive clinic active again
  tenant set-expiry SUB DATE     set the subscription's expiry (YYYY-MM-DD, end of day UTC)
  tenant record-payment SUB --plan PLAN --reference REF [--method METHOD]
                                 record a payment received (a bank transfer): the
                                 clinic is active at once for the plan's period
  tenant monitor                 run the daily subscription monitor now (history, reminders)
  seed demo --clinic NAME [--subdomain SUB] [--patients N]
                                 create (or reuse) a clinic with made-up patients
  help                           show this help

Configuration is read from the environment (PORT, BASE_DOMAIN, MONGODB_URI,
DATA_DIR, SESSION_SECRET, APP_ENV, SMTP_URL, ...); see README.md.
`)
}
