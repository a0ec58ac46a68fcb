package torrent

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
)

// TestMagnetThroughOurDHT: two sessions, each with a DHT node on
// 127.0.0.1; the leecher's node knows only the seeder's. Given nothing but
// the magnet link (no tracker, no x.pe), the leecher finds the seeder with
// get_peers, fetches the metadata and downloads; the peer shows source DHT.
func TestMagnetThroughOurDHT(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "dht.bin", 700<<10+3, 32<<10)

	seedSession := newTestSession(t, Config{DHT: &dht.Config{AllowSameIP: true}, AnnounceInterval: 2 * time.Second})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 20*time.Second)
	if got, want := seedSession.DHT().Addr().Port(), uint16(seedSession.Port()); got != want {
		t.Errorf("DHT on UDP port %d, want the listener's number %d", got, want)
	}

	leechSession := newTestSession(t, Config{
		DHT:              &dht.Config{AllowSameIP: true, BootstrapNodes: []string{seedSession.DHT().Addr().String()}},
		AnnounceInterval: 2 * time.Second,
	})
	link := mi.Magnet()
	link.Trackers = nil
	leecher, err := leechSession.AddMagnet(&link, AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	// Watched while it downloads: once both sides are seeds they part, and
	// the peer list is empty again.
	found := false
	deadline := time.After(45 * time.Second)
	for done := false; !done; {
		for _, p := range leecher.Snapshot().Peers {
			if p.Source == SourceDHT && p.Flags() != "" && p.Flags()[len(p.Flags())-1] == 'H' {
				found = true
			}
		}
		select {
		case <-leecher.Done():
			done = true
		case <-deadline:
			s := leecher.Snapshot()
			t.Fatalf("not complete after 45s: state %v, %d/%d pieces, peers %+v, dropped %v",
				s.State, s.HaveCount, s.NumPieces, s.Peers, s.DroppedPeers)
		case <-time.After(5 * time.Millisecond):
		}
	}
	sameFile(t, filepath.Join(seedDir, "dht.bin"), filepath.Join(leechDir, "dht.bin"))
	if !found {
		t.Fatal("no peer from the DHT (flag H) was seen while the magnet downloaded")
	}
}
