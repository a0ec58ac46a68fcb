package torrent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// peer is one connection. The fields under "loop state" belong to the
// torrent loop alone; the reader and writer goroutines touch only conn,
// outbox, the atomic counters and closed.
type peer struct {
	key      picker.PeerKey
	addr     string // "ip:port" as dialled or accepted
	ip       netip.Addr
	conn     net.Conn
	id       [20]byte
	reserved wire.Reserved
	incoming bool
	source   Source
	outbox   *outbox

	uploaded   atomic.Int64 // payload bytes written by the writer
	piecesSent atomic.Int64 // piece messages written by the writer
	closeOnce  sync.Once
	closed     chan struct{}

	// loop state
	connectedAt    time.Time
	lastReceived   time.Time
	lastBlockAt    time.Time
	client         string
	fast           bool
	extended       bool
	amChoking      bool
	amInterested   bool
	peerChoking    bool
	peerInterested bool
	snubbed        bool
	optimistic     bool
	chokeReason    string
	have           *bitfield.Bitfield
	reqq           int
	listenPort     int
	allowedFast    []int                      // pieces the peer lets us fetch while it chokes us
	fastOffered    map[int]int                // pieces we let the peer fetch while we choke it → blocks still allowed
	requested      map[picker.Block]time.Time // our requests in flight, by send time
	cancelled      map[picker.Block]time.Time // requests we withdrew: late blocks are waste, not abuse
	uploadQueue    []wire.Message             // its requests waiting for a disk read
	readsInFlight  int
	piecesQueued   int64 // piece messages queued in the outbox (or withdrawn), ever
	downloaded     int64
	uploadedSeen   int64
	wasted         int64
	downMeter      rateMeter
	upMeter        rateMeter
	gone           bool
}

func newPeer(key picker.PeerKey, conn net.Conn, h wire.Handshake, incoming bool, source Source, numPieces int, now time.Time) *peer {
	addr := conn.RemoteAddr().String()
	ap, _ := netip.ParseAddrPort(addr)
	return &peer{
		key:          key,
		addr:         addr,
		ip:           ap.Addr().Unmap(),
		conn:         conn,
		id:           h.PeerID,
		reserved:     h.Reserved,
		incoming:     incoming,
		source:       source,
		outbox:       newOutbox(),
		closed:       make(chan struct{}),
		connectedAt:  now,
		lastReceived: now,
		client:       wire.ClientName(h.PeerID),
		fast:         h.Reserved.SupportsFast(),
		extended:     h.Reserved.SupportsExtensions(),
		amChoking:    true,
		peerChoking:  true,
		have:         bitfield.New(numPieces),
		reqq:         defaultPeerReqq,
		requested:    make(map[picker.Block]time.Time),
		cancelled:    make(map[picker.Block]time.Time),
	}
}

func (p *peer) String() string { return "peer " + p.addr }

// send queues a message for the writer; a peer whose queue overflows is
// not reading and gets closed.
func (p *peer) send(m wire.Message) {
	if !p.outbox.push(outMessage{msg: m}) {
		p.close()
	}
}

// close ends the connection; the reader and writer exit on their own.
func (p *peer) close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		p.conn.Close()
		p.outbox.close()
	})
}

// peerMessage is what a reader hands the loop. buf is set when msg.Block
// lives in a pooled buffer that the loop must pass on or return.
type peerMessage struct {
	peer *peer
	msg  wire.Message
	buf  *[]byte
	err  error // set (and msg empty) when the connection ended
}

// readLoop decodes messages and hands them to the loop until the connection
// fails or the peer stays silent for idle. It applies the download rate
// limits to piece data, which slows our reading and so, through TCP, the
// sender.
func (p *peer) readLoop(ctx context.Context, out chan<- peerMessage, maxLength uint32, down limiterPair, idle time.Duration) {
	br := bufio.NewReaderSize(p.conn, 64*1024)
	buf := getBlockBuffer()
	defer func() { putBlockBuffer(buf) }()
	// A silent peer is dropped by the read deadline. Refreshing it on every
	// message would cost a timer update per block, so it is pushed forward
	// only every refresh, and refresh further out: a message just before
	// the next refresh still buys the peer a full idle period.
	refresh := min(10*time.Second, idle/4)
	lastDeadline := time.Time{}
	for {
		if now := time.Now(); now.Sub(lastDeadline) > refresh {
			p.conn.SetReadDeadline(now.Add(idle + refresh))
			lastDeadline = now
		}
		m, err := wire.ReadMessage(br, maxLength, *buf)
		if err != nil {
			select {
			case out <- peerMessage{peer: p, err: readError(err, idle)}:
			case <-ctx.Done():
			}
			return
		}
		pm := peerMessage{peer: p, msg: m}
		if m.ID == wire.Piece && !m.KeepAlive && len(m.Block) > 0 && &m.Block[0] == &(*buf)[0] {
			pm.buf = buf
			buf = getBlockBuffer()
			if err := down.wait(ctx, len(m.Block)); err != nil {
				putBlockBuffer(pm.buf)
				return
			}
		}
		select {
		case out <- pm:
		case <-ctx.Done():
			putBlockBuffer(pm.buf)
			return
		case <-p.closed:
			putBlockBuffer(pm.buf)
			return
		}
	}
}

func readError(err error, idle time.Duration) error {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("connection closed by peer")
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("silent for %v", idle)
	case errors.Is(err, wire.ErrTooLong):
		return err
	}
	return fmt.Errorf("read: %w", err)
}

// writeLoop sends what the loop queued, coalescing small messages in a
// bufio.Writer and flushing whenever the queue runs dry. It sends a
// keep-alive after keepAliveInterval of quiet and applies the upload limits to
// piece data.
//
// Under an upload limit a block leaves the queue only once the limiter has
// admitted it (credit holds what it admitted): until then a cancel still
// withdraws it, instead of the peer receiving a block it no longer wants.
// Unlimited, the writer takes the whole queue at once.
func (p *peer) writeLoop(ctx context.Context, up limiterPair, wake chan<- struct{}, keepAliveInterval time.Duration) {
	defer p.close()
	bw := bufio.NewWriterSize(p.conn, 64*1024)
	keepAlive := time.NewTimer(keepAliveInterval)
	defer keepAlive.Stop()
	var scratch []byte
	credit := 0 // piece bytes the limiter has admitted but not yet sent
	for {
		budget := credit
		if !up.limited() {
			budget = math.MaxInt
		}
		batch, pieceBytes, blocked := p.outbox.take(budget)
		if len(batch) == 0 && blocked == 0 {
			if bw.Buffered() > 0 {
				p.conn.SetWriteDeadline(time.Now().Add(time.Minute))
				if err := bw.Flush(); err != nil {
					return
				}
			}
			select {
			case <-p.outbox.wake:
				continue
			case <-keepAlive.C:
				p.outbox.push(outMessage{msg: wire.Message{KeepAlive: true}})
				continue
			case <-p.closed:
				return
			case <-ctx.Done():
				return
			}
		}
		if budget != math.MaxInt {
			credit -= pieceBytes
		}
		keepAlive.Reset(keepAliveInterval)
		p.conn.SetWriteDeadline(time.Now().Add(time.Minute))
		if !p.writeBatch(bw, batch, wake, &scratch) {
			return
		}
		p.outbox.recycle(batch)
		if blocked > 0 {
			// Send what is buffered before waiting, so the peer is not
			// kept waiting for bytes already paid for.
			if bw.Buffered() > 0 {
				if err := bw.Flush(); err != nil {
					return
				}
			}
			if err := up.wait(ctx, blocked-credit); err != nil {
				return
			}
			credit = blocked
		}
	}
}

// writeBatch encodes batch into bw, returning piece buffers to the pool and
// counting what was uploaded. It reports false when the connection failed
// (the rest of the batch is released).
func (p *peer) writeBatch(bw *bufio.Writer, batch []outMessage, wake chan<- struct{}, scratch *[]byte) bool {
	for i, om := range batch {
		if !om.isPiece() {
			*scratch = om.msg.Append((*scratch)[:0])
			if _, err := bw.Write(*scratch); err != nil {
				releaseBatch(batch[i+1:])
				return false
			}
			continue
		}
		*scratch = om.msg.AppendHeader((*scratch)[:0])
		bw.Write(*scratch)
		_, err := bw.Write(om.msg.Block)
		putBlockBuffer(om.buf)
		batch[i].buf = nil
		if err != nil {
			releaseBatch(batch[i+1:])
			return false
		}
		p.uploaded.Add(int64(len(om.msg.Block)))
		p.piecesSent.Add(1)
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	return true
}

func releaseBatch(b []outMessage) {
	for _, m := range b {
		putBlockBuffer(m.buf)
	}
}
