package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// lockedBuffer is a bytes.Buffer safe for the command's goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeTestTorrent makes dir/name with size random bytes and its .torrent.
func writeTestTorrent(t *testing.T, dir, name string, size int64) (dataPath, torrentPath string) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	dataPath = filepath.Join(dir, name)
	if err := os.WriteFile(dataPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), dataPath, metainfo.CreateOptions{PieceLength: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	torrentPath = filepath.Join(t.TempDir(), name+".torrent")
	if err := os.WriteFile(torrentPath, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dataPath, torrentPath
}

func TestSeedThenDownload(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	dataPath, torrentPath := writeTestTorrent(t, seedDir, "cli.bin", 2<<20+99)
	port := freePort(t)

	seedCtx, stopSeed := context.WithCancel(context.Background())
	var seedOut, seedErr lockedBuffer
	seedDone := make(chan error, 1)
	go func() {
		seedDone <- Seed(seedCtx, &seedOut, &seedErr, SeedOptions{Torrent: torrentPath, Dir: seedDir, Port: port, ListenHost: "127.0.0.1", NoDHT: true})
	}()
	defer stopSeed()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut lockedBuffer
	err := Download(ctx, &out, &errOut, DownloadOptions{Torrent: torrentPath, Dir: leechDir, Port: 0, ListenHost: "127.0.0.1", NoDHT: true,
		Peers: []string{"127.0.0.1:" + strconv.Itoa(port)}})
	if err != nil {
		t.Fatalf("download: %v\nstderr:\n%s", err, errOut.String())
	}
	want, _ := os.ReadFile(dataPath)
	got, err := os.ReadFile(filepath.Join(leechDir, "cli.bin"))
	if err != nil || !bytes.Equal(want, got) {
		t.Fatalf("downloaded file differs (err %v)", err)
	}
	if !strings.Contains(out.String(), "all 33 pieces verified") {
		t.Errorf("stdout %q lacks the completion line", out.String())
	}
	if !strings.Contains(errOut.String(), "downloading") {
		t.Errorf("stderr shows no progress: %q", errOut.String())
	}

	stopSeed()
	waitSeedStopped(t, seedDone)
	if !strings.Contains(seedOut.String(), "all 33 pieces verified; seeding") {
		t.Errorf("seed stdout: %q", seedOut.String())
	}
}

func TestSeedIncompleteData(t *testing.T) {
	dir := t.TempDir()
	dataPath, torrentPath := writeTestTorrent(t, dir, "part.bin", 1<<20)
	// Damage the second half: 8 of 16 pieces remain good.
	f, err := os.OpenFile(dataPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt(make([]byte, 512<<10), 512<<10)
	f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- Seed(ctx, &out, &errOut, SeedOptions{Torrent: torrentPath, Dir: dir, Port: 0, ListenHost: "127.0.0.1", NoDHT: true})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "only 8 of 16 pieces") {
		if time.Now().After(deadline) {
			t.Fatalf("seed did not report the missing pieces; stdout %q stderr %q", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDownloadErrors(t *testing.T) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	err := Download(ctx, &out, &errOut, DownloadOptions{Torrent: filepath.Join(t.TempDir(), "missing.torrent"), Dir: t.TempDir(), ListenHost: "127.0.0.1", NoDHT: true})
	if err == nil || !strings.Contains(err.Error(), "missing.torrent") {
		t.Errorf("missing torrent: got %v", err)
	}
	_, torrentPath := writeTestTorrent(t, t.TempDir(), "x.bin", 100<<10)
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, []byte("x"), 0o644)
	err = Download(ctx, &out, &errOut, DownloadOptions{Torrent: torrentPath, Dir: notADir, ListenHost: "127.0.0.1", NoDHT: true})
	if err == nil || !strings.Contains(err.Error(), "download folder") {
		t.Errorf("download into a file: got %v", err)
	}
	err = Seed(ctx, &out, &errOut, SeedOptions{Torrent: torrentPath, Dir: t.TempDir(), ListenHost: "127.0.0.1", NoDHT: true})
	if err == nil || !strings.Contains(err.Error(), "nothing to seed") {
		t.Errorf("seed with no data: got %v", err)
	}
}

func TestDownloadInterrupted(t *testing.T) {
	_, torrentPath := writeTestTorrent(t, t.TempDir(), "y.bin", 100<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out, errOut bytes.Buffer
	start := time.Now()
	err := Download(ctx, &out, &errOut, DownloadOptions{Torrent: torrentPath, Dir: t.TempDir(), ListenHost: "127.0.0.1", NoDHT: true})
	if err == nil || !strings.Contains(err.Error(), "interrupted with 0 of 2 pieces verified") {
		t.Fatalf("got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("stopping took %v", time.Since(start))
	}
}

// waitSeedStopped waits for a Seed run whose context was cancelled (as by
// Ctrl-C) to return, and fails on an error or after 15 s.
func waitSeedStopped(t *testing.T, seedDone <-chan error) {
	t.Helper()
	select {
	case err := <-seedDone:
		if err != nil {
			t.Fatalf("seed after Ctrl-C: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("seed did not stop within 15 s of Ctrl-C")
	}
}
