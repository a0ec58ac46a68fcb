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
// once, other torrents when they run short). Peers found arrive on the
// loop's foundPeers channel with SourceDHT.

const (
	// dhtAnnounceInterval: how often a torrent tells the DHT we have it.
	dhtAnnounceInterval = 15 * time.Minute
	// dhtLookupInterval: the least time between two get_peers lookups of
	// a torrent that wants peers; dhtLookupIntervalAlone when it has none
	// at all (a magnet link nobody answered yet).
	dhtLookupInterval      = 5 * time.Minute
	dhtLookupIntervalAlone = time.Minute
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
func (t *Torrent) runDHT(ctx context.Context, node *dht.Node) {
	announceEvery, lookupEvery, aloneEvery := dhtAnnounceInterval, dhtLookupInterval, dhtLookupIntervalAlone
	if o := t.s.cfg.AnnounceInterval; o > 0 {
		// Tests: the DHT keeps the trackers' quick pace.
		announceEvery, lookupEvery, aloneEvery = o, o, o
	}
	var lastLookup, lastAnnounce time.Time
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-t.dhtWake:
		}
		every := lookupEvery
		if s := t.snapshot.Load(); s != nil && len(s.Peers) == 0 {
			every = aloneEvery
		}
		if t.dhtWant.Load() && time.Since(lastLookup) >= every {
			lastLookup = time.Now()
			t.dhtLookup(ctx, node)
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(lastAnnounce) >= announceEvery {
			lastAnnounce = time.Now()
			if _, err := node.Announce(ctx, t.infoHash, t.s.port, false); err != nil && ctx.Err() == nil {
				t.log.Debug("DHT announce failed", "err", err)
			}
		}
		next := time.Until(lastAnnounce.Add(announceEvery))
		if t.dhtWant.Load() {
			next = min(next, time.Until(lastLookup.Add(every)))
		}
		timer.Reset(max(next, time.Second))
	}
}

// dhtLookup runs one get_peers lookup and hands what it finds to the loop.
func (t *Torrent) dhtLookup(ctx context.Context, node *dht.Node) {
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
			return
		}
	}
	if err := trace.Err(); err != nil && ctx.Err() == nil {
		t.log.Debug("DHT lookup failed", "err", err, "peers", found)
	}
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
