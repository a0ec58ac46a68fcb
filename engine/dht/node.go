package dht

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// maintenanceInterval is how often a running node expires peers, pings
// questionable nodes, refreshes stale buckets and, when its table is
// nearly empty, bootstraps again.
const maintenanceInterval = time.Minute

// maxBackgroundPings bounds the pings of unknown queriers and questionable
// nodes in flight at once; more are simply skipped.
const maxBackgroundPings = 16

// ErrClosed is returned by operations on a closed node.
var ErrClosed = errors.New("dht: node closed")

// ErrTimeout is returned when a queried node does not answer within
// Config.QueryTimeout.
var ErrTimeout = errors.New("dht: query timed out")

// Node is one DHT node: a UDP socket, a routing table, the peers others
// announced to us, and the lookups we run. Its methods are safe for
// concurrent use.
type Node struct {
	cfg  Config
	conn *net.UDPConn
	id   ID
	ipv6 bool // the socket is IPv6: exchange "nodes6" and IPv6 addresses

	ctx    context.Context // cancelled by Close; bounds background work
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu          sync.Mutex // guards everything below
	table       *Table
	tokens      *tokenIssuer
	peers       *peerStore
	limiter     *sourceLimiter[netip.AddrPort]
	pending     map[string]*transaction
	nextTID     uint16
	pinging     map[netip.AddrPort]bool
	saved       []NodeAddr
	started     bool
	closed      bool // no new goroutines may start
	bootstrap   *bootstrapRun
	backgrounds chan struct{} // semaphore for background pings
	joined      chan struct{} // closed and replaced on each join (see Joined)

	stats     counters
	clockSkew atomic.Int64 // nanoseconds added to time.Now; tests only
}

// transaction is one query waiting for its answer.
type transaction struct {
	addr  netip.AddrPort
	reply chan *message // buffered: the reader never blocks
}

// counters are the traffic figures of Stats.
type counters struct {
	queriesIn, queriesOut, responses, timeouts, errorsIn atomic.Int64
	dropped, rateLimited                                 atomic.Int64
}

// New opens the node's UDP socket on cfg.Addr. Call Start to begin
// answering and maintaining the table, and Close to stop.
func New(cfg Config) (*Node, error) {
	cfg.fillDefaults()
	network := "udp4"
	if host, _, err := net.SplitHostPort(cfg.Addr); err == nil {
		if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() && !ip.Is4In6() {
			network = "udp6"
		}
	}
	laddr, err := net.ResolveUDPAddr(network, cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("dht: listen address %q: %w", cfg.Addr, err)
	}
	conn, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, fmt.Errorf("dht: listening on %s: %w", cfg.Addr, err)
	}
	id := cfg.ID
	if id == (ID{}) {
		id = RandomID()
	}
	now := time.Now()
	tokens, err := newTokenIssuer(rand.Reader, now)
	if err != nil {
		conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Node{
		cfg:         cfg,
		conn:        conn,
		id:          id,
		ipv6:        network == "udp6",
		ctx:         ctx,
		cancel:      cancel,
		table:       NewTable(id, cfg.AllowSameIP, now),
		tokens:      tokens,
		peers:       newPeerStore(mathrand.New(mathrand.NewPCG(mathrand.Uint64(), mathrand.Uint64()))),
		limiter:     newSourceLimiter[netip.AddrPort](cfg.QueriesPerSecond, cfg.QueryBurst),
		pending:     make(map[string]*transaction),
		nextTID:     uint16(mathrand.Uint32()),
		pinging:     make(map[netip.AddrPort]bool),
		backgrounds: make(chan struct{}, maxBackgroundPings),
		joined:      make(chan struct{}),
	}, nil
}

// Joined returns a channel that is closed the next time the node joins
// the network: when its routing table, empty until then, gets its first
// node, and when a bootstrap succeeds. Torrents wait on it so that an
// announce or a lookup that failed for want of nodes is retried as soon as
// there is someone to ask, not at its next interval. Take the channel
// before the work it should interrupt; once it is closed, call Joined
// again for the next join.
func (n *Node) Joined() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.joined
}

// notifyJoinedLocked closes the channel Joined handed out and makes the
// next one; n.mu is held.
func (n *Node) notifyJoinedLocked() {
	close(n.joined)
	n.joined = make(chan struct{})
}

// ID returns the node's id.
func (n *Node) ID() ID { return n.id }

// Addr returns the address the socket is bound to.
func (n *Node) Addr() netip.AddrPort {
	return n.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// Start begins reading the socket and maintaining the table: the first
// maintenance pass runs at once and bootstraps from Config.BootstrapNodes
// and any nodes given to LoadNodes. It returns at once; Bootstrap waits
// for the bootstrap to finish. ctx ends the node's work like Close does.
func (n *Node) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return errors.New("dht: node already started")
	}
	if n.closed {
		return ErrClosed
	}
	n.started = true
	n.wg.Add(2)
	go func() {
		defer n.wg.Done()
		n.readLoop()
	}()
	go func() {
		defer n.wg.Done()
		n.maintain(ctx)
	}()
	return nil
}

// Close stops the node: pending queries fail with ErrClosed, lookups end,
// and the socket is closed. It waits for the node's goroutines.
func (n *Node) Close() error {
	err := n.shutdown()
	n.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("dht: closing socket: %w", err)
	}
	return nil
}

// shutdown stops new work, cancels running work and closes the socket,
// which ends the read loop.
func (n *Node) shutdown() error {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.cancel()
	return n.conn.Close()
}

// goBackground runs f on a goroutine that Close waits for, unless the node
// is closed.
func (n *Node) goBackground(f func()) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
	return true
}

// now is the node's clock: the wall clock, shifted by clockSkew in tests
// that need time to pass (liveness, refresh) without waiting for it.
func (n *Node) now() time.Time {
	return time.Now().Add(time.Duration(n.clockSkew.Load()))
}

// rateKey is the key queries are rate-limited by: the source IP, or its
// IP and port when several nodes may share an IP.
func (n *Node) rateKey(from netip.AddrPort) netip.AddrPort {
	if n.cfg.AllowSameIP {
		return from
	}
	return netip.AddrPortFrom(from.Addr(), 0)
}

// readLoop is the one goroutine reading the socket. Queries are answered
// here; answers are handed to the goroutine waiting for them.
func (n *Node) readLoop() {
	buf := make([]byte, 64<<10)
	for {
		size, from, err := n.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if n.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			n.cfg.Logf("dht: reading from %s: %v", n.Addr(), err)
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if size > MaxPacketSize || !validPeerAddr(from) {
			n.stats.dropped.Add(1)
			continue
		}
		msg, err := decodeMessage(buf[:size])
		if err != nil {
			n.stats.dropped.Add(1)
			continue
		}
		switch msg.Y {
		case "q":
			n.handleQuery(msg, from)
		default:
			n.handleAnswer(msg, from)
		}
	}
}

// handleAnswer passes a response or error to the query waiting for it.
// Answers with an unknown transaction id, or from another address than
// the one queried, are dropped.
func (n *Node) handleAnswer(msg *message, from netip.AddrPort) {
	n.mu.Lock()
	tx, ok := n.pending[msg.T]
	if ok && tx.addr == from {
		delete(n.pending, msg.T)
	}
	n.mu.Unlock()
	if !ok || tx.addr != from {
		n.stats.dropped.Add(1)
		return
	}
	tx.reply <- msg
}

// send encodes msg and sends it to addr.
func (n *Node) send(addr netip.AddrPort, msg *message) error {
	b, err := encodeMessage(msg)
	if err != nil {
		return err
	}
	if _, err := n.conn.WriteToUDPAddrPort(b, addr); err != nil {
		return fmt.Errorf("dht: sending %s to %s: %w", msg.Q, addr, err)
	}
	return nil
}

// query sends a query to node to and waits for its answer. A response
// puts the node into the routing table; a timeout counts as a failure of
// to.ID (when known). A KRPC error answer is returned as *krpcError.
func (n *Node) query(ctx context.Context, to NodeAddr, method string, args *queryArgs) (*returnArgs, error) {
	tx := &transaction{addr: to.Addr, reply: make(chan *message, 1)}
	n.mu.Lock()
	if inFlight := len(n.pending); inFlight >= n.cfg.MaxPending {
		n.mu.Unlock()
		return nil, fmt.Errorf("dht: %s to %s: %d queries already in flight", method, to.Addr, inFlight)
	}
	var tid string
	for {
		n.nextTID++
		tid = string([]byte{byte(n.nextTID >> 8), byte(n.nextTID)})
		if _, used := n.pending[tid]; !used {
			break
		}
	}
	n.pending[tid] = tx
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		if n.pending[tid] == tx {
			delete(n.pending, tid)
		}
		n.mu.Unlock()
	}()

	args.ID = string(n.id[:])
	if err := n.send(to.Addr, &message{T: tid, Y: "q", Q: method, A: args}); err != nil {
		return nil, err
	}
	n.stats.queriesOut.Add(1)

	timer := time.NewTimer(n.cfg.QueryTimeout)
	defer timer.Stop()
	select {
	case msg := <-tx.reply:
		if msg.Y == "e" {
			n.stats.errorsIn.Add(1)
			return nil, fmt.Errorf("dht: %s to %s: %w", method, to.Addr, msg.E)
		}
		n.stats.responses.Add(1)
		id, _ := IDFromBytes([]byte(msg.R.ID)) // length checked by decodeMessage
		n.mu.Lock()
		if to.ID != (ID{}) && to.ID != id {
			// The address answers with another id: the node we knew has
			// gone (or changed id); stop handing it out.
			n.table.Remove(to.ID)
		}
		wasEmpty := n.table.Len() == 0
		res := n.table.Insert(NodeAddr{ID: id, Addr: to.Addr}, n.now())
		if wasEmpty && res.Added {
			n.notifyJoinedLocked()
		}
		n.mu.Unlock()
		n.pingInBackground(res.Ping...)
		return msg.R, nil
	case <-timer.C:
		n.stats.timeouts.Add(1)
		if to.ID != (ID{}) {
			n.mu.Lock()
			n.table.Failed(to.ID, n.now())
			n.mu.Unlock()
		}
		return nil, fmt.Errorf("dht: %s to %s: %w", method, to.Addr, ErrTimeout)
	case <-ctx.Done():
		return nil, fmt.Errorf("dht: %s to %s: %w", method, to.Addr, ctx.Err())
	case <-n.ctx.Done():
		return nil, ErrClosed
	}
}

// Ping asks the node at addr whether it is alive and returns its id. A
// node that answers enters the routing table.
func (n *Node) Ping(ctx context.Context, addr netip.AddrPort) (ID, error) {
	r, err := n.query(ctx, NodeAddr{Addr: addr}, methodPing, &queryArgs{})
	if err != nil {
		return ID{}, err
	}
	return IDFromBytes([]byte(r.ID))
}

// AddNode pings the node at addr ("host:port") and adds it to the routing
// table when it answers.
func (n *Node) AddNode(ctx context.Context, addr string) error {
	addrs, err := n.resolve(ctx, addr)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range addrs {
		if _, err := n.Ping(ctx, a); err != nil {
			errs = append(errs, err)
			continue
		}
		return nil
	}
	return errors.Join(errs...)
}

// resolve turns "host:port" into addresses of the socket's family.
func (n *Node) resolve(ctx context.Context, hostport string) ([]netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(hostport); err == nil {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if !validPeerAddr(ap) || ap.Addr().Is6() != n.ipv6 {
			return nil, fmt.Errorf("dht: node address %s is not usable from %s", hostport, n.Addr())
		}
		return []netip.AddrPort{ap}, nil
	}
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("dht: node address %q: %w", hostport, err)
	}
	port, err := net.DefaultResolver.LookupPort(ctx, "udp", portText)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("dht: node address %q: bad port", hostport)
	}
	network := "ip4"
	if n.ipv6 {
		network = "ip6"
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, network, host)
	if err != nil {
		return nil, fmt.Errorf("dht: resolving node %q: %w", hostport, err)
	}
	var out []netip.AddrPort
	for _, ip := range ips {
		if ap := netip.AddrPortFrom(ip.Unmap(), uint16(port)); validPeerAddr(ap) {
			out = append(out, ap)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dht: node %q has no usable %s address", hostport, network)
	}
	return out, nil
}

// pingInBackground pings nodes without waiting, at most
// maxBackgroundPings at a time; the rest are skipped (they will come up
// again). A node that answers enters the table through query; one that
// does not is counted as failed.
func (n *Node) pingInBackground(nodes ...NodeAddr) {
	for _, node := range nodes {
		n.mu.Lock()
		if n.pinging[node.Addr] || !n.started || n.closed {
			n.mu.Unlock()
			continue
		}
		select {
		case n.backgrounds <- struct{}{}:
		default:
			n.mu.Unlock()
			return
		}
		n.pinging[node.Addr] = true
		n.wg.Add(1)
		n.mu.Unlock()
		go func() {
			defer n.wg.Done()
			_, _ = n.query(n.ctx, node, methodPing, &queryArgs{})
			n.mu.Lock()
			delete(n.pinging, node.Addr)
			n.mu.Unlock()
			<-n.backgrounds
		}()
	}
}

// Stats are a node's figures at one moment.
type Stats struct {
	ID                                  ID
	Nodes, Good, Questionable, Bad      int
	Buckets                             int
	QueriesIn, QueriesOut               int64 // queries answered / sent
	Responses, Timeouts, ErrorsReceived int64 // answers to our queries
	Dropped                             int64 // malformed, oversized or unmatched packets
	RateLimited                         int64 // queries ignored by the per-source limit
	InfoHashes, PeersStored             int
	Pending                             int // our queries in flight
}

// Stats returns the node's current figures.
func (n *Node) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	s := Stats{ID: n.id, Nodes: n.table.Len(), Buckets: n.table.NumBuckets(), Pending: len(n.pending)}
	s.Good, s.Questionable, s.Bad = n.table.Counts(now)
	s.InfoHashes, s.PeersStored = n.peers.Counts()
	s.QueriesIn = n.stats.queriesIn.Load()
	s.QueriesOut = n.stats.queriesOut.Load()
	s.Responses = n.stats.responses.Load()
	s.Timeouts = n.stats.timeouts.Load()
	s.ErrorsReceived = n.stats.errorsIn.Load()
	s.Dropped = n.stats.dropped.Load()
	s.RateLimited = n.stats.rateLimited.Load()
	return s
}

// Buckets returns a snapshot of the routing table for display.
func (n *Node) Buckets() []BucketInfo {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.table.Buckets(n.now())
}
