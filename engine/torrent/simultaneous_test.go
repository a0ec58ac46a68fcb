package torrent

import (
	"fmt"
	"testing"
	"time"
)

// TestSimultaneousOpenKeepsOneConnection: two sessions dial each other at
// the same moment (as after learning of each other from one PEX message).
// Each sees two connections to the same peer ID; both must keep the same
// one, so they end up connected once, not zero times.
func TestSimultaneousOpenKeepsOneConnection(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "simultaneous.bin", 256<<10, 32<<10)
	for round := range 8 {
		s1, s2 := newTestSession(t, Config{}), newTestSession(t, Config{})
		t1, err := s1.Add(mi, AddOptions{Dir: t.TempDir(), NoTrackers: true})
		if err != nil {
			t.Fatal(err)
		}
		t2, err := s2.Add(mi, AddOptions{Dir: t.TempDir(), NoTrackers: true})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "both torrents to start", func() bool {
			return t1.Snapshot().State == Downloading && t2.Snapshot().State == Downloading
		})
		go t1.AddPeer(fmt.Sprintf("127.0.0.1:%d", s2.Port()))
		go t2.AddPeer(fmt.Sprintf("127.0.0.1:%d", s1.Port()))
		connected := func() bool {
			_, a := peerByID(t1, s2.PeerID())
			_, b := peerByID(t2, s1.PeerID())
			return a && b && len(t1.Snapshot().Peers) == 1 && len(t2.Snapshot().Peers) == 1
		}
		waitFor(t, 5*time.Second, fmt.Sprintf("round %d: the sessions to be connected once", round), connected)
		// Stays so: the connection kept is the same on both sides.
		time.Sleep(500 * time.Millisecond)
		if !connected() {
			t.Fatalf("round %d: connection lost after the simultaneous open: %d and %d peers, dropped %+v / %+v",
				round, len(t1.Snapshot().Peers), len(t2.Snapshot().Peers), t1.Snapshot().DroppedPeers, t2.Snapshot().DroppedPeers)
		}
		s1.Close()
		s2.Close()
	}
}
