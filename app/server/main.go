// Command nook-server runs a Nook group server: an untrusted store of
// fixed-size sealed blobs reached as a Tor onion service (docs/groups.md).
// It prints its invite as text and as a terminal QR code at start, and
// stops cleanly on SIGINT or SIGTERM.
//
//	nook-server --data-dir /var/lib/nook-server [--config FILE]
//	            [--export-bundle FILE] [--loopback-dir DIR]
//	            [--tor-private-network FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "nook-server:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: opts.file.logLevel}))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, opts, stdout, log); err != nil {
		fmt.Fprintln(stderr, "nook-server:", err)
		if h := hint(err); h != "" {
			fmt.Fprintln(stderr, "  hint:", h)
		}
		return 1
	}
	return 0
}
