package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// The DHT as the teaching window shows it: the node's routing table (DHTView) and lookups the
// user starts and watches fill in (DHTLookup, DHTLookups). And the routing table saved through
// persist while the client runs (dhtSaver) and at Close, for the next start to bootstrap from.

// ErrDHTOff is DHTView's and DHTLookup's error when the client runs no DHT node.
var ErrDHTOff = errors.New("the DHT is off: turn it on in Settings (Enable DHT) and restart Swarmscope")

// DHTLookupsKept is how many of the most recent user lookups DHTLookups remembers.
const DHTLookupsKept = 5

// dhtLookupTimeout bounds one user lookup; the engine's own limits normally end it much sooner.
const dhtLookupTimeout = time.Minute

// DHTView is a snapshot of the client's DHT node: who we are, our figures and the routing
// table. Every slice is the caller's own.
type DHTView struct {
	ID      dht.ID
	Addr    netip.AddrPort
	Stats   dht.Stats
	Buckets []dht.BucketInfo // bucket 0 (the far half of the id space) first
}

// DHTView returns the DHT node's state, or false when the DHT is off.
func (c *Client) DHTView() (DHTView, bool) {
	node := c.session.DHT()
	if node == nil {
		return DHTView{}, false
	}
	// Buckets builds a fresh snapshot under the node's lock, so the view shares nothing with it.
	return DHTView{ID: node.ID(), Addr: node.Addr(), Stats: node.Stats(), Buckets: node.Buckets()}, true
}

// DHTLookup is one lookup started with Client.DHTLookup.
type DHTLookup struct {
	// Trace fills in while the lookup runs; it is safe to read at any time.
	Trace *dht.LookupTrace
	// Input is what the user typed; Random is true when it was empty and the target a random id.
	Input  string
	Random bool
	// Peers is how many distinct peers the lookup had found when DHTLookups was called (a
	// find_node lookup, of a random id, finds none).
	Peers int
}

// dhtLookupRecord is a kept lookup; peers is counted by the goroutine draining its peers.
type dhtLookupRecord struct {
	trace  *dht.LookupTrace
	input  string
	random bool
	peers  atomic.Int64
}

func (c *Client) rememberLookup(r *dhtLookupRecord) {
	c.dhtLookupsMu.Lock()
	defer c.dhtLookupsMu.Unlock()
	c.dhtLookups = append([]*dhtLookupRecord{r}, c.dhtLookups...)
	if len(c.dhtLookups) > DHTLookupsKept {
		c.dhtLookups = c.dhtLookups[:DHTLookupsKept]
	}
}

// DHTLookups returns the most recent lookups started with DHTLookup, newest first (at most
// DHTLookupsKept).
func (c *Client) DHTLookups() []DHTLookup {
	c.dhtLookupsMu.Lock()
	defer c.dhtLookupsMu.Unlock()
	out := make([]DHTLookup, len(c.dhtLookups))
	for i, r := range c.dhtLookups {
		out[i] = DHTLookup{Trace: r.trace, Input: r.input, Random: r.random, Peers: int(r.peers.Load())}
	}
	return out
}

// ParseDHTTarget reads what the user typed as a lookup target: an info hash (40 hex digits), a
// magnet link (its v1 info hash), or nothing for a random id (random is then true).
func ParseDHTTarget(s string) (target dht.ID, random bool, err error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return dht.RandomID(), true, nil
	case strings.HasPrefix(strings.ToLower(s), "magnet:"):
		m, err := metainfo.ParseMagnet(s)
		if err != nil {
			return dht.ID{}, false, fmt.Errorf("not a usable magnet link: %w", err)
		}
		return dht.ID(m.InfoHash), false, nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != dht.IDLen {
		return dht.ID{}, false, fmt.Errorf("%q is neither an info hash (40 hex digits) nor a magnet link; leave it empty to look up a random id", shortInput(s))
	}
	return dht.ID(b), false, nil
}

func shortInput(s string) string {
	if r := []rune(s); len(r) > 48 {
		return string(r[:45]) + "…"
	}
	return s
}

// DHTLookup starts a lookup of target (see ParseDHTTarget) on the client's DHT node and returns
// its trace at once; the lookup runs in the background, filling the trace in, until it
// converges, ctx ends, a minute passes or the client closes. An info hash or a magnet link is
// looked up with get_peers, which also finds peers; an empty target (a random id) with
// find_node, which finds the nodes closest to it (the trace's Closest once it is done). The
// lookup is also kept for DHTLookups. It fails at once when the DHT is off or the target cannot
// be read.
func (c *Client) DHTLookup(ctx context.Context, target string) (*dht.LookupTrace, error) {
	node := c.session.DHT()
	if node == nil {
		return nil, ErrDHTOff
	}
	id, random, err := ParseDHTTarget(target)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.wg.Add(1)
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, dhtLookupTimeout)
	stop := context.AfterFunc(c.ctx, cancel)
	if random {
		trace := node.StartFindNode(ctx, id)
		c.rememberLookup(&dhtLookupRecord{trace: trace, input: strings.TrimSpace(target), random: true})
		go func() {
			defer c.wg.Done()
			defer cancel()
			defer stop()
			<-trace.Done()
		}()
		return trace, nil
	}
	peers, trace := node.GetPeers(ctx, metainfo.Hash(id))
	rec := &dhtLookupRecord{trace: trace, input: strings.TrimSpace(target)}
	c.rememberLookup(rec)
	go func() {
		defer c.wg.Done()
		defer cancel()
		defer stop()
		// The lookup waits for its reader: read every peer (each arrives once) until it ends.
		for range peers {
			rec.peers.Add(1)
		}
	}()
	return trace, nil
}

// DefaultDHTSaveInterval is how often a running client saves its DHT routing table when
// Config.DHTSaveInterval is zero; the first save comes a quarter of it (3 min) after start.
const DefaultDHTSaveInterval = 12 * time.Minute

// dhtSaver is when the routing table is next saved and what was saved last.
type dhtSaver struct {
	next time.Time // zero until the run loop's first tick
	last []byte    // the bytes saved last by this client; nil: none yet
}

// saveDHTIfDue saves the routing table when its time has come: a quarter of the interval after
// start, then every interval. A table with no live node is not saved (it would replace a
// useful saved one with nothing): the next try comes a quarter interval later. It runs on the
// run loop.
func (c *Client) saveDHTIfDue(now time.Time) {
	every := c.cfg.DHTSaveInterval
	if every <= 0 {
		every = DefaultDHTSaveInterval
	}
	switch {
	case c.session.DHT() == nil:
		return
	case c.dhtSave.next.IsZero():
		c.dhtSave.next = now.Add(every / 4)
		return
	case now.Before(c.dhtSave.next):
		return
	}
	s := c.session.DHT().Stats()
	if s.Good+s.Questionable == 0 {
		c.dhtSave.next = now.Add(every / 4)
		return
	}
	c.dhtSave.next = now.Add(every)
	if err := c.saveDHT(); err != nil {
		c.log.Warn("saving the DHT routing table failed", "err", err)
	}
}

// saveDHT saves the DHT node's routing table through persist unless it holds no live node or
// is what this client saved last. Only the run loop, and Close after it, call it.
func (c *Client) saveDHT() error {
	node := c.session.DHT()
	if node == nil {
		return nil
	}
	if s := node.Stats(); s.Good+s.Questionable == 0 {
		return nil
	}
	data := node.MarshalNodes()
	if bytes.Equal(data, c.dhtSave.last) {
		return nil
	}
	if err := c.store.SaveDHTNodes(data); err != nil {
		return fmt.Errorf("save the DHT routing table: %w", err)
	}
	c.dhtSave.last = data
	return nil
}
