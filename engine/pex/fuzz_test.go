package pex

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// FuzzDecodePEX feeds arbitrary payloads to Decode: it must return an error
// or a message within the caps that survives a round trip, and never
// panic.
func FuzzDecodePEX(f *testing.F) {
	f.Add([]byte("de"))
	f.Add([]byte("d5:added6:\x0a\x00\x00\x01\x1a\xe17:added.f1:\x02e"))
	f.Add([]byte("d6:added618:\x20\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe18:added6.f0:e"))
	f.Add([]byte("d7:dropped6:\x01\x02\x03\x04\x00\x058:dropped618:\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04\x00\x05e"))
	f.Add([]byte("d5:added5:12345e"))
	f.Add([]byte("d5:added999:xe"))
	f.Add([]byte("dejunk"))
	f.Add([]byte("d1:x" + strings.Repeat("l", 100) + strings.Repeat("e", 100) + "e"))
	f.Add([]byte("d5:added" + "1200:" + strings.Repeat("\x01\x02\x03\x04\x00\x05", 200) + "e"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := Decode(payload)
		if err != nil {
			return
		}
		if len(m.Added) > MaxPeersPerMessage || len(m.Dropped) > MaxPeersPerMessage {
			t.Fatalf("kept %d added and %d dropped, cap %d", len(m.Added), len(m.Dropped), MaxPeersPerMessage)
		}
		for _, p := range m.Added {
			if !p.Addr.IsValid() || p.Addr.Addr().Is4In6() {
				t.Fatalf("added address %v is invalid or still mapped", p.Addr)
			}
		}
		again, err := Decode(m.Encode())
		if err != nil {
			t.Fatalf("own encoding does not decode: %v", err)
		}
		if len(again.Added) != len(m.Added) || len(again.Dropped) != len(m.Dropped) {
			t.Fatalf("round trip changed the lists: %d/%d -> %d/%d", len(m.Added), len(m.Dropped), len(again.Added), len(again.Dropped))
		}
		// Order carries no meaning and may change (a mapped address listed
		// in added6 is re-encoded in added), but each peer keeps its flags.
		byAddr := func(a, b Peer) int { return a.Addr.Compare(b.Addr) }
		if !slices.Equal(slices.SortedFunc(slices.Values(m.Added), byAddr), slices.SortedFunc(slices.Values(again.Added), byAddr)) {
			t.Fatalf("added changed in the round trip: %v -> %v", m.Added, again.Added)
		}
		if !slices.Equal(slices.SortedFunc(slices.Values(m.Dropped), netip.AddrPort.Compare), slices.SortedFunc(slices.Values(again.Dropped), netip.AddrPort.Compare)) {
			t.Fatalf("dropped changed in the round trip: %v -> %v", m.Dropped, again.Dropped)
		}
	})
}
