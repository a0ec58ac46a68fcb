package torrent

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// pieceProgress remembers, for a piece being downloaded, who sent each block
// and a checksum of it, so a hash failure can be blamed on the right peer.
//
// Blocks are normally held in memory (held) until the piece is complete,
// then hashed and written in one disk job. When too many blocks are held
// (pieces left unfinished by slow or vanished peers), a piece is spilled:
// its blocks are written one by one and it is verified by reading it back.
type pieceProgress struct {
	blocks   []blockRecord
	held     []heldBlock
	spilled  bool
	complete bool // every block received: verify once all are written
}

// maxHeldBlocks bounds the blocks kept in memory for incomplete pieces
// (16 KiB each); past it, pieces are spilled to disk as they arrive.
const maxHeldBlocks = 256

type blockRecord struct {
	begin   uint32
	addr    string
	id      [20]byte
	crc     uint32
	written bool
}

// strikes counts a peer's part in hash failures (keyed by "ip:port").
type strikes struct {
	soleFailures        int // failed pieces it sent every block of
	contributedFailures int // failed pieces it sent some blocks of
	verifiedPieces      int // verified pieces it sent some blocks of
}

// Ban thresholds; see notePieceFailed.
const (
	banSoleFailures        = 2
	banContributedFailures = 5
)

// requestDepth is how many requests we keep outstanding with p: about
// requestQueueTime of data at its current rate, within bounds and its reqq.
func (t *Torrent) requestDepth(p *peer) int {
	if p.snubbed {
		// It let requests time out: one at a time until it proves itself,
		// so blocks are not stranded with it.
		return 1
	}
	d := int(p.downMeter.rate() * requestQueueTime.Seconds() / wire.BlockSize)
	hi := min(maxRequestDepth, p.reqq)
	return max(min(d, hi), min(minRequestDepth, hi))
}

// fillRequests tops up p's request pipeline from the picker.
func (t *Torrent) fillRequests(p *peer) {
	if t.complete || !t.active() || p.gone || !p.amInterested {
		return
	}
	if t.writeBacklog >= maxWriteBacklog {
		t.throttled = true
		return
	}
	depth := t.requestDepth(p)
	need := depth - len(p.requested)
	// Ask the picker in batches, not once per block received.
	if need <= 0 || (need < min(8, depth/4) && len(p.requested) > 0) {
		return
	}
	var blocks []picker.Block
	if p.peerChoking {
		if len(p.allowedFast) == 0 {
			return
		}
		blocks = t.picker.PickAllowedFast(p.key, p.allowedFast, need)
	} else {
		blocks = t.picker.Pick(p.key, need)
	}
	now := time.Now()
	for _, b := range blocks {
		p.requested[b] = now
		delete(p.cancelled, b)
		if t.partial[b.Piece] == nil {
			t.partial[b.Piece] = &pieceProgress{}
		}
		p.send(wire.NewRequest(uint32(b.Piece), b.Begin, b.Length))
	}
}

// fillAll tops up every peer, e.g. once the disk has caught up.
func (t *Torrent) fillAll() {
	for _, p := range t.peers {
		t.fillRequests(p)
	}
}

// onBlock handles a piece message: a block we asked for is queued for
// writing; anything else is waste, and a block never requested at all (not
// even one we cancelled) drops the peer.
func (t *Torrent) onBlock(p *peer, m wire.Message, buf *[]byte) error {
	b := picker.Block{Piece: int(m.Index), Begin: m.Begin, Length: uint32(len(m.Block))}
	if _, ok := p.requested[b]; !ok {
		putBlockBuffer(buf)
		t.wasted += int64(len(m.Block))
		p.wasted += int64(len(m.Block))
		if _, late := p.cancelled[b]; late {
			delete(p.cancelled, b)
			return nil
		}
		return fmt.Errorf("sent a block we did not request (piece %d, begin %d, %d bytes)", m.Index, m.Begin, len(m.Block))
	}
	delete(p.requested, b)
	accepted, pieceDone, cancels := t.picker.BlockReceived(p.key, b)
	now := time.Now()
	p.lastBlockAt = now
	for _, k := range cancels {
		if other := t.peers[k]; other != nil {
			delete(other.requested, b)
			other.cancelled[b] = now
			other.send(wire.NewCancel(m.Index, m.Begin, b.Length))
		}
	}
	if !accepted {
		// Endgame duplicate, or a piece verified meanwhile.
		putBlockBuffer(buf)
		t.wasted += int64(len(m.Block))
		p.wasted += int64(len(m.Block))
		t.fillRequests(p)
		return nil
	}
	p.downloaded += int64(len(m.Block))
	t.downloaded += int64(len(m.Block))
	if buf == nil {
		// The reader could not use a pooled buffer (a short block); copy
		// into one so the disk path has a single shape.
		buf = getBlockBuffer()
		*buf = (*buf)[:copy(*buf, m.Block)]
	} else {
		*buf = (*buf)[:len(m.Block)]
	}
	pp := t.partial[b.Piece]
	if pp == nil {
		pp = &pieceProgress{}
		t.partial[b.Piece] = pp
	}
	pp.blocks = append(pp.blocks, blockRecord{begin: b.Begin, addr: p.addr, id: p.id})
	switch {
	case !pp.spilled && t.heldBlocks < maxHeldBlocks:
		pp.held = append(pp.held, heldBlock{begin: b.Begin, buf: buf})
		t.heldBlocks++
		if pieceDone {
			t.queueHashWrite(b.Piece, pp)
		}
	default:
		t.spill(b.Piece, pp)
		t.writeBacklog++
		pp.complete = pp.complete || pieceDone
		t.queueDisk(diskJob{kind: jobWrite, piece: b.Piece, begin: b.Begin, buf: buf})
	}
	t.fillRequests(p)
	return nil
}

// queueHashWrite hands a piece whose blocks are all in memory to a disk
// worker, which hashes it and writes it if it is good.
func (t *Torrent) queueHashWrite(piece int, pp *pieceProgress) {
	blocks := pp.held
	pp.held = nil
	t.heldBlocks -= len(blocks)
	t.writeBacklog += len(blocks)
	sortHeld(blocks)
	_, hadFailed := t.failedBlocks[piece]
	t.queueDisk(diskJob{kind: jobHashWrite, piece: piece, blocks: blocks, blockCRCs: hadFailed})
}

// spill switches a piece to block-by-block writes, queueing the blocks it
// held in memory.
func (t *Torrent) spill(piece int, pp *pieceProgress) {
	if pp.spilled {
		return
	}
	pp.spilled = true
	for _, h := range pp.held {
		t.writeBacklog++
		t.queueDisk(diskJob{kind: jobWrite, piece: piece, begin: h.begin, buf: h.buf})
	}
	t.heldBlocks -= len(pp.held)
	pp.held = nil
}

// onHashWritten handles a hash-write job: the piece was checked from memory
// and, when good, written.
func (t *Torrent) onHashWritten(j diskJob, ok bool, crcs []uint32, err error) {
	size := t.info.PieceSize(j.piece)
	t.writeBacklog -= int((size + wire.BlockSize - 1) / wire.BlockSize)
	if err != nil {
		t.failWrite(j.piece, 0, err)
		return
	}
	t.onVerified(j, ok, crcs, nil)
	t.unthrottle()
}

// failWrite puts the torrent in the Failed state for a write error, in
// words when the disk is full.
func (t *Torrent) failWrite(piece int, begin uint32, err error) {
	if errors.Is(err, syscall.ENOSPC) {
		// The raw error ends in "no space left on device" after a path.
		t.fail(fmt.Errorf("disk full: writing piece %d at %d: %w", piece, begin, err))
		return
	}
	t.fail(fmt.Errorf("writing piece %d at %d: %w", piece, begin, err))
}

func (t *Torrent) unthrottle() {
	if t.throttled && t.writeBacklog < maxWriteBacklog/2 {
		t.throttled = false
		t.fillAll()
	}
}

// onReject handles a BEP 6 reject: the block goes back to the pool.
func (t *Torrent) onReject(p *peer, m wire.Message) error {
	b := picker.Block{Piece: int(m.Index), Begin: m.Begin, Length: m.Length}
	if _, ok := p.requested[b]; ok {
		delete(p.requested, b)
		t.picker.BlockRejected(p.key, b)
		t.fillRequests(p)
	}
	// A reject for a request we already withdrew is normal; ignore it.
	return nil
}

// checkTimeouts returns requests that waited too long to the pool (the
// peer counts as snubbed) and forgets old cancellations.
func (t *Torrent) checkTimeouts(now time.Time) {
	for _, p := range t.peers {
		timeout := t.requestTimeout(p)
		expired := 0
		for b, at := range p.requested {
			if now.Sub(at) > timeout {
				delete(p.requested, b)
				t.picker.BlockRejected(p.key, b)
				p.cancelled[b] = now
				p.send(wire.NewCancel(uint32(b.Piece), b.Begin, b.Length))
				expired++
			}
		}
		if expired > 0 {
			p.snubbed = true
			t.log.Debug("requests timed out", "peer", p.addr, "count", expired, "timeout", timeout)
		}
		for b, at := range p.cancelled {
			if now.Sub(at) > 2*time.Minute {
				delete(p.cancelled, b)
			}
		}
		if idle := t.s.cfg.IdleTimeout; now.Sub(p.lastReceived) > idle {
			t.dropPeer(p, fmt.Errorf("silent for %v", idle))
		}
	}
}

// requestTimeout is Config.RequestTimeout, or three times what p's queue
// should take at its rate, clamped to [30 s, 60 s].
func (t *Torrent) requestTimeout(p *peer) time.Duration {
	if t.s.cfg.RequestTimeout > 0 {
		return t.s.cfg.RequestTimeout
	}
	r := p.downMeter.rate()
	if r <= 0 {
		return 60 * time.Second
	}
	expect := time.Duration(float64(len(p.requested)*wire.BlockSize) / r * 3 * float64(time.Second))
	return min(max(expect, 30*time.Second), 60*time.Second)
}

// onWritten handles a finished block write.
func (t *Torrent) onWritten(j diskJob, crc uint32, err error) {
	t.writeBacklog--
	if err != nil {
		t.failWrite(j.piece, j.begin, err)
		return
	}
	if pp := t.partial[j.piece]; pp != nil {
		for i := range pp.blocks {
			if pp.blocks[i].begin == j.begin && !pp.blocks[i].written {
				pp.blocks[i].crc, pp.blocks[i].written = crc, true
				break
			}
		}
		if pp.complete && t.pendingWrites(j.piece) == 0 {
			pp.complete = false // queue the verification once
			t.queueVerify(j.piece)
		}
	}
	t.unthrottle()
}

// pendingWrites counts blocks of piece received but not yet written.
func (t *Torrent) pendingWrites(piece int) int {
	n := 0
	if pp := t.partial[piece]; pp != nil {
		for _, b := range pp.blocks {
			if !b.written {
				n++
			}
		}
	}
	return n
}

func (t *Torrent) queueVerify(piece int) {
	_, hadFailed := t.failedBlocks[piece]
	t.queueDisk(diskJob{kind: jobVerify, piece: piece, blockCRCs: hadFailed})
}

// onVerified handles a piece's hash result.
func (t *Torrent) onVerified(j diskJob, ok bool, crcs []uint32, err error) {
	if t.have.Has(j.piece) {
		return
	}
	pp := t.partial[j.piece]
	delete(t.partial, j.piece)
	if err != nil {
		t.fail(fmt.Errorf("verifying piece %d: %w", j.piece, err))
		return
	}
	contributors := map[string][20]byte{}
	if pp != nil {
		for _, b := range pp.blocks {
			contributors[b.addr] = b.id
		}
	}
	if !ok {
		t.hashFailures++
		t.picker.PieceFailed(j.piece)
		t.log.Info("piece failed its hash check", "piece", j.piece, "sources", len(contributors))
		if pp != nil {
			if j.kind == jobHashWrite && crcs != nil {
				// Checked in memory: the checksums come with the result,
				// in offset order.
				for i := range pp.blocks {
					if k := int(pp.blocks[i].begin / wire.BlockSize); k < len(crcs) {
						pp.blocks[i].crc = crcs[k]
					}
				}
			}
			t.failedBlocks[j.piece] = append(t.failedBlocks[j.piece], pp.blocks...)
		}
		for addr, id := range contributors {
			s := t.strikesFor(addr)
			s.contributedFailures++
			if len(contributors) == 1 {
				s.soleFailures++
			}
			switch {
			case s.soleFailures >= banSoleFailures:
				t.ban(addr, id, fmt.Sprintf("sole source of %d pieces that failed their hash check", s.soleFailures))
			case s.contributedFailures >= banContributedFailures && s.verifiedPieces == 0:
				t.ban(addr, id, fmt.Sprintf("sent blocks of %d failed pieces and no good one", s.contributedFailures))
			}
		}
		t.fillAll()
		return
	}
	for addr := range contributors {
		t.strikesFor(addr).verifiedPieces++
	}
	if bad := t.failedBlocks[j.piece]; bad != nil && crcs != nil {
		// The piece failed before and is good now: whoever sent a block
		// that differs from the good one sent corrupt data.
		for _, r := range bad {
			i := int(r.begin / wire.BlockSize)
			if i < len(crcs) && r.crc != crcs[i] {
				t.ban(r.addr, r.id, fmt.Sprintf("sent corrupt data (piece %d, block at %d differs from the verified piece)", j.piece, r.begin))
			}
		}
	}
	delete(t.failedBlocks, j.piece)
	t.picker.PieceVerified(j.piece)
	t.have.Set(j.piece)
	t.verifiedBytes += t.info.PieceSize(j.piece)
	have := wire.NewHave(uint32(j.piece))
	for _, p := range t.peers {
		p.send(have)
		if p.amInterested && !p.have.HasAnyNotIn(t.have) {
			t.setInterested(p, false)
		}
	}
	if t.picker.Complete() {
		t.markComplete()
		for _, p := range t.peers {
			t.setInterested(p, false)
			if p.have.All() {
				t.dropPeer(p, errors.New("both of us are seeds"))
			}
		}
		t.rechokeWanted = true
	}
}

func (t *Torrent) strikesFor(addr string) *strikes {
	s := t.strikes[addr]
	if s == nil {
		s = &strikes{}
		t.strikes[addr] = s
	}
	return s
}

// ban refuses addr and peer ID until the torrent restarts and drops any
// connection to them.
func (t *Torrent) ban(addr string, id [20]byte, reason string) {
	if t.banned[addr] != "" {
		return
	}
	t.log.Warn("peer banned", "peer", addr, "reason", reason)
	t.banned[addr] = reason
	if id != ([20]byte{}) {
		t.banned[string(id[:])] = reason
	}
	for _, p := range t.peers {
		if p.addr == addr || (id != ([20]byte{}) && p.id == id) {
			t.dropPeer(p, errors.New("banned: "+reason))
		}
	}
}
