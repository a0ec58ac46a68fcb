package metainfo

import (
	"bytes"
	"crypto/sha1"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must return an error or a
// MetaInfo that is consistent with itself, and never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte("d4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"))
	f.Add([]byte("d8:announce9:http://t/4:infod5:filesld6:lengthi3e4:pathl1:a1:beed6:lengthi2e4:pathl1:ceee4:name1:d12:piece lengthi4e6:pieces40:bbbbbbbbbbbbbbbbbbbbccccccccccccccccccccee"))
	f.Add([]byte("d4:info" + strings.Repeat("l", 200) + strings.Repeat("e", 200) + "e"))
	f.Add([]byte("d4:infod6:lengthi-1e4:name1:a12:piece lengthi1e6:pieces0:ee"))
	f.Add([]byte("d4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces21:aaaaaaaaaaaaaaaaaaaaaee"))
	f.Add([]byte("d4:infod5:filesld6:lengthi1e4:pathl2:..6:passwdeee4:name1:d12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"))
	f.Add([]byte("d4:infod6:lengthi9223372036854775807e4:name1:a12:piece lengthi1e6:pieces0:ee"))
	f.Add([]byte("d4:infod9:file treede12:meta versioni2e4:name1:a12:piece lengthi16384eee"))
	f.Add([]byte("d4:info99999999999:e"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		i := m.Info
		if m.InfoHash != Hash(sha1.Sum(i.Raw)) {
			t.Fatal("InfoHash is not the SHA-1 of Info.Raw")
		}
		if !bytes.Contains(data, i.Raw) {
			t.Fatal("Info.Raw is not a span of the input")
		}
		if len(i.Files) == 0 || i.Length <= 0 || i.PieceLength <= 0 {
			t.Fatalf("accepted an empty torrent: %+v", i)
		}
		var sum int64
		for _, f := range i.Files {
			if f.Offset != sum || f.Length < 0 {
				t.Fatalf("file %+v at offset %d", f, sum)
			}
			sum += f.Length
		}
		if sum != i.Length || int64(i.NumPieces()) != (i.Length+i.PieceLength-1)/i.PieceLength {
			t.Fatalf("lengths inconsistent: sum %d length %d pieces %d", sum, i.Length, i.NumPieces())
		}
		paths, err := i.FilePaths("/root")
		if err != nil {
			t.Fatalf("Parse accepted a torrent whose paths fail: %v", err)
		}
		for _, p := range paths {
			if p != "" && !strings.HasPrefix(p, "/root/") {
				t.Fatalf("path %q escapes the root", p)
			}
		}
		if _, err := ParseMagnet(m.Magnet().String()); err != nil {
			t.Fatalf("own magnet does not parse: %v", err)
		}
	})
}

// FuzzParseMagnet feeds arbitrary strings to ParseMagnet; whatever it accepts
// must format to a link that parses back to the same info hash.
func FuzzParseMagnet(f *testing.F) {
	f.Add("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x&tr=udp://127.0.0.1:1")
	f.Add("magnet:?xt=urn:btih:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU&tr.1=a&tr.2=b&ws=http://w/&x.pe=127.0.0.1:1")
	f.Add("magnet:?xt=urn:btih:xyz")
	f.Add("magnet:?dn=only-a-name")
	f.Add("http://not-a-magnet/")
	f.Add("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=%zz")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMagnet(s)
		if err != nil {
			return
		}
		back, err := ParseMagnet(m.String())
		if err != nil {
			t.Fatalf("formatted %q does not parse: %v", m.String(), err)
		}
		if back.InfoHash != m.InfoHash || back.DisplayName != m.DisplayName || len(back.Trackers) != len(m.Trackers) {
			t.Fatalf("round trip changed %+v into %+v", m, back)
		}
	})
}
