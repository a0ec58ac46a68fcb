// Command swarmscope is a BitTorrent client that shows how the swarm works.
//
// This file holds flags and subcommands only; the work is done by the
// packages under app/ and engine/. With no subcommand the desktop app starts.
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
	"strings"
	"syscall"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/app/cli"
)

// subcommand is one verb of the command line.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"info", "show what a .torrent file or magnet link holds", infoCommand},
		{"create", "make a .torrent from a file or folder", createCommand},
		{"tracker", "run the embedded BitTorrent tracker", trackerCommand},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	global := flag.NewFlagSet("swarmscope", flag.ContinueOnError)
	global.SetOutput(stderr)
	verbose := global.Bool("v", false, "verbose logging (debug level) on stderr")
	global.Usage = func() { usage(stderr, global) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))

	rest := global.Args()
	if len(rest) == 0 {
		return startGUI(stderr)
	}
	for _, sc := range subcommands() {
		if sc.name != rest[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := sc.run(ctx, rest[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "swarmscope %s: %v\n", sc.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "swarmscope: unknown subcommand %q\n\n", rest[0])
	usage(stderr, global)
	return 2
}

// startGUI is where the desktop app will start. Until the GUI issue lands the
// binary is command-line only, and says so rather than pretending.
func startGUI(stderr io.Writer) int {
	fmt.Fprintln(stderr, "swarmscope: the desktop app is not built yet; use a subcommand.")
	fmt.Fprintln(stderr)
	usage(stderr, nil)
	return 2
}

func usage(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: swarmscope [-v] <subcommand> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	for _, sc := range subcommands() {
		fmt.Fprintf(w, "  %-9s %s\n", sc.name, sc.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'swarmscope <subcommand> -h' for its flags.")
	if global != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Global flags:")
		global.PrintDefaults()
	}
}

// errUsage marks a command-line mistake already reported with usage text.
var errUsage = errors.New("usage")

// newFlagSet makes a subcommand's flag set whose -h prints a synopsis first.
func newFlagSet(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: swarmscope %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and allows them after positional arguments too
// ("create dir -o x.torrent"), which people type all the time.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func needArgs(fs *flag.FlagSet, got []string, n int, what string) error {
	if len(got) != n {
		fmt.Fprintf(fs.Output(), "swarmscope %s: need %s\n\n", fs.Name(), what)
		fs.Usage()
		return errUsage
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// byteSize is a size flag that takes "16MiB", "256k" or a plain byte count.
type byteSize int64

func (b *byteSize) String() string {
	if *b == 0 {
		return "0"
	}
	return humanize.IBytes(uint64(*b))
}

func (b *byteSize) Set(v string) error {
	n, err := humanize.ParseBytes(v)
	if err != nil {
		return fmt.Errorf("not a size: %q (try 256KiB or 16MiB)", v)
	}
	*b = byteSize(n)
	return nil
}

func infoCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("info", "[-json] FILE.torrent|MAGNET",
		"Shows a torrent's name, info hash, size, pieces, files, trackers, web seeds,\nprivate flag and magnet link.")
	jsonOut := fs.Bool("json", false, "print JSON instead of text")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 1, "one .torrent file or magnet link"); err != nil {
		return err
	}
	return cli.Info(os.Stdout, pos[0], *jsonOut)
}

func createCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("create", "[flags] PATH",
		"Makes a .torrent from a file or folder. Files are hashed on all cores; the\ninfo hash and magnet link are printed when done.")
	var opts cli.CreateOptions
	var trackers, webSeeds stringList
	var pieceLength byteSize
	fs.StringVar(&opts.Output, "o", "", "where to write the .torrent (default: NAME.torrent in the current folder)")
	fs.Var(&pieceLength, "piece-length", "piece length, a power of two from 16KiB to 16MiB (default: chosen for ~1000-2000 pieces)")
	fs.Var(&trackers, "tracker", "tracker announce URL (repeatable; each becomes its own tier)")
	fs.Var(&webSeeds, "webseed", "web seed URL (repeatable)")
	fs.BoolVar(&opts.Private, "private", false, "mark the torrent private (BEP 27: no DHT or PEX)")
	fs.StringVar(&opts.Comment, "comment", "", "comment stored in the torrent")
	fs.StringVar(&opts.Source, "source", "", "source tag stored in the info dictionary (changes the info hash)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 1, "one file or folder to share"); err != nil {
		return err
	}
	opts.Path = pos[0]
	opts.PieceLength = int64(pieceLength)
	opts.Trackers = trackers
	opts.WebSeeds = webSeeds
	return cli.Create(ctx, os.Stdout, os.Stderr, opts)
}

func trackerCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("tracker", "[-listen ADDR]",
		"Runs the embedded tracker: HTTP and UDP announce and scrape on one port,\nand a status page at http://ADDR/.")
	var opts cli.TrackerOptions
	fs.StringVar(&opts.Listen, "listen", "127.0.0.1:6969", "address for HTTP and UDP")
	fs.IntVar(&opts.NumWant, "numwant", 50, "most peers handed out per announce")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 0, "no arguments"); err != nil {
		return err
	}
	return cli.Tracker(ctx, os.Stdout, os.Stderr, opts)
}
