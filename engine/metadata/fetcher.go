package metadata

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"slices"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// PeerKey identifies a peer connection; the torrent loop chooses the values.
type PeerKey uint64

// Request pacing. A handful of outstanding requests per peer is plenty:
// metadata is small, and asking everyone for everything only multiplies
// what a corrupt peer can spoil.
const (
	// MaxOutstandingPerPeer is how many requests one peer may have unanswered.
	MaxOutstandingPerPeer = 3
	// RequestTimeout is how long a request may go unanswered before its
	// piece is asked of someone else.
	RequestTimeout = 20 * time.Second
	// RetryBackoff is how long a peer that rejected or timed out is left
	// alone before it is asked again.
	RetryBackoff = 30 * time.Second
)

// Outcome tells the loop what a data message changed.
type Outcome struct {
	// Info is the verified info dictionary, set once when the last piece
	// arrives and the SHA-1 of the whole matches the info hash. Pass it to
	// metainfo.ParseInfo.
	Info []byte
	// HashFailed reports that every piece was in but the assembled bytes
	// did not hash to the info hash; they were discarded.
	HashFailed bool
	// Suspects are the peers that contributed to a copy that failed, for
	// display ("sent bad metadata?"). Some of them may be innocent.
	Suspects []PeerKey
	// Bad are the peers proven to have sent metadata that is not this
	// torrent's: the sole source of a failed copy, or, once the real
	// metadata is known, contributors whose pieces differ from it. The
	// Fetcher has forgotten them; the loop should disconnect them.
	Bad []PeerKey
}

// Fetcher downloads a torrent's metadata from the peers that offer it.
//
// At first every piece is asked of whichever peer is free, all peers that
// announced the same size working together ("spread" mode). If that copy
// does not hash to the info hash, there is no telling which contributor
// lied, so from then on each copy is fetched from a single peer ("single
// source" mode): a copy that fails names its source as bad, and once a
// copy verifies, the pieces of the failed spread copy are compared with it
// to name the contributors that sent wrong ones.
//
// Peers may announce different sizes. The first size announced wins until
// a copy of that size fails verification; then sources that announced
// other sizes are tried first.
type Fetcher struct {
	infoHash metainfo.Hash
	peers    map[PeerKey]*fetchPeer
	arrival  []PeerKey // peers in the order they were added, for deterministic choices
	sizes    []int     // sizes offered by connected peers, in the order first announced

	failedSizes  map[int]bool // sizes of copies that failed verification
	singleSource bool         // set after the first failed copy
	current      *assembly    // the copy being fetched; nil between copies
	failedSpread *assembly    // the spread copy that failed, kept to blame its contributors later

	info []byte // the verified metadata; non-nil once done
}

type fetchPeer struct {
	size        int               // metadata_size from its extension handshake
	outstanding map[int]time.Time // piece -> when it was asked, still unanswered and not timed out
	asked       map[int]bool      // pieces of the current copy asked of it and not yet answered (late answers are welcome)
	notBefore   time.Time         // left alone until then after a reject or timeout
}

// assembly is one copy of the metadata being put together.
type assembly struct {
	size     int
	single   bool    // fetched from source alone
	source   PeerKey // meaningful when single
	pieces   [][]byte
	from     []PeerKey // who sent each piece
	inFlight []int     // unanswered, not timed-out requests per piece
	have     int
}

func newAssembly(size int) *assembly {
	n := NumPieces(size)
	return &assembly{
		size:     size,
		pieces:   make([][]byte, n),
		from:     make([]PeerKey, n),
		inFlight: make([]int, n),
	}
}

// NewFetcher returns a Fetcher for the metadata whose SHA-1 is infoHash.
func NewFetcher(infoHash metainfo.Hash) *Fetcher {
	return &Fetcher{
		infoHash:    infoHash,
		peers:       make(map[PeerKey]*fetchPeer),
		failedSizes: make(map[int]bool),
	}
}

// AddPeer registers a peer whose extension handshake offered ut_metadata
// with the given metadata_size. A size of zero or below, or above MaxSize,
// is refused with an error and the peer is not used. Adding a known peer
// again with a new size forgets what it had been asked.
func (f *Fetcher) AddPeer(peer PeerKey, metadataSize int) error {
	if metadataSize <= 0 {
		return fmt.Errorf("metadata fetcher: peer %d announced metadata_size %d; it cannot serve metadata", peer, metadataSize)
	}
	if metadataSize > MaxSize {
		return fmt.Errorf("metadata fetcher: peer %d announced metadata_size %d, above the %d-byte cap", peer, metadataSize, MaxSize)
	}
	if p, ok := f.peers[peer]; ok {
		if p.size == metadataSize {
			return nil
		}
		f.RemovePeer(peer)
	}
	f.peers[peer] = &fetchPeer{
		size:        metadataSize,
		outstanding: make(map[int]time.Time),
		asked:       make(map[int]bool),
	}
	f.arrival = append(f.arrival, peer)
	if !slices.Contains(f.sizes, metadataSize) {
		f.sizes = append(f.sizes, metadataSize)
	}
	return nil
}

// RemovePeer forgets a peer (it disconnected). Its unanswered requests go
// back to the pool; if it was the single source of the current copy, that
// copy is abandoned.
func (f *Fetcher) RemovePeer(peer PeerKey) {
	p, ok := f.peers[peer]
	if !ok {
		return
	}
	if a := f.current; a != nil {
		for piece := range p.outstanding {
			a.inFlight[piece]--
		}
		if a.single && a.source == peer {
			f.abandon()
		}
	}
	delete(f.peers, peer)
	f.arrival = slices.DeleteFunc(f.arrival, func(k PeerKey) bool { return k == peer })
	// Forget a size nobody offers any more, so peers coming and going with
	// made-up sizes cannot grow the list without bound.
	if !f.sizeOffered(p.size) {
		f.sizes = slices.DeleteFunc(f.sizes, func(size int) bool { return size == p.size })
	}
}

// Done reports whether the metadata has been fetched and verified.
func (f *Fetcher) Done() bool { return f.info != nil }

// Info returns the verified info dictionary, or nil before Done.
func (f *Fetcher) Info() []byte { return f.info }

// Progress returns how many pieces of the current copy are in, out of how
// many. It is (0, 0) before any copy has started and drops back when a
// copy fails verification.
func (f *Fetcher) Progress() (have, total int) {
	if f.info != nil {
		n := NumPieces(len(f.info))
		return n, n
	}
	if f.current == nil {
		return 0, 0
	}
	return f.current.have, len(f.current.pieces)
}

// NextRequests returns the request messages to send to peer now: pieces
// nobody is waiting for, up to MaxOutstandingPerPeer unanswered per peer.
// It also times out requests unanswered for RequestTimeout, so call it
// whenever something changes and on the loop's periodic tick.
func (f *Fetcher) NextRequests(peer PeerKey, now time.Time) []Message {
	if f.info != nil {
		return nil
	}
	f.expire(now)
	p, ok := f.peers[peer]
	if !ok || now.Before(p.notBefore) {
		return nil
	}
	a := f.assemblyFor(peer, now)
	if a == nil || (a.single && a.source != peer) || a.size != p.size {
		return nil
	}
	var reqs []Message
	for piece := range a.pieces {
		if len(p.outstanding) >= MaxOutstandingPerPeer {
			break
		}
		if a.pieces[piece] != nil || a.inFlight[piece] > 0 {
			continue
		}
		p.outstanding[piece] = now
		p.asked[piece] = true
		a.inFlight[piece]++
		reqs = append(reqs, Message{Type: Request, Piece: piece})
	}
	return reqs
}

// OnReject records that peer refused to send piece. The piece goes back
// to the pool and the peer is left alone for RetryBackoff; a single source
// that rejects is passed over for this copy.
func (f *Fetcher) OnReject(peer PeerKey, piece int, now time.Time) {
	p, ok := f.peers[peer]
	if !ok || f.current == nil || !p.asked[piece] {
		return
	}
	f.forgetRequest(p, piece)
	p.notBefore = now.Add(RetryBackoff)
	if f.current.single {
		f.abandon()
	}
}

// OnData takes a decoded data message from peer. It returns an error, and
// changes nothing, when the message does not fit: a peer that is not
// registered, a piece that was not asked of it, or a total size or length
// that differs from what was asked. When the message completes a copy,
// the copy is verified and the Outcome says how that went.
func (f *Fetcher) OnData(peer PeerKey, m Message) (Outcome, error) {
	if m.Type != Data {
		return Outcome{}, fmt.Errorf("metadata fetcher: peer %d: OnData given a %v message", peer, m.Type)
	}
	if f.info != nil {
		return Outcome{}, nil // a late answer; we have what we need
	}
	p, ok := f.peers[peer]
	if !ok {
		return Outcome{}, fmt.Errorf("metadata fetcher: data from unknown peer %d", peer)
	}
	a := f.current
	if a == nil || !p.asked[m.Piece] {
		return Outcome{}, fmt.Errorf("metadata fetcher: peer %d sent piece %d, which was not asked of it", peer, m.Piece)
	}
	if m.TotalSize != a.size {
		return Outcome{}, fmt.Errorf("metadata fetcher: peer %d sent piece %d of %d-byte metadata, asked for %d bytes", peer, m.Piece, m.TotalSize, a.size)
	}
	if want := pieceLength(a.size, m.Piece); len(m.Data) != want {
		return Outcome{}, fmt.Errorf("metadata fetcher: peer %d sent %d bytes for piece %d, want %d", peer, len(m.Data), m.Piece, want)
	}
	f.forgetRequest(p, m.Piece)
	if a.pieces[m.Piece] != nil {
		return Outcome{}, nil // someone else's timed-out request was answered first
	}
	a.pieces[m.Piece] = bytes.Clone(m.Data)
	a.from[m.Piece] = peer
	a.have++
	if a.have < len(a.pieces) {
		return Outcome{}, nil
	}
	return f.verify(a), nil
}

// verify checks a complete copy against the info hash.
func (f *Fetcher) verify(a *assembly) Outcome {
	raw := bytes.Join(a.pieces, nil)
	f.abandon()
	if sha1.Sum(raw) == f.infoHash {
		f.info = raw
		return Outcome{Info: raw, Bad: f.blameFailedSpread(raw)}
	}
	out := Outcome{HashFailed: true, Suspects: contributors(a)}
	f.failedSizes[a.size] = true
	switch {
	case a.single:
		out.Bad = []PeerKey{a.source}
	case len(out.Suspects) == 1:
		out.Bad = out.Suspects
	default:
		f.failedSpread = a
	}
	for _, bad := range out.Bad {
		f.RemovePeer(bad)
	}
	f.singleSource = true
	return out
}

// blameFailedSpread names the contributors of the failed spread copy whose
// pieces differ from the verified metadata, among peers still connected.
func (f *Fetcher) blameFailedSpread(verified []byte) []PeerKey {
	failed := f.failedSpread
	f.failedSpread = nil
	if failed == nil {
		return nil
	}
	var bad []PeerKey
	for piece, data := range failed.pieces {
		peer := failed.from[piece]
		if _, connected := f.peers[peer]; !connected || slices.Contains(bad, peer) {
			continue
		}
		// A copy of another size is wrong as a whole, whatever its bytes.
		start := piece * PieceSize
		if failed.size != len(verified) || !bytes.Equal(data, verified[start:start+len(data)]) {
			bad = append(bad, peer)
		}
	}
	return bad
}

// contributors lists who sent pieces of a, each once, in piece order.
func contributors(a *assembly) []PeerKey {
	var peers []PeerKey
	for _, p := range a.from {
		if !slices.Contains(peers, p) {
			peers = append(peers, p)
		}
	}
	return peers
}

// assemblyFor returns the copy peer may work on, starting one if none is
// under way.
func (f *Fetcher) assemblyFor(peer PeerKey, now time.Time) *assembly {
	if f.singleSource {
		if f.current == nil && f.fitsAsSource(peer, now) {
			f.current = newAssembly(f.peers[peer].size)
			f.current.single = true
			f.current.source = peer
		}
		return f.current
	}
	if f.current != nil && f.sizeOffered(f.current.size) {
		return f.current
	}
	// No copy yet, or everyone offering its size left: go by the first
	// size announced that someone connected still offers.
	f.abandon()
	for _, size := range f.sizes {
		if f.sizeOffered(size) {
			f.current = newAssembly(size)
			break
		}
	}
	return f.current
}

// fitsAsSource reports whether peer should be the next single source:
// ready now, and either offering a size that has not failed yet or the
// only kind of peer left.
func (f *Fetcher) fitsAsSource(peer PeerKey, now time.Time) bool {
	p := f.peers[peer]
	if now.Before(p.notBefore) {
		return false
	}
	if !f.failedSizes[p.size] {
		return true
	}
	for _, other := range f.arrival {
		q := f.peers[other]
		if !f.failedSizes[q.size] && !now.Before(q.notBefore) {
			return false // a peer with a fresh size is ready; let it go first
		}
	}
	return true
}

func (f *Fetcher) sizeOffered(size int) bool {
	for _, p := range f.peers {
		if p.size == size {
			return true
		}
	}
	return false
}

// expire times out requests unanswered for RequestTimeout: their pieces go
// back to the pool and the slow peer is left alone for RetryBackoff. A
// single source that times out is passed over for this copy.
func (f *Fetcher) expire(now time.Time) {
	a := f.current
	if a == nil {
		return
	}
	for _, key := range f.arrival {
		p := f.peers[key]
		timedOut := false
		for piece, sent := range p.outstanding {
			if now.Sub(sent) >= RequestTimeout {
				delete(p.outstanding, piece) // still in asked: a late answer is accepted
				a.inFlight[piece]--
				timedOut = true
			}
		}
		if timedOut {
			p.notBefore = now.Add(RetryBackoff)
			if a.single && a.source == key {
				f.abandon()
				return
			}
		}
	}
}

// forgetRequest clears peer p's request for piece of the current copy.
func (f *Fetcher) forgetRequest(p *fetchPeer, piece int) {
	if _, waiting := p.outstanding[piece]; waiting {
		delete(p.outstanding, piece)
		f.current.inFlight[piece]--
	}
	delete(p.asked, piece)
}

// abandon drops the current copy and every request made for it.
func (f *Fetcher) abandon() {
	f.current = nil
	for _, p := range f.peers {
		clear(p.outstanding)
		clear(p.asked)
	}
}
