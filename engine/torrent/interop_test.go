package torrent

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/peertest"
)

// These tests run real clients through engine/peertest on 127.0.0.1 with
// DHT, LSD, UPnP/NAT-PMP and PEX off. A missing client fails the test.

const interopSize = 4<<20 + 777 // a short last piece

func loadTorrent(t testing.TB, path string) *metainfo.MetaInfo {
	t.Helper()
	mi, err := metainfo.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return mi
}

func waitClient(t *testing.T, p *peertest.Process, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := p.WaitComplete(ctx); err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
}

func TestDownloadFromLibtorrent(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, "", 64<<10)
	seeder := peertest.StartLibtorrent(t, peertest.ClientOptions{Torrent: torrentPath, Dir: seedDir}, true)
	waitClient(t, seeder, 30*time.Second)

	s := newTestSession(t, Config{})
	tr, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: leechDir, Peers: []string{seeder.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tr, 45*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
	checkClientSeen(t, tr, "libtorrent")
}

func TestSeedToLibtorrent(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, "", 64<<10)

	s := newTestSession(t, Config{})
	tr, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: seedDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tr, 10*time.Second)
	leecher := peertest.StartLibtorrent(t, peertest.ClientOptions{Torrent: torrentPath, Dir: leechDir,
		Peers: []string{fmt.Sprintf("127.0.0.1:%d", s.Port())}}, false)
	waitClient(t, leecher, 45*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
	waitFor(t, 5*time.Second, "the snapshot to count the upload", func() bool {
		return tr.Snapshot().Uploaded >= interopSize
	})
}

// checkClientSeen fails unless a peer, connected or dropped, carried a
// client name containing want (from the extension handshake or peer ID).
func checkClientSeen(t *testing.T, tr *Torrent, want string) {
	t.Helper()
	snap := tr.Snapshot()
	var names []string
	for _, p := range snap.Peers {
		names = append(names, p.Client)
	}
	for _, d := range snap.DroppedPeers {
		names = append(names, d.Client)
	}
	for _, n := range names {
		if strings.Contains(n, want) {
			return
		}
	}
	t.Errorf("no peer named %q; saw %q", want, names)
}

// aria2c only meets peers through a tracker: opentracker on 127.0.0.1.
func TestDownloadFromAria2(t *testing.T) {
	tr := peertest.StartOpentracker(t)
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, tr.HTTPURL, 64<<10)
	tr.Allow(t, peertest.InfoHash(t, torrentPath))
	seeder := peertest.StartAria2(t, peertest.ClientOptions{Torrent: torrentPath, Dir: seedDir}, true)
	waitClient(t, seeder, 30*time.Second)

	s := newTestSession(t, Config{AnnounceInterval: time.Second})
	leecher, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 60*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
	checkClientSeen(t, leecher, "aria2")
}

func TestSeedToAria2(t *testing.T) {
	tr := peertest.StartOpentracker(t)
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, tr.HTTPURL, 64<<10)
	tr.Allow(t, peertest.InfoHash(t, torrentPath))

	s := newTestSession(t, Config{AnnounceInterval: time.Second})
	seeder, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: seedDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	leecher := peertest.StartAria2(t, peertest.ClientOptions{Torrent: torrentPath, Dir: leechDir, AnnounceInterval: 2 * time.Second}, false)
	waitClient(t, leecher, 60*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
}

// transmission-cli 3.00 never dials 127.0.0.0/8, so we connect to it.
func TestDownloadFromTransmission(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, "", 64<<10)
	seeder := peertest.StartTransmission(t, peertest.ClientOptions{Torrent: torrentPath, Dir: seedDir}, true)
	waitClient(t, seeder, 30*time.Second)

	s := newTestSession(t, Config{})
	leecher, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: leechDir, Peers: []string{seeder.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 60*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
	checkClientSeen(t, leecher, "Transmission")
}

func TestSeedToTransmission(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", interopSize)
	torrentPath := peertest.MakeTorrent(t, data, "", 64<<10)

	s := newTestSession(t, Config{})
	seeder, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: seedDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	leecher := peertest.StartTransmission(t, peertest.ClientOptions{Torrent: torrentPath, Dir: leechDir}, false)
	seeder.AddPeer(leecher.Addr())
	waitClient(t, leecher, 60*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
}
