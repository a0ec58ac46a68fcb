package picker

import (
	"slices"
)

// Pick chooses up to max new blocks to request from peer and records them
// as requested from it. Order of preference: higher priority first; within
// a priority, pieces already started (strict priority; see nextPiece), then
// new pieces by the strategy (rarest first with random tie-break, random first for the
// first few pieces). In endgame it adds blocks already requested from
// other peers, least-duplicated first, never one peer already has pending.
func (p *Picker) Pick(peer PeerKey, max int) []Block {
	p.reasons = p.reasons[:0]
	ps := p.peers[peer]
	if ps == nil || max <= 0 {
		return nil
	}
	out := make([]Block, 0, min(max, 256))
	for len(out) < max {
		piece, why := p.nextPiece(peer, ps)
		if piece < 0 {
			break
		}
		out = p.requestBlocks(peer, ps, piece, max, out)
		p.reasons = append(p.reasons, why)
	}
	if len(out) < max && p.InEndgame() {
		out = p.pickEndgame(peer, ps, nil, max, out)
	}
	return out
}

// PickAllowedFast is Pick for a peer that has choked us: only pieces in
// allowed (its BEP 6 allowed-fast set) that it has are considered.
func (p *Picker) PickAllowedFast(peer PeerKey, allowed []int, max int) []Block {
	p.reasons = p.reasons[:0]
	ps := p.peers[peer]
	if ps == nil || max <= 0 || len(allowed) == 0 {
		return nil
	}
	// The allowed set comes from the peer: dedupe and bound-check it, and
	// order it without quadratic work however long it is.
	set := slices.Clone(allowed)
	slices.Sort(set)
	set = slices.Compact(set)
	set = slices.DeleteFunc(set, func(piece int) bool {
		return piece < 0 || piece >= p.numPieces || !ps.hasPiece(piece) || !p.wanted(piece)
	})
	slices.SortStableFunc(set, func(a, b int) int { return p.compareExplicit(a, b) })

	var out []Block
	for _, piece := range set {
		if len(out) >= max {
			break
		}
		if p.candidates.has(piece) || p.open.has(piece) {
			why := pickReason{kind: reasonAllowedFast, piece: piece}
			out = p.requestBlocks(peer, ps, piece, max, out)
			p.reasons = append(p.reasons, why)
		}
	}
	if len(out) < max && p.InEndgame() {
		out = p.pickEndgame(peer, ps, set, max, out)
	}
	return out
}

// compareExplicit orders an explicit list of pieces the way Pick would:
// priority, then started before new, then most progress, then rarest,
// then lowest index.
func (p *Picker) compareExplicit(a, b int) int {
	sa, sb := &p.pieces[a], &p.pieces[b]
	if c := tier(sa.priority) - tier(sb.priority); c != 0 {
		return c
	}
	pa, pb := sa.partial != nil, sb.partial != nil
	if pa != pb {
		if pa {
			return -1
		}
		return 1
	}
	if pa {
		if c := progress(sb.partial) - progress(sa.partial); c != 0 {
			return c
		}
	}
	if c := int(sa.avail) - int(sb.avail); c != 0 {
		return c
	}
	return a - b
}

// progress is how many of a started piece's blocks are received or requested.
func progress(pp *partialPiece) int { return len(pp.blocks) - pp.unrequested }

// nextPiece chooses the piece to take unrequested blocks from, or -1.
//
// Strict priority: a piece this peer started is finished before anything
// else. A piece another connection started is joined too, unless this
// peer offers a rarer one not yet started: otherwise a fast peer — the
// seed above all — spends itself filling in pieces that others already
// hold, while the pieces only it has wait for it (in the Swarm Lab the
// seed's last unique piece then left it only at the very end).
func (p *Picker) nextPiece(peer PeerKey, ps *peerState) (int, pickReason) {
	rarity := p.strategy == RarestFirst && p.verified >= p.randomFirst
	for t := range numTiers {
		open := p.bestOpen(ps, t, peer, rarity)
		if open >= 0 && (!rarity || p.pieces[open].partial.starter == peer) {
			return open, pickReason{kind: reasonPartial, piece: open}
		}
		piece, why := p.bestCandidate(ps, t)
		if piece >= 0 && (open < 0 || p.pieces[piece].avail < p.pieces[open].avail) {
			return piece, why
		}
		if open >= 0 {
			return open, pickReason{kind: reasonPartial, piece: open}
		}
	}
	return -1, pickReason{}
}

// bestOpen picks among started pieces with unrequested blocks that the
// peer has: the lowest index for Sequential, otherwise the one closest to
// completion (then rarest, then lowest index), to finish pieces quickly.
// With ownFirst, pieces peer started come before all others.
func (p *Picker) bestOpen(ps *peerState, t int, peer PeerKey, ownFirst bool) int {
	best, bestOwn := -1, false
	for _, x := range p.open.items {
		piece := int(x)
		if tier(p.pieces[piece].priority) != t || !ps.hasPiece(piece) {
			continue
		}
		own := ownFirst && p.pieces[piece].partial.starter == peer
		if best < 0 || (own && !bestOwn) || (own == bestOwn && p.betterOpen(piece, best)) {
			best, bestOwn = piece, own
		}
	}
	return best
}

func (p *Picker) betterOpen(a, b int) bool {
	if p.strategy == Sequential {
		return a < b
	}
	return p.compareExplicit(a, b) < 0
}

// bestCandidate picks an unstarted piece of tier t that the peer has,
// according to the strategy.
func (p *Picker) bestCandidate(ps *peerState, t int) (int, pickReason) {
	switch {
	case p.strategy == Sequential:
		for piece := range p.numPieces {
			if w := p.candidates.where[piece]; w.pos >= 0 && int(w.tier) == t && ps.hasPiece(piece) {
				return piece, pickReason{kind: reasonSequential, piece: piece}
			}
		}
		return -1, pickReason{}
	case p.strategy == Random || p.verified < p.randomFirst:
		kind := reasonRandom
		if p.strategy == RarestFirst {
			kind = reasonRandomFirst
		}
		piece := p.randomCandidate(ps, t)
		return piece, pickReason{kind: kind, piece: piece, verified: p.verified, randomFirst: p.randomFirst}
	default:
		for avail, bucket := range p.candidates.buckets[t] {
			piece, ties := p.randomFromBucket(ps, bucket)
			if piece >= 0 {
				return piece, pickReason{
					kind:  reasonRarest,
					piece: piece,
					avail: avail + p.haveAll,
					peers: len(p.peers),
					ties:  ties,
				}
			}
		}
		return -1, pickReason{}
	}
}

// randomFromBucket returns a uniformly random piece of bucket that the
// peer has and how many there were to choose from, or -1.
func (p *Picker) randomFromBucket(ps *peerState, bucket []int32) (int, int) {
	if len(bucket) == 0 {
		return -1, 0
	}
	if ps.all {
		return int(bucket[p.rng.IntN(len(bucket))]), len(bucket)
	}
	hits := p.scratch[:0]
	for _, piece := range bucket {
		if ps.hasPiece(int(piece)) {
			hits = append(hits, piece)
		}
	}
	p.scratch = hits
	if len(hits) == 0 {
		return -1, 0
	}
	return int(hits[p.rng.IntN(len(hits))]), len(hits)
}

// randomCandidate returns a uniformly random candidate of tier t that the
// peer has, or -1.
func (p *Picker) randomCandidate(ps *peerState, t int) int {
	if ps.all {
		n := p.candidates.tierLen(t)
		if n == 0 {
			return -1
		}
		k := p.rng.IntN(n)
		for _, bucket := range p.candidates.buckets[t] {
			if k < len(bucket) {
				return int(bucket[k])
			}
			k -= len(bucket)
		}
		return -1
	}
	hits := p.scratch[:0]
	for _, bucket := range p.candidates.buckets[t] {
		for _, piece := range bucket {
			if ps.hasPiece(int(piece)) {
				hits = append(hits, piece)
			}
		}
	}
	p.scratch = hits
	if len(hits) == 0 {
		return -1
	}
	return int(hits[p.rng.IntN(len(hits))])
}

// requestBlocks marks unrequested blocks of piece as requested from peer,
// in order, until out holds max blocks or the piece has none left.
func (p *Picker) requestBlocks(peer PeerKey, ps *peerState, piece, max int, out []Block) []Block {
	st := &p.pieces[piece]
	if st.partial == nil {
		st.partial = newPartialPiece(p.numBlocks(piece))
		st.partial.starter = peer
	}
	pp := st.partial
	for i := range pp.blocks {
		if len(out) >= max || pp.unrequested == 0 {
			break
		}
		blk := &pp.blocks[i]
		if blk.received || len(blk.requesters) > 0 {
			continue
		}
		blk.requesters = append(blk.requesters, peer)
		pp.unrequested--
		b := p.block(piece, i)
		ps.outstanding = append(ps.outstanding, b)
		out = append(out, b)
	}
	p.refresh(piece)
	return out
}

// newPartialPiece returns the block state for a piece being started. Each
// block gets a one-peer requester slot carved from a single array, so
// starting a piece costs two allocations rather than one per block;
// endgame duplicates grow a block's slice beyond it as needed.
func newPartialPiece(numBlocks int) *partialPiece {
	pp := &partialPiece{blocks: make([]blockState, numBlocks), unrequested: numBlocks}
	slots := make([]PeerKey, numBlocks)
	for i := range pp.blocks {
		pp.blocks[i].requesters = slots[i : i : i+1]
	}
	return pp
}

// endgameBlock is a block that could be requested again in endgame.
type endgameBlock struct {
	piece, index, requesters, tier int
}

// pickEndgame adds blocks that are requested from other peers but not yet
// received, preferring high priority and the least-duplicated blocks.
// When only is non-nil, just those pieces are considered.
func (p *Picker) pickEndgame(peer PeerKey, ps *peerState, only []int, max int, out []Block) []Block {
	var cands []endgameBlock
	for _, x := range p.started.items {
		piece := int(x)
		if !p.wanted(piece) || !ps.hasPiece(piece) {
			continue
		}
		if only != nil && !slices.Contains(only, piece) {
			continue
		}
		for i, blk := range p.pieces[piece].partial.blocks {
			if blk.received || slices.Contains(blk.requesters, peer) {
				continue
			}
			cands = append(cands, endgameBlock{piece, i, len(blk.requesters), tier(p.pieces[piece].priority)})
		}
	}
	slices.SortFunc(cands, func(a, b endgameBlock) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		if a.requesters != b.requesters {
			return a.requesters - b.requesters
		}
		if a.piece != b.piece {
			return a.piece - b.piece
		}
		return a.index - b.index
	})
	for _, c := range cands {
		if len(out) >= max {
			break
		}
		pp := p.pieces[c.piece].partial
		blk := &pp.blocks[c.index]
		if len(blk.requesters) == 0 {
			pp.unrequested--
		}
		blk.requesters = append(blk.requesters, peer)
		b := p.block(c.piece, c.index)
		ps.outstanding = append(ps.outstanding, b)
		out = append(out, b)
		if n := len(p.reasons); n == 0 || p.reasons[n-1].piece != c.piece || p.reasons[n-1].kind != reasonEndgame {
			p.reasons = append(p.reasons, pickReason{kind: reasonEndgame, piece: c.piece, ties: c.requesters})
		}
		p.refresh(c.piece)
	}
	return out
}
