package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

func TestCreateWritesTorrent(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(src, bytes.Repeat([]byte("swarm"), 100_000), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.torrent")
	var stdout, stderr bytes.Buffer
	err := Create(context.Background(), &stdout, &stderr, CreateOptions{
		Path: src, Output: out, PieceLength: 64 << 10,
		Trackers: []string{"http://127.0.0.1:6969/announce"}, WebSeeds: []string{"http://127.0.0.1:8080/"},
		Private: true, Comment: "hi", Source: "SRC",
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := metainfo.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.Name != "data.bin" || m.Info.Length != 500_000 || m.Info.PieceLength != 64<<10 || !m.Info.Private ||
		m.Info.Source != "SRC" || m.Comment != "hi" || m.Announce != "http://127.0.0.1:6969/announce" ||
		len(m.WebSeeds) != 1 || m.CreatedBy != "Swarmscope "+Version || m.CreationDate.IsZero() {
		t.Errorf("torrent = %+v, info %+v", m, m.Info)
	}
	s := stdout.String()
	for _, want := range []string{
		"Wrote " + out + ": 488 KiB, 1 file(s), 8 pieces of 64 KiB\n",
		"Info hash: " + m.InfoHash.Hex() + "\n",
		"Magnet: " + m.Magnet().String() + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("stdout lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(stderr.String(), "\r") || !strings.Contains(stderr.String(), "hashing: 488 KiB in") {
		t.Errorf("stderr (not a terminal) = %q, want one plain summary line", stderr.String())
	}

	// A second run must not overwrite the file.
	before, _ := os.ReadFile(out)
	stdout.Reset()
	err = Create(context.Background(), &stdout, &stderr, CreateOptions{Path: src, Output: out})
	if err == nil || !strings.Contains(err.Error(), "already exists; refusing to overwrite") {
		t.Errorf("second Create: err = %v", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Error("the existing torrent was changed")
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout after refusing: %q", stdout.String())
	}
}

func TestCreateDefaultOutputName(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "My Folder")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "f"), []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if err := Create(context.Background(), &stdout, &stderr, CreateOptions{Path: src}); err != nil {
		t.Fatal(err)
	}
	m, err := metainfo.Load(filepath.Join(dir, "My Folder.torrent"))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Info.MultiFile || m.Info.Name != "My Folder" || strings.Join(m.Info.Files[0].Path, "/") != "sub/f" {
		t.Errorf("info = %+v", m.Info)
	}
}

func TestCreateErrorsLeaveNoFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x.torrent")
	var stdout, stderr bytes.Buffer
	err := Create(context.Background(), &stdout, &stderr, CreateOptions{Path: empty, Output: out})
	if err == nil || !strings.Contains(err.Error(), "has no files to share") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed create left a .torrent behind")
	}
}
