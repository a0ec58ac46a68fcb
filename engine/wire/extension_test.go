package wire

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestExtendedHandshakeRoundTrip(t *testing.T) {
	h := ExtendedHandshake{
		M:            map[string]int{ExtensionMetadata: 3, ExtensionPEX: 1},
		V:            ClientVersion,
		Port:         51413,
		Reqq:         500,
		YourIP:       netip.MustParseAddr("127.0.0.1"),
		IPv4:         netip.MustParseAddr("10.1.2.3"),
		IPv6:         netip.MustParseAddr("2001:db8::1"),
		MetadataSize: 31337,
	}
	enc := h.Encode()
	got, err := ParseExtendedHandshake(enc)
	if err != nil {
		t.Fatalf("decode %q: %v", enc, err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, h)
	}
}

func TestExtendedHandshakeEncodingIsCanonical(t *testing.T) {
	h := ExtendedHandshake{M: map[string]int{"ut_pex": 2, "ut_metadata": 1}, V: "x", Reqq: 250}
	want := "d1:md11:ut_metadatai1e6:ut_pexi2ee4:reqqi250e1:v1:xe"
	if got := string(h.Encode()); got != want {
		t.Fatalf("Encode() = %q, want %q", got, want)
	}
}

func TestExtendedHandshakeLenient(t *testing.T) {
	// Wrong types are ignored rather than failing the connection.
	h, err := ParseExtendedHandshake([]byte("d1:md6:ut_pex3:abce1:pi-0e1:v5:hello4:reqq3:bade"))
	if err != nil {
		t.Fatal(err)
	}
	if h.V != "hello" || h.Reqq != 0 || len(h.M) != 0 {
		t.Fatalf("got %+v", h)
	}
}

func TestExtendedHandshakeRejects(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"le", "extension handshake"},
		{"d4:reqqi99999999ee", "reqq = 99999999 out of range"},
		{"d1:pi70000ee", "p = 70000 out of range"},
		{"d13:metadata_sizei-1ee", "metadata_size = -1 out of range"},
		{"d1:v99999999:x", "extension handshake"},
	} {
		_, err := ParseExtendedHandshake([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}
