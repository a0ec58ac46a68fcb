package dht

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// TestSimulatedNetworkFindsAnnouncedPeer builds a DHT of a few hundred
// nodes on 127.0.0.1, each with its own UDP socket, joined through three
// of them. One node announces an info hash; lookups from other nodes find
// it in a handful of steps, as Kademlia promises (about log2 N).
func TestSimulatedNetworkFindsAnnouncedPeer(t *testing.T) {
	count := 300
	if raceEnabled {
		count = 200
	}
	start := time.Now()
	nodes := buildNetwork(t, count)
	t.Logf("%d nodes joined in %v", count, time.Since(start).Round(time.Millisecond))

	total := 0
	for _, n := range nodes {
		total += n.Stats().Nodes
	}
	t.Logf("average routing table: %.1f nodes", float64(total)/float64(count))

	rng := rand.New(rand.NewPCG(7, 11))
	ctx := testContext(t, 20*time.Second)
	ih := metainfo.Hash(RandomID())
	announcer := nodes[rng.IntN(count)]
	trace, err := announcer.Announce(ctx, ih, 6881, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("announce: %d queries, %d steps, stored on %d nodes", trace.Queries(), trace.Steps(), len(trace.AnnouncedTo()))

	want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 6881)
	const searchers = 5
	for i := range searchers {
		searcher := nodes[rng.IntN(count)]
		peers, lookup := searcher.GetPeers(ctx, ih)
		found := false
		for p := range peers {
			if p == want {
				found = true
			}
		}
		if !found {
			t.Fatalf("lookup %d from %s did not find the announced peer (error %v)", i, searcher.Addr(), lookup.Err())
		}
		hops := lookup.Hops()
		first := hops[0]
		t.Logf("lookup %d: %d queries, %d steps, %v; first asked node shared %d prefix bits with the key",
			i, lookup.Queries(), lookup.Steps(), lookup.Duration().Round(time.Millisecond), first.Prefix)
		if i == 0 {
			// The "circular DHT with shortcuts" picture: each step gets
			// closer to the key by a few prefix bits.
			best := map[int]int{}
			for _, h := range hops {
				if h.Outcome == Answered {
					best[h.Step] = max(best[h.Step], h.Prefix)
				}
			}
			for step := 1; step <= lookup.Steps(); step++ {
				t.Logf("  step %d: closest node asked shares %d bits with the key", step, best[step])
			}
		}
		for _, h := range hops {
			if h.Outcome == Answered && h.BestPrefix < 0 && h.PeersReturned == 0 {
				t.Errorf("hop %+v answered with neither nodes nor peers", h)
			}
		}
		// Kademlia converges in O(log N) steps; allow generous slack.
		if lookup.Steps() > 8 || lookup.Queries() > 60 {
			t.Errorf("lookup %d took %d steps and %d queries in a %d-node network", i, lookup.Steps(), lookup.Queries(), count)
		}
	}

	// FindNode for an existing node's id finds that node first.
	target := nodes[rng.IntN(count)]
	closest, _, err := nodes[0].FindNode(ctx, target.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(closest) == 0 || closest[0].ID != target.ID() || closest[0].Addr != target.Addr() {
		t.Fatalf("FindNode(%v) returned %v first, want that node itself", target.ID(), closest)
	}
	t.Logf("whole simulation: %v", time.Since(start).Round(time.Millisecond))
}
