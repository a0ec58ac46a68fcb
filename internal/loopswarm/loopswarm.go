// Package loopswarm starts a small BitTorrent swarm on 127.0.0.1 for the desktop app's smoke test,
// its screenshot and the idle-CPU benchmark (bench/gui): an embedded tracker, one or more torrents
// of random data announced to it, and a few seeding engine sessions, each with an upload limit so
// a download takes visible time. Everything listens on loopback only and stops on Close.
package loopswarm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// Options shape the swarm.
type Options struct {
	Dir         string // where the data, the .torrent files and nothing else go
	Name        string // the data file's name; with Torrents > 1, NAME-01.EXT, NAME-02.EXT, …
	Torrents    int    // torrents, each its own file (default 1)
	Size        int64  // bytes of random data per torrent
	PieceLength int64  // 0: automatic
	Seeders     int    // at least 1
	UploadLimit int64  // per seeder and torrent, bytes/s; 0 unlimited

	// TrackerInterval is the announce interval the tracker hands out (default 5 s).
	TrackerInterval time.Duration
	// MaxConnections caps each seeder session's connections (0: the engine's default).
	MaxConnections int
	// TrustData makes the seeders skip hashing the data they were just given (many
	// seeders × many torrents would otherwise hash it all again in every session).
	TrustData bool
}

// Seeded is one torrent of the swarm.
type Seeded struct {
	TorrentPath string // the .torrent file
	DataPath    string // the original data, to compare downloads with
	MetaInfo    *metainfo.MetaInfo
}

// Swarm is a running loopback swarm.
type Swarm struct {
	Seeded            // the first torrent
	Torrents []Seeded // every torrent, the first included

	tracker  *tracker.Server
	sessions []*torrent.Session
	seeds    []*torrent.Torrent
}

// Start builds the data and the torrents and starts the tracker and seeders.
func Start(ctx context.Context, opts Options) (*Swarm, error) {
	opts.Seeders, opts.Torrents = max(opts.Seeders, 1), max(opts.Torrents, 1)
	if opts.TrackerInterval <= 0 {
		opts.TrackerInterval = 5 * time.Second
	}
	srv, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{Interval: opts.TrackerInterval, MinInterval: time.Second})
	if err != nil {
		return nil, err
	}
	s := &Swarm{tracker: srv}
	if err := s.makeTorrents(ctx, opts); err != nil {
		s.Close()
		return nil, err
	}
	s.Seeded = s.Torrents[0]
	seedDir := filepath.Join(opts.Dir, "seed")
	for range opts.Seeders {
		sess, err := torrent.NewSession(torrent.Config{ListenAddr: "127.0.0.1:0", AnnounceInterval: 2 * time.Second,
			MaxConnections: opts.MaxConnections})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.sessions = append(s.sessions, sess)
		for _, sd := range s.Torrents {
			add := torrent.AddOptions{Dir: seedDir, SeedOnly: true, UploadLimit: opts.UploadLimit}
			if opts.TrustData {
				add.Resume = bitfield.New(sd.MetaInfo.Info.NumPieces())
				add.Resume.SetAll()
			}
			t, err := sess.Add(sd.MetaInfo, add)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("loopswarm: seed: %w", err)
			}
			s.seeds = append(s.seeds, t)
		}
	}
	return s, nil
}

// makeTorrents writes each torrent's random data under Dir/seed and its .torrent in Dir.
func (s *Swarm) makeTorrents(ctx context.Context, opts Options) error {
	seedDir := filepath.Join(opts.Dir, "seed")
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		return err
	}
	for i := range opts.Torrents {
		name := opts.Name
		if opts.Torrents > 1 {
			ext := filepath.Ext(name)
			name = fmt.Sprintf("%s-%02d%s", strings.TrimSuffix(name, ext), i+1, ext)
		}
		sd := Seeded{DataPath: filepath.Join(seedDir, name), TorrentPath: filepath.Join(opts.Dir, name+".torrent")}
		if err := writeRandom(sd.DataPath, opts.Size); err != nil {
			return err
		}
		mi, err := metainfo.Create(ctx, sd.DataPath, metainfo.CreateOptions{
			PieceLength: opts.PieceLength, Trackers: []string{s.tracker.HTTPAnnounceURL()}, CreatedBy: "Swarmscope loopswarm",
			Comment: "a loopback test swarm",
		})
		if err != nil {
			return err
		}
		sd.MetaInfo = mi
		if err := os.WriteFile(sd.TorrentPath, mi.Raw, 0o644); err != nil {
			return err
		}
		s.Torrents = append(s.Torrents, sd)
	}
	return nil
}

// WaitSeeding waits until every seeder seeds every torrent.
func (s *Swarm) WaitSeeding(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, t := range s.seeds {
		for {
			if snap := t.Snapshot(); snap != nil && snap.State == torrent.Seeding {
				break
			}
			if time.Now().After(deadline) {
				return errors.New("loopswarm: the seeders did not start seeding within " + timeout.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// Close stops the seeders and the tracker.
func (s *Swarm) Close() {
	for _, sess := range s.sessions {
		sess.Close()
	}
	if s.tracker != nil {
		s.tracker.Close()
	}
}

func writeRandom(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
