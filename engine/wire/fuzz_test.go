package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadMessage feeds arbitrary bytes to the message decoder: it must
// never panic, never return a message longer than the cap, and whatever it
// decodes must encode back to the bytes it consumed.
func FuzzReadMessage(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(m.Append(nil))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 7})
	f.Add(frame(4, []byte{1, 2, 3}))
	f.Add(frame(99, []byte("unknown")))
	const maxLength = MaxPieceMessage
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		buf := make([]byte, BlockSize)
		for {
			before := r.Len()
			m, err := ReadMessage(r, maxLength, buf)
			if err != nil {
				if errors.Is(err, io.EOF) && before != 0 && r.Len() != 0 {
					t.Fatalf("io.EOF in the middle of the input")
				}
				return
			}
			consumed := data[len(data)-before : len(data)-r.Len()]
			if len(consumed) > maxLength+4 {
				t.Fatalf("consumed %d bytes with a cap of %d", len(consumed), maxLength)
			}
			if _, known := idNames[m.ID]; (known || m.KeepAlive) && !bytes.Equal(m.Append(nil), consumed) {
				t.Fatalf("%v re-encodes to %x, read from %x", m, m.Append(nil), consumed)
			}
		}
	})
}

// FuzzReadHandshake: arbitrary bytes either fail or decode to a handshake
// that encodes back to the same 68 bytes.
func FuzzReadHandshake(f *testing.F) {
	f.Add(AppendHandshake(nil, Handshake{PeerID: id("-qB4520-")}))
	f.Add([]byte("\x13BitTorrent protocol"))
	f.Add(bytes.Repeat([]byte{0}, HandshakeLength))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHandshake(bytes.NewReader(data))
		if err != nil {
			return
		}
		if !bytes.Equal(AppendHandshake(nil, h), data[:HandshakeLength]) {
			t.Fatalf("handshake %+v does not re-encode to its input", h)
		}
		_ = ClientName(h.PeerID)
	})
}

// FuzzParseExtendedHandshake: arbitrary payloads never panic, and what
// decodes re-encodes to something that decodes to the same thing.
func FuzzParseExtendedHandshake(f *testing.F) {
	f.Add([]byte("d1:md11:ut_metadatai1e6:ut_pexi2ee4:reqqi250e1:v1:xe"))
	f.Add([]byte("d1:md6:ut_pex3:abce1:pi-0e1:v5:hello4:reqq3:bade"))
	f.Add([]byte("d6:yourip4:\x7f\x00\x00\x014:ipv416:0123456789abcdefe"))
	f.Add([]byte("d1:pi99999999999999999999999ee"))
	f.Add([]byte("llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllle"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseExtendedHandshake(data)
		if err != nil {
			return
		}
		again, err := ParseExtendedHandshake(h.Encode())
		if err != nil {
			t.Fatalf("re-encoded handshake %q does not decode: %v", h.Encode(), err)
		}
		if again.V != h.V || again.Reqq != h.Reqq || again.Port != h.Port || len(again.M) != len(h.M) {
			t.Fatalf("re-decode differs: %+v vs %+v", again, h)
		}
	})
}
