package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// makeTorrent creates a torrent of files (path → size) under a folder named
// name and writes it to dir/name.torrent.
func makeTorrent(t *testing.T, name string, files map[string]int, opts metainfo.CreateOptions) (string, *metainfo.MetaInfo) {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, name)
	for p, n := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, bytes.Repeat([]byte{byte(n)}, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := metainfo.Create(context.Background(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".torrent")
	if err := os.WriteFile(out, m.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return out, m
}

func TestInfoText(t *testing.T) {
	path, m := makeTorrent(t, "album", map[string]int{"b.flac": 40000, "a/one.flac": 1 << 20, "cover.jpg": 1234}, metainfo.CreateOptions{
		PieceLength:  64 << 10,
		Trackers:     []string{"http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969"},
		WebSeeds:     []string{"http://127.0.0.1:8080/"},
		Private:      true,
		Comment:      "a \x1b[31mred\x1b[0m comment",
		CreatedBy:    "Swarmscope test",
		Source:       "SRC",
		CreationDate: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
	})
	var out bytes.Buffer
	if err := Info(&out, path, false); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"Name:        album\n",
		"Info hash:   " + m.InfoHash.Hex() + "\n",
		"Size:        1.0 MiB (1,089,810 bytes)\n",
		"Pieces:      17 × 64 KiB (65,536 bytes)\n",
		"Private:     yes",
		"Source:      SRC\n",
		`Comment:     "a \x1b[31mred\x1b[0m comment"`, // escapes shown, not sent to the terminal
		"Created by:  Swarmscope test\n",
		"Created on:  2024-05-06 07:08:09 UTC\n",
		"Trackers:\n  tier 1:   http://127.0.0.1:6969/announce\n  tier 2:   udp://127.0.0.1:6969\n",
		"Web seeds:\n  http://127.0.0.1:8080/\n",
		"Files (3):\n",
		"1.0 MiB  a/one.flac\n", "39 KiB  b.flac\n", "1.2 KiB  cover.jpg\n",
		"Magnet: " + m.Magnet().String() + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b") {
		t.Error("output carries a raw escape character from the torrent")
	}
}

func TestInfoManyFilesCapped(t *testing.T) {
	files := map[string]int{}
	for i := range maxListedFiles + 7 {
		files[fmt.Sprintf("f%03d", i)] = 1
	}
	path, _ := makeTorrent(t, "many", files, metainfo.CreateOptions{})
	var out bytes.Buffer
	if err := Info(&out, path, false); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "Files (107):") || !strings.Contains(s, "f099\n") || strings.Contains(s, "f100") || !strings.Contains(s, "  … and 7 more\n") {
		t.Errorf("listing not capped as expected:\n%s", s)
	}
}

func TestInfoJSON(t *testing.T) {
	path, m := makeTorrent(t, "set", map[string]int{"x/y.bin": 70000, "z.bin": 5}, metainfo.CreateOptions{
		PieceLength: 16 << 10, Trackers: []string{"http://127.0.0.1:1/a"},
	})
	var out bytes.Buffer
	if err := Info(&out, path, true); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	want := map[string]any{
		"kind":             "torrent",
		"name":             "set",
		"info_hash":        m.InfoHash.Hex(),
		"info_hash_base32": m.InfoHash.Base32(),
		"total_size":       70005.0,
		"piece_length":     16384.0,
		"piece_count":      5.0,
		"multi_file":       true,
		"files": []any{
			map[string]any{"path": "x/y.bin", "size": 70000.0, "offset": 0.0, "padding": false},
			map[string]any{"path": "z.bin", "size": 5.0, "offset": 70000.0, "padding": false},
		},
		"trackers":      []any{[]any{"http://127.0.0.1:1/a"}},
		"web_seeds":     []any{},
		"private":       false,
		"source":        "",
		"comment":       "",
		"created_by":    "",
		"creation_date": m.CreationDate.UTC().Format(time.RFC3339),
		"magnet":        m.Magnet().String(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON:\n got %v\nwant %v", got, want)
	}
}

func TestInfoMagnet(t *testing.T) {
	link := "magnet:?xt=urn:btih:AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU&dn=My+Show&tr=udp%3A%2F%2F127.0.0.1%3A6969&x.pe=127.0.0.1:6881"
	var out bytes.Buffer
	if err := Info(&out, link, false); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"Name:       My Show\n",
		"Info hash:  0102030405060708090a0b0c0d0e0f1011121314\n",
		"Trackers:\n  udp://127.0.0.1:6969\n",
		"Web seeds: none\n",
		"Peers:\n  127.0.0.1:6881\n",
		"Magnet: magnet:?xt=urn:btih:0102030405060708090a0b0c0d0e0f1011121314&dn=My+Show&tr=udp%3A%2F%2F127.0.0.1%3A6969&x.pe=127.0.0.1%3A6881\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	out.Reset()
	if err := Info(&out, link, true); err != nil {
		t.Fatal(err)
	}
	var got magnetJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := magnetJSON{Kind: "magnet", Name: "My Show", InfoHash: "0102030405060708090a0b0c0d0e0f1011121314",
		InfoHashBase32: "AEBAGBAFAYDQQCIKBMGA2DQPCAIREEYU", Trackers: []string{"udp://127.0.0.1:6969"},
		WebSeeds: []string{}, Peers: []string{"127.0.0.1:6881"},
		Magnet: "magnet:?xt=urn:btih:0102030405060708090a0b0c0d0e0f1011121314&dn=My+Show&tr=udp%3A%2F%2F127.0.0.1%3A6969&x.pe=127.0.0.1%3A6881"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("magnet JSON = %+v, want %+v", got, want)
	}
}

func TestInfoErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.torrent")
	if err := os.WriteFile(bad, []byte("d4:infod4:name2:..ee"), 0o644); err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]string{
		bad:                         "bad.torrent",
		filepath.Join(dir, "none"):  "no such file",
		"magnet:?xt=urn:btih:short": "want 40 (hex) or 32 (base32)",
	} {
		var out bytes.Buffer
		err := Info(&out, arg, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Info(%q) = %v, want error containing %q", arg, err, want)
		}
	}
}
