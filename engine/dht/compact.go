package dht

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Sizes of the compact encodings of BEP 5 (IPv4) and BEP 32 (IPv6).
const (
	compactPeerLen4   = 4 + 2      // IPv4 address, port
	compactPeerLen6   = 16 + 2     // IPv6 address, port
	compactNodeLen4   = IDLen + 6  // id, IPv4 address, port: 26 bytes
	compactNodeLen6   = IDLen + 18 // id, IPv6 address, port: 38 bytes
	maxNodesPerPacket = 4096 / compactNodeLen4
)

// NodeAddr is a node as it travels in "nodes"/"nodes6": its id and UDP
// address.
type NodeAddr struct {
	ID   ID
	Addr netip.AddrPort
}

// validPeerAddr reports whether a is usable as a peer or node address: a
// real unicast-or-loopback address with a non-zero port.
func validPeerAddr(a netip.AddrPort) bool {
	ip := a.Addr()
	return a.Port() != 0 && ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast()
}

// appendCompactPeer appends the 6-byte (IPv4) or 18-byte (IPv6) compact
// peer info of a.
func appendCompactPeer(b []byte, a netip.AddrPort) []byte {
	ip := a.Addr().Unmap()
	b = append(b, ip.AsSlice()...)
	return binary.BigEndian.AppendUint16(b, a.Port())
}

// parseCompactPeer decodes one compact peer info of 6 or 18 bytes.
func parseCompactPeer(b []byte) (netip.AddrPort, error) {
	if len(b) != compactPeerLen4 && len(b) != compactPeerLen6 {
		return netip.AddrPort{}, fmt.Errorf("dht: compact peer info is %d bytes, want 6 or 18", len(b))
	}
	ip, _ := netip.AddrFromSlice(b[:len(b)-2])
	a := netip.AddrPortFrom(ip.Unmap(), binary.BigEndian.Uint16(b[len(b)-2:]))
	if !validPeerAddr(a) {
		return netip.AddrPort{}, fmt.Errorf("dht: compact peer info %v is not a usable address", a)
	}
	return a, nil
}

// appendCompactNodes appends the compact node infos of nodes whose address
// family matches ipv6 (26 bytes each for IPv4, 38 for IPv6).
func appendCompactNodes(b []byte, nodes []NodeAddr, ipv6 bool) []byte {
	for _, n := range nodes {
		ip := n.Addr.Addr().Unmap()
		if ip.Is6() != ipv6 {
			continue
		}
		b = append(b, n.ID[:]...)
		b = appendCompactPeer(b, netip.AddrPortFrom(ip, n.Addr.Port()))
	}
	return b
}

// parseCompactNodes decodes a "nodes" (ipv6 false) or "nodes6" string.
// A length that is not a multiple of the entry size is an error; entries
// with port 0 or an unusable address are skipped, and at most limit
// entries are read.
func parseCompactNodes(b []byte, ipv6 bool, limit int) ([]NodeAddr, error) {
	size := compactNodeLen4
	if ipv6 {
		size = compactNodeLen6
	}
	if len(b)%size != 0 {
		return nil, fmt.Errorf("dht: compact node info is %d bytes, not a multiple of %d", len(b), size)
	}
	count := min(len(b)/size, limit)
	nodes := make([]NodeAddr, 0, count)
	for i := range count {
		entry := b[i*size : (i+1)*size]
		if ipv6 && netip.AddrFrom16([16]byte(entry[IDLen:IDLen+16])).Is4In6() {
			continue // an IPv4 node has no place in an IPv6 table
		}
		addr, err := parseCompactPeer(entry[IDLen:])
		if err != nil {
			continue
		}
		var id ID
		copy(id[:], entry[:IDLen])
		nodes = append(nodes, NodeAddr{ID: id, Addr: addr})
	}
	return nodes, nil
}
