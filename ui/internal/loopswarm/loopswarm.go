// Package loopswarm starts a small BitTorrent swarm on 127.0.0.1 for the desktop app's smoke test
// and screenshot: an embedded tracker, a torrent of random data announced to it, and a few
// seeding engine sessions, each with an upload limit so a download takes visible time.
// Everything listens on loopback only and stops on Close.
package loopswarm

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// Options shape the swarm.
type Options struct {
	Dir         string // where the data, the .torrent and nothing else go
	Name        string // the data file's name
	Size        int64  // bytes of random data
	PieceLength int64  // 0: automatic
	Seeders     int    // at least 1
	UploadLimit int64  // per seeder, bytes/s; 0 unlimited
}

// Swarm is a running loopback swarm.
type Swarm struct {
	TorrentPath string // the .torrent file
	DataPath    string // the original data, to compare downloads with
	MetaInfo    *metainfo.MetaInfo

	tracker  *tracker.Server
	sessions []*torrent.Session
}

// Start builds the data and the torrent and starts the tracker and seeders.
func Start(ctx context.Context, opts Options) (*Swarm, error) {
	if opts.Seeders < 1 {
		opts.Seeders = 1
	}
	srv, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{Interval: 5 * time.Second, MinInterval: time.Second})
	if err != nil {
		return nil, err
	}
	s := &Swarm{tracker: srv}
	seedDir := filepath.Join(opts.Dir, "seed")
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		s.Close()
		return nil, err
	}
	s.DataPath = filepath.Join(seedDir, opts.Name)
	if err := writeRandom(s.DataPath, opts.Size); err != nil {
		s.Close()
		return nil, err
	}
	mi, err := metainfo.Create(ctx, s.DataPath, metainfo.CreateOptions{
		PieceLength: opts.PieceLength, Trackers: []string{srv.HTTPAnnounceURL()}, CreatedBy: "Swarmscope loopswarm",
		Comment: "a loopback test swarm",
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.MetaInfo = mi
	s.TorrentPath = filepath.Join(opts.Dir, opts.Name+".torrent")
	if err := os.WriteFile(s.TorrentPath, mi.Raw, 0o644); err != nil {
		s.Close()
		return nil, err
	}
	for range opts.Seeders {
		sess, err := torrent.NewSession(torrent.Config{ListenAddr: "127.0.0.1:0", AnnounceInterval: 2 * time.Second})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.sessions = append(s.sessions, sess)
		if _, err := sess.Add(mi, torrent.AddOptions{Dir: seedDir, SeedOnly: true, UploadLimit: opts.UploadLimit}); err != nil {
			s.Close()
			return nil, fmt.Errorf("loopswarm: seed: %w", err)
		}
	}
	return s, nil
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
