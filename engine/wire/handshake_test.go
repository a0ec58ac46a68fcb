package wire

import (
	"bytes"
	"errors"
	"testing"
)

func TestHandshakeRoundTrip(t *testing.T) {
	h := Handshake{PeerID: NewPeerID()}
	h.Reserved.SetExtensions(true)
	h.Reserved.SetFast(true)
	for i := range h.InfoHash {
		h.InfoHash[i] = byte(i)
	}
	var buf bytes.Buffer
	if err := WriteHandshake(&buf, h); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != HandshakeLength {
		t.Fatalf("handshake is %d bytes, want %d", buf.Len(), HandshakeLength)
	}
	got, err := ReadHandshake(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got != h {
		t.Fatalf("got %+v, want %+v", got, h)
	}
	if !got.Reserved.SupportsExtensions() || !got.Reserved.SupportsFast() || got.Reserved.SupportsDHT() {
		t.Fatalf("reserved bits decoded wrong: %x", got.Reserved)
	}
}

func TestReservedBitPositions(t *testing.T) {
	var r Reserved
	r.SetExtensions(true)
	r.SetFast(true)
	r.SetDHT(true)
	if want := (Reserved{0, 0, 0, 0, 0, 0x10, 0, 0x05}); r != want {
		t.Fatalf("reserved = %x, want %x", r, want)
	}
	r.SetFast(false)
	if r.SupportsFast() || !r.SupportsDHT() {
		t.Fatalf("clearing the fast bit: %x", r)
	}
}

func TestHandshakeRejectsGarbage(t *testing.T) {
	bad := bytes.Repeat([]byte{'G'}, HandshakeLength)
	if _, err := ReadHandshake(bytes.NewReader(bad)); !errors.Is(err, ErrBadProtocol) {
		t.Errorf("garbage: got %v, want ErrBadProtocol", err)
	}
	if _, err := ReadHandshake(bytes.NewReader([]byte("\x13BitTorrent"))); err == nil {
		t.Error("short handshake accepted")
	}
}
