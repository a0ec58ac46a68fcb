package torrent

import (
	"fmt"
	"testing"
	"time"
)

// A paused torrent dials the peers it had again when resumed, even one
// that had connected to it (whose listening port it learned), without a
// tracker or a manual peer to name them.
func TestResumeRedialsThePeersItHad(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "redial.bin", 64*(16<<10), 16<<10)
	seedSession := newTestSession(t, Config{})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	leechSession := newTestSession(t, Config{DownloadLimit: 64 << 10}) // slow: still downloading when paused
	leecher, err := leechSession.Add(mi, AddOptions{Dir: t.TempDir(), NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	// The seeder connects to the leecher: for the leecher it is an
	// incoming peer, known only by what the connection tells.
	seeder.AddPeer(fmt.Sprintf("127.0.0.1:%d", leechSession.Port()))
	connected := func() bool { return len(leecher.Snapshot().Peers) == 1 }
	waitFor(t, 10*time.Second, "the seeder to connect to the leecher", connected)
	waitFor(t, 10*time.Second, "the leecher to learn the seeder's port (extended handshake)", func() bool {
		return leecher.Snapshot().Downloaded > 0
	})

	leecher.Pause()
	waitFor(t, 5*time.Second, "the pause to drop the connection", func() bool { return len(leecher.Snapshot().Peers) == 0 })
	leecher.Resume()
	waitFor(t, 10*time.Second, "the resumed leecher to dial the seeder again", connected)
	if p := leecher.Snapshot().Peers[0]; p.Incoming {
		t.Errorf("the peer after resume is incoming (%s): the seeder dialled, not the leecher", p.Addr)
	}
}
