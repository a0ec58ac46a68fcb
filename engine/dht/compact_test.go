package dht

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

func TestCompactPeerRoundTrip(t *testing.T) {
	for _, s := range []string{"192.0.2.7:6881", "[2001:db8::7]:51413", "127.0.0.1:1"} {
		a := netip.MustParseAddrPort(s)
		b := appendCompactPeer(nil, a)
		if want := map[bool]int{false: 6, true: 18}[a.Addr().Is6()]; len(b) != want {
			t.Fatalf("%s encodes to %d bytes, want %d", s, len(b), want)
		}
		got, err := parseCompactPeer(b)
		if err != nil || got != a {
			t.Fatalf("%s round trip: %v, %v", s, got, err)
		}
	}
	// An IPv4-mapped IPv6 address travels as plain IPv4.
	if b := appendCompactPeer(nil, netip.MustParseAddrPort("[::ffff:192.0.2.7]:80")); len(b) != 6 {
		t.Fatalf("mapped address encoded in %d bytes", len(b))
	}
}

func TestCompactPeerRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"short":       {1, 2, 3},
		"7 bytes":     {1, 2, 3, 4, 5, 6, 7},
		"port 0":      {192, 0, 2, 1, 0, 0},
		"unspecified": {0, 0, 0, 0, 0x1a, 0xe1},
		"multicast":   {224, 0, 0, 1, 0x1a, 0xe1},
	} {
		if a, err := parseCompactPeer(b); err == nil {
			t.Errorf("%s: parsed %v", name, a)
		}
	}
}

func TestCompactNodesRoundTripAndSkipInvalid(t *testing.T) {
	nodes := []NodeAddr{
		{RandomID(), netip.MustParseAddrPort("192.0.2.1:6881")},
		{RandomID(), netip.MustParseAddrPort("[2001:db8::1]:6881")},
		{RandomID(), netip.MustParseAddrPort("192.0.2.2:1")},
	}
	v4 := appendCompactNodes(nil, nodes, false)
	v6 := appendCompactNodes(nil, nodes, true)
	if len(v4) != 2*compactNodeLen4 || len(v6) != compactNodeLen6 {
		t.Fatalf("encoded %d and %d bytes", len(v4), len(v6))
	}
	got4, err := parseCompactNodes(v4, false, 100)
	if err != nil || len(got4) != 2 || got4[0] != nodes[0] || got4[1] != nodes[2] {
		t.Fatalf("nodes: %v, %v", got4, err)
	}
	got6, err := parseCompactNodes(v6, true, 100)
	if err != nil || len(got6) != 1 || got6[0] != nodes[1] {
		t.Fatalf("nodes6: %v, %v", got6, err)
	}
	// Port 0 entries are skipped; a ragged length is an error; limit holds.
	bad := append(bytes.Clone(v4), []byte(strings.Repeat("z", 20)+"\x0a\x00\x00\x01\x00\x00")...)
	if got, err := parseCompactNodes(bad, false, 100); err != nil || len(got) != 2 {
		t.Fatalf("with a port-0 entry: %v, %v", got, err)
	}
	if _, err := parseCompactNodes(v4[:25], false, 100); err == nil {
		t.Fatal("25-byte nodes accepted")
	}
	if got, _ := parseCompactNodes(v4, false, 1); len(got) != 1 {
		t.Fatalf("limit 1 gave %d nodes", len(got))
	}
}

func TestIDDistance(t *testing.T) {
	var a, b ID
	if a.CommonPrefixLen(b) != IDBits {
		t.Fatal("equal ids do not share all bits")
	}
	b[0] = 0x80
	if a.CommonPrefixLen(b) != 0 {
		t.Fatal("ids differing in the first bit share a prefix")
	}
	b = ID{}
	b[2] = 0x10 // bit 19
	if got := a.CommonPrefixLen(b); got != 19 {
		t.Fatalf("common prefix %d, want 19", got)
	}
	c := ID{}
	c[2] = 0x20
	if !closer(a, b, c) || closer(a, c, b) {
		t.Fatal("XOR order wrong")
	}
	if _, err := IDFromBytes(make([]byte, 19)); err == nil {
		t.Fatal("19-byte id accepted")
	}
	for bits := range 40 {
		id := randomIDWithPrefix(a, bits, true)
		if got := a.CommonPrefixLen(id); got != bits {
			t.Fatalf("randomIDWithPrefix(%d, flip) shares %d bits", bits, got)
		}
	}
}
