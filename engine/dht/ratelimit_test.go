package dht

import (
	"net/netip"
	"testing"
	"time"
)

func TestSourceLimiter(t *testing.T) {
	l := newSourceLimiter[netip.Addr](10, 20)
	a := netip.MustParseAddr("192.0.2.1")
	b := netip.MustParseAddr("192.0.2.2")
	allowed := 0
	for range 100 {
		if l.Allow(a, t0) {
			allowed++
		}
	}
	if allowed != 20 {
		t.Fatalf("burst allowed %d queries at one instant, want 20", allowed)
	}
	if !l.Allow(b, t0) {
		t.Fatal("another source was limited by the first one's flood")
	}
	// One second refills 10 tokens.
	allowed = 0
	for range 100 {
		if l.Allow(a, t0.Add(time.Second)) {
			allowed++
		}
	}
	if allowed != 10 {
		t.Fatalf("after 1 s allowed %d, want 10", allowed)
	}
}

func TestSourceLimiterStaysBounded(t *testing.T) {
	l := newSourceLimiter[netip.Addr](10, 20)
	now := t0
	for i := range 5 * maxLimiters {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.Allow(ip, now)
		l.Allow(ip, now) // busy sources: not refilled, so not swept as idle
		if l.Len() > maxLimiters {
			t.Fatalf("%d limiters tracked, cap %d", l.Len(), maxLimiters)
		}
	}
}
