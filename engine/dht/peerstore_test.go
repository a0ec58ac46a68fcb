package dht

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

func TestPeerStoreExpiry(t *testing.T) {
	s := newPeerStore(rand.New(rand.NewPCG(1, 2)))
	ih := metainfo.Hash{1}
	p1 := netip.MustParseAddrPort("192.0.2.1:6881")
	p2 := netip.MustParseAddrPort("192.0.2.2:6881")
	s.Add(ih, p1, t0)
	s.Add(ih, p2, t0.Add(10*time.Minute))
	if got := s.Get(ih, 50, t0.Add(time.Minute)); len(got) != 2 {
		t.Fatalf("got %v, want both peers", got)
	}
	if got := s.Get(ih, 50, t0.Add(PeerTTL)); len(got) != 1 || got[0] != p2 {
		t.Fatalf("after 30 minutes got %v, want only %v", got, p2)
	}
	// A re-announce renews a peer.
	s.Add(ih, p2, t0.Add(35*time.Minute))
	s.Expire(t0.Add(PeerTTL + 10*time.Minute + time.Second))
	if ihs, peers := s.Counts(); ihs != 1 || peers != 1 {
		t.Fatalf("after expiry: %d info hashes, %d peers; want 1, 1", ihs, peers)
	}
	s.Expire(t0.Add(2 * time.Hour))
	if ihs, peers := s.Counts(); ihs != 0 || peers != 0 {
		t.Fatalf("after everything expired: %d info hashes, %d peers", ihs, peers)
	}
}

func TestPeerStoreBounds(t *testing.T) {
	s := newPeerStore(rand.New(rand.NewPCG(1, 2)))
	ih := metainfo.Hash{2}
	for i := range maxPeersPerInfoHash + 50 {
		s.Add(ih, addrN(i), t0.Add(time.Duration(i)*time.Second))
	}
	if _, peers := s.Counts(); peers != maxPeersPerInfoHash {
		t.Fatalf("%d peers for one info hash, want the cap %d", peers, maxPeersPerInfoHash)
	}
	// The oldest made room: the newest peer is there, the first is not.
	all := s.Get(ih, 1000, t0.Add(time.Hour/4))
	has := func(p netip.AddrPort) bool {
		for _, q := range all {
			if q == p {
				return true
			}
		}
		return false
	}
	if !has(addrN(maxPeersPerInfoHash+49)) || has(addrN(0)) {
		t.Fatal("a full swarm did not drop its oldest peer")
	}
	if got := s.Get(ih, maxPeersPerGetPeers, t0.Add(time.Hour/4)); len(got) != maxPeersPerGetPeers {
		t.Fatalf("Get returned %d peers, want %d", len(got), maxPeersPerGetPeers)
	}

	for i := range maxStoredInfoHashes + 10 {
		var h metainfo.Hash
		h[0], h[1], h[2] = 9, byte(i>>8), byte(i)
		s.Add(h, addrN(i), t0.Add(5*time.Minute+time.Duration(i)*time.Millisecond))
	}
	if ihs, _ := s.Counts(); ihs != maxStoredInfoHashes {
		t.Fatalf("%d info hashes stored, want the cap %d", ihs, maxStoredInfoHashes)
	}
	if got := s.Get(ih, 10, t0.Add(time.Minute)); len(got) != 0 {
		t.Fatal("the least recently announced info hash was not evicted")
	}
}
