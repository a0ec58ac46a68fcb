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
	"math"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/dustin/go-humanize"

	// First, so that Fyne's locale lookup at start-up finds a language.
	_ "github.com/swarmscope/swarmscope/ui/plainlocale"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/app/cli"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/persist"
	"github.com/swarmscope/swarmscope/ui"
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
		{"download", "download a torrent on the command line", downloadCommand},
		{"seed", "verify existing data and seed it", seedCommand},
		{"tracker", "run the embedded BitTorrent tracker", trackerCommand},
		{"lab", "run the Swarm Lab: a local swarm measured against the textbook bounds", labCommand},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	global := flag.NewFlagSet("swarmscope", flag.ContinueOnError)
	global.SetOutput(stderr)
	verbose := global.Bool("v", false, "verbose logging (debug level) on stderr")
	var gui guiFlags
	global.StringVar(&gui.state, "state", "", "desktop app: the state database (default: in the user's config folder)")
	global.StringVar(&gui.listen, "listen", "", "desktop app: address for incoming peers (default: all interfaces, port from settings)")
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
	if len(rest) == 0 || opensInGUI(rest[0]) {
		return startGUI(stderr, gui, rest)
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

// guiFlags are the global flags the desktop app reads.
type guiFlags struct{ state, listen string }

// opensInGUI reports whether a first argument is something to open in the desktop app (a
// .torrent file, a file: URI as desktop launchers pass with %U, or a magnet link) rather than a
// subcommand.
func opensInGUI(arg string) bool {
	lower := strings.ToLower(arg)
	return strings.HasPrefix(lower, "magnet:") || strings.HasPrefix(lower, "file:") || strings.HasSuffix(lower, ".torrent")
}

// noDisplay explains, on X11/Wayland systems, why the window cannot open when neither DISPLAY
// nor WAYLAND_DISPLAY is set (over ssh, on a server): the toolkit would otherwise panic. It
// returns "" when a display is there, and on other systems.
func noDisplay() string {
	switch runtime.GOOS {
	case "darwin", "windows", "android", "ios":
		return ""
	}
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); " +
		"without one, use the subcommands: info, create, download, seed, tracker, lab (swarmscope -h lists them)"
}

// startGUI runs the desktop app; args (.torrent paths, magnet links) are added on start. When
// another Swarmscope already has the database, the args are handed to it and this one exits 0.
func startGUI(stderr io.Writer, flags guiFlags, args []string) int {
	dhtCfg := dht.DefaultConfig() // off when the settings say so
	client, err := app.New(app.Config{StatePath: flags.state, ListenAddr: flags.listen, DHT: &dhtCfg})
	if errors.Is(err, persist.ErrLocked) {
		handed, herr := app.SendToRunning(flags.state, args)
		switch {
		case handed && herr == nil:
			return 0
		case handed:
			fmt.Fprintf(stderr, "swarmscope: the running Swarmscope could not add everything: %v\n", herr)
			return 1
		case herr != nil:
			fmt.Fprintf(stderr, "swarmscope: another Swarmscope is running, and %v\n", herr)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "swarmscope: %v\n", err)
		return 1
	}
	if msg := noDisplay(); msg != "" {
		fmt.Fprintln(stderr, "swarmscope: "+msg)
		if err := client.Close(); err != nil {
			fmt.Fprintf(stderr, "swarmscope: %v\n", err)
		}
		return 1
	}
	runErr := ui.Run(client, args)
	if err := client.Close(); err != nil {
		fmt.Fprintf(stderr, "swarmscope: saving on exit: %v\n", err)
		return 1
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "swarmscope: %v\n", runErr)
		return 1
	}
	return 0
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

// byteRate is a rate flag: "1MiB/s", "500k", 0 for unlimited.
type byteRate int64

func (r *byteRate) String() string {
	if *r == 0 {
		return "unlimited"
	}
	return humanize.IBytes(uint64(*r)) + "/s"
}

func (r *byteRate) Set(v string) error {
	n, err := humanize.ParseBytes(strings.TrimSuffix(strings.TrimSpace(v), "/s"))
	if err != nil {
		return fmt.Errorf("not a rate: %q (try 1MiB/s, 500KiB/s, or 0 for unlimited)", v)
	}
	if n > math.MaxInt64 {
		return fmt.Errorf("not a rate: %q is more than %s/s (try 1MiB/s, 500KiB/s, or 0 for unlimited)", v, humanize.IBytes(math.MaxInt64))
	}
	*r = byteRate(n)
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
	arg, err := app.LocalArg(pos[0])
	if err != nil {
		return err
	}
	return cli.Info(os.Stdout, arg, *jsonOut)
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
	if opts.Path, err = app.LocalArg(pos[0]); err != nil {
		return err
	}
	opts.PieceLength = int64(pieceLength)
	opts.Trackers = trackers
	opts.WebSeeds = webSeeds
	return cli.Create(ctx, os.Stdout, os.Stderr, opts)
}

func downloadCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("download", "[flags] FILE.torrent|MAGNET",
		"Downloads a torrent, showing progress. Exits 0 only when every piece is\nverified; with -seed it keeps seeding until interrupted (Ctrl-C).")
	var opts cli.DownloadOptions
	var peers stringList
	var up, down byteRate
	fs.StringVar(&opts.Dir, "dir", ".", "download folder")
	fs.IntVar(&opts.Port, "port", 6881, "TCP port to listen on for peers (0 picks a free one)")
	fs.StringVar(&opts.ListenHost, "listen", "", "IP address to accept peers on, e.g. 127.0.0.1 (default: every interface)")
	fs.Var(&peers, "peer", "HOST:PORT of a peer to connect to (repeatable)")
	fs.BoolVar(&opts.Seed, "seed", false, "keep seeding after the download completes, until interrupted")
	fs.Var(&up, "up-limit", "upload rate limit, e.g. 1MiB/s (0 = unlimited)")
	fs.Var(&down, "down-limit", "download rate limit, e.g. 5MiB/s (0 = unlimited)")
	fs.StringVar(&opts.State, "state", "", "resume database FILE: a later run with the same FILE continues where this one stopped")
	dhtFlags := cli.DHTFlags(fs, "do not use the DHT to find peers")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 1, "one .torrent file or magnet link"); err != nil {
		return err
	}
	if opts.Torrent, err = app.LocalArg(pos[0]); err != nil {
		return err
	}
	opts.Peers = peers
	opts.NoDHT, opts.DHTBootstrap, opts.DHTSameIP = dhtFlags.NoDHT, dhtFlags.Bootstrap, dhtFlags.SameIP
	opts.UpLimit, opts.DownLimit = int64(up), int64(down)
	return cli.Download(ctx, os.Stdout, os.Stderr, opts)
}

func seedCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("seed", "-dir D [flags] FILE.torrent",
		"Verifies the data in D against the torrent, then seeds it until interrupted.\nCtrl-C stops cleanly and tells the trackers.")
	var opts cli.SeedOptions
	var peers stringList
	var up byteRate
	fs.StringVar(&opts.Dir, "dir", ".", "folder that holds the torrent's data")
	fs.IntVar(&opts.Port, "port", 6881, "TCP port to listen on for peers (0 picks a free one)")
	fs.StringVar(&opts.ListenHost, "listen", "", "IP address to accept peers on, e.g. 127.0.0.1 (default: every interface)")
	fs.Var(&peers, "peer", "HOST:PORT of a peer to connect to (repeatable)")
	fs.Var(&up, "up-limit", "upload rate limit, e.g. 1MiB/s (0 = unlimited)")
	fs.StringVar(&opts.State, "state", "", "resume database FILE: a later run with the same FILE skips re-hashing unchanged files")
	dhtFlags := cli.DHTFlags(fs, "do not announce the torrent on the DHT")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 1, "one .torrent file"); err != nil {
		return err
	}
	if opts.Torrent, err = app.LocalArg(pos[0]); err != nil {
		return err
	}
	opts.Peers = peers
	opts.NoDHT, opts.DHTBootstrap, opts.DHTSameIP = dhtFlags.NoDHT, dhtFlags.Bootstrap, dhtFlags.SameIP
	opts.UpLimit = int64(up)
	return cli.Seed(ctx, os.Stdout, os.Stderr, opts)
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

func labCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("lab", "[flags]",
		"Runs the Swarm Lab: a server and N peers, each a real engine on 127.0.0.1,\n"+
			"share a generated file through a local tracker. Prints each peer's rates,\n"+
			"completion time, upload, share ratio, utilisation and unchokes, and the\n"+
			"distribution time D against the textbook bound. With -sweep, runs both modes\n"+
			"for each N and plots D against N (the textbook figure). With -experiment, runs\n"+
			"a teaching experiment's variants one after another and prints them side by\n"+
			"side. See docs/teaching.md.")
	options := cli.LabFlags(fs, lab.DefaultConfig())
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := needArgs(fs, pos, 0, "no arguments"); err != nil {
		return err
	}
	opts, err := options()
	if err != nil {
		return err
	}
	return cli.Lab(ctx, os.Stdout, os.Stderr, opts)
}
