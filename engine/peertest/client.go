package peertest

import (
	"os"
	"testing"
	"time"
)

// ClientOptions describes one real client to start.
type ClientOptions struct {
	// Torrent is the .torrent file path.
	Torrent string
	// Dir is the data folder: for a seeder it holds the torrent's content
	// (Dir/<name>), for a leecher it is where the content is saved.
	Dir string
	// Port is the peer listen port on 127.0.0.1; 0 picks FreePort.
	Port int
	// Peers are "127.0.0.1:port" addresses the client connects to directly.
	// libtorrent supports this; aria2c and transmission-cli cannot (see the
	// package doc) and fail the test when Peers is set.
	Peers []string
	// UploadLimit and DownloadLimit are in bytes/s; 0 means unlimited.
	UploadLimit, DownloadLimit int64
	// AnnounceInterval, when not zero, makes the client announce to its
	// trackers this often instead of at the tracker's interval (opentracker
	// asks for about 30 minutes). It lets a peer that announced before the
	// others started learn about them. aria2c (whole seconds) and
	// libtorrent support it; transmission-cli fails the test.
	AnnounceInterval time.Duration
	// Timeout is the hard deadline after which the client is killed;
	// 0 means DefaultTimeout.
	Timeout time.Duration
}

// prepare fills in defaults and checks the options that every client needs.
func (o *ClientOptions) prepare(t testing.TB, client string) {
	t.Helper()
	if o.Torrent == "" {
		t.Fatalf("peertest: %s: ClientOptions.Torrent is empty", client)
	}
	if _, err := os.Stat(o.Torrent); err != nil {
		t.Fatalf("peertest: %s: torrent file: %v", client, err)
	}
	if o.Dir == "" {
		t.Fatalf("peertest: %s: ClientOptions.Dir is empty", client)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		t.Fatalf("peertest: %s: creating data folder: %v", client, err)
	}
	if o.Port == 0 {
		o.Port = FreePort(t)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
}

// role names a client's role in log messages.
func role(seed bool) string {
	if seed {
		return "seeder"
	}
	return "leecher"
}
