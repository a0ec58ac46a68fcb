package torrent

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// The session's DHT node (Config.DHT) and each torrent's use of it: a
// goroutine per non-private torrent announces it every dhtAnnounceInterval
// and runs get_peers lookups while the loop wants peers (a magnet link at
// once, other torrents when they run short). Lookups that find nobody and
// announces that fail are retried after a short back-off (2 s, 4 s, 8 s …
// up to the normal interval) and at once when the node joins the network,
// so a torrent started before its routing table filled, or before the
// seeder announced, does not wait a whole interval. Peers found arrive on
// the loop's foundPeers channel with SourceDHT.

const (
	// dhtAnnounceInterval: how often a torrent tells the DHT we have it.
	dhtAnnounceInterval = 15 * time.Minute
	// dhtLookupInterval: the least time between two get_peers lookups of
	// a torrent that wants peers; dhtLookupIntervalAlone when it has none
	// at all (a magnet link nobody answered yet).
	dhtLookupInterval      = 5 * time.Minute
	dhtLookupIntervalAlone = time.Minute
	// dhtRetryFirst is the first wait before retrying a lookup that found
	// nobody or an announce that failed (see runDHT); it doubles with each
	// failure, up to the normal interval.
	dhtRetryFirst = 2 * time.Second
	// dhtMinWait is the least time between two wake-ups of the goroutine
	// by its timer.
	dhtMinWait = time.Second
	// dhtAddNodeTimeout bounds the ping that checks a node a peer told us
	// of with a port message.
	dhtAddNodeTimeout = 10 * time.Second
)

// foundPeers is a batch of addresses from a peer source outside the loop.
type foundPeers struct {
	addrs  []string
	source Source
}

// startDHTNode opens the session's DHT node on the UDP port of the same
// number as the TCP listener (when cfg.Addr leaves it to us), falling back
// to a random port when that one is taken.
func (s *Session) startDHTNode(cfg dht.Config) error {
	if cfg.Addr == "" {
		host, _, err := net.SplitHostPort(s.cfg.ListenAddr)
		if err != nil {
			return fmt.Errorf("session: DHT address from %q: %w", s.cfg.ListenAddr, err)
		}
		cfg.Addr = net.JoinHostPort(host, fmt.Sprint(s.port))
		node, err := dht.New(cfg)
		if err != nil {
			s.log.Warn("DHT: UDP port of the listener unavailable; using a random one", "addr", cfg.Addr, "err", err)
			cfg.Addr = net.JoinHostPort(host, "0")
			if node, err = dht.New(cfg); err != nil {
				return fmt.Errorf("session: %w", err)
			}
		}
		s.dht = node
	} else {
		node, err := dht.New(cfg)
		if err != nil {
			return fmt.Errorf("session: %w", err)
		}
		s.dht = node
	}
	if err := s.dht.Start(s.ctx); err != nil {
		s.dht.Close()
		s.dht = nil
		return fmt.Errorf("session: starting the DHT: %w", err)
	}
	return nil
}

// DHT is the session's DHT node, nil when Config.DHT was nil. The app
// saves its routing table (MarshalNodes) and shows its figures (Stats).
func (s *Session) DHT() *dht.Node { return s.dht }

// startDHT starts the torrent's DHT goroutine unless the session has no
// DHT, the torrent is private, or it already runs. It runs on the loop.
func (t *Torrent) startDHT() {
	node := t.s.dht
	if node == nil || t.isPrivate() || t.dhtCancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(t.ctx)
	t.dhtCancel = cancel
	t.updateDHTWant()
	go t.runDHT(ctx, node)
}

// stopDHT ends the torrent's DHT goroutine; it runs on the loop.
func (t *Torrent) stopDHT() {
	if t.dhtCancel != nil {
		t.dhtCancel()
		t.dhtCancel = nil
	}
}

// updateDHTWant tells the DHT goroutine whether we want peers: always
// while fetching a magnet link's metadata, and for a download that has few
// peers and nobody left to dial.
func (t *Torrent) updateDHTWant() {
	want := t.state == FetchingMetadata ||
		(t.state == Downloading && !t.complete && len(t.peers) < fewPeers &&
			len(t.candidates) == 0 && len(t.dialing) == 0)
	if want && !t.dhtWant.Swap(true) {
		select {
		case t.dhtWake <- struct{}{}:
		default:
		}
	}
	if !want {
		t.dhtWant.Store(false)
	}
}

// runDHT is the torrent's DHT goroutine.
//
// A lookup that found nobody, while we want peers, is retried soon: after
// dhtRetryFirst, doubling with each lookup that still leaves the torrent
// without peers, up to the normal interval (dhtLookupIntervalAlone with no
// peers, dhtLookupInterval with some). Once a lookup has found peers and
// the torrent has peers, the normal interval applies again. A failed
// announce (say, the routing table was still empty) backs off the same
// way, up to dhtAnnounceInterval. When the node joins the network (its
// table gets its first node, a bootstrap succeeds: dht.Node.Joined), what
// failed is retried at once, without lengthening the back-off.
func (t *Torrent) runDHT(ctx context.Context, node *dht.Node) {
	announceEvery, lookupEvery, aloneEvery := dhtAnnounceInterval, dhtLookupInterval, dhtLookupIntervalAlone
	if o := t.s.cfg.AnnounceInterval; o > 0 {
		// Tests: the DHT keeps the trackers' quick pace.
		announceEvery, lookupEvery, aloneEvery = o, o, o
	}
	var lastLookup, lastAnnounce time.Time
	// lookupFailures counts the lookups in a row that left the torrent
	// without peers (none found, or none connected since); announceFailures
	// the failed announces in a row. lastFound is what the last lookup found.
	lookupFailures, announceFailures, lastFound := 0, 0, 0
	joined := node.Joined()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		rejoined := false
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-t.dhtWake:
		case <-joined:
			rejoined = true
		}
		// Taken before the work below, so a join while it runs wakes us.
		joined = node.Joined()

		havePeers := t.hasPeers()
		if havePeers && lastFound > 0 {
			lookupFailures = 0
		}
		lookupGap := dhtBackoff(lookupFailures, lookupEvery)
		if !havePeers {
			lookupGap = dhtBackoff(lookupFailures, aloneEvery)
		}
		want := t.dhtWant.Load()
		if want && (time.Since(lastLookup) >= lookupGap || (rejoined && lookupFailures > 0)) {
			lastLookup = time.Now()
			lastFound = t.dhtLookup(ctx, node)
			switch {
			case lastFound > 0 && t.hasPeers():
				lookupFailures = 0
			case !rejoined || lookupFailures == 0:
				// A retry the join brought forward does not lengthen
				// the back-off: the node may join twice in a moment
				// (its first node, then the bootstrap's end).
				lookupFailures++
			}
		}
		if ctx.Err() != nil {
			return
		}
		announceGap := dhtBackoff(announceFailures, announceEvery)
		if time.Since(lastAnnounce) >= announceGap || (rejoined && announceFailures > 0) {
			lastAnnounce = time.Now()
			if _, err := node.Announce(ctx, t.infoHash, t.s.port, false); err != nil {
				if ctx.Err() != nil {
					return
				}
				if !rejoined || announceFailures == 0 {
					announceFailures++
				}
				t.log.Debug("DHT announce failed", "err", err, "retry in", dhtBackoff(announceFailures, announceEvery))
			} else {
				announceFailures = 0
			}
		}
		next := time.Until(lastAnnounce.Add(dhtBackoff(announceFailures, announceEvery)))
		if t.dhtWant.Load() {
			gap := dhtBackoff(lookupFailures, lookupEvery)
			if !t.hasPeers() {
				gap = dhtBackoff(lookupFailures, aloneEvery)
			}
			next = min(next, time.Until(lastLookup.Add(gap)))
		}
		timer.Reset(max(next, dhtMinWait))
	}
}

// dhtBackoff is the wait after failures failed attempts in a row: every
// when none failed, else dhtRetryFirst doubled for each failure after the
// first, at most every.
func dhtBackoff(failures int, every time.Duration) time.Duration {
	if failures <= 0 {
		return every
	}
	return min(dhtRetryFirst<<min(failures-1, 16), every)
}

// hasPeers reports whether the last snapshot shows a connected peer; it is
// safe off the loop.
func (t *Torrent) hasPeers() bool {
	s := t.snapshot.Load()
	return s != nil && len(s.Peers) > 0
}

// dhtLookup runs one get_peers lookup, hands what it finds to the loop and
// returns how many peers that was.
func (t *Torrent) dhtLookup(ctx context.Context, node *dht.Node) int {
	peers, trace := node.GetPeers(ctx, t.infoHash)
	found := 0
	for ap := range peers {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if t.isOurAddress(ap) {
			continue
		}
		found++
		select {
		case t.foundPeers <- foundPeers{addrs: []string{ap.String()}, source: SourceDHT}:
		case <-ctx.Done():
			// GetPeers ends once ctx is done; drain so it is not stuck.
			for range peers {
			}
			return found
		}
	}
	if err := trace.Err(); err != nil && ctx.Err() == nil {
		t.log.Debug("DHT lookup failed", "err", err, "peers", found)
	}
	return found
}

// sendDHTPort tells a peer that speaks the DHT where our node listens
// (BEP 5 port message), so it can add us to its routing table.
func (t *Torrent) sendDHTPort(p *peer) {
	if t.s.dht == nil || t.isPrivate() || !p.reserved.SupportsDHT() {
		return
	}
	p.send(wire.Message{ID: wire.Port, Port: t.s.dht.Addr().Port()})
}

// onDHTPort adds the node a peer's port message names to our routing
// table, once per connection (a ping checks it first).
func (t *Torrent) onDHTPort(p *peer, port uint16) {
	node := t.s.dht
	e := t.extFor(p)
	if node == nil || t.isPrivate() || port == 0 || !p.ip.IsValid() || e.portSeen {
		return
	}
	e.portSeen = true
	addr := netip.AddrPortFrom(p.ip, port).String()
	go func() {
		ctx, cancel := context.WithTimeout(t.ctx, dhtAddNodeTimeout)
		defer cancel()
		if err := node.AddNode(ctx, addr); err != nil {
			t.log.Debug("DHT node from a port message not added", "node", addr, "err", err)
		}
	}()
}
