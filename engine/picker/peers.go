package picker

import (
	"slices"

	"github.com/swarmscope/swarmscope/engine/bitfield"
)

// peer returns the state for key, creating it on first mention.
func (p *Picker) peer(key PeerKey) *peerState {
	ps := p.peers[key]
	if ps == nil {
		ps = &peerState{}
		p.peers[key] = ps
	}
	return ps
}

func (ps *peerState) hasPiece(piece int) bool {
	if ps.all {
		return true
	}
	return ps.has != nil && ps.has[piece>>6]&(1<<(piece&63)) != 0
}

func (p *Picker) addAvail(piece int, delta int32) {
	p.pieces[piece].avail += delta
	if p.candidates.has(piece) {
		// Move the candidate to its new availability bucket.
		p.candidates.remove(piece)
		p.refresh(piece)
	}
}

// forgetPieces removes everything the picker knows the peer has from the
// availability counts.
func (p *Picker) forgetPieces(ps *peerState) {
	if ps.all {
		p.haveAll--
		ps.all = false
	}
	if ps.has != nil {
		for i := range p.numPieces {
			if ps.hasPiece(i) {
				p.addAvail(i, -1)
			}
		}
		ps.has = nil
	}
}

// PeerBitfield records the full set of pieces peer has (its bitfield
// message). A second bitfield replaces the first. Bits beyond the torrent's
// piece count are ignored; a nil bitfield means the peer has nothing.
func (p *Picker) PeerBitfield(peer PeerKey, has *bitfield.Bitfield) {
	ps := p.peer(peer)
	p.forgetPieces(ps)
	ps.has = make([]uint64, (p.numPieces+63)/64)
	if has == nil {
		return
	}
	for i := range p.numPieces {
		if has.Has(i) {
			ps.has[i>>6] |= 1 << (i & 63)
			p.addAvail(i, 1)
		}
	}
}

// PeerHaveNone records that peer has no pieces (BEP 6 have-none).
func (p *Picker) PeerHaveNone(peer PeerKey) { p.PeerBitfield(peer, nil) }

// PeerHave records that peer has piece. Out-of-range pieces and repeats
// are ignored.
func (p *Picker) PeerHave(peer PeerKey, piece int) {
	if piece < 0 || piece >= p.numPieces {
		return
	}
	ps := p.peer(peer)
	if ps.hasPiece(piece) {
		return
	}
	if ps.has == nil {
		ps.has = make([]uint64, (p.numPieces+63)/64)
	}
	ps.has[piece>>6] |= 1 << (piece & 63)
	p.addAvail(piece, 1)
}

// PeerHaveAll records that peer has every piece (a seed, or BEP 6
// have-all). It works with or without an earlier bitfield.
func (p *Picker) PeerHaveAll(peer PeerKey) {
	ps := p.peer(peer)
	if ps.all {
		return
	}
	p.forgetPieces(ps)
	ps.all = true
	p.haveAll++
}

// PeerGone forgets peer: its pieces no longer count towards availability
// and its outstanding requests return to the pool.
func (p *Picker) PeerGone(peer PeerKey) {
	ps := p.peers[peer]
	if ps == nil {
		return
	}
	p.PeerChoked(peer)
	p.forgetPieces(ps)
	delete(p.peers, peer)
}

// PeerChoked returns peer's outstanding requests to the pool: a choke
// discards them on the peer's side (unless they are allowed fast, in
// which case the loop can re-request them with PickAllowedFast).
func (p *Picker) PeerChoked(peer PeerKey) {
	ps := p.peers[peer]
	if ps == nil {
		return
	}
	for _, b := range ps.outstanding {
		if i, ok := p.blockIndex(b); ok {
			p.releaseRequest(b.Piece, i, peer)
		}
	}
	ps.outstanding = ps.outstanding[:0]
}

// BlockRejected returns one of peer's requests to the pool (a BEP 6
// reject, or a request that timed out). Blocks not outstanding from peer
// are ignored.
func (p *Picker) BlockRejected(peer PeerKey, b Block) {
	i, ok := p.blockIndex(b)
	if !ok || !p.removeOutstanding(peer, b) {
		return
	}
	p.releaseRequest(b.Piece, i, peer)
}

// BlockReceived records that peer delivered b. accepted is false when b
// was not requested from peer (or is not a valid block, or was already
// received): the caller counts the data as waste and must not write it.
// pieceDone is true when b completed its piece: the caller verifies the
// hash and reports PieceVerified or PieceFailed. cancel lists the other
// peers that had b requested (endgame); the caller sends them cancels.
func (p *Picker) BlockReceived(peer PeerKey, b Block) (accepted, pieceDone bool, cancel []PeerKey) {
	i, ok := p.blockIndex(b)
	if !ok {
		return false, false, nil
	}
	st := &p.pieces[b.Piece]
	if st.verified || st.partial == nil {
		return false, false, nil
	}
	blk := &st.partial.blocks[i]
	if blk.received || !slices.Contains(blk.requesters, peer) {
		return false, false, nil
	}
	blk.received = true
	st.partial.received++
	for _, other := range blk.requesters {
		p.removeOutstanding(other, b)
		if other != peer {
			cancel = append(cancel, other)
		}
	}
	blk.requesters = nil
	p.refresh(b.Piece)
	return true, st.partial.received == len(st.partial.blocks), cancel
}

// removeOutstanding deletes b from peer's outstanding list, reporting
// whether it was there.
func (p *Picker) removeOutstanding(peer PeerKey, b Block) bool {
	ps := p.peers[peer]
	if ps == nil {
		return false
	}
	i := slices.Index(ps.outstanding, b)
	if i < 0 {
		return false
	}
	ps.outstanding = slices.Delete(ps.outstanding, i, i+1)
	return true
}

// releaseRequest takes peer off block i of piece's requesters; a block
// nobody has requested any more becomes pickable again.
func (p *Picker) releaseRequest(piece, i int, peer PeerKey) {
	st := &p.pieces[piece]
	if st.partial == nil {
		return
	}
	blk := &st.partial.blocks[i]
	j := slices.Index(blk.requesters, peer)
	if j < 0 {
		return
	}
	blk.requesters = slices.Delete(blk.requesters, j, j+1)
	if len(blk.requesters) == 0 && !blk.received {
		st.partial.unrequested++
	}
	p.refresh(piece)
}

// Availability is how many connected peers have piece (0 when out of range).
func (p *Picker) Availability(piece int) int {
	if piece < 0 || piece >= p.numPieces {
		return 0
	}
	return int(p.pieces[piece].avail) + p.haveAll
}

// AvailabilityAll returns every piece's availability, as a new slice.
func (p *Picker) AvailabilityAll() []int {
	out := make([]int, p.numPieces)
	for i := range out {
		out[i] = int(p.pieces[i].avail) + p.haveAll
	}
	return out
}

// Outstanding returns the blocks requested from peer and not yet
// received, rejected or returned, oldest first, as a new slice.
func (p *Picker) Outstanding(peer PeerKey) []Block {
	ps := p.peers[peer]
	if ps == nil {
		return nil
	}
	return slices.Clone(ps.outstanding)
}

// NumPeers is the number of peers the picker knows about.
func (p *Picker) NumPeers() int { return len(p.peers) }
