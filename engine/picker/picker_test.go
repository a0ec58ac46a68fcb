package picker

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/swarmscope/swarmscope/engine/bitfield"
)

// newTest returns a picker over numPieces pieces of blocksPerPiece full
// blocks, seeded with seed, with random first switched off unless a test
// is about it.
func newTest(t *testing.T, numPieces, blocksPerPiece int, seed uint64) *Picker {
	t.Helper()
	pieceLen := int64(blocksPerPiece * BlockSize)
	p := New(numPieces, pieceLen, pieceLen*int64(numPieces), rand.New(rand.NewPCG(seed, seed+1)))
	p.SetRandomFirstPieces(0)
	return p
}

func bits(n int, pieces ...int) *bitfield.Bitfield {
	b := bitfield.New(n)
	for _, i := range pieces {
		b.Set(i)
	}
	return b
}

// allBut returns a bitfield of n pieces with every piece except skip.
func allBut(n int, skip ...int) *bitfield.Bitfield {
	b := bitfield.New(n)
	b.SetAll()
	for _, i := range skip {
		b.Clear(i)
	}
	return b
}

func pieces(blocks []Block) []int {
	var out []int
	for _, b := range blocks {
		if len(out) == 0 || out[len(out)-1] != b.Piece {
			out = append(out, b.Piece)
		}
	}
	return out
}

// receiveAll delivers blocks from peer, verifying completed pieces.
func receiveAll(t *testing.T, p *Picker, peer PeerKey, blocks []Block) {
	t.Helper()
	for _, b := range blocks {
		ok, done, _ := p.BlockReceived(peer, b)
		if !ok {
			t.Fatalf("block %+v from peer %d not accepted", b, peer)
		}
		if done {
			p.PieceVerified(b.Piece)
		}
	}
}

func TestRarestFirst(t *testing.T) {
	const n = 10
	p := newTest(t, n, 1, 1)
	p.PeerBitfield(1, allBut(n))
	p.PeerBitfield(2, allBut(n, 7, 3))
	p.PeerBitfield(3, allBut(n, 7))
	// Availability: piece 7 → 1 peer, piece 3 → 2 peers, the rest 3.
	if got := p.Availability(7); got != 1 {
		t.Fatalf("Availability(7) = %d, want 1", got)
	}
	got := p.Pick(1, 1)
	if len(got) != 1 || got[0].Piece != 7 {
		t.Fatalf("first pick = %v, want piece 7 (held by 1 of 3 peers)", got)
	}
	if r := p.LastPickReason(); r != "piece 7: rarest: 1 of 3 peers have it" {
		t.Errorf("reason = %q", r)
	}
	got = p.Pick(1, 1)
	if len(got) != 1 || got[0].Piece != 3 {
		t.Fatalf("second pick = %v, want piece 3 (held by 2 of 3 peers)", got)
	}
	// Peer 2 lacks 7 and 3, so it is offered the commonest pieces only.
	got = p.Pick(2, 3)
	for _, b := range got {
		if b.Piece == 7 || b.Piece == 3 {
			t.Fatalf("peer 2 offered piece %d it does not have", b.Piece)
		}
	}
	p.checkInvariants(t)
}

func TestRarestTieBreakIsRandomButSeeded(t *testing.T) {
	const n = 20
	first := func(seed uint64) int {
		p := newTest(t, n, 1, seed)
		p.PeerBitfield(1, allBut(n))
		p.PeerBitfield(2, allBut(n))
		got := p.Pick(1, 1)
		if len(got) != 1 {
			t.Fatalf("seed %d: pick = %v", seed, got)
		}
		return got[0].Piece
	}
	seen := map[int]bool{}
	for seed := range uint64(60) {
		seen[first(seed)] = true
		if again := first(seed); again != first(seed) {
			t.Fatalf("seed %d: picks differ between runs", seed)
		}
	}
	if len(seen) < 8 {
		t.Fatalf("60 seeds picked only %d distinct pieces among 20 equally rare ones: %v", len(seen), seen)
	}
	// Also for a has-all peer, which takes the fast path.
	seen = map[int]bool{}
	for seed := range uint64(60) {
		p := newTest(t, n, 1, seed)
		p.PeerHaveAll(1)
		seen[p.Pick(1, 1)[0].Piece] = true
	}
	if len(seen) < 8 {
		t.Fatalf("has-all peer: 60 seeds picked only %d distinct pieces", len(seen))
	}
}

func TestRandomFirstThenRarest(t *testing.T) {
	const n = 20
	setup := func(seed uint64) *Picker {
		p := newTest(t, n, 1, seed)
		p.SetRandomFirstPieces(DefaultRandomFirstPieces)
		p.PeerBitfield(1, allBut(n))
		p.PeerBitfield(2, allBut(n, 13)) // piece 13 is the rarest
		return p
	}
	notRarest := 0
	for seed := range uint64(30) {
		p := setup(seed)
		a := p.Pick(1, 1)
		b := setup(seed).Pick(1, 1)
		if a[0] != b[0] {
			t.Fatalf("seed %d: same seed gave %v then %v", seed, a, b)
		}
		if a[0].Piece != 13 {
			notRarest++
		}
		if !strings.Contains(p.LastPickReason(), "random first piece") {
			t.Fatalf("reason = %q, want random first", p.LastPickReason())
		}
	}
	if notRarest == 0 {
		t.Fatal("random first never picked anything but the rarest piece in 30 seeds")
	}

	// With 4 complete pieces rarest first takes over, every time.
	for seed := range uint64(30) {
		p := setup(seed)
		p.SetHave(bits(n, 0, 1, 2, 3))
		if got := p.Pick(1, 1); got[0].Piece != 13 {
			t.Fatalf("seed %d: with 4 pieces done picked %v, want rarest piece 13", seed, got)
		}
	}
}

func TestStrictPriorityFinishesPartialPiece(t *testing.T) {
	const n = 4
	p := newTest(t, n, 4, 1)
	p.PeerBitfield(1, bits(n, 0)) // at first peer 1 only has piece 0
	got := p.Pick(1, 1)
	if len(got) != 1 || got[0] != (Block{Piece: 0, Begin: 0, Length: BlockSize}) {
		t.Fatalf("pick = %v, want piece 0 block 0", got)
	}
	receiveAll(t, p, 1, got)

	// Now peer 1 has everything and piece 2 is by far the rarest.
	for i := 1; i < n; i++ {
		p.PeerHave(1, i)
	}
	p.PeerBitfield(2, allBut(n, 2))
	p.PeerBitfield(3, allBut(n, 2))
	got = p.Pick(1, 1)
	if len(got) != 1 || got[0].Piece != 0 || got[0].Begin != BlockSize {
		t.Fatalf("pick = %v, want piece 0 block 1 (finish the partial piece first)", got)
	}
	if r := p.LastPickReason(); r != "piece 0: finishing a partial piece" {
		t.Errorf("reason = %q", r)
	}
	got = p.Pick(1, 3)
	want := []Block{{0, 2 * BlockSize, BlockSize}, {0, 3 * BlockSize, BlockSize}, {2, 0, BlockSize}}
	if !slices.Equal(got, want) {
		t.Fatalf("pick = %v, want rest of piece 0 then rarest piece 2: %v", got, want)
	}
	p.checkInvariants(t)
}

// A piece another peer started is joined only when the peer has nothing
// rarer to offer: the seed (peer 9, everything) is asked for the piece only
// it has, not for the rest of piece 0 that peer 1 is already sending.
func TestOthersPartialPieceYieldsToRarer(t *testing.T) {
	const n = 4
	p := newTest(t, n, 4, 1)
	p.PeerBitfield(1, bits(n, 0, 1, 2)) // peer 1 has pieces 0-2
	p.PeerBitfield(2, bits(n, 0, 1, 2)) // so has peer 2
	p.PeerHaveAll(9)                    // the seed: piece 3 is only there
	got := p.Pick(1, 1)
	if len(got) != 1 || got[0].Begin != 0 {
		t.Fatalf("peer 1 pick = %v, want the first block of one piece", got)
	}
	started := got[0].Piece
	if started == 3 {
		t.Fatalf("peer 1 does not have piece 3 but was asked for it")
	}
	// The seed has a rarer unstarted piece (3, one copy): it gets that
	// first, though piece started has unrequested blocks it could send.
	got = p.Pick(9, 1)
	if len(got) != 1 || got[0].Piece != 3 {
		t.Fatalf("seed pick = %v, want the rarest piece 3 before peer 1's partial piece %d", got, started)
	}
	// Peer 2 has nothing rarer than piece started (pieces 0-2 all have
	// three copies): it helps finish it.
	got = p.Pick(2, 1)
	if len(got) != 1 || got[0].Piece != started || got[0].Begin != BlockSize {
		t.Fatalf("peer 2 pick = %v, want block 1 of the partial piece %d", got, started)
	}
	if r := p.LastPickReason(); !strings.Contains(r, "finishing a partial piece") {
		t.Errorf("reason = %q", r)
	}
	// Peer 1 finishes its own piece before anything else.
	got = p.Pick(1, 2)
	if len(got) != 2 || got[0].Piece != started || got[1].Piece != started {
		t.Fatalf("peer 1 pick = %v, want the rest of its own piece %d", got, started)
	}
	p.checkInvariants(t)
}

func TestEndgame(t *testing.T) {
	const n = 2
	p := newTest(t, n, 2, 1)
	for _, peer := range []PeerKey{1, 2, 3} {
		p.PeerHaveAll(peer)
	}
	first := p.Pick(1, 3)
	if len(first) != 3 || p.InEndgame() {
		t.Fatalf("pick = %v endgame=%v; want 3 blocks and one block left unrequested", first, p.InEndgame())
	}
	rest := p.Pick(1, 10)
	if len(rest) != 1 || !p.InEndgame() {
		t.Fatalf("pick = %v endgame=%v; want the last block, then endgame", rest, p.InEndgame())
	}
	all := append(first, rest...)
	if again := p.Pick(1, 10); len(again) != 0 {
		t.Fatalf("endgame handed peer 1 its own outstanding blocks again: %v", again)
	}
	dup := p.Pick(2, 10)
	if len(dup) != 4 {
		t.Fatalf("endgame gave peer 2 %v, want all 4 outstanding blocks", dup)
	}
	if !strings.Contains(p.LastPickReason(), "endgame") {
		t.Errorf("reason = %q, want endgame", p.LastPickReason())
	}
	if again := p.Pick(2, 10); len(again) != 0 {
		t.Fatalf("endgame handed peer 2 the same blocks twice: %v", again)
	}

	// Peer 2 delivers block 0 first: peer 1 must be cancelled.
	ok, done, cancel := p.BlockReceived(2, all[0])
	if !ok || done || !slices.Equal(cancel, []PeerKey{1}) {
		t.Fatalf("BlockReceived = %v %v %v, want accepted, not done, cancel [1]", ok, done, cancel)
	}
	if slices.Contains(p.Outstanding(1), all[0]) {
		t.Fatal("cancelled block still outstanding at peer 1")
	}
	if ok, _, _ := p.BlockReceived(1, all[0]); ok {
		t.Fatal("late duplicate from peer 1 accepted")
	}
	// Peer 3 gets only the three blocks still missing, least-duplicated first.
	got := p.Pick(3, 10)
	if len(got) != 3 || slices.Contains(got, all[0]) {
		t.Fatalf("peer 3 got %v, want the 3 missing blocks", got)
	}
	ok, done, cancel = p.BlockReceived(1, all[1])
	slices.Sort(cancel)
	if !ok || !done || !slices.Equal(cancel, []PeerKey{2, 3}) {
		t.Fatalf("BlockReceived = %v %v %v, want accepted, piece done, cancel [2 3]", ok, done, cancel)
	}
	p.PieceVerified(0)
	p.checkInvariants(t)

	// Choking peer 1 returns nothing to the pool (others still have its
	// blocks requested), so endgame continues.
	p.PeerChoked(1)
	if !p.InEndgame() {
		t.Fatal("endgame ended though every block is still requested elsewhere")
	}
	p.PeerGone(2)
	p.PeerGone(3)
	if p.InEndgame() {
		t.Fatal("still endgame after every request returned to the pool")
	}
	p.checkInvariants(t)
}

func TestPriorities(t *testing.T) {
	const n = 6
	p := newTest(t, n, 1, 1)
	p.PeerBitfield(1, allBut(n))
	p.PeerBitfield(2, allBut(n, 0)) // piece 0 is the rarest
	p.SetPiecePriorities([]Priority{Normal, Skip, High, Normal, Skip, High})

	got := pieces(p.Pick(1, 2))
	slices.Sort(got)
	if !slices.Equal(got, []int{2, 5}) {
		t.Fatalf("first picks = %v, want High pieces 2 and 5 before rarer Normal piece 0", got)
	}
	got = pieces(p.Pick(1, 10))
	if got[0] != 0 || slices.Contains(got, 1) || slices.Contains(got, 4) {
		t.Fatalf("next picks = %v, want rarest Normal piece 0 first and never Skip pieces 1, 4", got)
	}
	if len(got) != 2 {
		t.Fatalf("next picks = %v, want the two Normal pieces 0 and 3", got)
	}
	for _, piece := range []int{0, 2, 3} {
		p.PieceVerified(piece)
	}
	if p.Complete() {
		t.Fatal("complete with High piece 5 unverified")
	}
	p.PieceVerified(5)
	if !p.Complete() {
		t.Fatal("not complete though every non-Skip piece is verified")
	}
	if p.InEndgame() {
		t.Fatal("endgame reported on a complete download")
	}
	// Un-skipping a piece makes the download incomplete again.
	p.SetPiecePriorities([]Priority{Normal, Normal, High, Normal, Skip, High})
	if p.Complete() {
		t.Fatal("complete after un-skipping piece 1")
	}
	if got := p.Pick(2, 5); len(got) != 1 || got[0].Piece != 1 {
		t.Fatalf("pick = %v, want un-skipped piece 1", got)
	}
	p.checkInvariants(t)
}

func TestChokedAndGonePeersReturnBlocks(t *testing.T) {
	const n = 3
	p := newTest(t, n, 4, 1)
	p.PeerHaveAll(1)
	p.PeerBitfield(2, allBut(n))
	p.PeerHave(3, 0)
	p.PeerHave(3, 1)
	p.PeerHave(3, 2)
	if got := p.Availability(0); got != 3 {
		t.Fatalf("Availability(0) = %d, want 3", got)
	}

	a := p.Pick(1, 4)
	if got := p.Outstanding(1); !slices.Equal(got, a) {
		t.Fatalf("Outstanding(1) = %v, want %v", got, a)
	}
	// One block arrives, so the piece stays partial and is finished first.
	receiveAll(t, p, 1, a[:1])
	a = a[1:]
	p.PeerChoked(1)
	if got := p.Outstanding(1); len(got) != 0 {
		t.Fatalf("Outstanding after choke = %v", got)
	}
	b := p.Pick(2, 3)
	if !slices.Equal(a, b) {
		t.Fatalf("after peer 1 choked, peer 2 got %v, want the returned blocks %v", b, a)
	}
	p.PeerGone(2)
	if got := p.Availability(0); got != 2 {
		t.Fatalf("Availability(0) after PeerGone = %d, want 2", got)
	}
	c := p.Pick(3, 3)
	if !slices.Equal(a, c) {
		t.Fatalf("after peer 2 left, peer 3 got %v, want %v", c, a)
	}
	// A single rejected block goes back too.
	p.BlockRejected(3, c[1])
	if got := p.Pick(1, 1); len(got) != 1 || got[0] != c[1] {
		t.Fatalf("after reject, peer 1 got %v, want %v", got, c[1])
	}
	p.PeerGone(1)
	p.PeerGone(3)
	if got := p.AvailabilityAll(); !slices.Equal(got, []int{0, 0, 0}) {
		t.Fatalf("AvailabilityAll with no peers = %v", got)
	}
	p.checkInvariants(t)
}

func TestPieceFailedWantsAllBlocksAgain(t *testing.T) {
	p := newTest(t, 1, 3, 1)
	p.PeerHaveAll(1)
	blocks := p.Pick(1, 10)
	if len(blocks) != 3 {
		t.Fatalf("pick = %v", blocks)
	}
	for i, b := range blocks {
		_, done, _ := p.BlockReceived(1, b)
		if done != (i == 2) {
			t.Fatalf("block %d: pieceDone = %v", i, done)
		}
	}
	if got := p.Pick(1, 10); len(got) != 0 {
		t.Fatalf("picked %v from a fully received piece", got)
	}
	p.PieceFailed(0)
	if again := p.Pick(1, 10); !slices.Equal(again, blocks) {
		t.Fatalf("after hash failure picked %v, want all blocks %v", again, blocks)
	}
	p.checkInvariants(t)
}

func TestShortLastPiece(t *testing.T) {
	pieceLen := int64(4 * BlockSize)
	total := 2*pieceLen + BlockSize + 3616 // last piece: one full block and 3616 bytes
	p := New(3, pieceLen, total, rand.New(rand.NewPCG(1, 1)))
	p.SetStrategy(Sequential)
	p.PeerHaveAll(1)
	got := p.Pick(1, 20)
	if len(got) != 10 {
		t.Fatalf("picked %d blocks, want 4+4+2", len(got))
	}
	last := got[8:]
	want := []Block{{2, 0, BlockSize}, {2, BlockSize, 3616}}
	if !slices.Equal(last, want) {
		t.Fatalf("last piece blocks = %v, want %v", last, want)
	}
	if ok, _, _ := p.BlockReceived(1, Block{2, BlockSize, BlockSize}); ok {
		t.Fatal("accepted a full-length block past the end of the torrent")
	}
	if ok, done, _ := p.BlockReceived(1, want[1]); !ok || done {
		t.Fatalf("short block: accepted=%v done=%v", ok, done)
	}

	// A torrent smaller than one block.
	tiny := New(1, 1<<18, 100, nil)
	tiny.PeerHaveAll(1)
	if got := tiny.Pick(1, 5); !slices.Equal(got, []Block{{0, 0, 100}}) {
		t.Fatalf("tiny torrent pick = %v", got)
	}
}

func TestBlockReceivedRejectsUnrequested(t *testing.T) {
	p := newTest(t, 2, 2, 1)
	p.PeerHaveAll(1)
	p.PeerHaveAll(2)
	asked := p.Pick(1, 1)[0]
	cases := []struct {
		name string
		peer PeerKey
		b    Block
	}{
		{"never requested", 1, Block{1 - asked.Piece, 0, BlockSize}},
		{"requested from another peer", 2, asked},
		{"unknown peer", 9, asked},
		{"misaligned", 1, Block{asked.Piece, asked.Begin + 1, BlockSize}},
		{"wrong length", 1, Block{asked.Piece, asked.Begin, BlockSize / 2}},
		{"piece out of range", 1, Block{7, 0, BlockSize}},
		{"negative piece", 1, Block{-1, 0, BlockSize}},
		{"begin past the piece", 1, Block{asked.Piece, 4 * BlockSize, BlockSize}},
	}
	for _, c := range cases {
		if ok, done, cancel := p.BlockReceived(c.peer, c.b); ok || done || cancel != nil {
			t.Errorf("%s: BlockReceived = %v %v %v, want not accepted", c.name, ok, done, cancel)
		}
	}
	if ok, _, _ := p.BlockReceived(1, asked); !ok {
		t.Fatal("the requested block was not accepted")
	}
	if ok, _, _ := p.BlockReceived(1, asked); ok {
		t.Fatal("the same block accepted twice")
	}
	p.checkInvariants(t)
}

func TestSequentialStrategy(t *testing.T) {
	const n = 8
	p := newTest(t, n, 1, 1)
	p.SetStrategy(Sequential)
	p.PeerBitfield(1, allBut(n))
	p.PeerBitfield(2, allBut(n, 6)) // rarest, but sequential ignores rarity
	p.PeerBitfield(3, allBut(n, 6))
	got := pieces(p.Pick(1, n))
	if !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("sequential picks = %v", got)
	}
	if !strings.Contains(p.LastPickReason(), "sequential") {
		t.Errorf("reason = %q", p.LastPickReason())
	}
}

func TestRandomStrategyIgnoresRarity(t *testing.T) {
	const n = 20
	notRarest := 0
	for seed := range uint64(30) {
		p := newTest(t, n, 1, seed)
		p.SetStrategy(Random)
		p.SetHave(bits(n, 0, 1, 2, 3, 4)) // past random first: rarest first would pick 13
		p.PeerBitfield(1, allBut(n))
		p.PeerBitfield(2, allBut(n, 13))
		got := p.Pick(1, 1)
		if got[0].Piece < 5 {
			t.Fatalf("seed %d: picked verified piece %d", seed, got[0].Piece)
		}
		if got[0].Piece != 13 {
			notRarest++
		}
	}
	if notRarest < 20 {
		t.Fatalf("random strategy picked the rarest piece %d times of 30", 30-notRarest)
	}
}

func TestPickAllowedFast(t *testing.T) {
	const n = 10
	p := newTest(t, n, 2, 1)
	p.PeerBitfield(1, bits(n, 2, 4, 6))
	got := p.PickAllowedFast(1, []int{4, 5, 4, -3, 99, 8}, 10)
	// 5 and 8: the peer lacks them; -3 and 99: out of range; 4 listed twice.
	if !slices.Equal(pieces(got), []int{4}) || len(got) != 2 {
		t.Fatalf("allowed fast pick = %v, want both blocks of piece 4 only", got)
	}
	if got := p.PickAllowedFast(1, []int{4}, 10); len(got) != 0 {
		t.Fatalf("picked %v again", got)
	}
	if got := p.PickAllowedFast(1, nil, 10); got != nil {
		t.Fatalf("empty allowed set picked %v", got)
	}
	p.checkInvariants(t)
}

func TestHaveAllBeforeAndAfterBitfield(t *testing.T) {
	const n = 9
	p := newTest(t, n, 1, 1)
	p.PeerHaveAll(1) // before any bitfield
	p.PeerBitfield(2, bits(n, 1, 2))
	p.PeerHaveAll(2) // replaces its bitfield
	p.PeerHaveAll(2) // repeated: no double count
	p.PeerHave(2, 3) // already implied
	if got := p.AvailabilityAll(); !slices.Equal(got, []int{2, 2, 2, 2, 2, 2, 2, 2, 2}) {
		t.Fatalf("AvailabilityAll = %v", got)
	}
	p.PeerBitfield(1, bits(n, 0)) // back from have-all to a bitfield
	if got := p.Availability(0); got != 2 {
		t.Fatalf("Availability(0) = %d, want 2", got)
	}
	if got := p.Availability(1); got != 1 {
		t.Fatalf("Availability(1) = %d, want 1", got)
	}
	p.PeerHaveNone(1)
	p.PeerHave(3, 5)
	p.PeerHave(3, 5)
	p.PeerHave(3, -1)
	p.PeerHave(3, n)
	if got := p.Availability(5); got != 2 {
		t.Fatalf("Availability(5) = %d, want 2", got)
	}
	if got := p.Availability(n + 5); got != 0 {
		t.Fatalf("Availability out of range = %d", got)
	}
	p.checkInvariants(t)
}

func TestNothingToPick(t *testing.T) {
	p := newTest(t, 3, 1, 1)
	if got := p.Pick(1, 5); got != nil {
		t.Fatalf("unknown peer: %v", got)
	}
	p.PeerHaveNone(1)
	if got := p.Pick(1, 5); len(got) != 0 {
		t.Fatalf("peer with nothing: %v", got)
	}
	p.PeerHaveAll(2)
	if got := p.Pick(2, 0); got != nil {
		t.Fatalf("max 0: %v", got)
	}
	p.SetHave(bits(3, 0, 1, 2))
	if !p.Complete() || p.InEndgame() {
		t.Fatalf("Complete=%v InEndgame=%v after SetHave(all)", p.Complete(), p.InEndgame())
	}
	if got := p.Pick(2, 5); len(got) != 0 {
		t.Fatalf("complete download picked %v", got)
	}
}
