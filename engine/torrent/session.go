package torrent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// Session is the part of the engine shared by all torrents: one listener
// whose incoming connections are routed by the info hash in their
// handshake, our peer ID, the global connection limit and the global rate
// limits.
type Session struct {
	cfg      Config
	peerID   [20]byte
	listener net.Listener
	port     int
	log      *slog.Logger
	up, down *rateLimiter // global limits; every peer of every torrent waits on them
	dht      *dht.Node    // nil when Config.DHT is nil

	conns atomic.Int64 // open peer connections, all torrents
	// maxPeers is Config.MaxPeersPerTorrent, changeable at run time.
	maxPeers atomic.Int64

	mu       sync.Mutex
	torrents map[metainfo.Hash]*Torrent
	rejected []DroppedPeer // incoming handshakes we refused, most recent last
	closed   bool
	// chokerCfg is Config.Choker with the upload slots of SetUploadSlots,
	// for torrents added from now on.
	chokerCfg choker.Config

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewSession starts listening on cfg.ListenAddr.
func NewSession(cfg Config) (*Session, error) {
	cfg.fillDefaults()
	if cfg.ListenAddr == "" {
		return nil, errors.New("session: no listen address")
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("session: listen on %s: %w", cfg.ListenAddr, err)
	}
	s := &Session{
		cfg:      cfg,
		peerID:   cfg.PeerID,
		listener: ln,
		port:     ln.Addr().(*net.TCPAddr).Port,
		log:      cfg.Logger,
		torrents: make(map[metainfo.Hash]*Torrent),
		up:       newRateLimiter(cfg.UploadLimit),
		down:     newRateLimiter(cfg.DownloadLimit),
	}
	s.maxPeers.Store(int64(cfg.MaxPeersPerTorrent))
	s.chokerCfg = cfg.Choker
	if s.peerID == ([20]byte{}) {
		s.peerID = wire.NewPeerID()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if cfg.DHT != nil {
		if err := s.startDHTNode(*cfg.DHT); err != nil {
			s.cancel()
			ln.Close()
			return nil, err
		}
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// PeerID is our peer ID.
func (s *Session) PeerID() [20]byte { return s.peerID }

// Port is the TCP port we listen on.
func (s *Session) Port() int { return s.port }

// Addr is the listener's address.
func (s *Session) Addr() net.Addr { return s.listener.Addr() }

// Torrents lists the torrents in the session.
func (s *Session) Torrents() []*Torrent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Torrent, 0, len(s.torrents))
	for _, t := range s.torrents {
		out = append(out, t)
	}
	return out
}

// RejectedHandshakes lists the most recent incoming connections refused
// before they reached a torrent (garbage, unknown info hash, ourselves).
func (s *Session) RejectedHandshakes() []DroppedPeer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DroppedPeer(nil), s.rejected...)
}

func (s *Session) reject(addr string, reason error) {
	s.log.Debug("incoming connection refused", "peer", addr, "reason", reason)
	s.mu.Lock()
	s.rejected = append(s.rejected, DroppedPeer{At: time.Now(), Addr: addr, Reason: reason.Error()})
	if len(s.rejected) > droppedPeersKept {
		s.rejected = s.rejected[len(s.rejected)-droppedPeersKept:]
	}
	s.mu.Unlock()
}

// Close stops every torrent (each announcing "stopped" with a bounded wait)
// and the listener.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ts := make([]*Torrent, 0, len(s.torrents))
	for _, t := range s.torrents {
		ts = append(ts, t)
	}
	s.mu.Unlock()
	var errs []error
	for _, t := range ts {
		if err := t.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	s.listener.Close()
	if s.dht != nil {
		if err := s.dht.Close(); err != nil {
			errs = append(errs, fmt.Errorf("session: closing the DHT: %w", err))
		}
	}
	s.cancel()
	s.wg.Wait()
	return errors.Join(errs...)
}

func (s *Session) acceptLoop() {
	defer s.wg.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.log.Warn("accept failed", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if s.conns.Load() >= int64(s.cfg.MaxConnections) {
			s.reject(conn.RemoteAddr().String(), fmt.Errorf("connection limit %d reached", s.cfg.MaxConnections))
			conn.Close()
			continue
		}
		s.conns.Add(1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if !s.handshakeIncoming(conn) {
				conn.Close()
				s.conns.Add(-1)
			}
		}()
	}
}

// handshakeIncoming reads the initiator's handshake, finds the torrent by
// its info hash, answers, and hands the connection over. It reports whether
// the torrent took the connection.
func (s *Session) handshakeIncoming(conn net.Conn) bool {
	addr := conn.RemoteAddr().String()
	conn.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	h, err := wire.ReadHandshake(conn)
	if err != nil {
		s.reject(addr, fmt.Errorf("peer %s: %w", addr, err))
		return false
	}
	s.mu.Lock()
	t := s.torrents[metainfo.Hash(h.InfoHash)]
	s.mu.Unlock()
	if t == nil {
		s.reject(addr, fmt.Errorf("peer %s: handshake for unknown info hash %x", addr, h.InfoHash))
		return false
	}
	if h.PeerID == s.peerID {
		s.reject(addr, fmt.Errorf("peer %s: connection to ourselves", addr))
		return false
	}
	if err := wire.WriteHandshake(conn, s.ourHandshake(t.infoHash)); err != nil {
		s.reject(addr, fmt.Errorf("peer %s: %w", addr, err))
		return false
	}
	conn.SetDeadline(time.Time{})
	return t.deliver(newConn{conn: conn, handshake: h, incoming: true, source: SourceIncoming})
}

func (s *Session) ourHandshake(infoHash metainfo.Hash) wire.Handshake {
	h := wire.Handshake{InfoHash: infoHash, PeerID: s.peerID}
	h.Reserved.SetExtensions(true)
	h.Reserved.SetFast(true)
	h.Reserved.SetDHT(s.dht != nil)
	return h
}

// dial connects to addr for t and does the handshake; the connection is
// handed to t's loop, or an error says what failed.
func (s *Session) dial(ctx context.Context, t *Torrent, addr string, source Source) error {
	if s.conns.Load() >= int64(s.cfg.MaxConnections) {
		return fmt.Errorf("peer %s: connection limit %d reached", addr, s.cfg.MaxConnections)
	}
	d := net.Dialer{Timeout: s.cfg.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("peer %s: %w", addr, err)
	}
	s.conns.Add(1)
	ok := false
	defer func() {
		if !ok {
			conn.Close()
			s.conns.Add(-1)
		}
	}()
	conn.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	if err := wire.WriteHandshake(conn, s.ourHandshake(t.infoHash)); err != nil {
		return fmt.Errorf("peer %s: %w", addr, err)
	}
	h, err := wire.ReadHandshake(conn)
	if err != nil {
		return fmt.Errorf("peer %s: %w", addr, err)
	}
	if h.InfoHash != t.infoHash {
		return fmt.Errorf("peer %s: handshake for info hash %x, want %x", addr, h.InfoHash, t.infoHash)
	}
	if h.PeerID == s.peerID {
		return fmt.Errorf("peer %s: connection to ourselves", addr)
	}
	conn.SetDeadline(time.Time{})
	ok = t.deliver(newConn{conn: conn, handshake: h, source: source, dialedAddr: addr})
	if !ok {
		return fmt.Errorf("peer %s: torrent is not accepting peers", addr)
	}
	return nil
}

// connClosed is called once per handed-over connection when it ends.
func (s *Session) connClosed() { s.conns.Add(-1) }

// newConn is a handshaken connection on its way to a torrent loop.
type newConn struct {
	conn       net.Conn
	handshake  wire.Handshake
	incoming   bool
	source     Source
	dialedAddr string
}
