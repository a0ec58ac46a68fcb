package torrent

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metadata"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// TestMagnetFromPeers: a magnet link with only x.pe peers (no tracker, no
// DHT). The first peer serves metadata that does not hash to the info
// hash and is dropped; the real seeder then serves the metadata and the
// data, and the download completes byte for byte.
func TestMagnetFromPeers(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	// 40000 pieces of 16 KiB would be too much data; 2000 pieces of the
	// smallest size give an info dictionary of two metadata pieces.
	mi := makeTorrent(t, seedDir, "magnet.bin", 2000*16<<10-777, 16<<10)
	if n := metadata.NumPieces(len(mi.Info.Raw)); n < 2 {
		t.Fatalf("info dictionary of %d bytes is one metadata piece; the test wants several", len(mi.Info.Raw))
	}

	seedSession := newTestSession(t, Config{})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 20*time.Second)
	liar := startMetadataLiar(t, mi)

	link := mi.Magnet()
	link.Trackers = nil
	link.Peers = []string{liar}
	leechSession := newTestSession(t, Config{})
	leecher, err := leechSession.AddMagnet(&link, AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	if s := leecher.Snapshot(); s.State != FetchingMetadata || s.State.String() != "fetching metadata" || leecher.MetaInfo() != nil {
		t.Fatalf("new magnet: state %q, metainfo %v; want fetching metadata and none", s.State, leecher.MetaInfo())
	}
	waitFor(t, 20*time.Second, "the peer with corrupt metadata to be dropped", func() bool {
		for _, d := range leecher.Snapshot().DroppedPeers {
			if d.Addr == liar && strings.Contains(d.Reason, "does not match the info hash") {
				return true
			}
		}
		return false
	})
	if leecher.MetaInfo() != nil {
		t.Fatal("metadata accepted from the liar")
	}
	leecher.AddPeer(fmt.Sprintf("127.0.0.1:%d", seedSession.Port()))

	select {
	case <-leecher.MetadataReady():
	case <-time.After(20 * time.Second):
		t.Fatalf("no metadata after 20 s: %+v", leecher.Snapshot().DroppedPeers)
	}
	got := leecher.MetaInfo()
	if got == nil || got.InfoHash != mi.InfoHash || !bytes.Equal(got.Info.Raw, mi.Info.Raw) {
		t.Fatalf("fetched metainfo does not match the torrent")
	}
	if again, err := metainfo.Parse(got.Raw); err != nil || again.InfoHash != mi.InfoHash {
		t.Fatalf("the .torrent built from the metadata does not parse back: %v", err)
	}
	waitDone(t, leecher, 40*time.Second)
	sameFile(t, filepath.Join(seedDir, "magnet.bin"), filepath.Join(leechDir, "magnet.bin"))
	if s := leecher.Snapshot(); s.Name != mi.Info.Name || s.NumPieces != mi.Info.NumPieces() {
		t.Fatalf("snapshot after metadata: name %q, %d pieces", s.Name, s.NumPieces)
	}
}

// startMetadataLiar listens on loopback as a peer of mi that offers the
// metadata with the right size and answers every request with garbage.
func startMetadataLiar(t *testing.T, mi *metainfo.MetaInfo) string {
	t.Helper()
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
			go serveBadMetadata(conn, mi)
		}
	}()
	return ln.Addr().String()
}

func serveBadMetadata(conn net.Conn, mi *metainfo.MetaInfo) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := wire.ReadHandshake(conn); err != nil {
		return
	}
	h := wire.Handshake{InfoHash: mi.InfoHash, PeerID: wire.NewPeerID()}
	h.Reserved.SetExtensions(true)
	if wire.WriteHandshake(conn, h) != nil {
		return
	}
	size := len(mi.Info.Raw)
	hs := wire.ExtendedHandshake{M: map[string]int{wire.ExtensionMetadata: 3}, MetadataSize: size}
	conn.Write(wire.NewExtended(wire.ExtendedHandshakeID, hs.Encode()).Append(nil))
	buf := make([]byte, 64<<10)
	for {
		m, err := wire.ReadMessage(conn, 1<<20, buf)
		if err != nil {
			return
		}
		if m.ID != wire.Extended || m.ExtendedID != 3 {
			continue
		}
		req, err := metadata.DecodeMessage(m.Payload)
		if err != nil || req.Type != metadata.Request {
			continue
		}
		data := bytes.Repeat([]byte{'x'}, min(metadata.PieceSize, size-req.Piece*metadata.PieceSize))
		reply := metadata.Message{Type: metadata.Data, Piece: req.Piece, TotalSize: size, Data: data}
		conn.Write(wire.NewExtended(localMetadataID, reply.Encode()).Append(nil))
	}
}
