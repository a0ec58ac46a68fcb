package metadata

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// testInfo returns a real single-file info dictionary of exactly size
// bytes (size must be at least 100): the name is padded to fit.
func testInfo(size int) []byte {
	build := func(name int) string {
		return "d6:lengthi1e4:name" + strconv.Itoa(name) + ":" + strings.Repeat("n", name) +
			"12:piece lengthi16384e6:pieces20:" + strings.Repeat("\x01", 20) + "e"
	}
	name := size - len(build(0))
	for len(build(name)) > size {
		name--
	}
	return []byte(build(name))
}

// scripted is a peer the test plays: it answers requests from a Server
// built over whatever bytes it claims are the metadata.
type scripted struct {
	key    PeerKey
	server *Server
}

func newScripted(t *testing.T, key PeerKey, served []byte) scripted {
	t.Helper()
	s, err := NewServer(served)
	if err != nil {
		t.Fatal(err)
	}
	return scripted{key, s}
}

// corrupted returns a copy of info with one byte of piece changed.
func corrupted(info []byte, piece int) []byte {
	bad := bytes.Clone(info)
	bad[piece*PieceSize+10] ^= 0xFF
	return bad
}

// answer feeds the reply to every request through the wire codec into f and
// returns the outcomes that said something.
func (p scripted) answer(t *testing.T, f *Fetcher, reqs []Message) []Outcome {
	t.Helper()
	var outs []Outcome
	for _, req := range reqs {
		if req.Type != Request {
			t.Fatalf("peer %d was sent a %v, want requests only", p.key, req.Type)
		}
		reply, err := DecodeMessage(p.server.Answer(req.Piece).Encode())
		if err != nil {
			t.Fatalf("peer %d: reply does not decode: %v", p.key, err)
		}
		out, err := f.OnData(p.key, reply)
		if err != nil {
			t.Fatalf("peer %d piece %d: OnData: %v", p.key, req.Piece, err)
		}
		if out.Info != nil || out.HashFailed || out.Bad != nil {
			outs = append(outs, out)
		}
	}
	return outs
}

// round asks every peer for requests, then lets each answer all of them.
func round(t *testing.T, f *Fetcher, now time.Time, peers ...scripted) (asked map[PeerKey][]int, outs []Outcome) {
	t.Helper()
	asked = map[PeerKey][]int{}
	reqs := map[PeerKey][]Message{}
	for _, p := range peers {
		reqs[p.key] = f.NextRequests(p.key, now)
		for _, r := range reqs[p.key] {
			asked[p.key] = append(asked[p.key], r.Piece)
		}
	}
	for _, p := range peers {
		outs = append(outs, p.answer(t, f, reqs[p.key])...)
	}
	return asked, outs
}

// fetchUntilDone runs rounds until the fetcher is done or nobody is asked.
func fetchUntilDone(t *testing.T, f *Fetcher, now time.Time, peers ...scripted) []Outcome {
	t.Helper()
	var all []Outcome
	for range 100 {
		asked, outs := round(t, f, now, peers...)
		all = append(all, outs...)
		if f.Done() || len(asked) == 0 {
			return all
		}
	}
	t.Fatal("fetch did not settle in 100 rounds")
	return nil
}

// describe prints outcomes without dumping the metadata bytes.
func describe(outs []Outcome) string {
	var b strings.Builder
	for _, o := range outs {
		fmt.Fprintf(&b, "{info %d bytes, hash failed %v, suspects %v, bad %v}", len(o.Info), o.HashFailed, o.Suspects, o.Bad)
	}
	return "[" + b.String() + "]"
}

func addPeers(t *testing.T, f *Fetcher, size int, peers ...scripted) {
	t.Helper()
	for _, p := range peers {
		if err := f.AddPeer(p.key, size); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFetcherSpreadsPiecesAndVerifies(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	peers := []scripted{newScripted(t, 1, info), newScripted(t, 2, info), newScripted(t, 3, info)}
	addPeers(t, f, len(info), peers...)

	if have, total := f.Progress(); have != 0 || total != 0 {
		t.Fatalf("Progress before any request = %d/%d, want 0/0", have, total)
	}
	asked, outs := round(t, f, t0, peers...)
	want := map[PeerKey][]int{1: {0, 1, 2}, 2: {3, 4, 5}, 3: {6}}
	for k, pieces := range want {
		if !slices.Equal(asked[k], pieces) {
			t.Errorf("peer %d asked for %v, want %v (at most %d each, no piece twice)", k, asked[k], pieces, MaxOutstandingPerPeer)
		}
	}
	if len(outs) != 1 || outs[0].Info == nil || outs[0].HashFailed || outs[0].Bad != nil {
		t.Fatalf("outcomes %s, want one with the verified info", describe(outs))
	}
	if !bytes.Equal(outs[0].Info, info) || !bytes.Equal(f.Info(), info) || !f.Done() {
		t.Fatal("the fetched metadata is not the info dictionary")
	}
	if _, err := metainfo.ParseInfo(outs[0].Info); err != nil {
		t.Fatalf("fetched info does not parse: %v", err)
	}
	if have, total := f.Progress(); have != 7 || total != 7 {
		t.Fatalf("Progress when done = %d/%d, want 7/7", have, total)
	}
	if reqs := f.NextRequests(1, t0); reqs != nil {
		t.Fatalf("NextRequests after done = %v, want none", reqs)
	}
}

func TestFetcherPacesRequestsPerPeer(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	p := newScripted(t, 1, info)
	addPeers(t, f, len(info), p)

	first := f.NextRequests(1, t0)
	if len(first) != MaxOutstandingPerPeer {
		t.Fatalf("first NextRequests gave %d requests, want %d", len(first), MaxOutstandingPerPeer)
	}
	if again := f.NextRequests(1, t0); again != nil {
		t.Fatalf("NextRequests with %d unanswered = %v, want none", MaxOutstandingPerPeer, again)
	}
	p.answer(t, f, first[:1])
	if have, total := f.Progress(); have != 1 || total != 7 {
		t.Fatalf("Progress = %d/%d, want 1/7", have, total)
	}
	if next := f.NextRequests(1, t0); len(next) != 1 || next[0].Piece != 3 {
		t.Fatalf("after one answer NextRequests = %v, want piece 3 only", next)
	}
}

// One peer of three serves corrupt pieces. The spread copy fails and all
// three are suspects; the next copy comes from one source, and the corrupt
// peer is named either as that source or when its pieces are compared.
func TestFetcherCorruptPeer(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces; peer 2 serves 3, 4, 5
	hash := metainfo.Hash(sha1.Sum(info))
	setup := func(t *testing.T) (*Fetcher, []scripted) {
		f := NewFetcher(hash)
		peers := []scripted{newScripted(t, 1, info), newScripted(t, 2, corrupted(info, 4)), newScripted(t, 3, info)}
		addPeers(t, f, len(info), peers...)
		_, outs := round(t, f, t0, peers...)
		if len(outs) != 1 || !outs[0].HashFailed || outs[0].Info != nil {
			t.Fatalf("spread copy outcomes %s, want one hash failure", describe(outs))
		}
		if !slices.Equal(outs[0].Suspects, []PeerKey{1, 2, 3}) || outs[0].Bad != nil {
			t.Fatalf("failure named suspects %v bad %v, want suspects [1 2 3] and nobody proven bad", outs[0].Suspects, outs[0].Bad)
		}
		if have, _ := f.Progress(); have != 0 {
			t.Fatalf("Progress after failure = %d pieces, want the copy discarded", have)
		}
		return f, peers
	}

	t.Run("honest source, corrupt peer found by comparison", func(t *testing.T) {
		f, peers := setup(t)
		outs := fetchUntilDone(t, f, t0, peers[0], peers[1], peers[2])
		if !f.Done() || len(outs) != 1 || !bytes.Equal(outs[0].Info, info) {
			t.Fatalf("refetch outcomes %s, want the verified info", describe(outs))
		}
		if !slices.Equal(outs[0].Bad, []PeerKey{2}) {
			t.Fatalf("Bad = %v, want [2], the peer whose pieces differ", outs[0].Bad)
		}
	})

	t.Run("corrupt peer is the source", func(t *testing.T) {
		f, peers := setup(t)
		first := f.NextRequests(2, t0)
		if len(first) == 0 {
			t.Fatal("peer 2 was not taken as the single source")
		}
		if reqs := f.NextRequests(1, t0); reqs != nil {
			t.Fatalf("peer 1 asked %v while peer 2 is the single source", reqs)
		}
		outs := append(peers[1].answer(t, f, first), fetchUntilDone(t, f, t0, peers[1])...)
		if len(outs) != 1 || !outs[0].HashFailed || !slices.Equal(outs[0].Bad, []PeerKey{2}) {
			t.Fatalf("single-source outcomes %s, want a failure naming peer 2", describe(outs))
		}
		if reqs := f.NextRequests(2, t0); reqs != nil {
			t.Fatalf("bad peer 2 still asked %v", reqs)
		}
		outs = fetchUntilDone(t, f, t0, peers[0], peers[2])
		if !f.Done() || len(outs) != 1 || !bytes.Equal(outs[0].Info, info) || outs[0].Bad != nil {
			t.Fatalf("refetch outcomes %s, want the verified info and nobody else bad", describe(outs))
		}
	})
}

func TestFetcherSoleContributorOfBadCopyIsBad(t *testing.T) {
	info := testInfo(1000) // one piece
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	liar, honest := newScripted(t, 1, corrupted(info, 0)), newScripted(t, 2, info)
	addPeers(t, f, len(info), liar, honest)
	outs := fetchUntilDone(t, f, t0, liar)
	if len(outs) != 1 || !outs[0].HashFailed || !slices.Equal(outs[0].Bad, []PeerKey{1}) {
		t.Fatalf("outcomes %s, want a failure naming peer 1 bad", describe(outs))
	}
	outs = fetchUntilDone(t, f, t0, liar, honest)
	if !f.Done() || len(outs) != 1 || outs[0].Bad != nil {
		t.Fatalf("outcomes %s, want the info from peer 2", describe(outs))
	}
}

func TestFetcherReject(t *testing.T) {
	info := testInfo(PieceSize + 1000) // 2 pieces
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	p1, p2 := newScripted(t, 1, info), newScripted(t, 2, info)
	addPeers(t, f, len(info), p1, p2)

	reqs := f.NextRequests(1, t0)
	if len(reqs) != 2 {
		t.Fatalf("peer 1 asked %v, want both pieces", reqs)
	}
	p1.answer(t, f, reqs[1:])
	f.OnReject(1, 0, t0)
	if reqs := f.NextRequests(2, t0); len(reqs) != 1 || reqs[0].Piece != 0 {
		t.Fatalf("after peer 1 rejected piece 0, peer 2 asked %v, want piece 0", reqs)
	}
	f.OnReject(2, 0, t0.Add(time.Second))
	// Rejects for what was never asked (or already answered) change nothing:
	// in particular they do not extend peer 1's backoff.
	f.OnReject(1, 1, t0.Add(10*time.Second))
	f.OnReject(99, 0, t0.Add(10*time.Second))
	if reqs := f.NextRequests(1, t0.Add(RetryBackoff-time.Second)); reqs != nil {
		t.Fatalf("peer 1 asked %v during its backoff", reqs)
	}
	reqs = f.NextRequests(1, t0.Add(RetryBackoff))
	if len(reqs) != 1 || reqs[0].Piece != 0 {
		t.Fatalf("peer 1 after its backoff asked %v, want piece 0 again", reqs)
	}
	if outs := p1.answer(t, f, reqs); !f.Done() || len(outs) != 1 || !bytes.Equal(outs[0].Info, info) {
		t.Fatalf("outcomes %s, want the verified info", describe(outs))
	}
}

func TestFetcherTimeoutReRequests(t *testing.T) {
	info := testInfo(PieceSize + 1000) // 2 pieces
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	slow, fast := newScripted(t, 1, info), newScripted(t, 2, info)
	addPeers(t, f, len(info), slow, fast)

	slowReqs := f.NextRequests(1, t0)
	if len(slowReqs) != 2 {
		t.Fatalf("slow peer asked %v, want both pieces", slowReqs)
	}
	if reqs := f.NextRequests(2, t0.Add(RequestTimeout-time.Second)); reqs != nil {
		t.Fatalf("fast peer asked %v before the timeout", reqs)
	}
	later := t0.Add(RequestTimeout)
	fastReqs := f.NextRequests(2, later)
	if len(fastReqs) != 2 {
		t.Fatalf("after the timeout fast peer asked %v, want both pieces again", fastReqs)
	}
	if reqs := f.NextRequests(1, later); reqs != nil {
		t.Fatalf("slow peer asked %v right after timing out", reqs)
	}
	// The slow peer's late answer to piece 1 still counts; the fast peer's
	// duplicate is dropped quietly.
	if outs := slow.answer(t, f, slowReqs[1:]); outs != nil {
		t.Fatalf("late answer outcomes %s", describe(outs))
	}
	outs := fast.answer(t, f, fastReqs)
	if !f.Done() || len(outs) != 1 || !bytes.Equal(outs[0].Info, info) {
		t.Fatalf("outcomes %s, want the verified info", describe(outs))
	}
}

func TestFetcherSizeCap(t *testing.T) {
	f := NewFetcher(metainfo.Hash{})
	for _, tc := range []struct {
		size   int
		errHas string
	}{
		{MaxSize + 1, "above the 8388608-byte cap"},
		{1 << 40, "above the"},
		{0, "cannot serve metadata"},
		{-5, "cannot serve metadata"},
	} {
		err := f.AddPeer(1, tc.size)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("AddPeer(size %d) error %v, want one containing %q", tc.size, err, tc.errHas)
		}
		if reqs := f.NextRequests(1, t0); reqs != nil {
			t.Errorf("refused peer with size %d was asked %v", tc.size, reqs)
		}
	}
	if err := f.AddPeer(1, MaxSize); err != nil {
		t.Fatalf("AddPeer(MaxSize): %v", err)
	}
	if reqs := f.NextRequests(1, t0); len(reqs) != MaxOutstandingPerPeer {
		t.Fatalf("peer with MaxSize asked %v", reqs)
	}
}

func TestFetcherDisagreeingSizes(t *testing.T) {
	info := testInfo(PieceSize + 1000)
	hash := metainfo.Hash(sha1.Sum(info))

	t.Run("first size wins until it fails", func(t *testing.T) {
		f := NewFetcher(hash)
		liar := newScripted(t, 1, testInfo(len(info)+500)) // another dict, another size
		honest := []scripted{newScripted(t, 2, info), newScripted(t, 3, info)}
		addPeers(t, f, len(info)+500, liar)
		addPeers(t, f, len(info), honest...)
		if reqs := f.NextRequests(2, t0); reqs != nil {
			t.Fatalf("peer 2 (second size) asked %v while the first size is tried", reqs)
		}
		outs := fetchUntilDone(t, f, t0, liar, honest[0], honest[1])
		if len(outs) != 2 {
			t.Fatalf("outcomes %s, want a failure then a success", describe(outs))
		}
		if !outs[0].HashFailed || !slices.Equal(outs[0].Bad, []PeerKey{1}) {
			t.Fatalf("first outcome %s, want the liar's copy to fail and name it", describe(outs[:1]))
		}
		if !bytes.Equal(outs[1].Info, info) {
			t.Fatalf("second outcome %s, want the info", describe(outs[1:]))
		}
	})

	t.Run("a failed size yields to another", func(t *testing.T) {
		// Two colluding peers claim a wrong size; their spread copy fails
		// with no one proven bad. The peer with the other size is tried
		// next, and its verified copy proves both liars wrong.
		info := testInfo(3*PieceSize + 1000) // 4 pieces: peer 1 serves 0-2, peer 2 piece 3
		hash := metainfo.Hash(sha1.Sum(info))
		f := NewFetcher(hash)
		fake := testInfo(len(info) + 500)
		liars := []scripted{newScripted(t, 1, fake), newScripted(t, 2, fake)}
		honest := newScripted(t, 3, info)
		addPeers(t, f, len(fake), liars...)
		addPeers(t, f, len(info), honest)
		_, outs := round(t, f, t0, liars...)
		if len(outs) != 1 || !outs[0].HashFailed || outs[0].Bad != nil {
			t.Fatalf("outcomes %s, want a failure with nobody proven bad", describe(outs))
		}
		if reqs := f.NextRequests(1, t0); reqs != nil {
			t.Fatalf("peer 1 (failed size) asked %v while a peer with another size is ready", reqs)
		}
		outs = fetchUntilDone(t, f, t0, honest)
		if len(outs) != 1 || !bytes.Equal(outs[0].Info, info) || !slices.Equal(outs[0].Bad, []PeerKey{1, 2}) {
			t.Fatalf("outcomes %s, want the info with peers 1 and 2 bad", describe(outs))
		}
	})

	t.Run("everyone with the first size leaves", func(t *testing.T) {
		f := NewFetcher(hash)
		addPeers(t, f, len(info)+500, newScripted(t, 1, testInfo(len(info)+500)))
		honest := newScripted(t, 2, info)
		addPeers(t, f, len(info), honest)
		if reqs := f.NextRequests(1, t0); len(reqs) != 2 {
			t.Fatalf("peer 1 asked %v", reqs)
		}
		f.RemovePeer(1)
		outs := fetchUntilDone(t, f, t0, honest)
		if len(outs) != 1 || !bytes.Equal(outs[0].Info, info) {
			t.Fatalf("outcomes %s, want the info from the second size", describe(outs))
		}
	})
}

func TestFetcherOnDataRefusesWhatWasNotAsked(t *testing.T) {
	info := testInfo(PieceSize + 1000)
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	addPeers(t, f, len(info), newScripted(t, 1, info), newScripted(t, 2, info))
	if reqs := f.NextRequests(1, t0); len(reqs) != 2 {
		t.Fatalf("peer 1 asked %v", reqs)
	}
	piece0 := info[:PieceSize]
	tests := []struct {
		name   string
		peer   PeerKey
		msg    Message
		errHas string
	}{
		{"not a data message", 1, Message{Type: Reject, Piece: 0}, "given a reject"},
		{"unknown peer", 9, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: piece0}, "unknown peer 9"},
		{"not asked of this peer", 2, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: piece0}, "not asked of it"},
		{"other total size", 1, Message{Type: Data, Piece: 0, TotalSize: len(info) + 1, Data: piece0}, "asked for"},
		{"wrong length", 1, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: piece0[:100]}, "want 16384"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.OnData(tc.peer, tc.msg)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("OnData error %v, want one containing %q", err, tc.errHas)
			}
		})
	}
	if have, _ := f.Progress(); have != 0 {
		t.Fatalf("refused messages changed progress to %d", have)
	}
	// The refusals left the real requests in place.
	if _, err := f.OnData(1, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: piece0}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.OnData(1, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: piece0}); err == nil {
		t.Fatal("a second answer to the same request was accepted")
	}
}

func TestFetcherRemovePeer(t *testing.T) {
	info := testInfo(PieceSize + 1000)
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	addPeers(t, f, len(info), newScripted(t, 1, info), newScripted(t, 2, info))
	if reqs := f.NextRequests(1, t0); len(reqs) != 2 {
		t.Fatalf("peer 1 asked %v", reqs)
	}
	f.RemovePeer(1)
	f.RemovePeer(1) // twice is harmless
	if reqs := f.NextRequests(2, t0); len(reqs) != 2 {
		t.Fatalf("after peer 1 left, peer 2 asked %v, want both pieces", reqs)
	}
	if reqs := f.NextRequests(1, t0); reqs != nil {
		t.Fatalf("removed peer asked %v", reqs)
	}
}

func TestFetcherRemovedSingleSourceIsReplaced(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces, all three peers contribute
	hash := metainfo.Hash(sha1.Sum(info))
	f := NewFetcher(hash)
	peers := []scripted{newScripted(t, 1, corrupted(info, 0)), newScripted(t, 2, info), newScripted(t, 3, info)}
	addPeers(t, f, len(info), peers...)
	if _, outs := round(t, f, t0, peers...); len(outs) != 1 || !outs[0].HashFailed {
		t.Fatalf("outcomes %s, want the spread copy to fail", describe(outs))
	}
	if reqs := f.NextRequests(3, t0); len(reqs) != MaxOutstandingPerPeer {
		t.Fatalf("peer 3 as single source asked %v", reqs)
	}
	f.RemovePeer(3)
	outs := fetchUntilDone(t, f, t0, peers[1])
	if !f.Done() || len(outs) != 1 || !slices.Equal(outs[0].Bad, []PeerKey{1}) {
		t.Fatalf("outcomes %s, want the info from peer 2 with peer 1 bad", describe(outs))
	}
}

func TestFetcherSingleSourceTimeoutPassesOver(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces, all three peers contribute
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	peers := []scripted{newScripted(t, 1, corrupted(info, 0)), newScripted(t, 2, info)}
	addPeers(t, f, len(info), peers...)
	round(t, f, t0, peers...) // pieces 0-5; piece 6 is left for the next round
	if _, outs := round(t, f, t0, peers...); len(outs) != 1 || !outs[0].HashFailed {
		t.Fatalf("outcomes %s, want the spread copy to fail", describe(outs))
	}
	if reqs := f.NextRequests(2, t0); len(reqs) != MaxOutstandingPerPeer {
		t.Fatalf("peer 2 as single source asked %v", reqs)
	}
	later := t0.Add(RequestTimeout)
	if reqs := f.NextRequests(1, later); len(reqs) != MaxOutstandingPerPeer {
		t.Fatalf("after the source timed out, peer 1 asked %v, want to become the source", reqs)
	}
}

func TestFetcherSingleSourceRejectPassesOver(t *testing.T) {
	info := testInfo(6*PieceSize + 1000) // 7 pieces
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	peers := []scripted{newScripted(t, 1, corrupted(info, 0)), newScripted(t, 2, info), newScripted(t, 3, info)}
	addPeers(t, f, len(info), peers...)
	if _, outs := round(t, f, t0, peers...); len(outs) != 1 || !outs[0].HashFailed {
		t.Fatalf("outcomes %s, want the spread copy to fail", describe(outs))
	}
	reqs := f.NextRequests(2, t0)
	if len(reqs) != MaxOutstandingPerPeer {
		t.Fatalf("peer 2 as single source asked %v", reqs)
	}
	peers[1].answer(t, f, reqs[:1])
	f.OnReject(2, reqs[1].Piece, t0)
	if have, _ := f.Progress(); have != 0 {
		t.Fatalf("Progress = %d after the source rejected, want its copy dropped", have)
	}
	if reqs := f.NextRequests(3, t0); len(reqs) != MaxOutstandingPerPeer || reqs[0].Piece != 0 {
		t.Fatalf("peer 3 asked %v, want to start a new copy from piece 0", reqs)
	}
}

func TestFetcherAddPeerAgain(t *testing.T) {
	info := testInfo(PieceSize + 1000)
	f := NewFetcher(metainfo.Hash(sha1.Sum(info)))
	addPeers(t, f, len(info), newScripted(t, 1, info))
	if reqs := f.NextRequests(1, t0); len(reqs) != 2 {
		t.Fatalf("peer 1 asked %v", reqs)
	}
	addPeers(t, f, len(info), newScripted(t, 1, info)) // same size: nothing changes
	if _, err := f.OnData(1, Message{Type: Data, Piece: 0, TotalSize: len(info), Data: info[:PieceSize]}); err != nil {
		t.Fatalf("request lost by re-adding with the same size: %v", err)
	}
	addPeers(t, f, 2*PieceSize, newScripted(t, 1, info)) // new size: its requests are forgotten
	if _, err := f.OnData(1, Message{Type: Data, Piece: 1, TotalSize: len(info), Data: info[PieceSize:]}); err == nil {
		t.Fatal("an answer to a request made under the old size was accepted")
	}
	if reqs := f.NextRequests(1, t0); len(reqs) != 2 {
		t.Fatalf("peer 1 with its new size asked %v, want both pieces of a new copy", reqs)
	}
}
