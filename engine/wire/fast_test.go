package wire

import (
	"bytes"
	"net/netip"
	"reflect"
	"testing"
)

// TestAllowedFastSetBEP6Vector checks the example in BEP 6: a torrent of
// 1313 pieces, info hash 0xaa repeated, peer 80.4.4.200.
func TestAllowedFastSetBEP6Vector(t *testing.T) {
	var hash [20]byte
	copy(hash[:], bytes.Repeat([]byte{0xaa}, 20))
	ip := netip.MustParseAddr("80.4.4.200")
	if got, want := AllowedFastSet(7, 1313, hash, ip), []int{1059, 431, 808, 1217, 287, 376, 1188}; !reflect.DeepEqual(got, want) {
		t.Errorf("k=7: got %v, want %v", got, want)
	}
	if got, want := AllowedFastSet(9, 1313, hash, ip), []int{1059, 431, 808, 1217, 287, 376, 1188, 353, 508}; !reflect.DeepEqual(got, want) {
		t.Errorf("k=9: got %v, want %v", got, want)
	}
	// Only the /24 counts.
	if got := AllowedFastSet(7, 1313, hash, netip.MustParseAddr("80.4.4.1")); got[0] != 1059 {
		t.Errorf("same /24 gave a different set: %v", got)
	}
}

func TestAllowedFastSetSmallTorrent(t *testing.T) {
	got := AllowedFastSet(10, 3, [20]byte{}, netip.MustParseAddr("127.0.0.1"))
	if len(got) != 3 {
		t.Fatalf("3-piece torrent: got %v, want all 3 pieces", got)
	}
	if AllowedFastSet(10, 0, [20]byte{}, netip.MustParseAddr("127.0.0.1")) != nil {
		t.Fatal("empty torrent should have no allowed fast set")
	}
	if len(AllowedFastSet(4, 100, [20]byte{}, netip.MustParseAddr("::1"))) != 4 {
		t.Fatal("IPv6 peer got no allowed fast set")
	}
}
