package dht

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// idWithPrefix returns an id equal to self in the first cpl bits, different
// in bit cpl, and with the given last byte (to tell ids apart).
func idWithPrefix(self ID, cpl int, tag byte) ID {
	id := self
	if cpl < IDBits {
		setBit(&id, cpl, 1-self.Bit(cpl))
	}
	if cpl < IDBits-8 {
		id[IDLen-1] = tag
	}
	return id
}

func addrN(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 6881)
}

func TestTableInsertAndSplit(t *testing.T) {
	var self ID // all zero: bucket of a node = its leading zero bits
	tab := NewTable(self, false, t0)
	// 8 far nodes (first bit 1) fill bucket 0 of the single bucket.
	for i := range K {
		if r := tab.Insert(NodeAddr{idWithPrefix(self, 0, byte(i)), addrN(i)}, t0); !r.Added {
			t.Fatalf("far node %d not added", i)
		}
	}
	if tab.NumBuckets() != 1 {
		t.Fatalf("%d buckets before overflow, want 1", tab.NumBuckets())
	}
	// A ninth node makes our (only) bucket split: the far half keeps the 8,
	// the new near node goes to the new last bucket.
	near := NodeAddr{idWithPrefix(self, 5, 1), addrN(100)}
	if r := tab.Insert(near, t0); !r.Added {
		t.Fatal("near node not added after split")
	}
	if tab.NumBuckets() != 2 || tab.Len() != K+1 {
		t.Fatalf("after split: %d buckets, %d nodes; want 2 and %d", tab.NumBuckets(), tab.Len(), K+1)
	}
	// Bucket 0 is full of good nodes and is not ours: a ninth far node
	// becomes a replacement candidate and nothing needs pinging.
	r := tab.Insert(NodeAddr{idWithPrefix(self, 0, 200), addrN(200)}, t0)
	if r.Added || len(r.Ping) != 0 {
		t.Fatalf("far node into full good bucket: %+v, want not added, no pings", r)
	}
	b := tab.Buckets(t0)
	if b[0].Replacements != 1 || len(b[0].Nodes) != K {
		t.Fatalf("bucket 0: %d nodes, %d candidates", len(b[0].Nodes), b[0].Replacements)
	}
	// Many near nodes keep splitting our bucket, never bucket 0.
	for i := range 40 {
		tab.Insert(NodeAddr{idWithPrefix(self, 1+i%30, byte(i)), addrN(300 + i)}, t0)
	}
	if len(tab.Buckets(t0)[0].Nodes) != K {
		t.Fatal("bucket 0 changed")
	}
	for i, bi := range tab.Buckets(t0) {
		for _, n := range bi.Nodes {
			if !bi.ContainsSelf && n.CommonPrefix != i {
				t.Fatalf("bucket %d holds node with common prefix %d", i, n.CommonPrefix)
			}
			if bi.ContainsSelf && n.CommonPrefix < i {
				t.Fatalf("last bucket %d holds node with common prefix %d", i, n.CommonPrefix)
			}
		}
	}
}

func TestTableReplacesBadThenQuestionable(t *testing.T) {
	self := RandomID()
	tab := NewTable(self, false, t0)
	// Force the split early so bucket 0 (far half) is not ours.
	tab.split()
	var far []NodeAddr
	for i := range K {
		n := NodeAddr{idWithPrefix(self, 0, byte(i)), addrN(i)}
		far = append(far, n)
		tab.Insert(n, t0)
	}
	// After 15 quiet minutes they are questionable: a newcomer is a
	// candidate and the table asks to ping the least recently seen first.
	later := t0.Add(GoodWindow + 30*time.Second)
	tab.Insert(far[3], t0.Add(time.Minute))    // far[3] answered a bit later: still good
	tab.Insert(far[5], t0.Add(20*time.Second)) // far[5] questionable, but seen last
	newcomer := NodeAddr{idWithPrefix(self, 0, 99), addrN(99)}
	r := tab.Insert(newcomer, later)
	if r.Added {
		t.Fatal("newcomer added to a full bucket of questionable nodes without a ping")
	}
	if len(r.Ping) != K-1 || slices.Contains(r.Ping, far[3]) {
		t.Fatalf("ping list %v: want the %d nodes quiet for 15 minutes (not far[3])", r.Ping, K-1)
	}
	if r.Ping[len(r.Ping)-1] != far[5] {
		t.Fatalf("ping order %v is not least recently seen first (far[5] last)", r.Ping)
	}
	// far[0] fails to answer BadAfterFailures times: it turns bad and the
	// candidate takes its place.
	for range BadAfterFailures {
		tab.Failed(far[0].ID, later)
	}
	if tab.Contains(far[0].ID) || !tab.Contains(newcomer.ID) {
		t.Fatal("bad node not replaced by the candidate")
	}
	// A bad node without a candidate stays until a newcomer replaces it
	// directly, but is never handed out.
	for range BadAfterFailures {
		tab.Failed(far[1].ID, later)
	}
	if !tab.Contains(far[1].ID) {
		t.Fatal("bad node dropped without a replacement")
	}
	if slices.Contains(tab.Closest(far[1].ID, 100, later), far[1]) {
		t.Fatal("Closest handed out a bad node")
	}
	other := NodeAddr{idWithPrefix(self, 0, 77), addrN(77)}
	if r := tab.Insert(other, later); !r.Added || tab.Contains(far[1].ID) {
		t.Fatalf("newcomer did not replace the bad node: %+v", r)
	}
}

func TestTableNodeStates(t *testing.T) {
	self := RandomID()
	tab := NewTable(self, false, t0)
	n := NodeAddr{idWithPrefix(self, 0, 1), addrN(1)}
	tab.Insert(n, t0)
	state := func(at time.Time) NodeState { return tab.Buckets(at)[0].Nodes[0].State }
	if s := state(t0.Add(GoodWindow - time.Second)); s != Good {
		t.Fatalf("state after 14:59 = %v, want good", s)
	}
	if s := state(t0.Add(GoodWindow)); s != Questionable {
		t.Fatalf("state after 15:00 = %v, want questionable", s)
	}
	// A query from a node that has answered before makes it good again.
	tab.QueriedBy(n, t0.Add(20*time.Minute))
	if s := state(t0.Add(21 * time.Minute)); s != Good {
		t.Fatalf("state after a query = %v, want good", s)
	}
	tab.Failed(n.ID, t0)
	tab.Failed(n.ID, t0)
	if s := state(t0.Add(21 * time.Minute)); s != Good {
		t.Fatalf("state after 2 failures = %v, want still good", s)
	}
	tab.Insert(n, t0.Add(22*time.Minute)) // an answer resets the failures
	tab.Failed(n.ID, t0)
	tab.Failed(n.ID, t0)
	if s := state(t0.Add(22 * time.Minute)); s != Good {
		t.Fatalf("failures were not reset by an answer: %v", s)
	}
	tab.Failed(n.ID, t0)
	if s := state(t0.Add(22 * time.Minute)); s != Bad {
		t.Fatalf("state after %d failures in a row = %v, want bad", BadAfterFailures, s)
	}
}

func TestTableOneNodePerIPUnlessAllowed(t *testing.T) {
	self := RandomID()
	ip := netip.MustParseAddr("192.0.2.1")
	a := NodeAddr{RandomID(), netip.AddrPortFrom(ip, 1000)}
	b := NodeAddr{RandomID(), netip.AddrPortFrom(ip, 1001)}
	strict := NewTable(self, false, t0)
	strict.Insert(a, t0)
	if r := strict.Insert(b, t0); r.Added {
		t.Fatal("second node on the same IP added with AllowSameIP off")
	}
	loose := NewTable(self, true, t0)
	loose.Insert(a, t0)
	if r := loose.Insert(b, t0); !r.Added {
		t.Fatal("second node on the same IP refused with AllowSameIP on")
	}
}

func TestTableRejectsInvalidAndHijack(t *testing.T) {
	self := RandomID()
	tab := NewTable(self, true, t0)
	if tab.Insert(NodeAddr{self, addrN(1)}, t0).Added {
		t.Fatal("our own id added")
	}
	if tab.Insert(NodeAddr{RandomID(), netip.AddrPortFrom(netip.MustParseAddr("10.0.0.1"), 0)}, t0).Added {
		t.Fatal("port 0 added")
	}
	n := NodeAddr{RandomID(), addrN(1)}
	tab.Insert(n, t0)
	if tab.Insert(NodeAddr{n.ID, addrN(2)}, t0).Added {
		t.Fatal("a live node's id was taken over from another address")
	}
	if got := tab.Closest(n.ID, 1, t0); len(got) != 1 || got[0].Addr != addrN(1) {
		t.Fatalf("entry changed to %v", got)
	}
}

func TestTableClosestOrder(t *testing.T) {
	self := RandomID()
	tab := NewTable(self, true, t0)
	var all []NodeAddr
	for i := range 300 {
		n := NodeAddr{RandomID(), addrN(i)}
		if tab.Insert(n, t0).Added {
			all = append(all, n)
		}
	}
	target := RandomID()
	got := tab.Closest(target, K, t0)
	slices.SortFunc(all, func(a, b NodeAddr) int {
		if closer(target, a.ID, b.ID) {
			return -1
		}
		return 1
	})
	if len(got) != K {
		t.Fatalf("Closest returned %d nodes, want %d", len(got), K)
	}
	for i := range got {
		if got[i] != all[i] {
			t.Fatalf("closest[%d] = %v, want %v", i, got[i].ID, all[i].ID)
		}
	}
}

func TestTableBucketRangesAndRefresh(t *testing.T) {
	self := RandomID()
	tab := NewTable(self, true, t0)
	for i := range 200 {
		tab.Insert(NodeAddr{RandomID(), addrN(i)}, t0)
	}
	buckets := tab.Buckets(t0)
	for i, b := range buckets {
		wantBits := i + 1
		if b.ContainsSelf {
			wantBits = i
		}
		if len(b.Prefix) != wantBits {
			t.Fatalf("bucket %d prefix %q has %d bits, want %d", i, b.Prefix, len(b.Prefix), wantBits)
		}
		for _, n := range b.Nodes {
			if !inRange(n.ID, b.Low, b.High) {
				t.Fatalf("bucket %d node %v outside [%v, %v]", i, n.ID, b.Low, b.High)
			}
		}
		target := tab.RefreshTarget(i)
		if !inRange(target, b.Low, b.High) {
			t.Fatalf("refresh target %v of bucket %d outside its range", target, i)
		}
		if fmt.Sprint(tab.bucketIndex(target)) != fmt.Sprint(i) {
			t.Fatalf("refresh target of bucket %d falls in bucket %d", i, tab.bucketIndex(target))
		}
	}
	if got := tab.StaleBuckets(t0.Add(BucketRefreshInterval - time.Second)); len(got) != 0 {
		t.Fatalf("stale after 14:59: %v", got)
	}
	stale := tab.StaleBuckets(t0.Add(BucketRefreshInterval))
	if len(stale) != len(buckets) {
		t.Fatalf("%d stale buckets after 15 minutes, want all %d", len(stale), len(buckets))
	}
	tab.MarkRefreshed(tab.RefreshTarget(0), t0.Add(BucketRefreshInterval))
	if got := tab.StaleBuckets(t0.Add(BucketRefreshInterval)); slices.Contains(got, 0) {
		t.Fatal("bucket 0 still stale after a refresh lookup")
	}
}

func inRange(id, low, high ID) bool {
	return string(id[:]) >= string(low[:]) && string(id[:]) <= string(high[:])
}
