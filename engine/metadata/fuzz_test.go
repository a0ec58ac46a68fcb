package metadata

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodeMetadataMessage feeds arbitrary payloads to DecodeMessage: it
// must return an error or a message that is consistent with itself and
// survives a round trip, and never panic.
func FuzzDecodeMetadataMessage(f *testing.F) {
	f.Add([]byte("d8:msg_typei0e5:piecei0ee"))
	f.Add([]byte("d8:msg_typei2e5:piecei3ee"))
	f.Add([]byte("d8:msg_typei1e5:piecei0e10:total_sizei3eeabc"))
	f.Add([]byte("d8:msg_typei1e5:piecei1e10:total_sizei16390eeabcdef"))
	f.Add([]byte("d1:ald1:xi1eee8:msg_typei0e5:piecei0ee"))
	f.Add([]byte("d8:msg_typei0e5:piecei0eetrailing"))
	f.Add([]byte("d8:msg_typei1e5:piecei0e10:total_sizei99999999999eex"))
	f.Add([]byte("d1:x" + strings.Repeat("l", 100) + strings.Repeat("e", 100) + "e"))
	f.Add([]byte("d999999999:x"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := DecodeMessage(payload)
		if err != nil {
			return
		}
		if m.Piece < 0 || m.Piece >= maxPieces {
			t.Fatalf("accepted piece %d", m.Piece)
		}
		switch m.Type {
		case Request, Reject:
			if m.Data != nil || m.TotalSize != 0 {
				t.Fatalf("%v carries data or a size: %+v", m.Type, m)
			}
		case Data:
			if m.TotalSize <= 0 || m.TotalSize > MaxSize || m.Piece >= NumPieces(m.TotalSize) {
				t.Fatalf("data with total_size %d piece %d accepted", m.TotalSize, m.Piece)
			}
			if len(m.Data) != pieceLength(m.TotalSize, m.Piece) || !bytes.HasSuffix(payload, m.Data) {
				t.Fatalf("data of %d bytes is not the right tail of the payload", len(m.Data))
			}
		default:
			t.Fatalf("accepted msg_type %d", m.Type)
		}
		again, err := DecodeMessage(m.Encode())
		if err != nil {
			t.Fatalf("own encoding of %v does not decode: %v", m.Type, err)
		}
		if again.Type != m.Type || again.Piece != m.Piece || again.TotalSize != m.TotalSize || !bytes.Equal(again.Data, m.Data) {
			t.Fatalf("round trip changed the message: %v piece %d -> %v piece %d", m.Type, m.Piece, again.Type, again.Piece)
		}
	})
}
