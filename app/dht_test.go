package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/dht/dhttest"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// loopbackDHT starts count DHT nodes on 127.0.0.1, each joined through the first, and closes
// them with the test.
func loopbackDHT(t *testing.T, count int) []*dht.Node { return dhttest.Loopback(t, count, true) }

// dhtClient is a client whose DHT node joins the loopback network through nodes[0].
func dhtClient(t *testing.T, nodes []*dht.Node) *Client {
	t.Helper()
	dir := t.TempDir()
	cfg := testConfig(t, filepath.Join(dir, "state.db"), filepath.Join(dir, "dl"))
	cfg.DHT = &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout, BootstrapNodes: []string{nodes[0].Addr().String()}}
	c := openClient(t, cfg)
	waitFor(t, 20*time.Second, "the client's DHT routing table to fill", func() bool {
		v, ok := c.DHTView()
		return ok && v.Stats.Nodes >= 5
	})
	return c
}

func waitDone(t *testing.T, trace *dht.LookupTrace) {
	t.Helper()
	select {
	case <-trace.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("the lookup of %s did not finish within 30 s", trace.Target)
	}
}

func TestDHTViewListsBucketsAndLookupsFillTheirTrace(t *testing.T) {
	nodes := loopbackDHT(t, 12)
	c := dhtClient(t, nodes)

	v, ok := c.DHTView()
	if !ok {
		t.Fatal("DHTView: off, want on")
	}
	if v.ID != v.Stats.ID || v.ID == (dht.ID{}) {
		t.Errorf("view id %s, stats id %s", v.ID, v.Stats.ID)
	}
	if !v.Addr.Addr().IsLoopback() || v.Addr.Port() == 0 {
		t.Errorf("node address %v, want a loopback address with a port", v.Addr)
	}
	inBuckets := 0
	for i, b := range v.Buckets {
		if b.Index != i {
			t.Errorf("bucket %d has index %d", i, b.Index)
		}
		for _, n := range b.Nodes {
			if n.CommonPrefix != v.ID.CommonPrefixLen(n.ID) {
				t.Errorf("bucket %d: node %s common prefix %d, want %d", i, n.ID, n.CommonPrefix, v.ID.CommonPrefixLen(n.ID))
			}
		}
		inBuckets += len(b.Nodes)
	}
	if inBuckets != v.Stats.Nodes || inBuckets == 0 {
		t.Errorf("%d nodes in the buckets, stats say %d", inBuckets, v.Stats.Nodes)
	}
	if len(v.Buckets) == 0 || !v.Buckets[len(v.Buckets)-1].ContainsSelf {
		t.Errorf("the last of %d buckets should contain our own id", len(v.Buckets))
	}

	// A peer announced by one node of the network is found through a magnet link's info hash.
	ih := metainfo.Hash(dht.RandomID())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := nodes[5].Announce(ctx, ih, 51413, false); err != nil {
		t.Fatal(err)
	}
	magnet := "magnet:?xt=urn:btih:" + ih.Hex() + "&dn=test"
	trace, err := c.DHTLookup(context.Background(), magnet)
	if err != nil {
		t.Fatal(err)
	}
	if trace.Target != dht.ID(ih) || trace.Method != "get_peers" {
		t.Errorf("trace of %s by %s, want %s by get_peers", trace.Target, trace.Method, ih)
	}
	waitDone(t, trace)
	if err := trace.Err(); err != nil {
		t.Fatalf("lookup failed: %v", err)
	}
	hops := trace.Hops()
	if len(hops) == 0 || trace.Steps() < 1 {
		t.Fatalf("%d hops, %d steps: the lookup asked nobody", len(hops), trace.Steps())
	}
	answered := 0
	for _, h := range hops {
		if h.Outcome == dht.Answered {
			answered++
		}
		if h.Outcome == dht.Pending {
			t.Errorf("hop to %v still pending after the lookup ended", h.Node.Addr)
		}
	}
	if answered == 0 {
		t.Error("no node answered")
	}
	waitFor(t, 5*time.Second, "the announced peer to be counted", func() bool {
		ls := c.DHTLookups()
		return len(ls) == 1 && ls[0].Peers >= 1
	})
	if ls := c.DHTLookups(); ls[0].Trace != trace || ls[0].Random || ls[0].Input != magnet {
		t.Errorf("kept lookup %+v, want the magnet's", ls[0])
	}

	// An empty target looks up a random id; only the last DHTLookupsKept lookups are kept,
	// newest first.
	var last *dht.LookupTrace
	for range DHTLookupsKept + 1 {
		if last, err = c.DHTLookup(context.Background(), "  "); err != nil {
			t.Fatal(err)
		}
		if last.Target == dht.ID(ih) {
			t.Fatal("the empty target did not pick a random id")
		}
		if last.Method != "find_node" {
			t.Fatalf("a random id is looked up by %s, want find_node", last.Method)
		}
	}
	ls := c.DHTLookups()
	if len(ls) != DHTLookupsKept || ls[0].Trace != last || !ls[0].Random {
		t.Fatalf("kept %d lookups, newest random=%v; want %d, the newest the last random one", len(ls), len(ls) > 0 && ls[0].Random, DHTLookupsKept)
	}
	for _, l := range ls {
		if l.Trace == trace {
			t.Error("the oldest lookup was kept beyond the limit")
		}
	}
	waitDone(t, last)
	if last.Queries() == 0 {
		t.Error("the random lookup sent no query")
	}
	if err := last.Err(); err != nil || len(last.Closest()) == 0 {
		t.Errorf("the random lookup ended with error %v and %d closest nodes, want no error and some", err, len(last.Closest()))
	}
}

func TestDHTLookupRejectsBadTargets(t *testing.T) {
	nodes := loopbackDHT(t, 3)
	dir := t.TempDir()
	cfg := testConfig(t, filepath.Join(dir, "state.db"), filepath.Join(dir, "dl"))
	cfg.DHT = &dht.Config{AllowSameIP: true, BootstrapNodes: []string{nodes[0].Addr().String()}}
	c := openClient(t, cfg)
	for _, bad := range []string{
		"0123",                   // too short
		strings.Repeat("zz", 20), // not hex
		strings.Repeat("ab", 21), // too long
		"magnet:?dn=nothing",     // no info hash
		"magnet:?xt=urn:btmh:1220" + strings.Repeat("ab", 32), // v2 only
		"http://example.com/a.torrent",
	} {
		if tr, err := c.DHTLookup(context.Background(), bad); err == nil {
			t.Errorf("%q: lookup of %s started, want an error", bad, tr.Target)
		}
	}
	if len(c.DHTLookups()) != 0 {
		t.Error("a rejected lookup was kept")
	}
	id, random, err := ParseDHTTarget(" " + strings.Repeat("AB", 20) + " ")
	if err != nil || random || id[0] != 0xab || id[19] != 0xab {
		t.Errorf("upper-case hex with spaces: %s %v %v", id, random, err)
	}
}

func TestDHTOffSaysSo(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(dir, "state.db"), filepath.Join(dir, "dl")))
	if _, ok := c.DHTView(); ok {
		t.Error("DHTView: on, but the client has no DHT")
	}
	if _, err := c.DHTLookup(context.Background(), ""); !errors.Is(err, ErrDHTOff) {
		t.Errorf("lookup with the DHT off: %v, want ErrDHTOff", err)
	}
	if !strings.Contains(ErrDHTOff.Error(), "Settings") {
		t.Errorf("%q does not say how to turn the DHT on", ErrDHTOff)
	}
}
