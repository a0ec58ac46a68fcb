package torrent

import (
	"fmt"

	"github.com/swarmscope/swarmscope/engine/wire"
)

// onRequest validates a peer's request and queues it for a disk read. A
// request that no honest peer would send drops the peer; one that merely
// comes at the wrong time (we choke it) is rejected or ignored.
func (t *Torrent) onRequest(p *peer, m wire.Message) error {
	n := t.info.NumPieces()
	switch {
	case int(m.Index) >= n:
		return fmt.Errorf("request: piece index %d out of range (torrent has %d pieces)", m.Index, n)
	case m.Length == 0 || m.Length > wire.BlockSize:
		return fmt.Errorf("request: %d bytes (piece %d, begin %d), allowed 1 to %d", m.Length, m.Index, m.Begin, wire.BlockSize)
	case int64(m.Begin)+int64(m.Length) > t.info.PieceSize(int(m.Index)):
		return fmt.Errorf("request: bytes %d to %d are past the end of piece %d (%d bytes)", m.Begin, int64(m.Begin)+int64(m.Length), m.Index, t.info.PieceSize(int(m.Index)))
	case !t.have.Has(int(m.Index)):
		return fmt.Errorf("request: piece %d, which we do not have", m.Index)
	}
	if p.amChoking && !p.takeAllowedFast(int(m.Index)) || t.state != Downloading && t.state != Seeding || len(p.uploadQueue) >= ourReqq {
		if p.fast {
			p.send(wire.NewReject(m.Index, m.Begin, m.Length))
		}
		return nil
	}
	p.uploadQueue = append(p.uploadQueue, m)
	t.pumpUploads(p)
	return nil
}

// offerAllowedFast sends a fast peer the BEP 6 allowed fast set: pieces it
// may fetch from us even while we choke it, so that a newcomer with nothing
// to trade yet gets its first pieces quickly instead of waiting for an
// optimistic unchoke. The set is derived from the peer's address and the
// info hash, so every client offers a given peer the same pieces (which
// keeps a peer from collecting more by reconnecting). We offer only pieces
// we have, and nothing when we never upload.
func (t *Torrent) offerAllowedFast(p *peer) {
	if !p.fast || t.info == nil || t.s.cfg.NoUpload || t.s.cfg.NoAllowedFast || !p.ip.IsValid() {
		return
	}
	blocks := func(piece int) int {
		return int((t.info.PieceSize(piece) + wire.BlockSize - 1) / wire.BlockSize)
	}
	for _, piece := range wire.AllowedFastSet(allowedFastOffered, t.info.NumPieces(), t.infoHash, p.ip) {
		if !t.have.Has(piece) {
			continue
		}
		if p.fastOffered == nil {
			p.fastOffered = make(map[int]int)
		}
		p.fastOffered[piece] = allowedFastRounds * blocks(piece)
		p.send(wire.Message{ID: wire.AllowedFast, Index: uint32(piece)})
	}
}

// takeAllowedFast reports whether the peer may have a block of piece while
// we choke it, and counts the block against the piece's allowance.
func (p *peer) takeAllowedFast(piece int) bool {
	if p.fastOffered[piece] <= 0 {
		return false
	}
	p.fastOffered[piece]--
	return true
}

// mayUpload reports whether a request for piece can be served now: the
// peer is unchoked, or the piece is in the allowed fast set we sent it.
func (p *peer) mayUpload(piece uint32) bool {
	_, offered := p.fastOffered[int(piece)]
	return !p.amChoking || offered
}

// pumpUploads starts disk reads for p's queued requests while it has fewer
// than uploadReadAheadBlocks blocks read but not yet sent.
func (t *Torrent) pumpUploads(p *peer) {
	readAhead := t.uploadReadAheadBlocks()
	for len(p.uploadQueue) > 0 && !p.gone && p.mayUpload(p.uploadQueue[0].Index) {
		inFlight := p.readsInFlight + int(p.piecesQueued-p.piecesSent.Load())
		if inFlight >= readAhead {
			return
		}
		m := p.uploadQueue[0]
		p.uploadQueue = p.uploadQueue[1:]
		buf := getBlockBuffer()
		*buf = (*buf)[:m.Length]
		p.readsInFlight++
		t.queueDisk(diskJob{kind: jobRead, piece: int(m.Index), begin: m.Begin, buf: buf, peer: p})
	}
	if len(p.uploadQueue) == 0 {
		p.uploadQueue = nil // let a long queue's array go
	}
}

// onRead sends a block read from disk to the peer that asked for it.
func (t *Torrent) onRead(j diskJob, err error) {
	p := j.peer
	p.readsInFlight--
	if err != nil {
		putBlockBuffer(j.buf)
		t.fail(fmt.Errorf("reading piece %d at %d for %s: %w", j.piece, j.begin, p.addr, err))
		return
	}
	if p.gone {
		putBlockBuffer(j.buf)
		return
	}
	if !p.mayUpload(uint32(j.piece)) {
		// We choked the peer while the block was being read: BEP 6 wants
		// exactly one answer to every request, so say no.
		putBlockBuffer(j.buf)
		if p.fast {
			p.send(wire.NewReject(uint32(j.piece), j.begin, uint32(len(*j.buf))))
		}
		return
	}
	p.piecesQueued++
	if !p.outbox.push(outMessage{msg: wire.NewPiece(uint32(j.piece), j.begin, *j.buf), buf: j.buf}) {
		putBlockBuffer(j.buf)
		t.dropPeer(p, fmt.Errorf("send queue over %d messages: peer is not reading", maxOutbox))
		return
	}
	t.pumpUploads(p)
}

// onCancel withdraws a request the peer no longer wants, wherever it is.
func (t *Torrent) onCancel(p *peer, m wire.Message) {
	for i, q := range p.uploadQueue {
		if q.Index == m.Index && q.Begin == m.Begin && q.Length == m.Length {
			p.uploadQueue = append(p.uploadQueue[:i], p.uploadQueue[i+1:]...)
			return
		}
	}
	if p.outbox.removePiece(m.Index, m.Begin, m.Length) {
		p.piecesQueued--
	}
}

// discardUploads drops p's queued requests after we choke it (BEP 3); with
// the fast extension each one is explicitly rejected (BEP 6), except those
// for allowed-fast pieces, which a choke does not cancel.
func (t *Torrent) discardUploads(p *peer) {
	kept := p.uploadQueue[:0]
	for _, q := range p.uploadQueue {
		switch {
		case p.mayUpload(q.Index):
			kept = append(kept, q)
		case p.fast:
			p.send(wire.NewReject(q.Index, q.Begin, q.Length))
		}
	}
	p.uploadQueue = kept
	if len(kept) == 0 {
		p.uploadQueue = nil
	}
}
