package wire

import (
	"strings"
	"testing"
)

func id(s string) [20]byte {
	var b [20]byte
	copy(b[:], s)
	for i := len(s); i < 20; i++ {
		b[i] = 'x'
	}
	return b
}

func TestClientName(t *testing.T) {
	tests := []struct{ id, want string }{
		{"-qB4520-", "qBittorrent 4.5.2"},
		{"-TR3000-", "Transmission 3.00"},
		{"-TR2940-", "Transmission 2.94"},
		{"-TR4050-", "Transmission 4.0.5"},
		{"-TR300Z-", "Transmission 3.00+"},
		{"-LT2080-", "libtorrent (Rasterbar) 2.0.8"},
		{"-LT1217-", "libtorrent (Rasterbar) 1.2.1.7"},
		{"-lt0D60-", "libTorrent (rakshasa) 0.13.6"},
		{"A2-1-36-0-", "aria2 1.36.0"},
		{"-UT355W-", "µTorrent 3.5.5"},
		{"-DE13F0-", "Deluge 1.3.15"},
		{"-SS0001-", "Swarmscope 0.1"},
		{"S58B-----", "Shadow 5.8.11"},
		{"T03I--", "BitTornado 0.3.18"},
		{"M7-1-0--", "Mainline 7.1.0"},
		{"M4-20-8-", "Mainline 4.20.8"},
		{"-ZZ1234-", "unknown client ZZ 1.2.3.4"},
	}
	for _, tt := range tests {
		if got := ClientName(id(tt.id)); got != tt.want {
			t.Errorf("ClientName(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
	var weird [20]byte
	copy(weird[:], "\x00\x01hello")
	if got := ClientName(weird); got != `unknown client "..hello"` {
		t.Errorf("unprintable peer ID shown as %q", got)
	}
	if got := ClientName([20]byte{}); got != "unknown client" {
		t.Errorf("all-zero peer ID shown as %q", got)
	}
}

func TestNewPeerID(t *testing.T) {
	a, b := NewPeerID(), NewPeerID()
	if !strings.HasPrefix(string(a[:]), PeerIDPrefix) {
		t.Fatalf("peer ID %q lacks prefix %q", a, PeerIDPrefix)
	}
	if a == b {
		t.Fatal("two peer IDs are equal")
	}
	if got := ClientName(a); got != "Swarmscope 0.1" {
		t.Fatalf("our own peer ID decodes as %q", got)
	}
}
