package peertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tracker is an opentracker instance listening on 127.0.0.1, HTTP and UDP
// on the same port.
type Tracker struct {
	// HTTPURL is the HTTP announce URL, "http://127.0.0.1:port/announce".
	HTTPURL string
	// UDPURL is the UDP announce URL, "udp://127.0.0.1:port/announce".
	UDPURL string
	// Process is the running opentracker; it is stopped by t.Cleanup.
	*Process

	whitelistPath string
	mu            sync.Mutex
	allowed       [][20]byte
}

// trackerStartTimeout bounds how long StartOpentracker waits for the
// tracker to answer announces.
const trackerStartTimeout = 10 * time.Second

// StartOpentracker starts opentracker on a free 127.0.0.1 port and returns
// once it answers announces. Debian's opentracker is built with a
// whitelist: it refuses every torrent not listed. Pass the info hashes the
// test will announce, or add them later with Allow (a torrent's info hash
// does not depend on its announce URL, but the URL is only known once the
// tracker runs). The tracker runs until the test ends (hard deadline: 10
// minutes).
func StartOpentracker(t testing.TB, infoHashes ...[20]byte) *Tracker {
	t.Helper()
	bin := RequireBinary(t, "opentracker", "opentracker")

	// opentracker chroots to -d and, when started as root, drops to user
	// "nobody"; the whitelist is opened after that, relative to the new
	// root. So the folder and file must be readable by everyone and the -w
	// path must be relative.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("peertest: opening up opentracker's folder %s: %v", dir, err)
	}
	tr := &Tracker{whitelistPath: filepath.Join(dir, whitelistName)}
	tr.writeWhitelist(t, infoHashes)

	port := FreePort(t)
	// -i must come before -p/-P: each port binds to the address given
	// before it (without -i it would listen on every interface).
	argv := []string{bin, "-i", "127.0.0.1", "-p", fmt.Sprint(port), "-P", fmt.Sprint(port), "-d", dir, "-w", whitelistName}
	tr.Process = start(t, "opentracker", port, 10*time.Minute, dir, argv)
	tr.HTTPURL = fmt.Sprintf("http://127.0.0.1:%d/announce", port)
	tr.UDPURL = fmt.Sprintf("udp://127.0.0.1:%d/announce", port)

	ctx, cancel := context.WithTimeout(context.Background(), trackerStartTimeout)
	defer cancel()
	if err := tr.waitReady(ctx, infoHashes); err != nil {
		t.Fatalf("peertest: opentracker on port %d: %v\noutput:\n%s", port, err, tr.Output())
	}
	return tr
}

// whitelistName is opentracker's whitelist file, inside its chroot folder.
const whitelistName = "whitelist"

// Allow adds info hashes to the tracker's whitelist and returns once the
// tracker accepts announces for them. opentracker rereads its whitelist on
// SIGHUP.
func (tr *Tracker) Allow(t testing.TB, infoHashes ...[20]byte) {
	t.Helper()
	tr.writeWhitelist(t, infoHashes)
	if err := tr.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatalf("peertest: asking opentracker (pid %d) to reload its whitelist: %v", tr.cmd.Process.Pid, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), trackerStartTimeout)
	defer cancel()
	if err := tr.waitReady(ctx, infoHashes); err != nil {
		t.Fatalf("peertest: opentracker on port %d after reloading its whitelist: %v", tr.Port, err)
	}
}

// writeWhitelist adds infoHashes to the whitelist file, one hex hash a line.
func (tr *Tracker) writeWhitelist(t testing.TB, infoHashes [][20]byte) {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.allowed = append(tr.allowed, infoHashes...)
	var list strings.Builder
	for _, h := range tr.allowed {
		fmt.Fprintf(&list, "%x\n", h)
	}
	// Write and rename, so opentracker never reads a half-written file.
	tmp := tr.whitelistPath + ".new"
	if err := os.WriteFile(tmp, []byte(list.String()), 0o644); err != nil {
		t.Fatalf("peertest: writing opentracker whitelist: %v", err)
	}
	if err := os.Rename(tmp, tr.whitelistPath); err != nil {
		t.Fatalf("peertest: replacing opentracker whitelist: %v", err)
	}
}

// waitReady polls until the tracker answers an announce for each of
// infoHashes, which means it listens and has loaded its whitelist (another
// thread loads it, a moment after the sockets open). The probes announce
// event=stopped, so they leave no peer behind. With no hashes, any
// bencoded answer (a refusal included) shows the tracker is up.
func (tr *Tracker) waitReady(ctx context.Context, infoHashes [][20]byte) error {
	probes := infoHashes
	if len(probes) == 0 {
		probes = [][20]byte{{}}
	}
	client := &http.Client{Timeout: time.Second}
	for _, h := range probes {
		var last string
		// opentracker loads its whitelist on another thread and was seen to
		// accept one probe and refuse the next announce right after start,
		// so ready means several accepted probes in a row.
		accepted := 0
		for {
			select {
			case <-tr.Done():
				return fmt.Errorf("exited: %v", tr.exitError())
			default:
			}
			body, err := tr.probe(ctx, client, h)
			if err == nil && strings.HasPrefix(body, "d") && (len(infoHashes) == 0 || !strings.Contains(body, "failure reason")) {
				if accepted++; accepted >= 3 {
					break
				}
			} else {
				accepted = 0
				if err != nil {
					last = err.Error()
				} else {
					last = fmt.Sprintf("%q", body)
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no successful announce for %x within %v (last answer: %s)", h, trackerStartTimeout, last)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// probe sends one HTTP announce with event=stopped and returns the body.
func (tr *Tracker) probe(ctx context.Context, client *http.Client, infoHash [20]byte) (string, error) {
	q := url.Values{}
	q.Set("info_hash", string(infoHash[:]))
	q.Set("peer_id", "-PT0000-readinessprb")
	q.Set("port", "1")
	q.Set("uploaded", "0")
	q.Set("downloaded", "0")
	q.Set("left", "0")
	q.Set("compact", "1")
	q.Set("event", "stopped")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tr.HTTPURL+"?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d: %q", resp.StatusCode, body)
	}
	return string(body), nil
}
