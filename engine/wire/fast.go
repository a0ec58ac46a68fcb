package wire

import (
	"crypto/sha1"
	"encoding/binary"
	"net/netip"
)

// AllowedFastSet computes the BEP 6 allowed fast set: k piece indexes a peer
// at ip may request from us even while choked, derived from its address (the
// /24 for IPv4) and the info hash so that every client computes the same set.
// For IPv6 the /48 is used (BEP 6 leaves IPv6 open; this is what libtorrent
// does). Fewer than k indexes are returned when the torrent has fewer pieces.
func AllowedFastSet(k int, numPieces int, infoHash [20]byte, ip netip.Addr) []int {
	if numPieces <= 0 || k <= 0 {
		return nil
	}
	if k > numPieces {
		k = numPieces
	}
	ip = ip.Unmap()
	var x []byte
	if ip.Is4() {
		a := ip.As4()
		x = append(x, a[0], a[1], a[2], 0)
	} else {
		a := ip.As16()
		x = append(x, a[:6]...)
		x = append(x, make([]byte, 10)...)
	}
	x = append(x, infoHash[:]...)
	set := make([]int, 0, k)
	seen := make(map[int]bool, k)
	for len(set) < k {
		sum := sha1.Sum(x)
		x = sum[:]
		for i := 0; i < 5 && len(set) < k; i++ {
			index := int(binary.BigEndian.Uint32(x[i*4:]) % uint32(numPieces))
			if !seen[index] {
				seen[index] = true
				set = append(set, index)
			}
		}
	}
	return set
}
