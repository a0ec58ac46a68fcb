package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
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

// testConfig is a client on loopback with no trackers that saves often.
func testConfig(t testing.TB, statePath, dir string) Config {
	return Config{
		StatePath:    statePath,
		ListenAddr:   "127.0.0.1:0",
		DefaultDir:   dir,
		NoTrackers:   true,
		SaveInterval: 200 * time.Millisecond,
		Logger:       testLogger(t),
	}
}

// openClient starts a client that closes with the test (unless closed
// before).
func openClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// writeRandom writes size random bytes to path, creating its folder.
func writeRandom(t testing.TB, path string, size int64) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

// makeTorrent hashes the file or folder at path.
func makeTorrent(t testing.TB, path string, pieceLength int64) *metainfo.MetaInfo {
	t.Helper()
	mi, err := metainfo.Create(context.Background(), path, metainfo.CreateOptions{PieceLength: pieceLength})
	if err != nil {
		t.Fatal(err)
	}
	return mi
}

// summaryOf returns the torrent's row.
func summaryOf(c *Client, id ID) (Summary, bool) {
	for _, s := range c.Torrents() {
		if s.ID == id {
			return s, true
		}
	}
	return Summary{}, false
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

// waitState waits until the torrent shows state and returns its row.
func waitState(t testing.TB, c *Client, id ID, state State, timeout time.Duration) Summary {
	t.Helper()
	var last Summary
	deadline := time.Now().Add(timeout)
	for {
		s, ok := summaryOf(c, id)
		if ok && s.State == state {
			return s
		}
		last = s
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %v (%q) after %v, want %v", last.Name, last.State, last.Message, timeout, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEvent waits for an event of kind about id (any id when zero).
func waitEvent(t testing.TB, c *Client, kind EventKind, id ID, timeout time.Duration) Event {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case ev := <-c.Events():
			if ev.Kind == kind && (id == ID{} || ev.ID == id) {
				return ev
			}
		case <-timer.C:
			t.Fatalf("no %v event within %v", kind, timeout)
		}
	}
}

// netDialUnix connects to a unix socket.
func netDialUnix(path string) (net.Conn, error) { return net.DialTimeout("unix", path, time.Second) }
