package dht

import (
	"bytes"
	"testing"
)

// FuzzDecodeMessage feeds arbitrary datagrams to the KRPC decoder: it must
// never panic, and whatever it accepts must satisfy what the handlers rely
// on and survive a re-encode.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range []string{
		"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
		"d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
		"d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
		"d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
		"d1:rd2:id20:0123456789abcdefghij5:nodes26:abcdefghij0123456789\x7f\x00\x00\x01\x1a\xe15:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
		"d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
		"d1:t2:aa1:y1:q1:x5000:e",
		"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qeXX",
		"le",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(b)
		if err != nil {
			return
		}
		if m.T == "" || len(m.T) > maxTransactionIDLen {
			t.Fatalf("accepted transaction id %q", m.T)
		}
		switch m.Y {
		case "q":
			if m.A == nil || len(m.A.ID) != IDLen || m.Q == "" {
				t.Fatalf("accepted query %+v", m)
			}
		case "r":
			if m.R == nil || len(m.R.ID) != IDLen {
				t.Fatalf("accepted response %+v", m)
			}
		case "e":
			if m.E == nil {
				t.Fatal("accepted error without e")
			}
		default:
			t.Fatalf("accepted kind %q", m.Y)
		}
		enc, err := encodeMessage(m)
		if err != nil {
			t.Fatalf("re-encoding an accepted message: %v", err)
		}
		again, err := decodeMessage(enc)
		if err != nil && len(enc) <= MaxPacketSize {
			t.Fatalf("re-encoded message %q does not decode: %v", enc, err)
		}
		if again != nil && (again.T != m.T || again.Y != m.Y || again.Q != m.Q) {
			t.Fatalf("re-encode changed the message: %+v vs %+v", again, m)
		}
	})
}

// FuzzCompactNodes feeds arbitrary "nodes"/"nodes6" strings to the
// compact node info parser and checks what it returns.
func FuzzCompactNodes(f *testing.F) {
	f.Add([]byte("abcdefghij0123456789\x7f\x00\x00\x01\x1a\xe1"), false)
	f.Add([]byte("abcdefghij0123456789\x7f\x00\x00\x01\x00\x00"), false)
	f.Add([]byte("abcdefghij0123456789\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1"), true)
	f.Add([]byte("short"), false)
	f.Fuzz(func(t *testing.T, b []byte, ipv6 bool) {
		nodes, err := parseCompactNodes(b, ipv6, maxNodesPerAnswer)
		if err != nil {
			return
		}
		if len(nodes) > maxNodesPerAnswer {
			t.Fatalf("%d nodes beyond the limit", len(nodes))
		}
		for _, n := range nodes {
			if !validPeerAddr(n.Addr) || n.Addr.Addr().Is6() != ipv6 {
				t.Fatalf("invalid node address %v", n.Addr)
			}
			enc := appendCompactNodes(nil, []NodeAddr{n}, n.Addr.Addr().Is6())
			if !bytes.Contains(b, enc[:IDLen]) {
				t.Fatalf("node id %x not from the input", n.ID)
			}
		}
	})
}

// FuzzCompactPeer checks the 6/18-byte compact peer parser.
func FuzzCompactPeer(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1, 0x1a, 0xe1})
	f.Add([]byte{127, 0, 0, 1, 0, 0})
	f.Add(make([]byte, 18))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseCompactPeer(b)
		if err != nil {
			return
		}
		if !validPeerAddr(a) {
			t.Fatalf("accepted %v", a)
		}
		// IPv4-mapped IPv6 addresses come back as 6 bytes; all else exactly.
		if enc := appendCompactPeer(nil, a); !bytes.Equal(enc, b) && !(len(b) == 18 && a.Addr().Is4()) {
			t.Fatalf("round trip %x -> %v -> %x", b, a, enc)
		}
	})
}
