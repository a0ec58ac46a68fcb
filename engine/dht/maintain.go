package dht

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Maintenance limits per pass, so a large table does not burst traffic.
const (
	pingsPerPass     = 8
	refreshesPerPass = 2
	// bootstrapTimeout bounds one bootstrap run started by maintenance.
	bootstrapTimeout = 30 * time.Second
	// emptyTableRetry is the first wait before the next maintenance pass
	// while the routing table is empty (the bootstrap nodes did not answer
	// yet, e.g. a classroom hub started after us); it doubles on each empty
	// pass up to maintenanceInterval.
	emptyTableRetry = 2 * time.Second
)

// bootstrapRun is one bootstrap in progress; callers that arrive while it
// runs wait for it instead of starting another.
type bootstrapRun struct {
	done chan struct{}
	err  error
}

// Bootstrap joins the network: it sends find_node for our own id to every
// Config.BootstrapNodes address and every node given to LoadNodes, then
// looks up our own id, which fills the buckets near us and tells the
// nodes near us that we exist. It returns an error when no node answered.
// Concurrent calls share one run.
func (n *Node) Bootstrap(ctx context.Context) error {
	n.mu.Lock()
	run := n.bootstrap
	if run == nil {
		run = &bootstrapRun{done: make(chan struct{})}
		n.bootstrap = run
		n.mu.Unlock()
		run.err = n.runBootstrap(ctx)
		n.mu.Lock()
		n.bootstrap = nil
		if run.err == nil {
			n.notifyJoinedLocked()
		}
		n.mu.Unlock()
		close(run.done)
		return run.err
	}
	n.mu.Unlock()
	select {
	case <-run.done:
		return run.err
	case <-ctx.Done():
		return fmt.Errorf("dht: waiting for bootstrap: %w", ctx.Err())
	}
}

func (n *Node) runBootstrap(ctx context.Context) error {
	ctx, cancel := n.mergeContext(ctx)
	defer cancel()
	n.mu.Lock()
	seeds := append([]NodeAddr(nil), n.saved...)
	n.mu.Unlock()
	var resolveErrs []error
	for _, hostport := range n.cfg.BootstrapNodes {
		addrs, err := n.resolve(ctx, hostport)
		if err != nil {
			resolveErrs = append(resolveErrs, err)
			continue
		}
		for _, a := range addrs {
			seeds = append(seeds, NodeAddr{Addr: a})
		}
	}
	// Ask them all at once, a bounded number at a time; answers enter the
	// routing table through query.
	var wg sync.WaitGroup
	limit := make(chan struct{}, maxBackgroundPings)
	for _, seed := range seeds {
		if seed.Addr == n.Addr() {
			continue
		}
		wg.Add(1)
		limit <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-limit }()
			_, _ = n.query(ctx, seed, methodFindNode, &queryArgs{Target: string(n.id[:])})
		}()
	}
	wg.Wait()
	n.mu.Lock()
	empty := n.table.Len() == 0
	n.mu.Unlock()
	if empty {
		return fmt.Errorf("dht: bootstrap: none of %d nodes answered: %w", len(seeds), errors.Join(resolveErrs...))
	}
	if _, _, err := n.FindNode(ctx, n.id); err != nil {
		return fmt.Errorf("dht: bootstrap: looking up our own id: %w", err)
	}
	return nil
}

// maintain runs the periodic upkeep until the node closes or ctx ends
// (which closes the node). While the table is empty and there is something to bootstrap from, the
// next pass comes sooner: after emptyTableRetry, doubling up to
// maintenanceInterval.
func (n *Node) maintain(ctx context.Context) {
	timer := time.NewTimer(maintenanceInterval)
	defer timer.Stop()
	retry := emptyTableRetry
	for {
		n.maintenancePass()
		wait := maintenanceInterval
		n.mu.Lock()
		empty := n.table.Len() == 0 && (len(n.cfg.BootstrapNodes) > 0 || len(n.saved) > 0)
		n.mu.Unlock()
		if empty {
			wait, retry = retry, min(2*retry, maintenanceInterval)
		} else {
			retry = emptyTableRetry
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-n.ctx.Done():
			return
		case <-ctx.Done():
			_ = n.shutdown()
			return
		}
	}
}

// maintenancePass expires old peers, pings questionable nodes, refreshes
// stale buckets, and bootstraps again when the table has fewer than K
// good nodes.
func (n *Node) maintenancePass() {
	now := n.now()
	n.mu.Lock()
	n.peers.Expire(now)
	good, _, _ := n.table.Counts(now)
	questionable := n.table.Questionable(now)
	stale := n.table.StaleBuckets(now)
	targets := make([]ID, 0, refreshesPerPass)
	for _, i := range stale[:min(len(stale), refreshesPerPass)] {
		targets = append(targets, n.table.RefreshTarget(i))
	}
	canBootstrap := len(n.cfg.BootstrapNodes) > 0 || len(n.saved) > 0
	n.mu.Unlock()

	n.pingInBackground(questionable[:min(len(questionable), pingsPerPass)]...)
	if good < K && canBootstrap {
		ctx, cancel := context.WithTimeout(n.ctx, bootstrapTimeout)
		if err := n.Bootstrap(ctx); err != nil && n.ctx.Err() == nil {
			n.cfg.Logf("%v", err)
		}
		cancel()
		return
	}
	for _, target := range targets {
		ctx, cancel := context.WithTimeout(n.ctx, bootstrapTimeout)
		_, _, _ = n.FindNode(ctx, target) // marks the bucket refreshed
		cancel()
	}
}

// savedNodesLimit bounds how many nodes LoadNodes keeps: a full table.
const savedNodesLimit = K * IDBits

// addSaved remembers nodes to bootstrap from.
func (n *Node) addSaved(nodes []NodeAddr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	seen := make(map[netip.AddrPort]bool, len(n.saved))
	for _, s := range n.saved {
		seen[s.Addr] = true
	}
	for _, node := range nodes {
		if len(n.saved) >= savedNodesLimit {
			return
		}
		if !seen[node.Addr] && node.ID != n.id {
			seen[node.Addr] = true
			n.saved = append(n.saved, node)
		}
	}
}
