package pex

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// peersN returns n peers 10.1.x.y:6881 with the seed flag.
func peersN(from, n int) []Peer {
	var ps []Peer
	for i := from; i < from+n; i++ {
		ps = append(ps, Peer{Addr: ap(fmt.Sprintf("10.1.%d.%d:6881", i/256, i%256)), Flags: FlagSeed})
	}
	return ps
}

// mustMessage calls Message and decodes what it returns.
func mustMessage(t *testing.T, s *State, now time.Time) (Message, bool) {
	t.Helper()
	payload, ok := s.Message(now)
	if !ok {
		if payload != nil {
			t.Fatal("Message returned a payload with false")
		}
		return Message{}, false
	}
	m, err := Decode(payload)
	if err != nil {
		t.Fatalf("own message does not decode: %v", err)
	}
	return m, true
}

func addrs(ps []Peer) []netip.AddrPort {
	var out []netip.AddrPort
	for _, p := range ps {
		out = append(out, p.Addr)
	}
	return out
}

func TestStateTiming(t *testing.T) {
	s := NewState(ap("192.0.2.1:40000"))
	if _, ok := mustMessage(t, s, t0); ok {
		t.Fatal("a message with nothing to say")
	}
	s.SetPeers(peersN(0, 2))
	m, ok := mustMessage(t, s, t0)
	if !ok || !slices.Equal(m.Added, peersN(0, 2)) || m.Dropped != nil {
		t.Fatalf("first message = %+v %v, want the two peers at once", m, ok)
	}
	s.SetPeers(peersN(1, 2)) // peer 0 gone, peer 2 new
	if _, ok := mustMessage(t, s, t0.Add(SendInterval-time.Second)); ok {
		t.Fatal("second message within a minute")
	}
	m, ok = mustMessage(t, s, t0.Add(SendInterval))
	if !ok || !slices.Equal(m.Added, peersN(2, 1)) || !slices.Equal(m.Dropped, addrs(peersN(0, 1))) {
		t.Fatalf("second message = %+v %v, want peer 2 added and peer 0 dropped", m, ok)
	}
	// Nothing changed: no message, and the clock is not reset by silence.
	if _, ok := mustMessage(t, s, t0.Add(3*SendInterval)); ok {
		t.Fatal("a message although nothing changed")
	}
	s.SetPeers(peersN(1, 3))
	if m, ok = mustMessage(t, s, t0.Add(3*SendInterval+time.Second)); !ok || !slices.Equal(m.Added, peersN(3, 1)) {
		t.Fatalf("after a quiet spell = %+v %v, want peer 3 at once", m, ok)
	}
}

func TestStateCapsAndCarriesOver(t *testing.T) {
	s := NewState()
	s.SetPeers(peersN(0, 120))
	now := t0
	var told []Peer
	for i, want := range []int{50, 50, 20} {
		m, ok := mustMessage(t, s, now)
		if !ok || len(m.Added) != want {
			t.Fatalf("message %d added %d peers, want %d", i, len(m.Added), want)
		}
		told = append(told, m.Added...)
		now = now.Add(SendInterval)
	}
	if !slices.Equal(told, peersN(0, 120)) {
		t.Fatal("the three messages did not tell every peer exactly once, in order")
	}
	s.SetPeers(peersN(200, 60)) // all 120 gone, 60 new
	m, _ := mustMessage(t, s, now)
	if len(m.Added) != MaxAddedPerSend || len(m.Dropped) != MaxDroppedPerSend {
		t.Fatalf("added %d dropped %d, want %d and %d", len(m.Added), len(m.Dropped), MaxAddedPerSend, MaxDroppedPerSend)
	}
	m, _ = mustMessage(t, s, now.Add(SendInterval))
	if len(m.Added) != 10 || len(m.Dropped) != 50 {
		t.Fatalf("next message added %d dropped %d, want 10 and 50", len(m.Added), len(m.Dropped))
	}
	m, _ = mustMessage(t, s, now.Add(2*SendInterval))
	if len(m.Added) != 0 || len(m.Dropped) != 20 {
		t.Fatalf("last message added %d dropped %d, want 0 and 20", len(m.Added), len(m.Dropped))
	}
}

func TestStateNeverTellsAPeerAboutItself(t *testing.T) {
	remote, listen := ap("10.1.0.1:50000"), ap("10.1.0.1:6881")
	s := NewState(remote, listen)
	others := peersN(2, 2)
	s.SetPeers(append([]Peer{{Addr: listen}, {Addr: netip.AddrPortFrom(netip.MustParseAddr("::ffff:10.1.0.1"), 50000)}}, others...))
	m, ok := mustMessage(t, s, t0)
	if !ok || !slices.Equal(m.Added, others) {
		t.Fatalf("message = %+v, want only the other peers", m)
	}
	// Nor is it told that it dropped itself.
	s.SetPeers(others)
	if m, ok := mustMessage(t, s, t0.Add(SendInterval)); ok {
		t.Fatalf("message %+v although only the peer itself left", m)
	}
}

func TestStateIgnoresInvalidAddresses(t *testing.T) {
	s := NewState()
	s.SetPeers([]Peer{{}, {Addr: ap("10.0.0.1:1")}})
	m, ok := mustMessage(t, s, t0)
	if !ok || len(m.Added) != 1 {
		t.Fatalf("message = %+v, want the one valid peer", m)
	}
}
