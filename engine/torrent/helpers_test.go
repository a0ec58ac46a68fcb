package torrent

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// testLogger logs to the test at debug level when SWARMSCOPE_DEBUG is set.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("SWARMSCOPE_DEBUG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(b, "\n")))
	return len(b), nil
}

// newTestSession starts a session on 127.0.0.1 that closes with the test.
func newTestSession(t testing.TB, cfg Config) *Session {
	t.Helper()
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// makeTorrent writes size random bytes to dir/name and returns its metainfo.
func makeTorrent(t testing.TB, dir, name string, size, pieceLength int64) *metainfo.MetaInfo {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), path, metainfo.CreateOptions{PieceLength: pieceLength})
	if err != nil {
		t.Fatal(err)
	}
	return mi
}

// waitDone waits for a torrent to complete, failing the test with its last
// snapshot on timeout.
func waitDone(t testing.TB, tr *Torrent, timeout time.Duration) {
	t.Helper()
	select {
	case <-tr.Done():
	case <-time.After(timeout):
		s := tr.Snapshot()
		t.Fatalf("%s: not complete after %v: state %v, %d/%d pieces, %d peers, dropped %v",
			s.Name, timeout, s.State, s.HaveCount, s.NumPieces, len(s.Peers), s.DroppedPeers)
	}
}

// sameFile fails the test unless two files have the same bytes.
func sameFile(t testing.TB, want, got string) {
	t.Helper()
	a, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("%s differs from %s (%d vs %d bytes)", got, want, len(b), len(a))
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
