package torrent

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// scriptedPeer is a raw TCP peer on 127.0.0.1 that sends what the test
// tells it to, however wrong.
type scriptedPeer struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialScripted(t *testing.T, port int, infoHash metainfo.Hash, fast bool) *scriptedPeer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	h := wire.Handshake{InfoHash: infoHash, PeerID: [20]byte(([]byte("-XX0001-hostilepeer1"))[:20])}
	h.Reserved.SetFast(fast)
	if err := wire.WriteHandshake(conn, h); err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	if _, err := wire.ReadHandshake(r); err != nil {
		t.Fatalf("scripted peer: handshake: %v", err)
	}
	return &scriptedPeer{t: t, conn: conn, r: r}
}

func (s *scriptedPeer) send(b []byte) {
	if _, err := s.conn.Write(b); err != nil {
		s.t.Fatalf("scripted peer: write: %v", err)
	}
}

// waitClosed reads until the engine closes the connection.
func (s *scriptedPeer) waitClosed() {
	s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, err := wire.ReadMessage(s.r, 1<<22, nil); err != nil {
			if err == io.EOF || strings.Contains(err.Error(), "reset") || err == io.ErrUnexpectedEOF {
				return
			}
			s.t.Fatalf("scripted peer was not dropped: %v", err)
		}
	}
}

func rawMessage(id byte, payload ...uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(1+4*len(payload)))
	b = append(b, id)
	for _, v := range payload {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

func TestHostilePeersAreDropped(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "h.bin", 1<<20+100, 64<<10) // 17 pieces: spare bits in the bitfield
	seedSession := newTestSession(t, Config{})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	leechSession := newTestSession(t, Config{})
	leecher, err := leechSession.Add(mi, AddOptions{Dir: t.TempDir(), NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the leecher to finish checking", func() bool { return leecher.Snapshot().State == Downloading })

	n := uint32(mi.Info.NumPieces())
	cases := []struct {
		name   string
		target *Torrent
		port   int
		fast   bool
		msg    []byte
		reason string
	}{
		{"message over the cap", seeder, seedSession.Port(), false, binary.BigEndian.AppendUint32(nil, 64<<20), "message too long"},
		{"request over 16 KiB", seeder, seedSession.Port(), false, rawMessage(6, 0, 0, 32<<10), "allowed 1 to 16384"},
		{"request past the piece", seeder, seedSession.Port(), false, rawMessage(6, 0, 60<<10, 16<<10), "past the end of piece 0"},
		{"request index out of range", seeder, seedSession.Port(), false, rawMessage(6, n, 0, 16<<10), "out of range"},
		{"request for a piece we lack", leecher, leechSession.Port(), false, rawMessage(6, 0, 0, 16<<10), "which we do not have"},
		{"have out of range", seeder, seedSession.Port(), false, rawMessage(4, n+5), "have: piece index"},
		{"have of the wrong length", seeder, seedSession.Port(), false, append(binary.BigEndian.AppendUint32(nil, 3), 4, 0, 0), "have: payload 2 bytes"},
		{"bitfield with spare bits", seeder, seedSession.Port(), false, append(binary.BigEndian.AppendUint32(nil, 4), 5, 0xff, 0xff, 0xff), "spare bits"},
		{"bitfield of the wrong length", seeder, seedSession.Port(), false, append(binary.BigEndian.AppendUint32(nil, 2), 5, 0xff), "bad bitfield"},
		{"unrequested block", leecher, leechSession.Port(), false, append(binary.BigEndian.AppendUint32(nil, 9+4), 7, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4), "did not request"},
		{"fast message without fast support", leecher, leechSession.Port(), false, rawMessage(0x0E), "without announcing BEP 6"},
		{"extended message without support", leecher, leechSession.Port(), false, append(binary.BigEndian.AppendUint32(nil, 2), 20, 0), "without announcing BEP 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := dialScripted(t, tc.port, mi.InfoHash, tc.fast)
			local := p.conn.LocalAddr().String()
			p.send(tc.msg)
			p.waitClosed()
			waitFor(t, 5*time.Second, "the drop to be recorded", func() bool {
				for _, d := range tc.target.Snapshot().DroppedPeers {
					if d.Addr == local {
						if !strings.Contains(d.Reason, tc.reason) {
							t.Fatalf("dropped for %q, want a reason containing %q", d.Reason, tc.reason)
						}
						return true
					}
				}
				return false
			})
		})
	}

	t.Run("wrong info hash", func(t *testing.T) {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", seedSession.Port()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wire.WriteHandshake(conn, wire.Handshake{InfoHash: [20]byte{1, 2, 3}, PeerID: wire.NewPeerID()})
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Read(make([]byte, 1)); err == nil {
			t.Fatal("connection with an unknown info hash got an answer")
		}
		expectRejected(t, seedSession, conn.LocalAddr().String(), "unknown info hash")
	})
	t.Run("handshake garbage", func(t *testing.T) {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", seedSession.Port()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + strings.Repeat("x", 40)))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Read(make([]byte, 1)); err == nil {
			t.Fatal("garbage handshake got an answer")
		}
		expectRejected(t, seedSession, conn.LocalAddr().String(), "not the BitTorrent protocol")
	})
	// The honest torrents are unharmed.
	if s := seeder.Snapshot(); s.State != Seeding {
		t.Fatalf("seeder state %v after the hostile peers", s.State)
	}
}

func expectRejected(t *testing.T, s *Session, addr, reason string) {
	t.Helper()
	waitFor(t, 5*time.Second, "the rejection to be recorded", func() bool {
		for _, r := range s.RejectedHandshakes() {
			if r.Addr == addr {
				if !strings.Contains(r.Reason, reason) {
					t.Fatalf("rejected for %q, want %q", r.Reason, reason)
				}
				return true
			}
		}
		return false
	})
}

// corruptSeed is a scripted seed on 127.0.0.1 that answers every request
// with garbage of the right length.
func startCorruptSeed(t *testing.T, mi *metainfo.MetaInfo) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveCorrupt(conn, mi)
		}
	}()
	return ln.Addr().String()
}

func serveCorrupt(conn net.Conn, mi *metainfo.MetaInfo) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := wire.ReadHandshake(conn); err != nil {
		return
	}
	h := wire.Handshake{InfoHash: mi.InfoHash, PeerID: [20]byte([]byte("-XX0001-corruptseed1")[:20])}
	h.Reserved.SetFast(true)
	if wire.WriteHandshake(conn, h) != nil {
		return
	}
	w := bufio.NewWriter(conn)
	w.Write(wire.Message{ID: wire.HaveAll}.Append(nil))
	w.Write(wire.Message{ID: wire.Unchoke}.Append(nil))
	w.Flush()
	r := bufio.NewReader(conn)
	garbage := make([]byte, wire.BlockSize)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	for {
		m, err := wire.ReadMessage(r, 1<<20, nil)
		if err != nil {
			return
		}
		if m.ID == wire.Request && !m.KeepAlive {
			w.Write(wire.NewPiece(m.Index, m.Begin, garbage[:m.Length]).Append(nil))
			if r.Buffered() == 0 {
				w.Flush()
			}
		}
	}
}

func TestCorruptPeerIsBanned(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "c.bin", 2<<20, 32<<10)
	seedSession := newTestSession(t, Config{UploadLimit: 4 << 20}) // slow honest seed: the corrupt one gets work
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	corrupt := startCorruptSeed(t, mi)

	s := newTestSession(t, Config{})
	leecher, err := s.Add(mi, AddOptions{Dir: leechDir, NoTrackers: true,
		Peers: []string{corrupt, fmt.Sprintf("127.0.0.1:%d", seedSession.Port())}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 40*time.Second)
	sameFile(t, filepath.Join(seedDir, "c.bin"), filepath.Join(leechDir, "c.bin"))
	snap := leecher.Snapshot()
	if snap.HashFailures == 0 {
		t.Fatal("no hash failures: the corrupt seed was never used, the test proves nothing")
	}
	banned := false
	for _, d := range snap.DroppedPeers {
		if d.Addr == corrupt && strings.Contains(d.Reason, "banned") {
			banned = true
			t.Logf("corrupt seed dropped: %s", d.Reason)
		}
		if d.Addr != corrupt && strings.Contains(d.Reason, "banned") {
			t.Errorf("honest peer %s banned: %s", d.Addr, d.Reason)
		}
	}
	if !banned {
		t.Fatalf("corrupt seed %s not banned; drops: %+v", corrupt, snap.DroppedPeers)
	}
	t.Logf("%d hash failures, %d bytes wasted", snap.HashFailures, snap.Wasted)
}
