package peertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// StartTransmission starts transmission-cli 3.00 listening on
// 127.0.0.1:opts.Port. transmission-cli does not dial peers on 127.0.0.0/8
// (neither given ones nor ones from a tracker), so other peers must connect
// to it, at its Addr; setting opts.Peers fails the test. It announces to
// the torrent's trackers, which lets a peer that dials tracker peers
// (libtorrent, our engine) find it.
//
// Both as seeder and as leecher it keeps running (seeding) until stopped;
// WaitComplete returns once it prints its "Seeding" status, i.e. after the
// download, or for a seeder after it has verified the data in opts.Dir.
func StartTransmission(t testing.TB, opts ClientOptions, seed bool) *Process {
	t.Helper()
	opts.prepare(t, "transmission-cli")
	if len(opts.Peers) > 0 {
		t.Fatalf("peertest: transmission-cli does not connect to peers on 127.0.0.0/8 (asked for %v): make them connect to it", opts.Peers)
	}
	if opts.AnnounceInterval > 0 {
		t.Fatalf("peertest: transmission-cli cannot override the tracker's announce interval (asked for %v)", opts.AnnounceInterval)
	}
	bin := RequireBinary(t, "transmission-cli", "transmission-cli")
	// transmission-cli writes its "\r"-redrawn status line to a fully
	// buffered stdout when that is not a terminal: run it unbuffered.
	stdbuf := RequireBinary(t, "stdbuf", "coreutils")

	// Its own config folder (-g), so it never reads or writes
	// ~/.config/transmission, with everything that could leave loopback off.
	configDir := t.TempDir()
	settings := map[string]any{
		"bind-address-ipv4":         "127.0.0.1",
		"bind-address-ipv6":         "::1",
		"peer-port":                 opts.Port,
		"peer-port-random-on-start": false,
		"dht-enabled":               false,
		"lpd-enabled":               false,
		"pex-enabled":               false,
		"utp-enabled":               false,
		"port-forwarding-enabled":   false,
		"rpc-enabled":               false,
		"blocklist-enabled":         false,
		"watch-dir-enabled":         false,
		"incomplete-dir-enabled":    false,
		// Keep the file name the same while downloading (no ".part").
		"rename-partial-files": false,
		// Write blocks straight to disk, so the file is complete on disk
		// when the status line says "Seeding".
		"cache-size-mb": 0,
		// 0 = tolerate: plain-text handshakes, encrypted ones accepted.
		"encryption":           0,
		"start-added-torrents": true,
		"ratio-limit-enabled":  false,
		"message-level":        2, // info: tracker and verification messages
	}
	data, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		t.Fatalf("peertest: encoding transmission settings: %v", err)
	}
	if err := os.WriteFile(filepath.Join(configDir, "settings.json"), data, 0o644); err != nil {
		t.Fatalf("peertest: writing transmission settings: %v", err)
	}

	argv := []string{stdbuf, "-o0", "-e0", bin,
		"--config-dir", configDir,
		"--download-dir", opts.Dir,
		"--port", fmt.Sprint(opts.Port),
		"--no-portmap",
		"--no-blocklist",
		"--encryption-tolerated",
	}
	// transmission-cli limits are in kB/s (1 kB = 1000 bytes); round up so a
	// small limit does not become "0 = stalled".
	if opts.UploadLimit > 0 {
		argv = append(argv, "--uplimit", fmt.Sprint((opts.UploadLimit+999)/1000))
	} else {
		argv = append(argv, "--no-uplimit")
	}
	if opts.DownloadLimit > 0 {
		argv = append(argv, "--downlimit", fmt.Sprint((opts.DownloadLimit+999)/1000))
	} else {
		argv = append(argv, "--no-downlimit")
	}
	argv = append(argv, opts.Torrent)
	p := start(t, "transmission-cli "+role(seed), opts.Port, opts.Timeout, opts.Dir, argv)
	p.complete = func(out []byte) bool { return bytes.Contains(out, []byte("Seeding, uploading to")) }
	return p
}
