package torrent

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/wire"
)

// A fast-extension peer that we choke (it never says it is interested, so
// we never unchoke it) is offered the BEP 6 allowed fast set, gets blocks of
// those pieces, and is refused others, each with exactly one answer. Its
// allowance per piece runs out.
func TestAllowedFastSetIsOfferedAndServed(t *testing.T) {
	dir := t.TempDir()
	const pieceLength = 32 << 10 // two blocks a piece
	mi := makeTorrent(t, dir, "fast.bin", 40*pieceLength, pieceLength)
	s := newTestSession(t, Config{})
	seeder, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)

	p := dialScripted(t, s.Port(), mi.InfoHash, true)
	want := wire.AllowedFastSet(allowedFastOffered, mi.Info.NumPieces(), mi.InfoHash, netip.MustParseAddr("127.0.0.1"))
	var offered []int
	for len(offered) < len(want) {
		m, err := wire.ReadMessage(p.r, 1<<22, nil)
		if err != nil {
			t.Fatalf("reading the seeder's greeting: %v (allowed fast so far %v, want %v)", err, offered, want)
		}
		switch m.ID {
		case wire.AllowedFast:
			offered = append(offered, int(m.Index))
		case wire.Unchoke:
			t.Fatal("the seeder unchoked a peer that never said it was interested")
		}
	}
	if !slices.Equal(offered, want) {
		t.Fatalf("allowed fast set %v, want %v (BEP 6, from 127.0.0.0/24 and the info hash)", offered, want)
	}
	fastPiece := uint32(want[0])
	otherPiece := uint32(0)
	for slices.Contains(want, int(otherPiece)) {
		otherPiece++
	}

	// next returns the next piece or reject, skipping keep-alives and the
	// rest of the greeting.
	next := func() wire.Message {
		t.Helper()
		for {
			m, err := wire.ReadMessage(p.r, 1<<22, nil)
			if err != nil {
				t.Fatalf("waiting for an answer: %v", err)
			}
			if m.ID == wire.Piece || m.ID == wire.Reject || m.ID == wire.Unchoke {
				return m
			}
		}
	}
	p.send(rawMessage(byte(wire.Request), fastPiece, 0, wire.BlockSize))
	if m := next(); m.ID != wire.Piece || m.Index != fastPiece || m.Begin != 0 {
		t.Fatalf("request for allowed-fast piece %d while choked: got message %d for piece %d, want the block", fastPiece, m.ID, m.Index)
	}
	p.send(rawMessage(byte(wire.Request), otherPiece, 0, wire.BlockSize))
	if m := next(); m.ID != wire.Reject || m.Index != otherPiece {
		t.Fatalf("request for piece %d (not allowed fast) while choked: got message %d for piece %d, want a reject", otherPiece, m.ID, m.Index)
	}
	// Two blocks a piece, two rounds: three more blocks, then no more.
	for i := range 3 {
		p.send(rawMessage(byte(wire.Request), fastPiece, uint32(i%2)*wire.BlockSize, wire.BlockSize))
		if m := next(); m.ID != wire.Piece {
			t.Fatalf("block %d of the allowance: got message %d, want the block", i+2, m.ID)
		}
	}
	p.send(rawMessage(byte(wire.Request), fastPiece, 0, wire.BlockSize))
	if m := next(); m.ID != wire.Reject {
		t.Fatalf("a request past the allowance: got message %d, want a reject", m.ID)
	}
}

// A peer without the fast extension gets no allowed fast messages (they
// would be a protocol error for it).
func TestNoAllowedFastWithoutTheExtension(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "slow.bin", 20*(16<<10), 16<<10)
	s := newTestSession(t, Config{})
	seeder, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	p := dialScripted(t, s.Port(), mi.InfoHash, false)
	// The greeting (bitfield, maybe an extended handshake) comes at once;
	// read for a while and make sure none of it is BEP 6.
	p.conn.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
	for {
		m, err := wire.ReadMessage(p.r, 1<<22, nil)
		if err != nil {
			break // the deadline: nothing more was sent
		}
		if m.ID == wire.AllowedFast || m.ID == wire.HaveAll || m.ID == wire.HaveNone {
			t.Fatalf("sent BEP 6 message %d to a peer without the fast extension", m.ID)
		}
	}
}
