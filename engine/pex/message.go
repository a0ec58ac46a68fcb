package pex

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/anacrolix/torrent/bencode"
)

// Compact peer sizes: address then big-endian port.
const (
	compactIPv4 = 4 + 2
	compactIPv6 = 16 + 2
)

// MaxPeersPerMessage caps how many added peers, and separately how many
// dropped peers, Decode keeps from one message; the rest are ignored.
// Well-behaved senders stay at 50 (MaxAddedPerSend); some send a couple of
// hundred in their first message.
const MaxPeersPerMessage = 200

// Peer is one added peer and what its sender said about it.
type Peer struct {
	Addr  netip.AddrPort
	Flags Flags
}

// Message is one ut_pex message. IPv4 and IPv6 peers share the lists; the
// encoding splits them.
type Message struct {
	Added   []Peer
	Dropped []netip.AddrPort
}

// wireMessage is the bencoded dictionary of BEP 11.
type wireMessage struct {
	Added    []byte `bencode:"added"`
	AddedF   []byte `bencode:"added.f"`
	Added6   []byte `bencode:"added6"`
	Added6F  []byte `bencode:"added6.f"`
	Dropped  []byte `bencode:"dropped"`
	Dropped6 []byte `bencode:"dropped6"`
}

// Encode returns the message payload. All six keys are written, empty
// when there is nothing to say, as libtorrent does. Invalid addresses are
// left out.
func (m Message) Encode() []byte {
	var w wireMessage
	for _, p := range m.Added {
		a := p.Addr.Addr().Unmap()
		switch {
		case !p.Addr.IsValid():
		case a.Is4():
			w.Added = appendCompact(w.Added, a, p.Addr.Port())
			w.AddedF = append(w.AddedF, byte(p.Flags))
		default:
			w.Added6 = appendCompact(w.Added6, a, p.Addr.Port())
			w.Added6F = append(w.Added6F, byte(p.Flags))
		}
	}
	for _, ap := range m.Dropped {
		a := ap.Addr().Unmap()
		switch {
		case !ap.IsValid():
		case a.Is4():
			w.Dropped = appendCompact(w.Dropped, a, ap.Port())
		default:
			w.Dropped6 = appendCompact(w.Dropped6, a, ap.Port())
		}
	}
	var b []byte
	b = append(b, 'd')
	// Keys in sorted order, as bencode requires.
	for _, kv := range []struct {
		key string
		val []byte
	}{
		{"added", w.Added}, {"added.f", w.AddedF}, {"added6", w.Added6}, {"added6.f", w.Added6F},
		{"dropped", w.Dropped}, {"dropped6", w.Dropped6},
	} {
		b = appendString(b, []byte(kv.key))
		b = appendString(b, kv.val)
	}
	return append(b, 'e')
}

func appendString(b, s []byte) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

func appendCompact(b []byte, a netip.Addr, port uint16) []byte {
	b = append(b, a.AsSlice()...)
	return binary.BigEndian.AppendUint16(b, port)
}

// Decode parses a ut_pex payload. Each peer list must be a whole number of
// compact entries (6 bytes for IPv4, 18 for IPv6), or the message is
// refused. At most MaxPeersPerMessage added and as many dropped peers are
// kept, IPv4 first; the rest are ignored. A flags string shorter than its
// list leaves the missing flags 0, and extra flag bytes are ignored, as
// other clients tolerate both. Unknown keys are ignored.
func Decode(payload []byte) (Message, error) {
	var m Message
	var w wireMessage
	d := bencode.NewDecoder(bytes.NewReader(payload))
	// No string can be longer than the payload holding it; this keeps a
	// claimed length from driving an allocation.
	d.MaxStrLen = int64(len(payload))
	if err := d.Decode(&w); err != nil {
		return m, fmt.Errorf("ut_pex message: %w", err)
	}
	if err := d.ReadEOF(); err != nil {
		return m, fmt.Errorf("ut_pex message: trailing data after the dictionary at byte %d", d.Offset)
	}
	for _, l := range []struct {
		key  string
		list []byte
		size int
	}{
		{"added", w.Added, compactIPv4}, {"added6", w.Added6, compactIPv6},
		{"dropped", w.Dropped, compactIPv4}, {"dropped6", w.Dropped6, compactIPv6},
	} {
		if len(l.list)%l.size != 0 {
			return m, fmt.Errorf("ut_pex message: %s is %d bytes, not a multiple of %d", l.key, len(l.list), l.size)
		}
	}
	m.Added = appendAdded(m.Added, w.Added, w.AddedF, compactIPv4)
	m.Added = appendAdded(m.Added, w.Added6, w.Added6F, compactIPv6)
	m.Dropped = appendDropped(m.Dropped, w.Dropped, compactIPv4)
	m.Dropped = appendDropped(m.Dropped, w.Dropped6, compactIPv6)
	return m, nil
}

// appendAdded appends the peers of one compact list with their flags, up
// to MaxPeersPerMessage in all.
func appendAdded(peers []Peer, list, flags []byte, size int) []Peer {
	for i := 0; i*size < len(list) && len(peers) < MaxPeersPerMessage; i++ {
		p := Peer{Addr: compactAddr(list[i*size : (i+1)*size])}
		if i < len(flags) {
			p.Flags = Flags(flags[i])
		}
		peers = append(peers, p)
	}
	return peers
}

// appendDropped appends the addresses of one compact list, up to
// MaxPeersPerMessage in all.
func appendDropped(addrs []netip.AddrPort, list []byte, size int) []netip.AddrPort {
	for i := 0; i*size < len(list) && len(addrs) < MaxPeersPerMessage; i++ {
		addrs = append(addrs, compactAddr(list[i*size:(i+1)*size]))
	}
	return addrs
}

// compactAddr decodes one 6- or 18-byte entry. IPv4-mapped IPv6 addresses
// are unmapped, so the same peer always compares equal.
func compactAddr(entry []byte) netip.AddrPort {
	n := len(entry) - 2
	a, _ := netip.AddrFromSlice(entry[:n]) // n is 4 or 16: always valid
	return netip.AddrPortFrom(a.Unmap(), binary.BigEndian.Uint16(entry[n:]))
}
