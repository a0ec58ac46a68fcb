package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// resumeSeeder writes 3 MiB of random data as resume.bin (64 KiB pieces),
// its .torrent, and seeds it from an engine session on 127.0.0.1 limited to
// 1 MiB/s, so a download takes about three seconds.
func resumeSeeder(t *testing.T) (data []byte, mi *metainfo.MetaInfo, torrentFile, peer string) {
	t.Helper()
	seedDir := t.TempDir()
	data = make([]byte, 3<<20)
	rand.Read(data)
	src := filepath.Join(seedDir, "resume.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), src, metainfo.CreateOptions{PieceLength: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	torrentFile = filepath.Join(t.TempDir(), "resume.torrent")
	if err := os.WriteFile(torrentFile, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	seeds, err := torrent.NewSession(torrent.Config{ListenAddr: "127.0.0.1:0", UploadLimit: 1 << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seeds.Close() })
	seeder, err := seeds.Add(mi, torrent.AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	<-seeder.Done()
	return data, mi, torrentFile, fmt.Sprintf("127.0.0.1:%d", seeds.Port())
}

// TestDownloadWithStateResumes interrupts "download -state" and runs it
// again: the second run restores the verified pieces from the database
// instead of hashing them, and finishes.
func TestDownloadWithStateResumes(t *testing.T) {
	data, _, torrentFile, peer := resumeSeeder(t)
	testStateResumes(t, torrentFile, peer, data)
}

// TestDownloadMagnetWithStateResumes: the same with a magnet link (no
// tracker, no DHT, the seeder given with -peer). The first run fetches the
// metadata and part of the data; the second finds the torrent, metadata
// and verified pieces in the state file.
func TestDownloadMagnetWithStateResumes(t *testing.T) {
	data, mi, _, peer := resumeSeeder(t)
	link := mi.Magnet()
	link.Trackers = nil
	testStateResumes(t, link.String(), peer, data)
}

func testStateResumes(t *testing.T, torrentArg, peer string, data []byte) {
	t.Helper()
	leechDir := t.TempDir()
	opts := DownloadOptions{Torrent: torrentArg, Dir: leechDir, ListenHost: "127.0.0.1", NoDHT: true,
		Peers: []string{peer}, State: filepath.Join(t.TempDir(), "state.db")}

	// First run: interrupted after about a third of the data.
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	var out1, err1 bytes.Buffer
	err := Download(ctx, &out1, &err1, opts)
	if err == nil {
		t.Fatalf("first run finished before the interruption; output: %s", err1.String())
	}
	t.Logf("first run: %v; stderr: %s", err, err1.String())

	// Second run: restores, with nothing re-hashed after a clean stop.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	var out2, err2 bytes.Buffer
	if err := Download(ctx2, &out2, &err2, opts); err != nil {
		t.Fatalf("second run: %v; stderr: %s", err, err2.String())
	}
	m := regexp.MustCompile(`(\d+) of (\d+) pieces restored from resume data, (\d+) re-hashed`).FindStringSubmatch(err2.String())
	if m == nil {
		t.Fatalf("second run did not report resume figures: %s", err2.String())
	}
	restored, _ := strconv.Atoi(m[1])
	rehashed, _ := strconv.Atoi(m[3])
	t.Logf("second run: %s", m[0])
	if restored == 0 || rehashed != 0 {
		t.Errorf("second run restored %d and re-hashed %d pieces; want some restored and none re-hashed", restored, rehashed)
	}
	if bytes.Contains(err2.Bytes(), []byte("fetching metadata")) {
		t.Errorf("second run fetched the metadata again: %s", err2.String())
	}
	got, err := os.ReadFile(filepath.Join(leechDir, "resume.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs from the original (err %v)", err)
	}
}
