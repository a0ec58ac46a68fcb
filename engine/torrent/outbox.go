package torrent

import (
	"sync"

	"github.com/swarmscope/swarmscope/engine/wire"
)

// outbox is the queue between the torrent loop and a peer's writer
// goroutine. The loop must never block on a slow peer, so pushing never
// waits; the queue stays bounded because the loop limits what it queues per
// peer (requests by the pipeline depth, piece data by uploadReadAheadBlocks, haves
// by the piece count) and drops a peer whose queue passes maxOutbox.
type outbox struct {
	mu     sync.Mutex
	queue  []outMessage
	spare  []outMessage
	closed bool
	wake   chan struct{} // capacity 1: "the queue is not empty"
}

// outMessage is a message to send; buf, when set, is the pooled buffer
// holding a piece block, returned to the pool once written.
type outMessage struct {
	msg wire.Message
	buf *[]byte
}

// maxOutbox: a peer that lets this many messages pile up is not reading.
const maxOutbox = 8192

func newOutbox() *outbox { return &outbox{wake: make(chan struct{}, 1)} }

// push queues m; it reports false when the queue is closed or over its bound.
func (o *outbox) push(m outMessage) bool {
	o.mu.Lock()
	if o.closed || len(o.queue) >= maxOutbox {
		o.mu.Unlock()
		return false
	}
	o.queue = append(o.queue, m)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns the queued messages in order, stopping before the first
// piece message whose block does not fit in pieceBudget bytes: a piece the
// rate limiter has not admitted yet stays queued, where a cancel can still
// withdraw it. It also returns the bytes of piece data taken and the block
// length of the piece it stopped at (0 when it took everything). The
// writer hands the slice back with recycle so steady traffic allocates
// nothing.
func (o *outbox) take(pieceBudget int) (batch []outMessage, pieceBytes, blocked int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(o.queue)
	for i, m := range o.queue {
		if !m.isPiece() {
			continue
		}
		if len(m.msg.Block) > pieceBudget-pieceBytes {
			n, blocked = i, len(m.msg.Block)
			break
		}
		pieceBytes += len(m.msg.Block)
	}
	if n == len(o.queue) {
		batch = o.queue
		o.queue = o.spare[:0]
		o.spare = nil
		return batch, pieceBytes, 0
	}
	// Part of the queue stays: copy the head out rather than hand over the
	// queue's array.
	batch = append(o.spare[:0], o.queue[:n]...)
	o.spare = nil
	rest := copy(o.queue, o.queue[n:])
	clear(o.queue[rest:])
	o.queue = o.queue[:rest]
	return batch, pieceBytes, blocked
}

func (m outMessage) isPiece() bool { return m.msg.ID == wire.Piece && !m.msg.KeepAlive }

func (o *outbox) recycle(q []outMessage) {
	clear(q)
	o.mu.Lock()
	if o.spare == nil {
		o.spare = q[:0]
	}
	o.mu.Unlock()
}

// removePiece withdraws a queued piece message (the peer cancelled it) and
// reports whether it was still queued.
func (o *outbox) removePiece(index, begin, length uint32) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, m := range o.queue {
		if m.isPiece() && m.msg.Index == index && m.msg.Begin == begin && uint32(len(m.msg.Block)) == length {
			putBlockBuffer(m.buf)
			o.queue = append(o.queue[:i], o.queue[i+1:]...)
			return true
		}
	}
	return false
}

// close discards the queue (returning block buffers) and refuses more.
func (o *outbox) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	for _, m := range o.queue {
		putBlockBuffer(m.buf)
	}
	o.queue = nil
}

// blockPool recycles 16 KiB block buffers between the peer readers, the
// loop, the disk workers and the peer writers.
var blockPool = sync.Pool{New: func() any {
	b := make([]byte, wire.BlockSize)
	return &b
}}

func getBlockBuffer() *[]byte { return blockPool.Get().(*[]byte) }

func putBlockBuffer(b *[]byte) {
	if b != nil && cap(*b) == wire.BlockSize {
		*b = (*b)[:wire.BlockSize]
		blockPool.Put(b)
	}
}
