// Command lablt is bench/lab.sh's Go side: it runs one Swarm Lab run with a
// given scenario, prints the textbook bound for a scenario, or serves the
// lab's own tracker for the libtorrent swarm (ltswarm.py) to meet through.
// Everything listens on 127.0.0.1 and stops by itself.
//
//	go run ./bench/lablt swarmscope -n 10 -size 8192000 -chunk 262144 -u 819200 -us 8192000 -d 8192000
//	go run ./bench/lablt bound -n 10 -size ... -u ... -us ... -d ...
//	go run ./bench/lablt tracker -deadline 10m    (prints the announce URL, then serves)
//
// Output of "swarmscope" and "bound" is one line of key=value fields, so the
// shell script can pick them apart; sizes and rates are in bytes and bytes/s
// (d = 0: unlimited).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "swarmscope":
		err = runLab(os.Args[2:])
	case "bound":
		err = printBound(os.Args[2:])
	case "tracker":
		err = serveTracker(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lablt:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: lablt swarmscope|bound|tracker [flags]")
	os.Exit(2)
}

// scenarioFlags reads N, F, the chunk size and the rates into a lab.Config
// that starts from the lab's defaults.
func scenarioFlags(name string, args []string) (*flag.FlagSet, *lab.Config, error) {
	cfg := lab.DefaultConfig()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.IntVar(&cfg.Peers, "n", cfg.Peers, "peers N")
	fs.Int64Var(&cfg.FileSize, "size", cfg.FileSize, "file size F, bytes")
	fs.Int64Var(&cfg.PieceLength, "chunk", cfg.PieceLength, "piece size, bytes")
	fs.Int64Var(&cfg.PeerUpload, "u", cfg.PeerUpload, "each peer's upload, bytes/s")
	fs.Int64Var(&cfg.SeedUpload, "us", cfg.SeedUpload, "the server's upload, bytes/s")
	fs.Int64Var(&cfg.PeerDownload, "d", cfg.PeerDownload, "each peer's download, bytes/s (0 = unlimited)")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "give up after (0: the lab's 30 s + 4 × bound)")
	err := fs.Parse(args)
	return fs, &cfg, err
}

func runLab(args []string) error {
	_, cfg, err := scenarioFlags("swarmscope", args)
	if err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := lab.Run(ctx, *cfg, nil)
	if err != nil {
		return err
	}
	waste := res.WastedShare()
	d := "nan"
	if res.Finished {
		d = fmt.Sprintf("%.3f", res.D.Seconds())
	}
	notes := strings.ReplaceAll(strings.Join(res.Notes, "; "), "\n", " ")
	fmt.Printf("D=%s bound=%.3f finished=%t waste=%.4f cpu=%.2f machine_limited=%t notes=%q\n",
		d, res.Bound.Seconds(), res.Finished, waste, res.CPU.Process, res.MachineLimited, notes)
	return nil
}

func printBound(args []string) error {
	_, cfg, err := scenarioFlags("bound", args)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	b := cfg.Bound()
	fmt.Printf("bound=%.6f set_by=%q\n", b.Seconds(), b.Limited)
	return nil
}

// serveTracker runs the tracker exactly as the lab configures it (1 s
// announce interval, 50 peers per answer), on 127.0.0.1, until SIGTERM,
// SIGINT or the deadline.
func serveTracker(args []string) error {
	fs := flag.NewFlagSet("tracker", flag.ContinueOnError)
	deadline := fs.Duration("deadline", 10*time.Minute, "stop after this long")
	interval := fs.Duration("interval", time.Second, "announce interval handed out")
	maxPerIP := fs.Int("max-per-ip", 1000, "entries one IP may hold (every peer is 127.0.0.1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{
		Interval:      *interval,
		MinInterval:   *interval,
		NumWant:       50,
		MaxPeersPerIP: *maxPerIP,
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(srv.HTTPAnnounceURL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *deadline)
	defer cancel()
	<-ctx.Done()
	return nil
}
