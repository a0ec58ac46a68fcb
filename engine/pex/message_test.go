package pex

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// bstr bencodes a byte string.
func bstr(s string) string { return fmt.Sprintf("%d:%s", len(s), s) }

// compact4 and compact6 build compact entries by hand, independently of
// the encoder.
func compact4(a, b, c, d byte, port uint16) string {
	return string([]byte{a, b, c, d, byte(port >> 8), byte(port)})
}

func compact6(last byte, port uint16) string {
	ip := make([]byte, 16)
	ip[0], ip[1], ip[15] = 0x20, 0x01, last
	return string(append(ip, byte(port>>8), byte(port)))
}

func TestMessageRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
	}{
		{"empty", Message{}},
		{"ipv4 added with flags", Message{Added: []Peer{
			{ap("10.0.0.1:6881"), FlagSeed | FlagReachable},
			{ap("10.0.0.2:51413"), 0},
		}}},
		{"ipv6 added and dropped", Message{
			Added:   []Peer{{ap("[2001:db8::1]:6881"), FlagUTP | FlagPrefersEncryption}},
			Dropped: []netip.AddrPort{ap("[2001:db8::2]:1")},
		}},
		{"mixed", Message{
			Added:   []Peer{{ap("192.168.1.9:1000"), FlagHolepunch}, {ap("[::2]:2000"), FlagSeed}},
			Dropped: []netip.AddrPort{ap("1.2.3.4:5"), ap("[2001:db8::3]:6")},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.msg.Encode())
			if err != nil {
				t.Fatalf("Decode(Encode()): %v", err)
			}
			if !slices.Equal(got.Added, tc.msg.Added) || !slices.Equal(got.Dropped, tc.msg.Dropped) {
				t.Fatalf("round trip = %+v, want %+v", got, tc.msg)
			}
		})
	}
}

func TestEncodeWireFormat(t *testing.T) {
	msg := Message{
		Added:   []Peer{{ap("1.2.3.4:6881"), FlagSeed}, {ap("[::ffff:5.6.7.8]:80"), FlagUTP}},
		Dropped: []netip.AddrPort{ap("9.9.9.9:1"), {}},
	}
	want := "d" + bstr("added") + bstr(compact4(1, 2, 3, 4, 6881)+compact4(5, 6, 7, 8, 80)) +
		bstr("added.f") + bstr("\x02\x04") + bstr("added6") + "0:" + bstr("added6.f") + "0:" +
		bstr("dropped") + bstr(compact4(9, 9, 9, 9, 1)) + bstr("dropped6") + "0:" + "e"
	if got := msg.Encode(); string(got) != want {
		t.Fatalf("Encode = %q\nwant     %q (mapped IPv4 as IPv4, invalid address left out)", got, want)
	}
}

func TestDecodeTolerates(t *testing.T) {
	p1, p2 := compact4(10, 0, 0, 1, 1), compact4(10, 0, 0, 2, 2)
	tests := []struct {
		name    string
		payload string
		added   []Peer
		dropped []netip.AddrPort
	}{
		{"flags missing", "d" + bstr("added") + bstr(p1+p2) + "e",
			[]Peer{{ap("10.0.0.1:1"), 0}, {ap("10.0.0.2:2"), 0}}, nil},
		{"flags short", "d" + bstr("added") + bstr(p1+p2) + bstr("added.f") + bstr("\x12") + "e",
			[]Peer{{ap("10.0.0.1:1"), 0x12}, {ap("10.0.0.2:2"), 0}}, nil},
		{"flags long", "d" + bstr("added") + bstr(p1) + bstr("added.f") + bstr("\x01\x02\x03") + "e",
			[]Peer{{ap("10.0.0.1:1"), 0x01}}, nil},
		{"ipv6 flags", "d" + bstr("added6") + bstr(compact6(7, 7)) + bstr("added6.f") + bstr("\x10") + "e",
			[]Peer{{ap("[2001::7]:7"), FlagReachable}}, nil},
		{"mapped ipv6 unmapped", "d" + bstr("dropped6") + bstr("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x01\x02\x03\x04\x00\x05") + "e",
			nil, []netip.AddrPort{ap("1.2.3.4:5")}},
		{"unknown keys", "d" + bstr("a") + "i1e" + bstr("added") + bstr(p1) + bstr("zz") + "l1:xe" + "e",
			[]Peer{{ap("10.0.0.1:1"), 0}}, nil},
		{"empty dict", "de", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.payload))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !slices.Equal(got.Added, tc.added) || !slices.Equal(got.Dropped, tc.dropped) {
				t.Fatalf("Decode = %+v, want added %v dropped %v", got, tc.added, tc.dropped)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		errHas  string
	}{
		{"empty", "", "ut_pex message"},
		{"not a dict", "li1ee", "ut_pex message"},
		{"truncated", "d5:added6:abc", "ut_pex message"},
		{"added wrong length", "d" + bstr("added") + bstr("12345") + "e", "added is 5 bytes, not a multiple of 6"},
		{"added6 wrong length", "d" + bstr("added6") + bstr(strings.Repeat("x", 20)) + "e", "added6 is 20 bytes, not a multiple of 18"},
		{"dropped wrong length", "d" + bstr("dropped") + bstr("1234567") + "e", "dropped is 7 bytes"},
		{"dropped6 wrong length", "d" + bstr("dropped6") + bstr(strings.Repeat("x", 17)) + "e", "dropped6 is 17 bytes"},
		{"added not a string", "d" + bstr("added") + "i5ee", "ut_pex message"},
		{"string longer than payload", "d5:added999:xe", "ut_pex message"},
		{"trailing data", "de" + "junk", "trailing data"},
		{"too deep", "d1:x" + strings.Repeat("l", 100) + strings.Repeat("e", 100) + "e", "ut_pex message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.payload))
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("Decode(%q) error %v, want one containing %q", tc.payload, err, tc.errHas)
			}
		})
	}
}

func TestDecodeCapsPeers(t *testing.T) {
	var v4, v6, flags strings.Builder
	for i := range 150 {
		v4.WriteString(compact4(10, 0, byte(i>>8), byte(i), 1))
		flags.WriteByte(byte(FlagSeed))
	}
	for i := range 150 {
		v6.WriteString(compact6(byte(i), 2))
	}
	payload := "d" + bstr("added") + bstr(v4.String()) + bstr("added.f") + bstr(flags.String()) +
		bstr("added6") + bstr(v6.String()) + bstr("dropped") + bstr(v4.String()) + bstr("dropped6") + bstr(v6.String()) + "e"
	m, err := Decode([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Added) != MaxPeersPerMessage || len(m.Dropped) != MaxPeersPerMessage {
		t.Fatalf("kept %d added and %d dropped, want %d each", len(m.Added), len(m.Dropped), MaxPeersPerMessage)
	}
	// IPv4 first, then IPv6 up to the cap.
	if !m.Added[149].Addr.Addr().Is4() || m.Added[149].Flags != FlagSeed || !m.Added[150].Addr.Addr().Is6() || m.Added[150].Flags != 0 {
		t.Fatalf("entries 149/150 = %v/%v, want the last IPv4 (seed) then the first IPv6", m.Added[149], m.Added[150])
	}
}

func TestFlagsString(t *testing.T) {
	for flags, want := range map[Flags]string{
		0:                  "none",
		FlagSeed | FlagUTP: "seed, uTP",
		FlagPrefersEncryption | FlagHolepunch | FlagReachable: "prefers encryption, holepunch, reachable",
	} {
		if got := flags.String(); got != want {
			t.Errorf("Flags(%#x).String() = %q, want %q", byte(flags), got, want)
		}
	}
}
