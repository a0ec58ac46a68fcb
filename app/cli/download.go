package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// DownloadOptions are the settings of "swarmscope download".
type DownloadOptions struct {
	Torrent string   // .torrent file or magnet link
	Dir     string   // download folder
	Port    int      // TCP port for peers; 0 picks a free one
	Peers   []string // extra "host:port" peers to connect to
	Seed    bool     // keep seeding after completing, until ctx is cancelled
	// UpLimit and DownLimit are rates in bytes/s; 0 = unlimited.
	UpLimit, DownLimit int64
	// ListenHost is the address to listen on; "" means all interfaces.
	// Tests use "127.0.0.1".
	ListenHost string
	// State, when set, is a resume database: the download runs on the
	// application core and a later run continues where this one stopped
	// (see state.go).
	State string
	// NoDHT turns the DHT off; DHTBootstrap, when set, replaces the public
	// bootstrap routers ("host:port" each). DHTSameIP lets the routing
	// table hold several nodes of one IP (dht.Config.AllowSameIP); it is
	// implied when every DHTBootstrap address is loopback or private.
	NoDHT        bool
	DHTBootstrap []string
	DHTSameIP    bool
}

// dhtConfig is the session's DHT for the command line: the public network
// (or the given bootstrap nodes) unless off. Several nodes may share an IP
// with sameIP, or when every bootstrap node is on loopback or a private
// network (a classroom DHT on one machine or one LAN).
func dhtConfig(off bool, bootstrap []string, sameIP bool) *dht.Config {
	if off {
		return nil
	}
	cfg := dht.DefaultConfig()
	cfg.Addr = "" // the UDP port of the listener's number
	if len(bootstrap) > 0 {
		cfg.BootstrapNodes = append([]string(nil), bootstrap...)
	}
	cfg.AllowSameIP = sameIP || localBootstrap(bootstrap)
	return &cfg
}

// isMagnet reports whether arg is a magnet link rather than a file name.
func isMagnet(arg string) bool { return strings.HasPrefix(strings.ToLower(arg), "magnet:") }

// statusInterval is how often the commands refresh their progress line.
const statusInterval = 250 * time.Millisecond

// Download fetches a torrent into opts.Dir, showing progress on stderr. It
// returns nil only when every piece is verified; with opts.Seed it then
// seeds until ctx is cancelled. Cancelling ctx stops cleanly: trackers are
// told "stopped" (bounded wait) and files are closed.
func Download(ctx context.Context, stdout, stderr io.Writer, opts DownloadOptions) error {
	if opts.State != "" {
		return downloadWithState(ctx, stdout, stderr, opts)
	}
	var link *metainfo.Magnet
	var mi *metainfo.MetaInfo
	var err error
	if isMagnet(opts.Torrent) {
		link, err = metainfo.ParseMagnet(opts.Torrent)
	} else {
		mi, err = metainfo.Load(opts.Torrent)
	}
	if err != nil {
		return err
	}
	if err := checkWritableDir(opts.Dir); err != nil {
		return err
	}
	session, err := torrent.NewSession(torrent.Config{
		ListenAddr:    listenAddr(opts.ListenHost, opts.Port),
		UploadLimit:   opts.UpLimit,
		DownloadLimit: opts.DownLimit,
		DHT:           dhtConfig(opts.NoDHT, opts.DHTBootstrap, opts.DHTSameIP),
		Logger:        slog.Default(),
	})
	if err != nil {
		return err
	}
	defer session.Close()
	var t *torrent.Torrent
	if link != nil {
		if t, err = session.AddMagnet(link, torrent.AddOptions{Dir: opts.Dir, Peers: opts.Peers}); err != nil {
			return err
		}
		if mi, err = waitMetadata(ctx, stderr, t); err != nil {
			return err
		}
	} else if t, err = session.Add(mi, torrent.AddOptions{Dir: opts.Dir, Peers: opts.Peers}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %s in %d pieces, listening on port %d\n",
		mi.Info.Name, humanize.IBytes(uint64(mi.Info.Length)), mi.Info.NumPieces(), session.Port())

	if err := waitChecked(ctx, stderr, t); err != nil {
		return err
	}
	if s := t.Snapshot(); s.HaveCount > 0 && !s.Complete {
		fmt.Fprintf(stderr, "resuming: %d of %d pieces already verified\n", s.HaveCount, s.NumPieces)
	}
	bar := NewProgressBar(stderr, "downloading", mi.Info.Length)
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	trackerProblems := newTrackerProblemReporter(stderr)
loop:
	for {
		s := t.Snapshot()
		trackerProblems.report(s.Trackers)
		bar.SetStatus(statusLine(s))
		bar.Update(s.VerifiedBytes)
		if s.State == torrent.Failed {
			bar.Stop()
			return fmt.Errorf("%s: %s", mi.Info.Name, s.Err)
		}
		select {
		case <-t.Done():
			break loop
		case <-ctx.Done():
			bar.Stop()
			s := t.Snapshot()
			stopErr := session.Close()
			return errors.Join(fmt.Errorf("interrupted with %d of %d pieces verified", s.HaveCount, s.NumPieces), stopErr)
		case <-ticker.C:
		}
	}
	s := t.Snapshot()
	bar.SetStatus(statusLine(s))
	bar.Update(s.VerifiedBytes)
	bar.Finish()
	fmt.Fprintf(stdout, "%s: complete, all %d pieces verified, saved in %s\n", mi.Info.Name, s.NumPieces, opts.Dir)
	if opts.Seed {
		fmt.Fprintln(stderr, "seeding until interrupted (Ctrl-C)")
		seedUntilCancelled(ctx, stderr, t)
	}
	return session.Close()
}

// waitMetadata shows the metadata exchange of a magnet link until the
// info dictionary is in.
func waitMetadata(ctx context.Context, stderr io.Writer, t *torrent.Torrent) (*metainfo.MetaInfo, error) {
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	shown := ""
	for {
		s := t.Snapshot()
		if s.State == torrent.Failed {
			return nil, fmt.Errorf("%s: %s", s.Name, s.Err)
		}
		line := fmt.Sprintf("%s: fetching metadata from %d peers (%d of %d pieces)", s.Name, len(s.Peers), s.MetadataHave, s.MetadataPieces)
		if line != shown {
			fmt.Fprintln(stderr, line)
			shown = line
		}
		select {
		case <-t.MetadataReady():
			return t.MetaInfo(), nil
		case <-ctx.Done():
			return nil, fmt.Errorf("interrupted while fetching the metadata of %s", s.Name)
		case <-ticker.C:
		}
	}
}

// waitChecked shows the recheck of existing data until it is over.
func waitChecked(ctx context.Context, stderr io.Writer, t *torrent.Torrent) error {
	var bar *ProgressBar
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	for {
		s := t.Snapshot()
		if s.State != torrent.Checking {
			if bar != nil {
				bar.Update(int64(s.NumPieces))
				bar.Finish()
			}
			if s.State == torrent.Failed {
				return fmt.Errorf("%s: %s", s.Name, s.Err)
			}
			return nil
		}
		if bar == nil && s.CheckedPieces > 0 {
			bar = NewProgressBar(stderr, "checking existing data (pieces)", int64(s.NumPieces))
		}
		if bar != nil {
			bar.Update(int64(s.CheckedPieces))
		}
		select {
		case <-ctx.Done():
			if bar != nil {
				bar.Stop()
			}
			return fmt.Errorf("interrupted while checking existing data: %w", ctx.Err())
		case <-ticker.C:
		}
	}
}

// trackerProblemReporter prints one line on stderr when a tracker starts
// failing, e.g. "tracker udp://…: connection refused", and not again for
// its retries (whose messages differ only in details such as a local port)
// until it has worked in between.
type trackerProblemReporter struct {
	w        io.Writer
	terminal bool            // a progress bar is being redrawn on w
	failing  map[string]bool // tracker URLs already reported
}

func newTrackerProblemReporter(w io.Writer) *trackerProblemReporter {
	return &trackerProblemReporter{w: w, terminal: IsTerminal(w), failing: map[string]bool{}}
}

func (r *trackerProblemReporter) report(trackers []torrent.TrackerStatus) {
	for _, st := range trackers {
		if st.State == tracker.Working {
			delete(r.failing, st.URL)
			continue
		}
		if st.State != tracker.Failing || st.LastError == "" || r.failing[st.URL] {
			continue
		}
		r.failing[st.URL] = true
		if r.terminal {
			fmt.Fprint(r.w, "\r\x1b[K") // over the progress bar, which redraws below
		}
		fmt.Fprintf(r.w, "tracker %s: %s\n", st.URL, st.LastError)
	}
}

func statusLine(s *torrent.Snapshot) string {
	return fmt.Sprintf("down %s/s, up %s/s, %d peers",
		humanize.IBytes(uint64(s.DownRate)), humanize.IBytes(uint64(s.UpRate)), len(s.Peers))
}

func listenAddr(host string, port int) string {
	if host == "" {
		host = "0.0.0.0"
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// checkWritableDir creates dir if needed and proves we can write there, so
// a read-only folder fails at once with a clear message rather than at the
// first block.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("download folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".swarmscope-write-test-*")
	if err != nil {
		return fmt.Errorf("download folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
