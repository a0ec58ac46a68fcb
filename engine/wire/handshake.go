package wire

import (
	"errors"
	"fmt"
	"io"
)

// Reserved is the 8-byte capability field of the handshake.
type Reserved [8]byte

// Capability bits in the reserved field (byte index, mask).
const (
	extensionByte, extensionMask = 5, 0x10 // BEP 10 extension protocol
	fastByte, fastMask           = 7, 0x04 // BEP 6 fast extension
	dhtByte, dhtMask             = 7, 0x01 // BEP 5 DHT (port message)
)

// SupportsExtensions reports the BEP 10 extension protocol bit.
func (r Reserved) SupportsExtensions() bool { return r[extensionByte]&extensionMask != 0 }

// SupportsFast reports the BEP 6 fast extension bit.
func (r Reserved) SupportsFast() bool { return r[fastByte]&fastMask != 0 }

// SupportsDHT reports the BEP 5 DHT bit.
func (r Reserved) SupportsDHT() bool { return r[dhtByte]&dhtMask != 0 }

// SetExtensions sets or clears the BEP 10 bit.
func (r *Reserved) SetExtensions(on bool) { r.set(extensionByte, extensionMask, on) }

// SetFast sets or clears the BEP 6 bit.
func (r *Reserved) SetFast(on bool) { r.set(fastByte, fastMask, on) }

// SetDHT sets or clears the BEP 5 bit.
func (r *Reserved) SetDHT(on bool) { r.set(dhtByte, dhtMask, on) }

func (r *Reserved) set(i int, mask byte, on bool) {
	if on {
		r[i] |= mask
	} else {
		r[i] &^= mask
	}
}

// Handshake is the first thing each side sends: capabilities, the info hash
// of the torrent it wants and its peer ID.
type Handshake struct {
	Reserved Reserved
	InfoHash [20]byte
	PeerID   [20]byte
}

// ErrBadProtocol is returned when the handshake does not start with
// "\x13BitTorrent protocol" (e.g. an encrypted or non-BitTorrent stream).
var ErrBadProtocol = errors.New("handshake: not the BitTorrent protocol")

// AppendHandshake appends the 68-byte wire form of h to b.
func AppendHandshake(b []byte, h Handshake) []byte {
	b = append(b, byte(len(Protocol)))
	b = append(b, Protocol...)
	b = append(b, h.Reserved[:]...)
	b = append(b, h.InfoHash[:]...)
	return append(b, h.PeerID[:]...)
}

// WriteHandshake writes h in one write.
func WriteHandshake(w io.Writer, h Handshake) error {
	_, err := w.Write(AppendHandshake(make([]byte, 0, HandshakeLength), h))
	if err != nil {
		return fmt.Errorf("handshake: write: %w", err)
	}
	return nil
}

// ReadHandshake reads a complete 68-byte handshake.
func ReadHandshake(r io.Reader) (Handshake, error) {
	var buf [HandshakeLength]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return Handshake{}, fmt.Errorf("handshake: read: %w", err)
	}
	return ParseHandshake(buf[:])
}

// ParseHandshake decodes a handshake from exactly HandshakeLength bytes.
func ParseHandshake(b []byte) (Handshake, error) {
	var h Handshake
	if len(b) != HandshakeLength {
		return h, fmt.Errorf("handshake: %d bytes, want %d", len(b), HandshakeLength)
	}
	if b[0] != byte(len(Protocol)) || string(b[1:1+len(Protocol)]) != Protocol {
		return h, ErrBadProtocol
	}
	p := 1 + len(Protocol)
	copy(h.Reserved[:], b[p:p+8])
	copy(h.InfoHash[:], b[p+8:p+28])
	copy(h.PeerID[:], b[p+28:p+48])
	return h, nil
}
