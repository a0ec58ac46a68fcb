package dht

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// Lookup parameters.
const (
	// Alpha is the number of queries a lookup keeps in flight.
	Alpha = 3
	// maxLookupQueries stops a lookup that does not converge (a hostile
	// network feeding it ever new far-away nodes).
	maxLookupQueries = 150
	// maxNodesPerAnswer bounds how many nodes of one answer a lookup
	// considers; honest nodes send K.
	maxNodesPerAnswer = 2 * K
	// maxLookupCandidates bounds the candidate list; only unqueried
	// candidates beyond it are dropped.
	maxLookupCandidates = 8 * K
	// maxPeersPerLookup bounds the distinct peers a get_peers lookup
	// remembers and reports.
	maxPeersPerLookup = 4096
)

// HopOutcome is how one query of a lookup ended.
type HopOutcome int

const (
	// Pending: the query is in flight.
	Pending HopOutcome = iota
	// Answered: the node answered.
	Answered
	// TimedOut: the node did not answer within the query timeout.
	TimedOut
	// Failed: the node answered with a KRPC error, or the query could not
	// be sent.
	Failed
)

func (o HopOutcome) String() string {
	return [...]string{"pending", "answered", "timed out", "failed"}[o]
}

// Hop is one query of a lookup, as the UI shows it.
type Hop struct {
	// Step is how far from our own table the asked node was found: 1 for
	// nodes from our routing table, n+1 for nodes named in an answer of a
	// step-n node. In the course's terms, the number of hops taken.
	Step int
	Node NodeAddr
	// Via is the node whose answer named Node: the node that pointed the
	// lookup here. It is zero for step-1 nodes, which came from our own
	// routing table. A node named by several answers keeps the first.
	Via NodeAddr
	// Prefix is the number of leading bits the asked node's id shares with
	// the target: how close the lookup had got.
	Prefix  int
	Sent    time.Time
	RTT     time.Duration
	Outcome HopOutcome
	Err     string
	// NodesReturned is how many nodes the answer named, and BestPrefix the
	// longest prefix any of them shares with the target (-1: none).
	NodesReturned int
	BestPrefix    int
	// PeersReturned counts the peers ("values") of a get_peers answer.
	PeersReturned int
	GotToken      bool
}

// LookupTrace records a lookup as it runs: every query, its step, and how
// close each answer got to the target. It is safe to read while the
// lookup runs.
type LookupTrace struct {
	Target ID
	Method string // "find_node" or "get_peers"
	Start  time.Time

	mu          sync.Mutex
	hops        []Hop
	announcedTo []netip.AddrPort
	closest     []NodeAddr
	err         error
	end         time.Time
	done        chan struct{}
}

func newTrace(target ID, method string) *LookupTrace {
	return &LookupTrace{Target: target, Method: method, Start: time.Now(), done: make(chan struct{})}
}

// Done is closed when the lookup (and, for Announce, the announces) ended.
func (t *LookupTrace) Done() <-chan struct{} { return t.done }

// Err is why the lookup failed, or nil; valid after Done.
func (t *LookupTrace) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Hops returns a copy of the queries so far, in the order they were sent.
func (t *LookupTrace) Hops() []Hop {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.hops)
}

// Queries is the number of queries sent.
func (t *LookupTrace) Queries() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.hops)
}

// Steps is the highest step among the nodes that answered: how many hops
// the lookup needed to reach the nodes closest to the target.
func (t *LookupTrace) Steps() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	steps := 0
	for _, h := range t.hops {
		if h.Outcome == Answered {
			steps = max(steps, h.Step)
		}
	}
	return steps
}

// Closest is the answered nodes closest to the target, closest first (at
// most K): what FindNode returns. It is set when the lookup ends (read it
// after Done); nil before, and when the lookup failed with no answer.
func (t *LookupTrace) Closest() []NodeAddr {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.closest)
}

// AnnouncedTo lists the nodes that accepted our announce_peer.
func (t *LookupTrace) AnnouncedTo() []netip.AddrPort {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.announcedTo)
}

// Duration is how long the lookup took (so far, while it runs).
func (t *LookupTrace) Duration() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.end.IsZero() {
		return time.Since(t.Start)
	}
	return t.end.Sub(t.Start)
}

func (t *LookupTrace) addHop(h Hop) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hops = append(t.hops, h)
	return len(t.hops) - 1
}

func (t *LookupTrace) updateHop(i int, update func(*Hop)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	update(&t.hops[i])
}

func (t *LookupTrace) finish(err error) {
	t.mu.Lock()
	t.err = err
	t.end = time.Now()
	t.mu.Unlock()
	close(t.done)
}

// candidate is a node a lookup knows of.
type candidate struct {
	NodeAddr
	via   NodeAddr // the node whose answer named this one; zero for our table's
	step  int
	state candidateState
	token string
}

type candidateState int

const (
	unqueried candidateState = iota
	inFlight
	answered
	failed
)

// queryResult is what a lookup query goroutine reports back.
type queryResult struct {
	c   *candidate
	hop int
	r   *returnArgs
	err error
}

// lookup runs an iterative Kademlia lookup for target: it asks the Alpha
// closest unqueried nodes at a time for closer ones, and stops when the K
// closest nodes it knows of have all answered (or failed, in which case
// the next closest take their place). With getPeers it sends get_peers
// for infohash target and passes each new peer to onPeer. It returns the
// answered nodes closest to the target, with the tokens they gave.
func (n *Node) lookup(ctx context.Context, target ID, getPeers bool, trace *LookupTrace, onPeer func(netip.AddrPort) bool) ([]*candidate, error) {
	n.mu.Lock()
	start := n.table.Closest(target, K, n.now())
	n.mu.Unlock()
	if len(start) == 0 {
		return nil, errors.New("dht: lookup: the routing table is empty; bootstrap first")
	}
	seen := make(map[ID]bool)
	var candidates []*candidate
	for _, node := range start {
		seen[node.ID] = true
		candidates = append(candidates, &candidate{NodeAddr: node, step: 1})
	}
	seenPeers := make(map[netip.AddrPort]bool)

	method, args := methodFindNode, func() *queryArgs { return &queryArgs{Target: string(target[:])} }
	if getPeers {
		method, args = methodGetPeers, func() *queryArgs { return &queryArgs{InfoHash: string(target[:])} }
	}
	results := make(chan queryResult, Alpha)
	inflight, sent := 0, 0
	for {
		for inflight < Alpha && sent < maxLookupQueries {
			c := nextToQuery(candidates)
			if c == nil {
				break
			}
			c.state = inFlight
			inflight++
			sent++
			hop := trace.addHop(Hop{Step: c.step, Node: c.NodeAddr, Via: c.via, Prefix: c.ID.CommonPrefixLen(target), Sent: time.Now(), BestPrefix: -1})
			go func() {
				r, err := n.query(ctx, c.NodeAddr, method, args())
				results <- queryResult{c: c, hop: hop, r: r, err: err}
			}()
		}
		if inflight == 0 {
			break
		}
		var res queryResult
		select {
		case res = <-results:
		case <-ctx.Done():
			// Query goroutines finish on their own (they watch ctx too)
			// into the buffered channel.
			return answeredClosest(candidates), ctx.Err()
		}
		inflight--
		if res.err != nil {
			res.c.state = failed
			trace.updateHop(res.hop, func(h *Hop) {
				h.RTT = time.Since(h.Sent)
				h.Outcome, h.Err = Failed, res.err.Error()
				if errors.Is(res.err, ErrTimeout) {
					h.Outcome = TimedOut
				}
			})
			continue
		}
		res.c.state = answered
		res.c.token = res.r.Token
		nodes := n.answerNodes(res.r)
		best := -1
		for _, node := range nodes {
			best = max(best, node.ID.CommonPrefixLen(target))
			if seen[node.ID] || node.ID == n.id {
				continue
			}
			seen[node.ID] = true
			candidates = insertCandidate(candidates, &candidate{NodeAddr: node, via: res.c.NodeAddr, step: res.c.step + 1}, target)
		}
		peers := 0
		for _, v := range res.r.Values {
			p, err := parseCompactPeer([]byte(v))
			if err != nil {
				continue
			}
			peers++
			if seenPeers[p] || len(seenPeers) >= maxPeersPerLookup {
				continue
			}
			seenPeers[p] = true
			if onPeer != nil && !onPeer(p) {
				return answeredClosest(candidates), ctx.Err()
			}
		}
		trace.updateHop(res.hop, func(h *Hop) {
			h.RTT = time.Since(h.Sent)
			h.Outcome = Answered
			h.NodesReturned, h.BestPrefix = len(nodes), best
			h.PeersReturned, h.GotToken = peers, res.r.Token != ""
		})
	}
	n.mu.Lock()
	n.table.MarkRefreshed(target, n.now())
	n.mu.Unlock()
	closest := answeredClosest(candidates)
	if len(closest) == 0 {
		return nil, fmt.Errorf("dht: lookup of %s: none of %d nodes answered", target, sent)
	}
	return closest, nil
}

// answerNodes decodes the nodes of an answer in our address family,
// ignoring malformed lists and keeping at most maxNodesPerAnswer.
func (n *Node) answerNodes(r *returnArgs) []NodeAddr {
	raw := r.Nodes
	if n.ipv6 {
		raw = r.Nodes6
	}
	nodes, err := parseCompactNodes([]byte(raw), n.ipv6, maxNodesPerAnswer)
	if err != nil {
		return nil
	}
	return nodes
}

// nextToQuery returns the closest unqueried candidate among the K closest
// candidates that have not failed, or nil when those are all answered or
// in flight: the lookup has converged once they have all answered.
func nextToQuery(candidates []*candidate) *candidate {
	live := 0
	for _, c := range candidates {
		if c.state == failed {
			continue
		}
		if live++; live > K {
			return nil
		}
		if c.state == unqueried {
			return c
		}
	}
	return nil
}

// insertCandidate adds c in distance order, dropping the farthest
// unqueried candidate when the list is full.
func insertCandidate(list []*candidate, c *candidate, target ID) []*candidate {
	i, _ := slices.BinarySearchFunc(list, c, func(a, b *candidate) int {
		if closer(target, a.ID, b.ID) {
			return -1
		}
		return 1
	})
	list = slices.Insert(list, i, c)
	if len(list) > maxLookupCandidates {
		for j := len(list) - 1; j >= 0; j-- {
			if list[j].state == unqueried {
				return slices.Delete(list, j, j+1)
			}
		}
	}
	return list
}

// answeredClosest returns up to K answered candidates, closest first.
func answeredClosest(candidates []*candidate) []*candidate {
	var out []*candidate
	for _, c := range candidates {
		if c.state == answered {
			out = append(out, c)
			if len(out) == K {
				break
			}
		}
	}
	return out
}

// FindNode looks up the K nodes closest to target. The trace shows how
// the lookup got there.
func (n *Node) FindNode(ctx context.Context, target ID) ([]NodeAddr, *LookupTrace, error) {
	trace := newTrace(target, methodFindNode)
	out, err := n.findNode(ctx, trace)
	return out, trace, err
}

// StartFindNode starts a find_node lookup of target in the background and
// returns its trace at once, to watch it fill in. The lookup is the same as
// FindNode's; when the trace's Done is closed, its Closest holds the nodes
// FindNode would have returned and its Err the error. The lookup ends with
// ctx or when the node closes.
func (n *Node) StartFindNode(ctx context.Context, target ID) *LookupTrace {
	trace := newTrace(target, methodFindNode)
	started := n.goBackground(func() {
		ctx, cancel := n.mergeContext(ctx)
		defer cancel()
		_, _ = n.findNode(ctx, trace) // the trace holds both
	})
	if !started {
		trace.finish(ErrClosed)
	}
	return trace
}

// findNode runs FindNode's lookup into trace, records its result there and
// finishes the trace.
func (n *Node) findNode(ctx context.Context, trace *LookupTrace) ([]NodeAddr, error) {
	closest, err := n.lookup(ctx, trace.Target, false, trace, nil)
	out := make([]NodeAddr, len(closest))
	for i, c := range closest {
		out[i] = c.NodeAddr
	}
	if len(out) > 0 {
		trace.mu.Lock()
		trace.closest = slices.Clone(out)
		trace.mu.Unlock()
	}
	trace.finish(err)
	return out, err
}

// GetPeers looks up peers for infohash. Peers arrive on the channel as
// answers come in, each once; the channel is closed when the lookup ends
// (see the trace's Done and Err). Read the channel until it is closed or
// cancel ctx: the lookup waits for the reader.
func (n *Node) GetPeers(ctx context.Context, infohash metainfo.Hash) (<-chan netip.AddrPort, *LookupTrace) {
	trace := newTrace(ID(infohash), methodGetPeers)
	peers := make(chan netip.AddrPort, 64)
	started := n.goBackground(func() {
		defer close(peers)
		ctx, cancel := n.mergeContext(ctx)
		defer cancel()
		// We may be one of the nodes closest to the info hash ourselves:
		// peers announced to us come first (and once).
		n.mu.Lock()
		local := n.peers.Get(infohash, maxPeersPerGetPeers, n.now())
		n.mu.Unlock()
		sent := make(map[netip.AddrPort]bool, len(local))
		send := func(p netip.AddrPort) bool {
			if sent[p] {
				return true
			}
			sent[p] = true // bounded: the lookup reports at most maxPeersPerLookup
			select {
			case peers <- p:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, p := range local {
			if !send(p) {
				trace.finish(ctx.Err())
				return
			}
		}
		_, err := n.lookup(ctx, ID(infohash), true, trace, send)
		trace.finish(err)
	})
	if !started {
		close(peers)
		trace.finish(ErrClosed)
	}
	return peers, trace
}

// Announce tells the DHT that we have infohash: a get_peers lookup finds
// the K closest nodes, then each that gave a token gets an announce_peer
// for port (or, with impliedPort, for the UDP source port of our packets,
// for clients behind a NAT that maps ports). It fails when no node
// accepted the announce. The trace lists the lookup and, in AnnouncedTo,
// the nodes that accepted.
func (n *Node) Announce(ctx context.Context, infohash metainfo.Hash, port int, impliedPort bool) (*LookupTrace, error) {
	trace := newTrace(ID(infohash), methodGetPeers)
	if !impliedPort && (port <= 0 || port > 65535) {
		err := fmt.Errorf("dht: announce of %s: port %d out of range", infohash, port)
		trace.finish(err)
		return trace, err
	}
	ctx, cancel := n.mergeContext(ctx)
	defer cancel()
	closest, err := n.lookup(ctx, ID(infohash), true, trace, nil)
	if err != nil {
		trace.finish(err)
		return trace, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, c := range closest {
		if c.token == "" {
			continue
		}
		args := &queryArgs{InfoHash: string(infohash[:]), Token: c.token}
		if impliedPort {
			args.ImpliedPort = 1
		}
		if port > 0 {
			p := port
			args.Port = &p
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := n.query(ctx, c.NodeAddr, methodAnnouncePeer, args)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			trace.mu.Lock()
			trace.announcedTo = append(trace.announcedTo, c.Addr)
			trace.mu.Unlock()
		}()
	}
	wg.Wait()
	if len(trace.AnnouncedTo()) == 0 {
		err = fmt.Errorf("dht: announce of %s: no node accepted it (%d closest answered): %w", infohash, len(closest), errors.Join(errs...))
	}
	trace.finish(err)
	return trace, err
}

// mergeContext returns a context that ends with ctx or when the node
// closes.
func (n *Node) mergeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(n.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}
