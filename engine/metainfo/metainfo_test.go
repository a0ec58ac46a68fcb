package metainfo

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anacrolix/torrent/bencode"
)

// encode bencodes v (maps come out with sorted keys).
func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := bencode.Marshal(v)
	if err != nil {
		t.Fatalf("bencode.Marshal: %v", err)
	}
	return b
}

// bstr is a bencoded string, for torrents written by hand.
func bstr(s string) string { return fmt.Sprintf("%d:%s", len(s), s) }

// fakePieces returns n distinct 20-byte hashes, concatenated.
func fakePieces(n int) string {
	var b bytes.Buffer
	for i := range n {
		h := sha1.Sum([]byte{byte(i), byte(i >> 8)})
		b.Write(h[:])
	}
	return b.String()
}

func singleInfo(length int64, pieceLength int64) map[string]any {
	n := int((length + pieceLength - 1) / pieceLength)
	return map[string]any{"name": "file.bin", "length": length, "piece length": pieceLength, "pieces": fakePieces(n)}
}

func TestParseSingleFile(t *testing.T) {
	info := singleInfo(100_000, 32768)
	data := encode(t, map[string]any{
		"announce":      "http://127.0.0.1:6969/announce",
		"comment":       "hello",
		"created by":    "test 1.0",
		"creation date": int64(1700000000),
		"info":          info,
	})
	m, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	rawInfo := encode(t, info)
	if m.InfoHash != sha1.Sum(rawInfo) {
		t.Errorf("InfoHash = %s, want SHA-1 of the info dict %x", m.InfoHash, sha1.Sum(rawInfo))
	}
	if !bytes.Equal(m.Info.Raw, rawInfo) {
		t.Errorf("Info.Raw is not the info dict bytes")
	}
	if m.Info.Name != "file.bin" || m.Info.MultiFile || m.Info.Length != 100_000 || m.Info.PieceLength != 32768 {
		t.Errorf("info = %+v", m.Info)
	}
	if m.Info.NumPieces() != 4 || m.Info.PieceSize(0) != 32768 || m.Info.PieceSize(3) != 100_000-3*32768 || m.Info.PieceSize(4) != 0 {
		t.Errorf("pieces: n=%d sizes %d %d %d", m.Info.NumPieces(), m.Info.PieceSize(0), m.Info.PieceSize(3), m.Info.PieceSize(4))
	}
	want := []File{{Path: []string{"file.bin"}, Length: 100_000}}
	if !reflect.DeepEqual(m.Info.Files, want) {
		t.Errorf("Files = %+v, want %+v", m.Info.Files, want)
	}
	if m.Announce != "http://127.0.0.1:6969/announce" || !reflect.DeepEqual(m.AnnounceList, [][]string{{"http://127.0.0.1:6969/announce"}}) {
		t.Errorf("Announce %q AnnounceList %q", m.Announce, m.AnnounceList)
	}
	if m.Comment != "hello" || m.CreatedBy != "test 1.0" || !m.CreationDate.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("comment %q created by %q date %v", m.Comment, m.CreatedBy, m.CreationDate)
	}
	if m.Info.Private || m.WebSeeds != nil {
		t.Errorf("private %v webseeds %q", m.Info.Private, m.WebSeeds)
	}
	if !bytes.Equal(m.Raw, data) {
		t.Errorf("Raw is not the torrent bytes")
	}
}

func TestParseMultiFile(t *testing.T) {
	info := map[string]any{
		"name":         "album",
		"piece length": int64(16384),
		"pieces":       fakePieces(3),
		"files": []any{
			map[string]any{"length": int64(20000), "path": []string{"cd1", "a.flac"}},
			map[string]any{"length": int64(0), "path": []string{"empty"}},
			map[string]any{"length": int64(12768), "path": []string{".pad", "12768"}, "attr": "p"},
			map[string]any{"length": int64(10), "path": []string{"cover.jpg"}},
		},
		"private": int64(1),
		"source":  "TEST",
	}
	m, err := Parse(encode(t, map[string]any{"info": info}))
	if err != nil {
		t.Fatal(err)
	}
	i := m.Info
	if !i.MultiFile || i.Length != 32778 || !i.Private || i.Source != "TEST" {
		t.Errorf("info = %+v", i)
	}
	want := []File{
		{Path: []string{"cd1", "a.flac"}, Length: 20000, Offset: 0},
		{Path: []string{"empty"}, Length: 0, Offset: 20000},
		{Path: []string{".pad", "12768"}, Length: 12768, Offset: 20000, Padding: true},
		{Path: []string{"cover.jpg"}, Length: 10, Offset: 32768},
	}
	if !reflect.DeepEqual(i.Files, want) {
		t.Errorf("Files = %+v\nwant %+v", i.Files, want)
	}
	if m.AnnounceList != nil || m.Announce != "" {
		t.Errorf("trackers %q %q, want none", m.Announce, m.AnnounceList)
	}
	paths, err := i.FilePaths("/dl")
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{"/dl/album/cd1/a.flac", "/dl/album/empty", "", "/dl/album/cover.jpg"}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Errorf("FilePaths = %q, want %q", paths, wantPaths)
	}
}

func TestParseAnnounceListAndWebSeeds(t *testing.T) {
	base := map[string]any{
		"announce":      "http://a/announce",
		"announce-list": [][]string{{"http://b/1", "udp://b/2"}, {}, {"", "http://c/3"}},
		"info":          singleInfo(10, 16384),
	}
	for _, tc := range []struct {
		urlList any
		want    []string
	}{
		{"http://seed/file", []string{"http://seed/file"}},
		{[]string{"http://s1/", "", "http://s2/"}, []string{"http://s1/", "http://s2/"}},
		{"", nil},
	} {
		base["url-list"] = tc.urlList
		m, err := Parse(encode(t, base))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.WebSeeds, tc.want) {
			t.Errorf("url-list %q: WebSeeds = %q, want %q", tc.urlList, m.WebSeeds, tc.want)
		}
		wantTiers := [][]string{{"http://b/1", "udp://b/2"}, {"http://c/3"}}
		if !reflect.DeepEqual(m.AnnounceList, wantTiers) {
			t.Errorf("AnnounceList = %q, want %q", m.AnnounceList, wantTiers)
		}
		if m.Announce != "http://a/announce" {
			t.Errorf("Announce = %q", m.Announce)
		}
	}
	// Only announce-list: Announce is its first tracker.
	m, err := Parse(encode(t, map[string]any{"announce-list": [][]string{{"udp://x/1"}}, "info": singleInfo(10, 16384)}))
	if err != nil {
		t.Fatal(err)
	}
	if m.Announce != "udp://x/1" {
		t.Errorf("Announce = %q, want the first of announce-list", m.Announce)
	}
}

// A torrent whose info dict has unsorted keys and a field we don't know must
// keep the hash of its bytes as written: a re-encoding would sort and drop.
func TestParseInfoHashOverRawBytes(t *testing.T) {
	pieces := fakePieces(1)
	rawInfo := "d" + bstr("piece length") + "i16384e" + bstr("name") + bstr("x.bin") +
		bstr("zz-unknown") + "d" + bstr("nested") + "li1ei2eee" +
		bstr("length") + "i100e" + bstr("pieces") + bstr(pieces) + "e"
	data := "d" + bstr("info") + rawInfo + bstr("announce") + bstr("http://t/") + "e"
	m, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if want := Hash(sha1.Sum([]byte(rawInfo))); m.InfoHash != want {
		t.Errorf("InfoHash = %s, want %s (SHA-1 of the raw info bytes)", m.InfoHash, want)
	}
	if string(m.Info.Raw) != rawInfo {
		t.Errorf("Info.Raw = %q", m.Info.Raw)
	}
	resorted := encode(t, map[string]any{"name": "x.bin", "piece length": int64(16384), "length": int64(100), "pieces": pieces})
	if m.InfoHash == Hash(sha1.Sum(resorted)) {
		t.Error("InfoHash equals the hash of a re-encoding; the test torrent is not distinctive")
	}
}

func TestParseV2OnlyRejectedHybridAccepted(t *testing.T) {
	v2 := map[string]any{
		"name": "x", "piece length": int64(16384), "meta version": int64(2),
		"file tree": map[string]any{"x": map[string]any{"": map[string]any{"length": int64(5), "pieces root": strings.Repeat("r", 32)}}},
	}
	_, err := Parse(encode(t, map[string]any{"info": v2, "piece layers": map[string]any{}}))
	if !errors.Is(err, ErrV2Only) || !strings.Contains(err.Error(), "v2-only torrents (BEP 52) are not supported yet") {
		t.Errorf("v2-only: err = %v", err)
	}
	hybrid := singleInfo(5, 16384)
	hybrid["name"] = "x"
	hybrid["meta version"] = int64(2)
	hybrid["file tree"] = v2["file tree"]
	m, err := Parse(encode(t, map[string]any{"info": hybrid, "piece layers": map[string]any{}}))
	if err != nil {
		t.Fatalf("hybrid: %v", err)
	}
	if m.Info.Length != 5 || m.Info.NumPieces() != 1 {
		t.Errorf("hybrid v1 part: %+v", m.Info)
	}
}

func TestParseHostile(t *testing.T) {
	withInfo := func(mod func(info map[string]any)) []byte {
		info := singleInfo(100, 16384)
		mod(info)
		return encode(t, map[string]any{"info": info})
	}
	multi := func(files ...any) []byte {
		var total int64
		for _, f := range files {
			if l, ok := f.(map[string]any)["length"].(int64); ok && l > 0 {
				total += l
			}
		}
		n := max(1, int((total+16383)/16384))
		return encode(t, map[string]any{"info": map[string]any{"name": "d", "piece length": int64(16384), "pieces": fakePieces(n), "files": files}})
	}
	file := func(length int64, path ...string) map[string]any {
		return map[string]any{"length": length, "path": path}
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"not a dict", []byte("i5e"), "want a dictionary"},
		{"trailing", append(withInfo(func(map[string]any) {}), 'x'), "trailing data"},
		{"truncated", withInfo(func(map[string]any) {})[:40], "bencode"},
		{"deep nesting", []byte("d4:info" + strings.Repeat("l", 100000) + strings.Repeat("e", 100000) + "e"), "nesting deeper than 64"},
		{"huge string length", []byte("d4:info99999999999:xe"), "claims 99999999999 bytes"},
		{"int overflow", []byte("d4:infoi99999999999999999999ee"), "does not fit in 64 bits"},
		{"leading zero", []byte("d4:infoi05ee"), "leading zero"},
		{"no info", encode(t, map[string]any{"announce": "x"}), "no info dictionary"},
		{"info not dict", encode(t, map[string]any{"info": "x"}), "info: want a dictionary"},
		{"missing name", withInfo(func(i map[string]any) { delete(i, "name") }), "info.name: missing"},
		{"name dotdot", withInfo(func(i map[string]any) { i["name"] = ".." }), `info.name: path component ".."`},
		{"name slash", withInfo(func(i map[string]any) { i["name"] = "a/b" }), "info.name: path component \"a/b\" contains a path separator"},
		{"name empty", withInfo(func(i map[string]any) { i["name"] = "" }), "info.name: empty path component"},
		{"missing piece length", withInfo(func(i map[string]any) { delete(i, "piece length") }), "info.piece length: missing"},
		{"zero piece length", withInfo(func(i map[string]any) { i["piece length"] = int64(0) }), "info.piece length: 0 is outside"},
		{"negative piece length", withInfo(func(i map[string]any) { i["piece length"] = int64(-5) }), "info.piece length: -5 is outside"},
		{"huge piece length", withInfo(func(i map[string]any) { i["piece length"] = int64(1 << 30) }), "info.piece length: 1073741824 is outside"},
		{"pieces not multiple of 20", withInfo(func(i map[string]any) { i["pieces"] = fakePieces(1) + "x" }), "info.pieces: length 21 is not a multiple of 20"},
		{"missing pieces", withInfo(func(i map[string]any) { delete(i, "pieces") }), "info.pieces: missing"},
		{"too few pieces", withInfo(func(i map[string]any) { i["length"] = int64(16385) }), "info.pieces: has 1 hashes, but 16385 bytes in pieces of 16384 need 2"},
		{"too many pieces", withInfo(func(i map[string]any) { i["pieces"] = fakePieces(2) }), "has 2 hashes"},
		{"huge length", withInfo(func(i map[string]any) { i["length"] = int64(1 << 62) }), "need 281474976710656"},
		{"negative length", withInfo(func(i map[string]any) { i["length"] = int64(-1) }), "info.length: -1 is negative"},
		{"zero length", withInfo(func(i map[string]any) { i["length"] = int64(0); i["pieces"] = "" }), "total length 0"},
		{"length and files", withInfo(func(i map[string]any) { i["files"] = []any{file(1, "a")} }), "both length and files"},
		{"neither length nor files", withInfo(func(i map[string]any) { delete(i, "length") }), "neither length nor files"},
		{"private wrong type", withInfo(func(i map[string]any) { i["private"] = "yes" }), "info.private: want an integer"},
		{"announce wrong type", encode(t, map[string]any{"announce": int64(1), "info": singleInfo(1, 16384)}), "announce: want a string"},
		{"announce-list wrong type", encode(t, map[string]any{"announce-list": []string{"x"}, "info": singleInfo(1, 16384)}), "announce-list[0]: want a list"},
		{"url-list wrong type", encode(t, map[string]any{"url-list": int64(3), "info": singleInfo(1, 16384)}), "url-list: want a string or a list"},
		{"files empty", multi(), "info.files: empty list"},
		{"file negative length", multi(file(-1, "a")), "info.files[0].length: -1 is negative"},
		{"file length sum overflow", multi(file(1<<62, "a"), file(1<<62, "b"), file(1<<62, "c")), "total length overflows"},
		{"file missing path", multi(map[string]any{"length": int64(1)}), "info.files[0].path: missing"},
		{"file empty path", multi(file(1)), "info.files[0].path: empty"},
		{"file dotdot", multi(file(1, "..", "etc", "passwd")), `info.files[0].path[0]: path component ".."`},
		{"file dot", multi(file(1, "a", ".")), `info.files[0].path[1]: path component "."`},
		{"file backslash", multi(file(1, `..\..\x`)), "contains a path separator"},
		{"file slash", multi(file(1, "/etc/passwd")), "contains a path separator"},
		{"file NUL", multi(file(1, "a\x00b")), "contains a NUL byte"},
		{"file empty component", multi(file(1, "a", "")), "empty path component"},
		{"duplicate paths", multi(file(1, "a", "b"), file(2, "a", "b")), "would both be written to d/a/b"},
		{"file where folder needed", multi(file(1, "a"), file(2, "a", "b")), "needs a folder where file 0 is"},
		{"folder where file needed", multi(file(2, "a", "b"), file(1, "a")), "is also a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.data)
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error containing %q", m.Info, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseTooManyFiles(t *testing.T) {
	// The real limit takes a few seconds under the race detector; the code
	// path is the same with a lower one.
	defer func(old int) { fileLimit = old }(fileLimit)
	fileLimit = 1000
	var b bytes.Buffer
	b.WriteString("d4:infod5:filesl")
	entry := "d6:lengthi0e4:pathl1:aee"
	for range fileLimit + 1 {
		b.WriteString(entry)
	}
	b.WriteString("e4:name1:d12:piece lengthi16384e6:pieces0:ee")
	_, err := Parse(b.Bytes())
	if err == nil || !strings.Contains(err.Error(), "more than 1000 files") {
		t.Errorf("err = %v, want too many files", err)
	}
}

func TestParseSizeCap(t *testing.T) {
	_, err := Parse(make([]byte, MaxTorrentSize+1))
	if err == nil || !strings.Contains(err.Error(), "more than the 67108864 allowed") {
		t.Errorf("err = %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data := encode(t, map[string]any{"info": singleInfo(10, 16384)})
	p := dir + "/ok.torrent"
	writeFile(t, p, data)
	m, err := Load(p)
	if err != nil || m.Info.Length != 10 {
		t.Fatalf("Load: %v", err)
	}
	bad := dir + "/bad.torrent"
	writeFile(t, bad, []byte("d4:infoi1ee"))
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "bad.torrent") {
		t.Errorf("Load of a bad file: err = %v, want it to name the file", err)
	}
	if _, err := Load(dir + "/missing.torrent"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load of a folder: err = %v", err)
	}
}
