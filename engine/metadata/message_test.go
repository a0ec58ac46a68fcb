package metadata

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestMessageRoundTrip(t *testing.T) {
	full := bytes.Repeat([]byte{0xAB}, PieceSize)
	tests := []struct {
		name string
		msg  Message
		wire string // the dictionary part of the encoding
	}{
		{"request", Message{Type: Request, Piece: 0}, "d8:msg_typei0e5:piecei0ee"},
		{"request last possible piece", Message{Type: Request, Piece: maxPieces - 1}, "d8:msg_typei0e5:piecei511ee"},
		{"reject", Message{Type: Reject, Piece: 7}, "d8:msg_typei2e5:piecei7ee"},
		{"data full piece", Message{Type: Data, Piece: 0, TotalSize: PieceSize + 5, Data: full}, "d8:msg_typei1e5:piecei0e10:total_sizei16389ee"},
		{"data short last piece", Message{Type: Data, Piece: 1, TotalSize: PieceSize + 5, Data: []byte("12345")}, "d8:msg_typei1e5:piecei1e10:total_sizei16389ee"},
		{"data single one-byte piece", Message{Type: Data, Piece: 0, TotalSize: 1, Data: []byte("x")}, "d8:msg_typei1e5:piecei0e10:total_sizei1ee"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := tc.msg.Encode()
			if want := tc.wire + string(tc.msg.Data); string(enc) != want {
				t.Fatalf("Encode = %q, want %q", trim(enc), trim([]byte(want)))
			}
			got, err := DecodeMessage(enc)
			if err != nil {
				t.Fatalf("DecodeMessage: %v", err)
			}
			if got.Type != tc.msg.Type || got.Piece != tc.msg.Piece || got.TotalSize != tc.msg.TotalSize || !bytes.Equal(got.Data, tc.msg.Data) {
				t.Fatalf("round trip = %+v, want %+v", got, tc.msg)
			}
		})
	}
}

// Other clients add keys of their own and order them as they like; the
// decoder reads what it knows and skips the rest.
func TestDecodeMessageTolerates(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Message
	}{
		{"unsorted keys", "d5:piecei3e8:msg_typei0ee", Message{Type: Request, Piece: 3}},
		{"unknown int key", "d8:msg_typei2e5:piecei1e4:zzzzi99ee", Message{Type: Reject, Piece: 1}},
		{"unknown nested key", "d1:ald1:xi1eee8:msg_typei0e5:piecei0ee", Message{Type: Request, Piece: 0}},
		{"total_size on a request", "d8:msg_typei0e5:piecei0e10:total_sizei5ee", Message{Type: Request, Piece: 0}},
		{"data with trailing dict-like bytes", "d8:msg_typei1e5:piecei0e10:total_sizei3eeeee", Message{Type: Data, TotalSize: 3, Data: []byte("eee")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeMessage([]byte(tc.payload))
			if err != nil {
				t.Fatalf("DecodeMessage(%q): %v", tc.payload, err)
			}
			if got.Type != tc.want.Type || got.Piece != tc.want.Piece || got.TotalSize != tc.want.TotalSize || !bytes.Equal(got.Data, tc.want.Data) {
				t.Fatalf("DecodeMessage(%q) = %+v, want %+v", tc.payload, got, tc.want)
			}
		})
	}
}

func TestDecodeMessageRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		errHas  string
	}{
		{"empty", "", "empty payload"},
		{"list", "le", "not a bencoded dictionary"},
		{"unterminated dict", "d8:msg_typei0e", "not closed"},
		{"no msg_type", "d5:piecei0ee", "no msg_type"},
		{"no piece", "d8:msg_typei0ee", "no piece"},
		{"msg_type a string", "d8:msg_type1:05:piecei0ee", "not an integer"},
		{"piece a list", "d8:msg_typei0e5:pieceli0eee", "not an integer"},
		{"negative piece", "d8:msg_typei0e5:piecei-1ee", "out of range"},
		{"piece beyond the cap", "d8:msg_typei0e5:piecei512ee", "out of range"},
		{"huge piece", "d8:msg_typei0e5:piecei999999999999999999ee", "out of range"},
		{"integer too long", "d8:msg_typei0e5:piecei9999999999999999999ee", "digits"},
		{"leading zero", "d8:msg_typei0e5:piecei01ee", "not canonical"},
		{"minus zero", "d8:msg_typei0e5:piecei-0ee", "not canonical"},
		{"plus sign", "d8:msg_typei0e5:piecei+1ee", "contains"},
		{"empty integer", "d8:msg_typeie5:piecei0ee", "digits"},
		{"unterminated integer", "d8:msg_typei0e5:piecei0", "not terminated"},
		{"duplicate key", "d8:msg_typei0e8:msg_typei1e5:piecei0ee", "duplicate key"},
		{"key length past the end", "d99:msg_typei0ee", "claims 99 bytes"},
		{"key length with leading zero", "d08:msg_typei0e5:piecei0ee", "leading zero"},
		{"key not a string", "di1ei2ee", "want a string length"},
		{"key length without colon", "d8", "not followed by ':'"},
		{"unknown value missing", "d1:x", "value missing"},
		{"unknown value unterminated list", "d1:xli1e", "list not closed"},
		{"unknown value too deep", "d1:x" + strings.Repeat("l", 40) + strings.Repeat("e", 40) + "e", "nesting deeper"},
		{"trailing garbage after request", "d8:msg_typei0e5:piecei0eexyz", "3 bytes of trailing data"},
		{"trailing garbage after reject", "d8:msg_typei2e5:piecei0ee\x00", "1 bytes of trailing data"},
		{"data without total_size", "d8:msg_typei1e5:piecei0eeabc", "no total_size"},
		{"data total_size zero", "d8:msg_typei1e5:piecei0e10:total_sizei0eeabc", "total_size 0 out of range"},
		{"data total_size beyond the cap", "d8:msg_typei1e5:piecei0e10:total_sizei8388609ee", "out of range"},
		{"data piece past total_size", "d8:msg_typei1e5:piecei1e10:total_sizei3eeabc", "piece 1 out of range for total_size 3"},
		{"data too short", "d8:msg_typei1e5:piecei0e10:total_sizei3eeab", "carries 2 bytes, want 3"},
		{"data too long for last piece", "d8:msg_typei1e5:piecei0e10:total_sizei3eeabcd", "carries 4 bytes, want 3"},
		{"data longer than a piece", "d8:msg_typei1e5:piecei0e10:total_sizei40000ee" + strings.Repeat("x", PieceSize+1), "more than the 16384-byte piece size"},
		{"data short full piece", "d8:msg_typei1e5:piecei0e10:total_sizei40000ee" + strings.Repeat("x", PieceSize-1), "want 16384"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeMessage([]byte(tc.payload))
			if err == nil {
				t.Fatalf("DecodeMessage(%q) succeeded, want error containing %q", trim([]byte(tc.payload)), tc.errHas)
			}
			if !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("DecodeMessage(%q) error %q, want it to contain %q", trim([]byte(tc.payload)), err, tc.errHas)
			}
			if errors.Is(err, ErrUnknownType) {
				t.Fatalf("malformed message reported as unknown type: %v", err)
			}
		})
	}
}

func TestDecodeMessageUnknownType(t *testing.T) {
	_, err := DecodeMessage([]byte("d8:msg_typei3e5:piecei0ee"))
	if !errors.Is(err, ErrUnknownType) {
		t.Fatalf("msg_type 3: error %v, want ErrUnknownType so the loop ignores it", err)
	}
}

// trim shortens long payloads in failure messages.
func trim(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

func TestMessageTypeString(t *testing.T) {
	for typ, want := range map[MessageType]string{Request: "request", Data: "data", Reject: "reject", 7: "msg_type 7"} {
		if got := typ.String(); got != want {
			t.Errorf("MessageType(%d).String() = %q, want %q", int(typ), got, want)
		}
	}
}
