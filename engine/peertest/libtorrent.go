package peertest

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

//go:embed libtorrent_client.py
var libtorrentClientScript []byte

// systemPython is where Debian's python3-libtorrent is importable. A python3
// earlier in PATH (pyenv, a virtualenv) usually lacks the module, so it is
// tried first.
const systemPython = "/usr/bin/python3"

// RequireLibtorrent returns a python3 interpreter that can import libtorrent,
// or fails the test naming the Debian package to install.
func RequireLibtorrent(t testing.TB) string {
	t.Helper()
	candidates := []string{systemPython}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	var failures bytes.Buffer
	for _, python := range candidates {
		out, err := exec.Command(python, "-c", "import libtorrent").CombinedOutput()
		if err == nil {
			return python
		}
		fmt.Fprintf(&failures, "%s: %v: %s\n", python, err, bytes.TrimSpace(out))
	}
	t.Fatalf("peertest: no python3 can import libtorrent: install Debian package python3-libtorrent (make test does this)\n%s", failures.String())
	return ""
}

// StartLibtorrent starts a libtorrent (python3-libtorrent) client on
// 127.0.0.1:opts.Port. As a seeder it checks the data in opts.Dir, prints
// "complete" and seeds until stopped; as a leecher it exits with status 0
// once the download is complete. It connects to every opts.Peers entry
// (retrying each second until connected) and announces to the torrent's
// trackers.
func StartLibtorrent(t testing.TB, opts ClientOptions, seed bool) *Process {
	t.Helper()
	opts.prepare(t, "libtorrent")
	python := RequireLibtorrent(t)
	script := filepath.Join(t.TempDir(), "libtorrent_client.py")
	if err := os.WriteFile(script, libtorrentClientScript, 0o644); err != nil {
		t.Fatalf("peertest: writing libtorrent client script: %v", err)
	}
	argv := []string{python, "-u", script,
		"--torrent", opts.Torrent,
		"--dir", opts.Dir,
		"--port", fmt.Sprint(opts.Port),
		"--upload-limit", fmt.Sprint(opts.UploadLimit),
		"--download-limit", fmt.Sprint(opts.DownloadLimit),
		"--timeout", fmt.Sprint(opts.Timeout.Seconds()),
		"--announce-interval", fmt.Sprint(opts.AnnounceInterval.Seconds()),
	}
	if seed {
		argv = append(argv, "--seed")
	}
	for _, peer := range opts.Peers {
		argv = append(argv, "--peer", peer)
	}
	p := start(t, "libtorrent "+role(seed), opts.Port, opts.Timeout+stopGrace, opts.Dir, argv)
	p.complete = outputHasLine("complete")
	return p
}

// outputHasLine returns a completion check that looks for line on a line
// of its own.
func outputHasLine(line string) func([]byte) bool {
	return func(out []byte) bool {
		return bytes.HasPrefix(out, []byte(line+"\n")) || bytes.Contains(out, []byte("\n"+line+"\n"))
	}
}
