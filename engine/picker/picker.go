// Package picker decides which blocks to request next, and from which peer.
//
// It implements the piece-selection policy of BitTorrent as the course text
// describes it, plus the refinements every real client adds:
//
//   - rarest first: among the pieces a peer has and we want, request the one
//     the fewest of our neighbours have, breaking ties at random, so rare
//     pieces spread before their holders leave;
//   - random first: until we have a few complete pieces (DefaultRandomFirstPieces),
//     pick a random piece instead, because rare pieces are slow to fetch and we
//     need something to trade quickly;
//   - strict priority: finish pieces already started before starting new
//     ones, so complete (tradeable, verifiable) pieces appear sooner. A
//     peer always finishes the pieces it started; it joins a piece another
//     peer started unless (under rarest first) it offers a rarer piece
//     nobody has started, so a fast seed injects the pieces only it holds
//     instead of filling in ones others already have;
//   - piece priorities: Skip pieces are never requested, High before Normal;
//   - endgame: once every block we still want has been requested, hand the
//     outstanding ones out again to other peers and cancel the duplicates
//     when the first copy arrives, so one slow peer cannot stall the finish.
//
// The Picker is a pure policy: no I/O, no goroutines, no clock, no locks.
// One goroutine (the torrent loop) owns it and feeds it events — peer
// bitfields and haves, chokes, received and rejected blocks, hash results —
// and asks it for blocks to request. All randomness comes from the
// *rand.Rand passed to New, so a seeded generator gives reproducible picks.
package picker

import (
	"fmt"
	"math/rand/v2"

	"github.com/swarmscope/swarmscope/engine/bitfield"
)

// BlockSize is the size of a request: 16 KiB, as every current client uses.
// Only the last block of the last piece may be shorter.
const BlockSize = 16 * 1024

// DefaultRandomFirstPieces is how many complete pieces we want before
// switching from random-first to rarest-first selection.
const DefaultRandomFirstPieces = 4

// PeerKey identifies a peer connection; the torrent loop chooses the values.
type PeerKey uint64

// Block is one request: Length bytes at offset Begin within Piece.
type Block struct {
	Piece         int
	Begin, Length uint32
}

// Priority says whether and how urgently a piece is wanted.
type Priority int8

// Piece priorities. Values above High are treated as High, below Skip as Skip.
const (
	Skip   Priority = 0 // never request
	Normal Priority = 1
	High   Priority = 2 // request before any Normal piece
)

func (p Priority) String() string {
	switch {
	case p <= Skip:
		return "skip"
	case p == Normal:
		return "normal"
	default:
		return "high"
	}
}

// Strategy is how new pieces are chosen. Partial pieces are finished first
// (see strict priority above) and priorities always apply, whatever the
// strategy.
type Strategy int

// Strategies, for the Swarm Lab's comparison experiments. RarestFirst (with
// random first) is what real clients do; the others exist to show why.
const (
	RarestFirst Strategy = iota // rarest first, random for the first few pieces
	Random                      // any available piece, uniformly at random
	Sequential                  // lowest piece index first (streaming order)
)

func (s Strategy) String() string {
	switch s {
	case RarestFirst:
		return "rarest first"
	case Random:
		return "random"
	case Sequential:
		return "sequential"
	default:
		return fmt.Sprintf("strategy(%d)", int(s))
	}
}

// numTiers is the number of wanted priority levels: tier 0 is High, tier 1 Normal.
const numTiers = 2

// tier maps a priority to its selection tier, or -1 for Skip.
func tier(p Priority) int {
	switch {
	case p <= Skip:
		return -1
	case p == Normal:
		return 1
	default:
		return 0
	}
}

// Picker tracks which pieces and blocks we still need, who has what, and
// which blocks are requested from whom. See the package comment.
type Picker struct {
	rng         *rand.Rand
	strategy    Strategy
	randomFirst int

	numPieces       int
	pieceLength     int64
	lastPieceLength int64

	pieces []pieceState
	peers  map[PeerKey]*peerState
	// haveAll counts peers that have every piece (seeds, BEP 6 have-all).
	// It is added to every piece's availability instead of touching
	// every piece, so a seed connecting costs O(1).
	haveAll int

	// candidates holds the pieces that could be started: wanted, not
	// verified, no block requested or received yet. Bucketed by tier and
	// availability so rarest-first looks at the rarest pieces only.
	candidates bucketSet
	// open holds started, wanted pieces that still have unrequested blocks.
	open indexedSet
	// started holds every piece with block state (requested or received blocks).
	started indexedSet

	wantedLeft int // wanted (non-Skip) pieces not yet verified
	verified   int // verified pieces, wanted or not

	reasons []pickReason // why the last Pick chose what it chose
	scratch []int32      // reused buffer for candidate lists
}

type pieceState struct {
	avail    int32 // peers with a bitfield/have for it; add Picker.haveAll
	priority Priority
	verified bool
	partial  *partialPiece // nil until a block is requested
}

// partialPiece is the block state of a started piece.
type partialPiece struct {
	blocks      []blockState
	received    int     // blocks received (not yet verified as a piece)
	unrequested int     // blocks neither received nor requested from anyone
	starter     PeerKey // the peer the first block was requested from
}

type blockState struct {
	received   bool
	requesters []PeerKey // more than one only in endgame
}

type peerState struct {
	all         bool     // has every piece
	has         []uint64 // bit per piece; nil when the peer told us nothing
	outstanding []Block  // requests sent to this peer, oldest first
}

// New returns a picker for a torrent of numPieces pieces of pieceLength
// bytes (the last one shorter, to make totalLength). All pieces start
// wanted at Normal priority and none verified. A nil rng gets a fixed seed.
func New(numPieces int, pieceLength, totalLength int64, rng *rand.Rand) *Picker {
	if numPieces < 0 {
		numPieces = 0
	}
	if pieceLength <= 0 {
		pieceLength = BlockSize
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	last := pieceLength
	if numPieces > 0 {
		last = totalLength - int64(numPieces-1)*pieceLength
		if last <= 0 || last > pieceLength {
			// Inconsistent sizes (metainfo validates these); fall back to
			// full pieces rather than produce zero or negative blocks.
			last = pieceLength
		}
	}
	p := &Picker{
		rng:             rng,
		randomFirst:     DefaultRandomFirstPieces,
		numPieces:       numPieces,
		pieceLength:     pieceLength,
		lastPieceLength: last,
		pieces:          make([]pieceState, numPieces),
		peers:           make(map[PeerKey]*peerState),
		open:            newIndexedSet(numPieces),
		started:         newIndexedSet(numPieces),
		candidates:      newBucketSet(numPieces),
	}
	for i := range p.pieces {
		p.pieces[i].priority = Normal
	}
	p.wantedLeft = numPieces
	for i := range p.pieces {
		p.refresh(i)
	}
	return p
}

// SetStrategy chooses how new pieces are selected.
func (p *Picker) SetStrategy(s Strategy) { p.strategy = s }

// Strategy reports the current selection strategy.
func (p *Picker) Strategy() Strategy { return p.strategy }

// SetRandomFirstPieces sets how many verified pieces we need before
// rarest first takes over from random first (default 4; 0 disables).
func (p *Picker) SetRandomFirstPieces(n int) {
	if n < 0 {
		n = 0
	}
	p.randomFirst = n
}

// NumPieces is the number of pieces in the torrent.
func (p *Picker) NumPieces() int { return p.numPieces }

// PieceSize is the length of piece in bytes (0 when out of range).
func (p *Picker) PieceSize(piece int) int64 {
	switch {
	case piece < 0 || piece >= p.numPieces:
		return 0
	case piece == p.numPieces-1:
		return p.lastPieceLength
	default:
		return p.pieceLength
	}
}

// numBlocks is how many blocks piece has.
func (p *Picker) numBlocks(piece int) int {
	return int((p.PieceSize(piece) + BlockSize - 1) / BlockSize)
}

// block returns the i-th block of piece.
func (p *Picker) block(piece, i int) Block {
	begin := int64(i) * BlockSize
	length := min(int64(BlockSize), p.PieceSize(piece)-begin)
	return Block{Piece: piece, Begin: uint32(begin), Length: uint32(length)}
}

// blockIndex validates b against the torrent's geometry and returns its
// index within the piece. Peers send us arbitrary values; anything that is
// not exactly one of our blocks is rejected.
func (p *Picker) blockIndex(b Block) (int, bool) {
	if b.Piece < 0 || b.Piece >= p.numPieces || b.Begin%BlockSize != 0 {
		return 0, false
	}
	i := int(b.Begin / BlockSize)
	if i >= p.numBlocks(b.Piece) || p.block(b.Piece, i) != b {
		return 0, false
	}
	return i, true
}

// wanted reports whether piece still needs downloading.
func (p *Picker) wanted(piece int) bool {
	st := &p.pieces[piece]
	return !st.verified && st.priority > Skip
}

// refresh puts piece in exactly the bookkeeping sets its state calls for.
// Every state change goes through it, so the sets cannot drift.
func (p *Picker) refresh(piece int) {
	st := &p.pieces[piece]
	if st.partial != nil && st.partial.received == 0 && st.partial.unrequested == len(st.partial.blocks) {
		// Every request came back and nothing arrived: the piece is
		// effectively unstarted again, so let rarest first reconsider it.
		st.partial = nil
	}
	wanted := p.wanted(piece)

	p.candidates.remove(piece)
	if wanted && st.partial == nil {
		p.candidates.add(piece, tier(st.priority), int(st.avail))
	}
	p.open.set(piece, wanted && st.partial != nil && st.partial.unrequested > 0)
	p.started.set(piece, st.partial != nil)
}

// SetHave records which pieces we already have verified (e.g. after a
// recheck or from resume data). Pieces not in have become unverified.
// Outstanding requests for newly verified pieces are forgotten.
func (p *Picker) SetHave(have *bitfield.Bitfield) {
	for i := range p.pieces {
		has := have != nil && have.Has(i)
		switch {
		case has && !p.pieces[i].verified:
			p.PieceVerified(i)
		case !has && p.pieces[i].verified:
			p.PieceFailed(i)
		}
	}
}

// SetPiecePriorities sets every piece's priority; prio should have one
// entry per piece (extra entries are ignored, missing ones keep their
// priority). Requests already sent for pieces now Skipped stay outstanding
// and may still be received; no new ones are made.
func (p *Picker) SetPiecePriorities(prio []Priority) {
	for i := range min(len(prio), p.numPieces) {
		np := max(Skip, min(High, prio[i]))
		st := &p.pieces[i]
		if np == st.priority {
			continue
		}
		if !st.verified {
			if st.priority > Skip {
				p.wantedLeft--
			}
			if np > Skip {
				p.wantedLeft++
			}
		}
		// Remove from the candidate bucket of the old tier before the
		// priority (and so the bucket) changes.
		p.candidates.remove(i)
		st.priority = np
		p.refresh(i)
	}
}

// PiecePriority reports piece's priority (Skip when out of range).
func (p *Picker) PiecePriority(piece int) Priority {
	if piece < 0 || piece >= p.numPieces {
		return Skip
	}
	return p.pieces[piece].priority
}

// PieceVerified records that piece passed its hash check: it is never
// picked again. Any requests still outstanding for it (endgame duplicates)
// are dropped from the peers' outstanding lists.
func (p *Picker) PieceVerified(piece int) {
	if piece < 0 || piece >= p.numPieces || p.pieces[piece].verified {
		return
	}
	p.dropBlockState(piece)
	st := &p.pieces[piece]
	st.verified = true
	p.verified++
	if st.priority > Skip {
		p.wantedLeft--
	}
	p.refresh(piece)
}

// PieceFailed records that piece failed its hash check (or was lost): all
// its blocks are wanted again, from anyone.
func (p *Picker) PieceFailed(piece int) {
	if piece < 0 || piece >= p.numPieces {
		return
	}
	p.dropBlockState(piece)
	st := &p.pieces[piece]
	if st.verified {
		st.verified = false
		p.verified--
		if st.priority > Skip {
			p.wantedLeft++
		}
	}
	p.refresh(piece)
}

// dropBlockState forgets piece's block state, removing any of its blocks
// from the outstanding lists of the peers that had them requested.
func (p *Picker) dropBlockState(piece int) {
	st := &p.pieces[piece]
	if st.partial == nil {
		return
	}
	for i := range st.partial.blocks {
		for _, peer := range st.partial.blocks[i].requesters {
			p.removeOutstanding(peer, p.block(piece, i))
		}
	}
	st.partial = nil
}

// IsVerified reports whether piece has been verified.
func (p *Picker) IsVerified(piece int) bool {
	return piece >= 0 && piece < p.numPieces && p.pieces[piece].verified
}

// VerifiedCount is the number of verified pieces.
func (p *Picker) VerifiedCount() int { return p.verified }

// InEndgame reports whether every block we still want has been requested
// from someone, so Pick hands out duplicates.
func (p *Picker) InEndgame() bool {
	return p.wantedLeft > 0 && p.candidates.len() == 0 && p.open.len() == 0
}

// Complete reports whether every wanted (non-Skip) piece is verified.
func (p *Picker) Complete() bool { return p.wantedLeft == 0 }
