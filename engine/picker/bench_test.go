package picker

import (
	"math/rand/v2"
	"testing"

	"github.com/swarmscope/swarmscope/engine/bitfield"
)

const (
	benchPieces = 10_000
	benchPeers  = 50
	benchBlocks = 16 // 256 KiB pieces
)

// benchSwarm returns a picker for a 10,000-piece torrent with 50 peers
// that each have a random half of the pieces, past random first.
func benchSwarm(b *testing.B) *Picker {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	pieceLen := int64(benchBlocks * BlockSize)
	p := New(benchPieces, pieceLen, pieceLen*benchPieces, rand.New(rand.NewPCG(1, 1)))
	p.SetRandomFirstPieces(0)
	for peer := range PeerKey(benchPeers) {
		bf := bitfield.New(benchPieces)
		for i := range benchPieces {
			if rng.IntN(2) == 0 {
				bf.Set(i)
			}
		}
		p.PeerBitfield(peer, bf)
	}
	return p
}

// BenchmarkPick measures one Pick of a piece's worth of blocks, returning
// them with PeerChoked so every iteration sees the same swarm.
func BenchmarkPick(b *testing.B) {
	p := benchSwarm(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		peer := PeerKey(i % benchPeers)
		if got := p.Pick(peer, benchBlocks); len(got) == 0 {
			b.Fatal("nothing picked")
		}
		p.PeerChoked(peer)
	}
}

// BenchmarkDownload measures the steady state of a download: pick a
// piece's worth of blocks, receive them, verify finished pieces. The
// reported time is per Pick (plus the receives it leads to).
func BenchmarkDownload(b *testing.B) {
	p := benchSwarm(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		peer := PeerKey(i % benchPeers)
		got := p.Pick(peer, benchBlocks)
		if len(got) == 0 && p.Complete() {
			b.StopTimer()
			p = benchSwarm(b)
			b.StartTimer()
			continue
		}
		for _, blk := range got {
			if _, done, _ := p.BlockReceived(peer, blk); done {
				p.PieceVerified(blk.Piece)
			}
		}
	}
}

// BenchmarkPickSeed is Pick against a peer that has everything (the
// common case of a seed), with the swarm's 50 partial peers around.
func BenchmarkPickSeed(b *testing.B) {
	p := benchSwarm(b)
	p.PeerHaveAll(1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if got := p.Pick(1000, benchBlocks); len(got) == 0 {
			b.Fatal("nothing picked")
		}
		p.PeerChoked(1000)
	}
}
