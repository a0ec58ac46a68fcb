package metainfo

import (
	"reflect"
	"strings"
	"testing"
)

func TestMagnetRoundTrip(t *testing.T) {
	var h Hash
	for i := range h {
		h[i] = byte(i * 13)
	}
	m := Magnet{
		InfoHash:    h,
		DisplayName: "My Files & more/ü",
		Trackers:    []string{"http://127.0.0.1:6969/announce?x=1&y=2", "udp://127.0.0.1:6969"},
		Peers:       []string{"127.0.0.1:6881"},
		WebSeeds:    []string{"http://127.0.0.1:8080/files/"},
	}
	s := m.String()
	if !strings.HasPrefix(s, "magnet:?xt=urn:btih:"+h.Hex()+"&dn=") {
		t.Errorf("String() = %q", s)
	}
	got, err := ParseMagnet(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *got, m)
	}

	// Base32 form, lower case, numbered trackers.
	b32 := "magnet:?xt=urn:btih:" + strings.ToLower(h.Base32()) + "&tr.2=udp://b&tr.1=udp://a&tr=udp://a"
	got, err = ParseMagnet(b32)
	if err != nil {
		t.Fatal(err)
	}
	if got.InfoHash != h {
		t.Errorf("base32: hash %s, want %s", got.InfoHash, h)
	}
	if want := []string{"udp://a", "udp://b"}; !reflect.DeepEqual(got.Trackers, want) {
		t.Errorf("trackers %q, want %q", got.Trackers, want)
	}
	// Formatting the base32-parsed link gives the hex form, which parses back.
	again, err := ParseMagnet(got.String())
	if err != nil || again.InfoHash != h {
		t.Errorf("hex re-parse: %v %v", again, err)
	}
	// Upper-case scheme and hex, a v2 xt beside the v1 one.
	got, err = ParseMagnet("MAGNET:?xt=urn:btmh:1220" + strings.Repeat("ab", 32) + "&xt=urn:btih:" + strings.ToUpper(h.Hex()))
	if err != nil || got.InfoHash != h {
		t.Errorf("upper case / hybrid: %v %v", got, err)
	}
}

func TestMetaInfoMagnet(t *testing.T) {
	m := &MetaInfo{
		Info:         &Info{Name: "x"},
		AnnounceList: [][]string{{"http://a", "http://b"}, {"udp://c"}},
		WebSeeds:     []string{"http://w/"},
	}
	m.InfoHash[0] = 0xab
	got := m.Magnet()
	want := Magnet{InfoHash: m.InfoHash, DisplayName: "x", Trackers: []string{"http://a", "http://b", "udp://c"}, WebSeeds: []string{"http://w/"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Magnet() = %+v, want %+v", got, want)
	}
}

func TestParseMagnetErrors(t *testing.T) {
	hex40 := strings.Repeat("a", 40)
	for _, tc := range []struct{ in, want string }{
		{"http://example.com/?xt=urn:btih:" + hex40, "is not a magnet link"},
		{"not a link", "is not a magnet link"},
		{"magnet:?dn=x", "has no xt=urn:btih: info hash"},
		{"magnet:?xt=urn:sha1:" + hex40, "has no xt=urn:btih: info hash"},
		{"magnet:?xt=urn:btmh:1220" + strings.Repeat("a", 64), "v2-only torrents (BEP 52) are not supported yet"},
		{"magnet:?xt=urn:btih:abc", "has 3 characters; want 40 (hex) or 32 (base32)"},
		{"magnet:?xt=urn:btih:" + strings.Repeat("g", 40), "is not valid hex"},
		{"magnet:?xt=urn:btih:" + strings.Repeat("1", 32), "is not valid base32"},
		{"magnet:?xt=urn:btih:" + hex40 + "&dn=%zz", "bad query"},
		{"magnet:?xt=" + strings.Repeat("a", 70000), "more than the 65536 allowed"},
	} {
		_, err := ParseMagnet(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseMagnet(%.60q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}
