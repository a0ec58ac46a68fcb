package peertest

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// StartAria2 starts aria2c on 127.0.0.1:opts.Port. aria2c has no option to
// dial a given peer, so it only meets peers through the torrent's trackers
// (use StartOpentracker or our own tracker) or when they dial it; setting
// opts.Peers fails the test.
//
// As a seeder it checks the data in opts.Dir (--check-integrity) and seeds
// until stopped; WaitComplete returns once the check passed and it seeds.
// As a leecher it runs with --seed-time=0, so it exits with status 0 right
// after the download completes; WaitComplete waits for that exit.
func StartAria2(t testing.TB, opts ClientOptions, seed bool) *Process {
	t.Helper()
	opts.prepare(t, "aria2c")
	if len(opts.Peers) > 0 {
		t.Fatalf("peertest: aria2c cannot connect to peers directly (asked for %v): let it meet them through a tracker", opts.Peers)
	}
	bin := RequireBinary(t, "aria2c", "aria2")
	argv := []string{bin,
		"--dir=" + opts.Dir,
		"--listen-port=" + fmt.Sprint(opts.Port),
		// Binds the listener and outgoing connections to loopback.
		"--interface=127.0.0.1",
		"--disable-ipv6=true",
		"--enable-dht=false", "--enable-dht6=false",
		"--bt-enable-lpd=false",
		"--enable-peer-exchange=false",
		// Plain-text handshakes first; encrypted ones are still accepted.
		"--bt-min-crypto-level=plain", "--bt-require-crypto=false",
		"--check-integrity=true",
		"--file-allocation=none",
		"--auto-file-renaming=false", "--allow-overwrite=true",
		// 0 = the interval the tracker asks for.
		"--bt-tracker-interval=" + fmt.Sprint(int(opts.AnnounceInterval.Seconds())),
		"--max-overall-upload-limit=" + fmt.Sprint(opts.UploadLimit),
		"--max-overall-download-limit=" + fmt.Sprint(opts.DownloadLimit),
		// aria2c stops by itself at the deadline, and if the test binary dies.
		"--stop=" + fmt.Sprint(int(opts.Timeout.Seconds())),
		"--stop-with-process=" + fmt.Sprint(os.Getpid()),
		// Without a terminal aria2c prints its readout ("[#gid SEED(…) …]")
		// as plain lines at each summary interval; SEED marks a seeder ready.
		"--summary-interval=1", "--enable-color=false", "--console-log-level=notice",
	}
	if seed {
		// 0.0: seed regardless of share ratio, with no seed-time limit.
		argv = append(argv, "--seed-ratio=0.0")
	} else {
		argv = append(argv, "--seed-time=0")
	}
	argv = append(argv, opts.Torrent)
	p := start(t, "aria2c "+role(seed), opts.Port, opts.Timeout+stopGrace, opts.Dir, argv)
	if seed {
		p.complete = func(out []byte) bool { return bytes.Contains(out, []byte(" SEED(")) }
	} else {
		p.exitMeansComplete = true
	}
	return p
}
