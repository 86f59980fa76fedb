// Command pdca keeps an ISO/IEC 27001 ISMS's Plan-Do-Check-Act loop
// running: see pdca --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The IANA time zone database, embedded (about 450 kB), so that
	// organisations' and people's zones work on machines without
	// /usr/share/zoneinfo (distroless and scratch images, Windows).
	_ "time/tzdata"

	"github.com/pdca/pdca/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
