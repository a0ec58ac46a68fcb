package torrent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// Issue 8, PEX interop with libtorrent (ut_pex on, DHT off, no tracker):
// our peer learns a peer from libtorrent's PEX, and libtorrent learns a
// peer from ours. Both clients send their first PEX message to a peer as
// soon as there is something to tell it and then at most once a minute;
// the order in which the peers meet below makes sure every address comes
// from the PEX message the assertion is about, and nowhere else.

// pexInteropTimeout bounds the PEX interop test.
const pexInteropTimeout = 60 * time.Second

// quietPeer is a minimal peer on 127.0.0.1 that speaks no extension, so it
// never sends PEX: nobody can learn its address from it, and it learns
// nobody's. It accepts connections for one torrent, answers the handshake
// and then only reads; it reports the peer ID of everyone who connects.
type quietPeer struct {
	addr   string
	id     [20]byte
	mu     sync.Mutex
	dialed map[[20]byte]bool // peer IDs that connected to it
}

func startQuietPeer(t *testing.T, infoHash metainfo.Hash) *quietPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	q := &quietPeer{addr: ln.Addr().String(), id: [20]byte([]byte("-XX0001-quietpeer001")), dialed: make(map[[20]byte]bool)}
	var conns sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		conns.Wait()
	})
	conns.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, conn)
			mu.Unlock()
			conns.Go(func() { q.serve(conn, infoHash) })
		}
	})
	return q
}

func (q *quietPeer) serve(conn net.Conn, infoHash metainfo.Hash) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(pexInteropTimeout))
	r := bufio.NewReader(conn)
	h, err := wire.ReadHandshake(r)
	if err != nil || h.InfoHash != infoHash {
		return
	}
	if wire.WriteHandshake(conn, wire.Handshake{InfoHash: infoHash, PeerID: q.id}) != nil {
		return
	}
	q.mu.Lock()
	q.dialed[h.PeerID] = true
	q.mu.Unlock()
	_, _ = io.Copy(io.Discard, r)
}

// dialedBy reports whether a peer with this ID connected to q.
func (q *quietPeer) dialedBy(id [20]byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dialed[id]
}

// dialedByPrefix reports whether a peer whose ID starts with prefix (the
// Azureus-style client code) connected to q.
func (q *quietPeer) dialedByPrefix(prefix string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id := range q.dialed {
		if strings.HasPrefix(string(id[:]), prefix) {
			return true
		}
	}
	return false
}

// peerByID is the snapshot of tr's connection to the peer with this ID.
func peerByID(tr *Torrent, id [20]byte) (PeerSnapshot, bool) {
	for _, p := range tr.Snapshot().Peers {
		if p.PeerID == id {
			return p, true
		}
	}
	return PeerSnapshot{}, false
}

// TestPEXWithLibtorrent: libtorrent B (ut_pex on) and our sessions A, C, Y
// and a quiet peer E that speaks no PEX.
//
//  1. C (our seeder, upload-limited so nobody finishes during the test) and
//     Y (our leecher) are dialled by B. B, with two peers, sends each its
//     first PEX message, naming the other; C and Y connect and tell each
//     other and B about their peers. From then on none of B, C and Y may
//     send C or Y another PEX message for a minute.
//  2. A connects to E (given by hand); E never tells anyone anything.
//  3. A connects to B (given by hand). A's first PEX message to B names E;
//     B's first PEX message to A names C and Y.
//
// (i) A dials C and Y: its connections to them have Source PEX. Nothing
// else could have told A of them, and they cannot have dialled A first,
// since no one can tell them of A within the minute.
// (ii) B dials E, whose address only A's PEX message carried: E sees
// libtorrent's handshake, and libtorrent lists E with source pex.
func TestPEXWithLibtorrent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), pexInteropTimeout)
	defer cancel()
	seedDir := t.TempDir()
	mi := makeTorrent(t, seedDir, "pex.bin", 2<<20+99, 32<<10)
	ih := mi.InfoHash.Hex()
	add := func(s *Session, dir string) *Torrent {
		t.Helper()
		tr, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}

	sessC := newTestSession(t, Config{UploadLimit: 64 << 10})
	trC := add(sessC, seedDir)
	waitDone(t, trC, 20*time.Second)
	sessY := newTestSession(t, Config{})
	trY := add(sessY, t.TempDir())

	// 1. B dials C and Y.
	b := startLibtorrentSession(t, "B (ut_pex)", ltOptions{PEX: true})
	b.command(t, "add_torrent %s %s", writeTorrentFile(t, mi), t.TempDir())
	b.waitLine(ctx, t, "the torrent to start", func(line string) bool {
		return strings.HasPrefix(line, "torrent "+ih+" state=downloading")
	})
	b.command(t, "connect %s 127.0.0.1 %d", ih, sessC.Port())
	b.command(t, "connect %s 127.0.0.1 %d", ih, sessY.Port())
	waitFor(t, 20*time.Second, "C and Y to meet through B's PEX", func() bool {
		_, ok := peerByID(trY, sessC.PeerID())
		return ok
	})
	if p, _ := peerByID(trY, sessC.PeerID()); p.Source != SourcePEX && !p.Incoming {
		t.Fatalf("Y met C otherwise than by B's PEX: source %v", p.Source)
	}
	// C and Y send each other, and B, their first PEX message on their
	// next tick (at most a second away).
	time.Sleep(3 * time.Second)

	// 2. A meets the quiet peer E.
	e := startQuietPeer(t, mi.InfoHash)
	sessA := newTestSession(t, Config{})
	trA := add(sessA, t.TempDir())
	trA.AddPeer(e.addr)
	waitFor(t, 10*time.Second, "A to connect to E", func() bool { return e.dialedBy(sessA.PeerID()) })
	waitFor(t, 5*time.Second, "A's snapshot to show E", func() bool { _, ok := peerByID(trA, e.id); return ok })

	// 3. A meets B.
	start := time.Now()
	trA.AddPeer(b.addr().String())

	// (i) A learns C and Y from B.
	for _, want := range []struct {
		name string
		s    *Session
	}{{"C", sessC}, {"Y", sessY}} {
		waitFor(t, time.Until(deadlineOf(ctx)), "A to connect to "+want.name+" through B's PEX", func() bool {
			_, ok := peerByID(trA, want.s.PeerID())
			return ok
		})
		p, _ := peerByID(trA, want.s.PeerID())
		if p.Source != SourcePEX || p.Incoming || p.Addr != fmt.Sprintf("127.0.0.1:%d", want.s.Port()) {
			t.Fatalf("A's connection to %s: source %v, incoming %v, address %s; want one A dialled at %s's listen port after B's PEX",
				want.name, p.Source, p.Incoming, p.Addr, want.name)
		}
		if !strings.HasSuffix(p.Flags(), "X") {
			t.Errorf("A's peer %s has flags %q; want the PEX source flag X", want.name, p.Flags())
		}
		t.Logf("A learned %s from libtorrent's PEX and connected %v after meeting B", want.name, time.Since(start).Round(time.Millisecond))
	}

	// (ii) B learns E from A's PEX.
	b.waitLine(ctx, t, "B to dial E, which only A's PEX named", func(line string) bool {
		return line == fmt.Sprintf("connecting %s %s", ih, e.addr)
	})
	line := b.waitLine(ctx, t, "B to list E", func(line string) bool {
		return strings.HasPrefix(line, fmt.Sprintf("peer %s %s pid=%x ", ih, e.addr, e.id))
	})
	if !strings.Contains(line, "source=pex") || !strings.HasSuffix(line, "dir=out") {
		t.Fatalf("libtorrent did not get E from PEX: %s", line)
	}
	// libtorrent 2.0 uses a fresh peer ID suffix per connection; its
	// client code is -LT.
	waitFor(t, 5*time.Second, "E to see libtorrent's handshake", func() bool { return e.dialedByPrefix("-LT") })
	t.Logf("libtorrent learned E from our PEX and connected %v after A met B: %s", time.Since(start).Round(time.Millisecond), line)
}
