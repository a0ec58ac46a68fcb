package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/persist"
)

// The -state variants of download and seed run on the application core
// (package app) with a resume database, so a second run of the same
// command — also after kill -9 — continues where the first stopped and
// hashes only the files that changed since.

// stateRun is what download -state and seed -state share.
type stateRun struct {
	state, torrent, dir, listen string // torrent: a .torrent file or a magnet link
	peers                       []string
	upLimit, downLimit          int64
	dht                         *dht.Config // nil: no DHT
}

// openState starts the client on the database and adds (or finds) the
// torrent, connected to the given peers.
func (r stateRun) open() (*app.Client, app.ID, error) {
	c, err := app.New(app.Config{StatePath: r.state, ListenAddr: r.listen, DefaultDir: r.dir, DHT: r.dht})
	if errors.Is(err, persist.ErrLocked) {
		return nil, app.ID{}, fmt.Errorf("state file %s is in use by another Swarmscope", r.state)
	}
	if err != nil {
		return nil, app.ID{}, err
	}
	if r.upLimit != 0 || r.downLimit != 0 {
		s := c.Settings()
		s.UploadLimit, s.DownloadLimit, s.AltLimitsEnabled = r.upLimit, r.downLimit, false
		if err := c.SetSettings(s); err != nil {
			c.Close()
			return nil, app.ID{}, err
		}
	}
	add := c.AddTorrentFile
	if isMagnet(r.torrent) {
		add = c.AddMagnet
	}
	id, err := add(r.torrent, app.AddOptions{SaveDir: r.dir, Peers: r.peers})
	if errors.Is(err, app.ErrDuplicate) {
		// Already in the state file: resume it.
		err = errors.Join(c.AddPeers(id, r.peers), c.Start(id))
	}
	if err != nil {
		c.Close()
		return nil, app.ID{}, err
	}
	return c, id, nil
}

func summary(c *app.Client, id app.ID) app.Summary {
	for _, s := range c.Torrents() {
		if s.ID == id {
			return s
		}
	}
	return app.Summary{ID: id, State: app.Error, Message: "the torrent left the list"}
}

// waitStarted waits for a magnet link's metadata and the check of existing
// data, and reports how much of it resume data spared.
func waitStarted(ctx context.Context, stderr io.Writer, c *app.Client, id app.ID) (app.Summary, error) {
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	shown := ""
	for {
		s := summary(c, id)
		if s.State == app.Error {
			return s, fmt.Errorf("%s: %s", s.Name, s.Message)
		}
		if s.State == app.FetchingMetadata {
			if line := fmt.Sprintf("%s: fetching metadata from %d peers", s.Name, s.Seeds+s.Peers); line != shown {
				fmt.Fprintln(stderr, line)
				shown = line
			}
		} else if s.State != app.Checking && s.State != app.Queued {
			d, _ := c.Details(id)
			fmt.Fprintf(stderr, "%s: %d of %d pieces restored from resume data, %d re-hashed\n",
				s.Name, s.RestoredPieces, d.NumPieces, s.HashedPieces)
			return s, nil
		}
		select {
		case <-ctx.Done():
			if s.State == app.FetchingMetadata {
				return s, fmt.Errorf("interrupted while fetching the metadata of %s (the link is saved in the state file): %w", s.Name, ctx.Err())
			}
			return s, fmt.Errorf("interrupted while checking existing data: %w", ctx.Err())
		case <-ticker.C:
		}
	}
}

func stateStatus(s app.Summary) string {
	return fmt.Sprintf("down %s/s, up %s/s, %d peers",
		humanize.IBytes(uint64(s.DownRate)), humanize.IBytes(uint64(s.UpRate)), s.Seeds+s.Peers)
}

// downloadWithState is Download with opts.State set.
func downloadWithState(ctx context.Context, stdout, stderr io.Writer, opts DownloadOptions) error {
	if err := checkWritableDir(opts.Dir); err != nil {
		return err
	}
	c, id, err := stateRun{state: opts.State, torrent: opts.Torrent, dir: opts.Dir,
		listen: listenAddr(opts.ListenHost, opts.Port), peers: opts.Peers,
		upLimit: opts.UpLimit, downLimit: opts.DownLimit, dht: dhtConfig(opts.NoDHT, opts.DHTBootstrap, opts.DHTSameIP)}.open()
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := waitStarted(ctx, stderr, c, id)
	if err != nil {
		return errors.Join(err, c.Close())
	}
	bar := NewProgressBar(stderr, "downloading", s.Size)
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	for s.State != app.Seeding {
		bar.SetStatus(stateStatus(s))
		bar.Update(int64(s.Progress * float64(s.Size)))
		if s.State == app.Error {
			bar.Stop()
			return errors.Join(fmt.Errorf("%s: %s", s.Name, s.Message), c.Close())
		}
		select {
		case <-ctx.Done():
			bar.Stop()
			d, _ := c.Details(id)
			have := 0
			if d.Snapshot != nil {
				have = d.Snapshot.HaveCount
			}
			// Close saves the progress: the next run resumes from here.
			return errors.Join(fmt.Errorf("interrupted with %d of %d pieces verified (saved in %s)", have, d.NumPieces, opts.State), c.Close())
		case <-ticker.C:
		}
		s = summary(c, id)
	}
	bar.SetStatus(stateStatus(s))
	bar.Update(s.Size)
	bar.Finish()
	fmt.Fprintf(stdout, "%s: complete, all pieces verified, saved in %s\n", s.Name, s.SaveDir)
	if opts.Seed {
		fmt.Fprintln(stderr, "seeding until interrupted (Ctrl-C)")
		seedStateUntilCancelled(ctx, stderr, c, id)
	}
	return c.Close()
}

// seedWithState is Seed with opts.State set. It seeds complete torrents
// only: the application core would fetch missing pieces from peers, which
// "seed" promises not to do.
func seedWithState(ctx context.Context, stdout, stderr io.Writer, opts SeedOptions) error {
	c, id, err := stateRun{state: opts.State, torrent: opts.Torrent, dir: opts.Dir,
		listen: listenAddr(opts.ListenHost, opts.Port), peers: opts.Peers, upLimit: opts.UpLimit,
		dht: dhtConfig(opts.NoDHT, opts.DHTBootstrap, opts.DHTSameIP)}.open()
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := waitStarted(ctx, stderr, c, id)
	if err != nil {
		return errors.Join(err, c.Close())
	}
	if s.State != app.Seeding {
		err := fmt.Errorf("%s: only %.1f%% of the data is in %s; seed -state seeds complete torrents only (download -state fetches the rest)",
			s.Name, 100*s.Progress, opts.Dir)
		return errors.Join(err, c.Close())
	}
	fmt.Fprintf(stdout, "%s: all pieces verified; seeding until interrupted (Ctrl-C)\n", s.Name)
	seedStateUntilCancelled(ctx, stderr, c, id)
	return c.Close()
}

func seedStateUntilCancelled(ctx context.Context, stderr io.Writer, c *app.Client, id app.ID) {
	bar := NewProgressBar(stderr, "seeding, uploaded", 0)
	ticker := time.NewTicker(statusInterval)
	defer ticker.Stop()
	for {
		s := summary(c, id)
		bar.SetStatus(stateStatus(s))
		bar.Update(s.Uploaded)
		select {
		case <-ctx.Done():
			bar.Finish()
			return
		case <-ticker.C:
		}
	}
}
