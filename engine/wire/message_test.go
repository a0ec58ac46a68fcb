package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func sampleMessages() []Message {
	return []Message{
		{KeepAlive: true},
		{ID: Choke}, {ID: Unchoke}, {ID: Interested}, {ID: NotInterested},
		NewHave(7),
		{ID: Bitfield, Bitfield: []byte{0xff, 0x80}},
		NewRequest(1, 16384, 16384),
		NewPiece(3, 32768, bytes.Repeat([]byte{0xab}, 100)),
		NewCancel(1, 0, 16384),
		{ID: Port, Port: 6881},
		{ID: Suggest, Index: 9}, {ID: HaveAll}, {ID: HaveNone},
		NewReject(2, 0, 16384),
		{ID: AllowedFast, Index: 1059},
		NewExtended(0, []byte("d1:md6:ut_pexi1eee")),
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		enc := m.Append(nil)
		if len(enc) != m.WireLength() {
			t.Errorf("%v: encoded %d bytes, WireLength says %d", m, len(enc), m.WireLength())
		}
		got, err := ReadMessage(bytes.NewReader(enc), MaxLength(100), make([]byte, BlockSize))
		if err != nil {
			t.Fatalf("%v: decode: %v", m, err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(m)) {
			t.Errorf("round trip: got %#v, want %#v", got, m)
		}
	}
}

// normalize makes nil and empty slices compare equal.
func normalize(m Message) Message {
	if len(m.Block) == 0 {
		m.Block = nil
	}
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	if len(m.Bitfield) == 0 {
		m.Bitfield = nil
	}
	return m
}

func TestReadMessageStream(t *testing.T) {
	var stream []byte
	for _, m := range sampleMessages() {
		stream = m.Append(stream)
	}
	r := bytes.NewReader(stream)
	for i, want := range sampleMessages() {
		got, err := ReadMessage(r, MaxLength(100), nil)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if got.KeepAlive != want.KeepAlive || got.ID != want.ID {
			t.Fatalf("message %d: got %v, want %v", i, got, want)
		}
	}
	if _, err := ReadMessage(r, MaxLength(100), nil); err != io.EOF {
		t.Fatalf("after the last message: got %v, want io.EOF", err)
	}
}

func TestPieceBlockUsesCallerBuffer(t *testing.T) {
	buf := make([]byte, BlockSize)
	enc := NewPiece(0, 0, bytes.Repeat([]byte{1}, 1000)).Append(nil)
	m, err := ReadMessage(bytes.NewReader(enc), MaxPieceMessage, buf)
	if err != nil {
		t.Fatal(err)
	}
	if &m.Block[0] != &buf[0] {
		t.Fatal("piece block was not read into the caller's buffer")
	}
}

func frame(id byte, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)))
	b = append(b, id)
	return append(b, payload...)
}

func TestReadMessageRejects(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"over the cap", binary.BigEndian.AppendUint32(nil, MaxPieceMessage+1), "message too long"},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff}, "message too long"},
		{"have too short", frame(4, []byte{0, 0, 1}), "have: payload 3 bytes, want 4"},
		{"have too long", frame(4, []byte{0, 0, 0, 1, 0}), "have: payload 5 bytes, want 4"},
		{"request too short", frame(6, make([]byte, 11)), "request: payload 11 bytes, want 12"},
		{"cancel too long", frame(8, make([]byte, 13)), "cancel: payload 13 bytes, want 12"},
		{"choke with payload", frame(0, []byte{1}), "choke: payload 1 bytes, want 0"},
		{"port too short", frame(9, []byte{1}), "port: payload 1 bytes, want 2"},
		{"piece without header", frame(7, make([]byte, 7)), "piece: payload 7 bytes, want at least 8"},
		{"extended without id", frame(20, nil), "extended: missing extended message ID"},
		{"truncated body", []byte{0, 0, 0, 5, 4, 0}, "unexpected EOF"},
		{"truncated piece", append(binary.BigEndian.AppendUint32(nil, 100), 7, 0, 0, 0, 0), "unexpected EOF"},
	}
	for _, tt := range tests {
		_, err := ReadMessage(bytes.NewReader(tt.input), MaxPieceMessage, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	_, err := ReadMessage(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff}), MaxPieceMessage, nil)
	if !errors.Is(err, ErrTooLong) {
		t.Errorf("over-long message error %v does not wrap ErrTooLong", err)
	}
}

func TestUnknownMessageIsSkipped(t *testing.T) {
	stream := append(frame(99, []byte("abc")), NewHave(5).Append(nil)...)
	r := bytes.NewReader(stream)
	m, err := ReadMessage(r, MaxPieceMessage, nil)
	if err != nil || m.ID != 99 {
		t.Fatalf("unknown message: got %v, %v", m, err)
	}
	m, err = ReadMessage(r, MaxPieceMessage, nil)
	if err != nil || m.ID != Have || m.Index != 5 {
		t.Fatalf("message after unknown one: got %v, %v", m, err)
	}
}

func TestMaxLength(t *testing.T) {
	if got := MaxLength(10); got != MaxExtendedMessage+2 {
		t.Errorf("MaxLength(10) = %d, want the extended cap %d", got, MaxExtendedMessage+2)
	}
	// A torrent with 10 million pieces needs a bitfield bigger than 1 MiB.
	if got, want := MaxLength(10_000_000), uint32(1+1_250_000); got != want {
		t.Errorf("MaxLength(10e6) = %d, want %d", got, want)
	}
}

func TestMessageString(t *testing.T) {
	if s := NewRequest(1, 2, 3).String(); s != "request piece 1 begin 2 length 3" {
		t.Errorf("String() = %q", s)
	}
	if s := ID(42).String(); s != "unknown message 42" {
		t.Errorf("ID(42).String() = %q", s)
	}
}

func BenchmarkReadPiece(b *testing.B) {
	enc := NewPiece(1, 0, make([]byte, BlockSize)).Append(nil)
	buf := make([]byte, BlockSize)
	r := bytes.NewReader(enc)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.Reset(enc)
		if _, err := ReadMessage(r, MaxPieceMessage, buf); err != nil {
			b.Fatal(err)
		}
	}
}
