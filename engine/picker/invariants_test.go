package picker

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/swarmscope/swarmscope/engine/bitfield"
)

// checkInvariants recomputes every derived count and set from first
// principles and fails the test on any drift.
func (p *Picker) checkInvariants(t testing.TB) {
	t.Helper()
	avail := make([]int32, p.numPieces)
	haveAll := 0
	requests := map[Block][]PeerKey{}
	for key, ps := range p.peers {
		if ps.all {
			haveAll++
			if ps.has != nil {
				t.Fatalf("peer %d: has-all with a bitfield too", key)
			}
		}
		for i := range p.numPieces {
			if !ps.all && ps.hasPiece(i) {
				avail[i]++
			}
		}
		seen := map[Block]bool{}
		for _, b := range ps.outstanding {
			if seen[b] {
				t.Fatalf("peer %d: block %+v outstanding twice", key, b)
			}
			seen[b] = true
			requests[b] = append(requests[b], key)
		}
	}
	if haveAll != p.haveAll {
		t.Fatalf("haveAll = %d, recomputed %d", p.haveAll, haveAll)
	}
	wantedLeft, verified, candidates := 0, 0, 0
	for i := range p.pieces {
		st := &p.pieces[i]
		if st.avail != avail[i] {
			t.Fatalf("piece %d: avail %d, recomputed %d", i, st.avail, avail[i])
		}
		if st.verified {
			verified++
		}
		wanted := !st.verified && st.priority > Skip
		if wanted {
			wantedLeft++
		}
		isCand := wanted && st.partial == nil
		if isCand {
			candidates++
			w := p.candidates.where[i]
			if w.pos < 0 || int(w.tier) != tier(st.priority) || w.avail != st.avail ||
				p.candidates.buckets[w.tier][w.avail][w.pos] != int32(i) {
				t.Fatalf("piece %d: candidate bucket entry %+v wrong (tier %d, avail %d)", i, w, tier(st.priority), st.avail)
			}
		} else if p.candidates.has(i) {
			t.Fatalf("piece %d: in candidates but should not be", i)
		}
		if p.started.has(i) != (st.partial != nil) {
			t.Fatalf("piece %d: started set %v, partial %v", i, p.started.has(i), st.partial != nil)
		}
		if st.partial == nil {
			if p.open.has(i) {
				t.Fatalf("piece %d: open without block state", i)
			}
			continue
		}
		pp := st.partial
		if len(pp.blocks) != p.numBlocks(i) {
			t.Fatalf("piece %d: %d blocks, want %d", i, len(pp.blocks), p.numBlocks(i))
		}
		received, unrequested := 0, 0
		for j, blk := range pp.blocks {
			b := p.block(i, j)
			got := slices.Clone(blk.requesters)
			want := slices.Clone(requests[b])
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("block %+v: requesters %v, outstanding at %v", b, got, want)
			}
			delete(requests, b)
			if blk.received {
				received++
				if len(blk.requesters) > 0 {
					t.Fatalf("block %+v: received but still requested from %v", b, blk.requesters)
				}
			} else if len(blk.requesters) == 0 {
				unrequested++
			}
		}
		if received != pp.received || unrequested != pp.unrequested {
			t.Fatalf("piece %d: received %d unrequested %d, recomputed %d %d", i, pp.received, pp.unrequested, received, unrequested)
		}
		if received == 0 && unrequested == len(pp.blocks) {
			t.Fatalf("piece %d: block state kept for an untouched piece", i)
		}
		if p.open.has(i) != (wanted && unrequested > 0) {
			t.Fatalf("piece %d: open %v, wanted %v unrequested %d", i, p.open.has(i), wanted, unrequested)
		}
	}
	if len(requests) != 0 {
		t.Fatalf("outstanding blocks without block state: %v", requests)
	}
	if wantedLeft != p.wantedLeft || verified != p.verified || candidates != p.candidates.len() {
		t.Fatalf("counts wantedLeft %d verified %d candidates %d, recomputed %d %d %d",
			p.wantedLeft, p.verified, p.candidates.len(), wantedLeft, verified, candidates)
	}
}

// TestRandomOperationsKeepInvariants drives the picker with a long random
// mix of events, including hostile ones, checks the bookkeeping after each,
// then lets the swarm deliver everything and expects completion.
func TestRandomOperationsKeepInvariants(t *testing.T) {
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 99))
		const numPieces = 23
		pieceLen := int64(3 * BlockSize)
		total := pieceLen*(numPieces-1) + BlockSize + 7
		p := New(numPieces, pieceLen, total, rand.New(rand.NewPCG(seed, 1)))
		p.SetStrategy(Strategy(seed % 3))
		peers := []PeerKey{1, 2, 3, 4, 5}
		accepted, completed := 0, 0
		var pending []struct {
			peer PeerKey
			b    Block
		}
		for step := range 3000 {
			peer := peers[rng.IntN(len(peers))]
			switch op := rng.IntN(16); op {
			case 0:
				bf := bitfield.New(numPieces)
				for i := range numPieces {
					if rng.IntN(2) == 0 {
						bf.Set(i)
					}
				}
				p.PeerBitfield(peer, bf)
			case 1:
				p.PeerHave(peer, rng.IntN(numPieces+4)-2) // includes out-of-range
			case 2:
				if rng.IntN(4) == 0 {
					p.PeerHaveAll(peer)
				}
			case 3:
				if rng.IntN(4) == 0 {
					p.PeerGone(peer)
				}
			case 4:
				if rng.IntN(3) == 0 {
					p.PeerChoked(peer)
				}
			case 5, 6, 7:
				for _, b := range p.Pick(peer, 1+rng.IntN(6)) {
					pending = append(pending, struct {
						peer PeerKey
						b    Block
					}{peer, b})
				}
			case 8:
				allowed := []int{rng.IntN(numPieces), rng.IntN(numPieces), -1, numPieces}
				p.PickAllowedFast(peer, allowed, 3)
			case 9, 10, 11:
				if len(pending) == 0 {
					continue
				}
				k := rng.IntN(len(pending))
				req := pending[k]
				pending = slices.Delete(pending, k, k+1)
				ok, done, _ := p.BlockReceived(req.peer, req.b)
				if ok {
					accepted++
				}
				if done {
					completed++
					if rng.IntN(5) == 0 {
						p.PieceFailed(req.b.Piece)
					} else {
						p.PieceVerified(req.b.Piece)
					}
				}
			case 12:
				if len(pending) > 0 {
					k := rng.IntN(len(pending))
					p.BlockRejected(pending[k].peer, pending[k].b)
				}
			case 13:
				// Hostile: garbage blocks.
				p.BlockReceived(peer, Block{Piece: rng.IntN(numPieces+2) - 1, Begin: uint32(rng.IntN(4 * BlockSize)), Length: uint32(rng.IntN(2 * BlockSize))})
				p.BlockRejected(peer, Block{Piece: rng.IntN(numPieces), Begin: 5, Length: 1})
			case 14:
				if rng.IntN(10) == 0 {
					prio := make([]Priority, numPieces)
					for i := range prio {
						prio[i] = Priority(rng.IntN(5) - 1) // includes out-of-range values
					}
					p.SetPiecePriorities(prio)
				}
			case 15:
				if rng.IntN(20) == 0 {
					have := bitfield.New(numPieces)
					for i := range numPieces {
						if rng.IntN(4) == 0 {
							have.Set(i)
						}
					}
					p.SetHave(have)
				}
			}
			p.checkInvariants(t)
			if t.Failed() {
				t.Fatalf("seed %d: after step %d", seed, step)
			}
		}

		if accepted < 50 || completed < 10 {
			t.Fatalf("seed %d: random phase too idle to mean anything: %d blocks accepted, %d pieces completed", seed, accepted, completed)
		}

		// Let a seed deliver everything that is left.
		prio := make([]Priority, numPieces)
		for i := range prio {
			prio[i] = Normal
		}
		p.SetPiecePriorities(prio)
		for _, peer := range peers {
			p.PeerGone(peer)
		}
		p.PeerHaveAll(100)
		for round := 0; !p.Complete(); round++ {
			if round > 10*numPieces {
				t.Fatalf("seed %d: download never completes; %d pieces left", seed, p.wantedLeft)
			}
			for _, b := range p.Pick(100, 8) {
				if ok, done, _ := p.BlockReceived(100, b); !ok {
					t.Fatalf("seed %d: picked block %+v not accepted", seed, b)
				} else if done {
					p.PieceVerified(b.Piece)
				}
			}
			p.checkInvariants(t)
		}
	}
}
