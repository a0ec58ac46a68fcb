package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// SeedOptions are the settings of "swarmscope seed".
type SeedOptions struct {
	Torrent string   // .torrent file
	Dir     string   // folder holding the data
	Port    int      // TCP port for peers; 0 picks a free one
	Peers   []string // extra "host:port" peers to connect to
	UpLimit int64    // bytes/s; 0 = unlimited
	// ListenHost is the address to listen on; "" means all interfaces.
	ListenHost string
	// State, when set, is a resume database (see state.go).
	State string
	// NoDHT keeps the torrent off the DHT; DHTBootstrap replaces the
	// public bootstrap routers; DHTSameIP as in DownloadOptions. Private
	// torrents never use the DHT.
	NoDHT        bool
	DHTBootstrap []string
	DHTSameIP    bool
}

// Seed verifies the data in opts.Dir and seeds whatever pieces are good
// until ctx is cancelled.
func Seed(ctx context.Context, stdout, stderr io.Writer, opts SeedOptions) error {
	if opts.State != "" {
		return seedWithState(ctx, stdout, stderr, opts)
	}
	mi, err := metainfo.Load(opts.Torrent)
	if err != nil {
		return err
	}
	if st, err := os.Stat(opts.Dir); err != nil {
		return fmt.Errorf("data folder: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("data folder %s is not a folder", opts.Dir)
	}
	session, err := torrent.NewSession(torrent.Config{
		ListenAddr:  listenAddr(opts.ListenHost, opts.Port),
		UploadLimit: opts.UpLimit,
		DHT:         dhtConfig(opts.NoDHT || mi.Info.Private, opts.DHTBootstrap, opts.DHTSameIP),
		Logger:      slog.Default(),
	})
	if err != nil {
		return err
	}
	defer session.Close()
	t, err := session.Add(mi, torrent.AddOptions{Dir: opts.Dir, Peers: opts.Peers, SeedOnly: true})
	if err != nil {
		return err
	}
	if err := waitChecked(ctx, stderr, t); err != nil {
		return err
	}
	s := t.Snapshot()
	if s.State == torrent.Failed {
		return fmt.Errorf("%s: %s", mi.Info.Name, s.Err)
	}
	switch {
	case s.HaveCount == 0:
		return fmt.Errorf("%s: none of the %d pieces are in %s; nothing to seed", mi.Info.Name, s.NumPieces, opts.Dir)
	case s.HaveCount < s.NumPieces:
		fmt.Fprintf(stdout, "%s: only %d of %d pieces (%.1f%%) are present and verified; seeding those\n",
			mi.Info.Name, s.HaveCount, s.NumPieces, 100*s.Progress())
	default:
		fmt.Fprintf(stdout, "%s: all %d pieces verified; seeding on port %d until interrupted (Ctrl-C)\n",
			mi.Info.Name, s.NumPieces, session.Port())
	}
	seedUntilCancelled(ctx, stderr, t)
	return session.Close()
}

// seedUntilCancelled shows the upload until ctx is cancelled.
func seedUntilCancelled(ctx context.Context, stderr io.Writer, t *torrent.Torrent) {
	bar := NewProgressBar(stderr, "seeding, uploaded", 0)
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	for {
		s := t.Snapshot()
		bar.SetStatus(statusLine(s))
		bar.Update(s.Uploaded)
		select {
		case <-ctx.Done():
			bar.Finish()
			return
		case <-ticker.C:
		}
	}
}
