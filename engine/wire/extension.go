package wire

import (
	"bytes"
	"fmt"
	"net/netip"
	"sort"

	"github.com/anacrolix/torrent/bencode"
)

// ExtendedHandshakeID is the extended message ID of the BEP 10 handshake.
const ExtendedHandshakeID = 0

// Names of the extensions later parts of the engine speak (BEP 9, BEP 11).
const (
	ExtensionMetadata = "ut_metadata"
	ExtensionPEX      = "ut_pex"
)

// ExtendedHandshake is the BEP 10 handshake dictionary. Unknown keys are
// ignored when decoding; zero values are left out when encoding.
type ExtendedHandshake struct {
	// M maps extension names to the message IDs the sender wants to receive
	// them on; ID 0 means the sender disabled that extension.
	M map[string]int
	// V is the client name and version, e.g. "Swarmscope 0.1".
	V string
	// Port is the sender's listen port ("p"), 0 when absent.
	Port int
	// Reqq is how many outstanding requests the sender keeps without dropping.
	Reqq int
	// YourIP is the address the sender sees us at, if it said.
	YourIP netip.Addr
	// IPv4 and IPv6 are the sender's own addresses, if it said.
	IPv4, IPv6 netip.Addr
	// MetadataSize is the info dictionary size in bytes (BEP 9), 0 when absent.
	MetadataSize int
}

// Limits on what a peer may claim, so a hostile number cannot drive an
// allocation later on.
const (
	maxReqq         = 1 << 16
	maxMetadataSize = 64 << 20
)

// Encode returns the bencoded dictionary.
func (h ExtendedHandshake) Encode() []byte {
	var b bytes.Buffer
	b.WriteByte('d')
	// Keys in sorted order, as bencode requires.
	m := h.M
	if m == nil {
		m = map[string]int{}
	}
	writeStr(&b, "m")
	b.WriteByte('d')
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		writeStr(&b, k)
		writeInt(&b, int64(m[k]))
	}
	b.WriteByte('e')
	if h.IPv4.Is4() {
		writeStr(&b, "ipv4")
		a := h.IPv4.As4()
		writeStr(&b, string(a[:]))
	}
	if h.IPv6.Is6() && !h.IPv6.Is4In6() {
		writeStr(&b, "ipv6")
		a := h.IPv6.As16()
		writeStr(&b, string(a[:]))
	}
	if h.MetadataSize > 0 {
		writeStr(&b, "metadata_size")
		writeInt(&b, int64(h.MetadataSize))
	}
	if h.Port > 0 {
		writeStr(&b, "p")
		writeInt(&b, int64(h.Port))
	}
	if h.Reqq > 0 {
		writeStr(&b, "reqq")
		writeInt(&b, int64(h.Reqq))
	}
	if h.V != "" {
		writeStr(&b, "v")
		writeStr(&b, h.V)
	}
	if h.YourIP.IsValid() {
		writeStr(&b, "yourip")
		ip := h.YourIP.Unmap()
		writeStr(&b, string(ip.AsSlice()))
	}
	b.WriteByte('e')
	return b.Bytes()
}

func writeStr(b *bytes.Buffer, s string) {
	fmt.Fprintf(b, "%d:%s", len(s), s)
}

func writeInt(b *bytes.Buffer, v int64) {
	fmt.Fprintf(b, "i%de", v)
}

// ParseExtendedHandshake decodes a BEP 10 handshake. It is lenient about
// fields of the wrong type (they are ignored, as other clients do) but the
// payload must be a bencoded dictionary, and numbers must be in sane ranges.
func ParseExtendedHandshake(payload []byte) (ExtendedHandshake, error) {
	var h ExtendedHandshake
	var raw map[string]bencode.Bytes
	d := bencode.NewDecoder(bytes.NewReader(payload))
	d.MaxStrLen = MaxExtendedMessage
	if err := d.Decode(&raw); err != nil {
		return h, fmt.Errorf("extension handshake: %w", err)
	}
	if mRaw, ok := raw["m"]; ok {
		var m map[string]bencode.Bytes
		if err := bencode.Unmarshal(mRaw, &m); err == nil {
			h.M = make(map[string]int, len(m))
			for name, v := range m {
				var id int64
				if bencode.Unmarshal(v, &id) == nil && id >= 0 && id <= 255 {
					h.M[name] = int(id)
				}
			}
		}
	}
	var s string
	if v, ok := raw["v"]; ok && bencode.Unmarshal(v, &s) == nil {
		h.V = s
	}
	intField := func(key string, max int64) (int, error) {
		v, ok := raw[key]
		if !ok {
			return 0, nil
		}
		var n int64
		if bencode.Unmarshal(v, &n) != nil {
			return 0, nil // wrong type: ignore, as other clients do
		}
		if n < 0 || n > max {
			return 0, fmt.Errorf("extension handshake: %s = %d out of range [0, %d]", key, n, max)
		}
		return int(n), nil
	}
	var err error
	if h.Port, err = intField("p", 65535); err != nil {
		return h, err
	}
	if h.Reqq, err = intField("reqq", maxReqq); err != nil {
		return h, err
	}
	if h.MetadataSize, err = intField("metadata_size", maxMetadataSize); err != nil {
		return h, err
	}
	ipField := func(key string) netip.Addr {
		var b []byte
		if v, ok := raw[key]; ok && bencode.Unmarshal(v, &b) == nil {
			if a, ok := netip.AddrFromSlice(b); ok {
				return a
			}
		}
		return netip.Addr{}
	}
	h.YourIP = ipField("yourip")
	if a := ipField("ipv4"); a.Is4() {
		h.IPv4 = a
	}
	if a := ipField("ipv6"); a.Is6() {
		h.IPv6 = a
	}
	return h, nil
}
