package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/swarmscope/swarmscope/engine/tracker"
)

// TrackerOptions are the flags of "swarmscope tracker".
type TrackerOptions struct {
	// Listen is the address for both HTTP and UDP, e.g. "127.0.0.1:6969".
	Listen string
	// NumWant is the most peers handed out per announce (0: 50).
	NumWant int
}

// Tracker runs the embedded tracker until ctx is cancelled. It prints the
// announce URLs and the status page address to stdout once listening.
func Tracker(ctx context.Context, stdout, stderr io.Writer, opts TrackerOptions) error {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:6969"
	}
	if opts.NumWant < 0 || opts.NumWant > 1000 {
		return fmt.Errorf("-numwant %d: must be between 0 and 1000", opts.NumWant)
	}
	// -numwant is both the default and the cap: "the most peers handed out".
	srv, err := tracker.Listen(opts.Listen, tracker.ServerConfig{NumWant: opts.NumWant, MaxNumWant: opts.NumWant})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Tracker listening on %s (HTTP and UDP)\n", srv.Addr())
	fmt.Fprintf(stdout, "  announce: %s\n", srv.HTTPAnnounceURL())
	fmt.Fprintf(stdout, "  announce: %s\n", srv.UDPAnnounceURL())
	fmt.Fprintf(stdout, "  status:   http://%s/\n", srv.Addr())
	<-ctx.Done()
	fmt.Fprintln(stderr, "tracker: shutting down")
	start := time.Now()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("closing tracker: %w", err)
	}
	fmt.Fprintf(stderr, "tracker: stopped in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}
