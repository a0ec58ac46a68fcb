package pex

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// candidateAddrs lists the candidates' addresses, checking each is tagged
// as learned from PEX.
func candidateAddrs(t *testing.T, cs []Candidate) []netip.AddrPort {
	t.Helper()
	var out []netip.AddrPort
	for _, c := range cs {
		if c.Source != "pex" {
			t.Fatalf("candidate %v has source %q, want \"pex\"", c.Addr, c.Source)
		}
		out = append(out, c.Addr)
	}
	return out
}

func TestReceiverRateLimitsEachPeer(t *testing.T) {
	r := NewReceiver(0)
	got, ok := r.Accept(1, Message{Added: peersN(0, 2)}, t0)
	if !ok || !slices.Equal(candidateAddrs(t, got), addrs(peersN(0, 2))) || got[0].Flags != FlagSeed {
		t.Fatalf("first message: %v %v, want both peers with their flags", got, ok)
	}
	if got, ok := r.Accept(1, Message{Added: peersN(2, 1)}, t0.Add(MinReceiveInterval-time.Second)); ok || got != nil {
		t.Fatalf("message %v after %v accepted", got, MinReceiveInterval-time.Second)
	}
	// Another peer is not held back by the first one's timing.
	if got, ok := r.Accept(2, Message{Added: peersN(3, 1)}, t0.Add(time.Second)); !ok || len(got) != 1 {
		t.Fatalf("other peer's message: %v %v", got, ok)
	}
	// The ignored message did not restart peer 1's clock.
	if got, ok := r.Accept(1, Message{Added: peersN(2, 1)}, t0.Add(MinReceiveInterval)); !ok || len(got) != 1 {
		t.Fatalf("message after the interval: %v %v", got, ok)
	}
	r.PeerGone(2)
	if _, ok := r.Accept(2, Message{}, t0.Add(2*time.Second)); !ok {
		t.Fatal("a reconnected peer's first message was refused")
	}
}

func TestReceiverCapsAndDeduplicates(t *testing.T) {
	r := NewReceiver(10)
	got, _ := r.Accept(1, Message{Added: peersN(0, 6)}, t0)
	if len(got) != 6 {
		t.Fatalf("learned %d, want 6", len(got))
	}
	// Peers 4 and 5 are known already; only 4 of 6..11 fit under the cap.
	got, _ = r.Accept(2, Message{Added: peersN(4, 8)}, t0)
	if !slices.Equal(candidateAddrs(t, got), addrs(peersN(6, 4))) || r.Held() != 10 {
		t.Fatalf("learned %v (holding %d), want peers 6-9 and 10 held", candidateAddrs(t, got), r.Held())
	}
	got, _ = r.Accept(3, Message{Added: peersN(20, 1)}, t0)
	if got != nil {
		t.Fatalf("learned %v past the cap", got)
	}
	r.Forget(peersN(0, 1)[0].Addr)
	got, _ = r.Accept(4, Message{Added: peersN(20, 1)}, t0)
	if len(got) != 1 {
		t.Fatalf("after Forget learned %v, want one", got)
	}
}

func TestReceiverCapsOneMessage(t *testing.T) {
	r := NewReceiver(1000)
	got, _ := r.Accept(1, Message{Added: peersN(0, 300)}, t0) // built by hand, past Decode's cap
	if len(got) != MaxPeersPerMessage {
		t.Fatalf("learned %d from one message, want %d", len(got), MaxPeersPerMessage)
	}
}

func TestReceiverDropsUnconnectable(t *testing.T) {
	r := NewReceiver(0)
	msg := Message{Added: []Peer{
		{Addr: ap("10.0.0.1:0")},
		{Addr: ap("0.0.0.0:6881")},
		{Addr: ap("[::]:6881")},
		{Addr: ap("224.0.0.1:6881")},
		{Addr: ap("[ff02::1]:6881")},
		{Addr: ap("255.255.255.255:6881")},
		{},
		{Addr: ap("[::ffff:10.0.0.2]:6881")},
		{Addr: ap("10.0.0.2:6881")}, // the same peer, unmapped
	}}
	got, _ := r.Accept(1, msg, t0)
	if !slices.Equal(candidateAddrs(t, got), []netip.AddrPort{ap("10.0.0.2:6881")}) {
		t.Fatalf("learned %v, want only 10.0.0.2:6881", candidateAddrs(t, got))
	}
}
