package torrent

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// dialAs handshakes with the session as a peer with the given ID and
// returns the connection (closed when the test ends).
func dialAs(t *testing.T, port int, infoHash metainfo.Hash, id string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var h wire.Handshake
	h.InfoHash = infoHash
	copy(h.PeerID[:], fmt.Sprintf("-XX0001-%012s", id))
	if err := wire.WriteHandshake(conn, h); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := wire.ReadHandshake(bufio.NewReader(conn)); err != nil {
		t.Fatalf("peer %s: handshake: %v", id, err)
	}
	return conn
}

// The per-torrent connection cap changes while the session runs: a peer
// turned away at the old cap gets in once it is raised.
func TestMaxPeersPerTorrentChangesAtRunTime(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "cap.bin", 8*(16<<10), 16<<10)
	s := newTestSession(t, Config{MaxPeersPerTorrent: 2})
	tr, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tr, 10*time.Second)
	connected := func() int { return len(tr.Snapshot().Peers) }
	dialAs(t, s.Port(), mi.InfoHash, "a")
	dialAs(t, s.Port(), mi.InfoHash, "b")
	waitFor(t, 5*time.Second, "two peers connected", func() bool { return connected() == 2 })
	third := dialAs(t, s.Port(), mi.InfoHash, "c")
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("a third peer over the cap of 2: read %v, want the connection closed", err)
	}
	if n := connected(); n != 2 {
		t.Fatalf("%d peers connected under a cap of 2", n)
	}

	s.SetMaxPeersPerTorrent(3)
	dialAs(t, s.Port(), mi.InfoHash, "d")
	waitFor(t, 5*time.Second, "a third peer let in under the raised cap", func() bool { return connected() == 3 })
}

// Upload slots change for running torrents and for torrents added later.
func TestUploadSlotsChangeAtRunTime(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "slots.bin", 4*(16<<10), 16<<10)
	s := newTestSession(t, Config{})
	tr, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	slots := func(tr *Torrent) int {
		ch := make(chan int, 1)
		tr.do(func() { ch <- tr.choker.Config().RegularSlots })
		return <-ch
	}
	if got := slots(tr); got != 4 {
		t.Fatalf("default upload slots %d, want 4", got)
	}
	s.SetUploadSlots(9)
	if got := slots(tr); got != 9 {
		t.Errorf("running torrent has %d upload slots after SetUploadSlots(9)", got)
	}
	mi2 := makeTorrent(t, dir, "later.bin", 4*(16<<10), 16<<10)
	later, err := s.Add(mi2, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := slots(later); got != 9 {
		t.Errorf("torrent added after SetUploadSlots(9) has %d upload slots", got)
	}
	s.SetUploadSlots(0)
	if got := slots(tr); got != 4 {
		t.Errorf("SetUploadSlots(0) left %d slots, want the default 4", got)
	}
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }
