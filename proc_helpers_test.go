package main

// Helpers for the tests that run our own binary as separate OS processes
// (procswarm_test.go): one build shared by those tests, child processes
// with captured output that always end, a tracker of our own on 127.0.0.1,
// and byte-for-byte and per-piece checks of downloaded files.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

const (
	// procDeadline bounds every wait for a child process to reach a state.
	procDeadline = 60 * time.Second
	// procLifetime is the most any child process may live; then it is killed.
	procLifetime = 150 * time.Second
	// procPoll is how often the waits look again.
	procPoll = 50 * time.Millisecond
)

var procBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// TestMain removes the binary the process tests shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if procBuild.dir != "" {
		os.RemoveAll(procBuild.dir)
	}
	os.Exit(code)
}

// procBinary builds swarmscope once for all process tests of this run (a
// link takes about ten seconds) and returns its path.
func procBinary(t *testing.T) string {
	t.Helper()
	procBuild.once.Do(func() {
		procBuild.dir, procBuild.err = os.MkdirTemp("", "swarmscope-proc-")
		if procBuild.err != nil {
			return
		}
		procBuild.bin = filepath.Join(procBuild.dir, "swarmscope")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-tags", "migrated_fynedo", "-o", procBuild.bin, ".").CombinedOutput()
		if err != nil {
			procBuild.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if procBuild.err != nil {
		t.Fatal(procBuild.err)
	}
	return procBuild.bin
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is one running swarmscope process.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	done           chan struct{} // closed when the process has been waited for
	waitErr        error         // valid once done is closed
	started        time.Time
}

// startProc starts bin with args in its own process. It is killed when the
// test ends (or after procLifetime) if it has not exited by then; its
// output is logged when the test fails.
func startProc(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), procLifetime)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	cmd.WaitDelay = 5 * time.Second
	p := &proc{name: name, cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("%s: starting %v: %v", name, args, err)
	}
	p.started = time.Now()
	go func() {
		p.waitErr = cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = cmd.Process.Kill() // only this process, by its PID
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s %v (%v):\n--- stdout\n%s--- stderr\n%s", name, args, p.waitErr, p.stdout, p.stderr)
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// output is stdout and stderr together, for messages.
func (p *proc) output() string {
	return fmt.Sprintf("stdout %q, stderr %q", p.stdout, p.stderr)
}

// waitFor polls until cond holds, failing the test after procDeadline or
// when p exits first.
func (p *proc) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(procDeadline)
	for !cond() {
		if p.exited() {
			if cond() {
				return
			}
			t.Fatalf("%s exited (%v) before %s; %s", p.name, p.waitErr, what, p.output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %s within %v; %s", p.name, what, procDeadline, p.output())
		}
		time.Sleep(procPoll)
	}
}

// waitStdout waits for a line of stdout matching re and returns its submatches.
func (p *proc) waitStdout(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	var m []string
	p.waitFor(t, fmt.Sprintf("stdout matching %q", re), func() bool {
		m = re.FindStringSubmatch(p.stdout.String())
		return m != nil
	})
	return m
}

// wait waits up to limit for p to exit by itself and returns its exit code
// (-1 when a signal ended it).
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("%s still running after %v; %s", p.name, limit, p.output())
	}
	var exit *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exit) {
		t.Fatalf("%s: %v", p.name, p.waitErr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// interrupt sends SIGINT (Ctrl-C) to p and waits up to limit for it to
// exit, returning the exit code and how long it took.
func (p *proc) interrupt(t *testing.T, limit time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("%s: SIGINT: %v", p.name, err)
	}
	code := p.wait(t, limit)
	return code, time.Since(start)
}

// kill9 sends SIGKILL to p and waits for it to be gone.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("%s: SIGKILL: %v", p.name, err)
	}
	<-p.done
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("%s did not die of SIGKILL: %v", p.name, p.cmd.ProcessState)
	}
}

var announceLine = regexp.MustCompile(`announce: (http://127\.0\.0\.1:[0-9]+/announce)`)

// startTracker runs "swarmscope tracker" on a free port of 127.0.0.1 and
// returns it with its HTTP announce URL as printed.
func startTracker(t *testing.T, bin string) (*proc, string) {
	t.Helper()
	p := startProc(t, "tracker", bin, "tracker", "-listen", "127.0.0.1:0")
	m := p.waitStdout(t, announceLine)
	return p, m[1]
}

// stopTracker interrupts the tracker, which must exit 0 promptly.
func stopTracker(t *testing.T, p *proc) {
	t.Helper()
	if code, took := p.interrupt(t, 15*time.Second); code != 0 {
		t.Errorf("tracker: exit %d after SIGINT (%v); %s", code, took, p.output())
	}
}

// randomFile writes size random bytes to dir/name and returns its path and content.
func randomFile(t *testing.T, dir, name string, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// createTorrent runs "swarmscope create -tracker announce" on data and
// returns the .torrent's path and contents.
func createTorrent(t *testing.T, bin, announce, data string) (string, *metainfo.MetaInfo) {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(data)+".torrent")
	p := startProc(t, "create", bin, "create", "-tracker", announce, "-o", out, data)
	if code := p.wait(t, procDeadline); code != 0 {
		t.Fatalf("create: exit %d; %s", code, p.output())
	}
	mi, err := metainfo.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.stdout.String(), mi.InfoHash.Hex()) {
		t.Errorf("create did not print the info hash %s; %s", mi.InfoHash.Hex(), p.output())
	}
	if mi.Announce != announce {
		t.Fatalf("create: announce %q, want %q", mi.Announce, announce)
	}
	return out, mi
}

// sameFile fails the test unless the file at path holds exactly want.
func sameFile(t *testing.T, who, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v", who, err)
		return
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("%s: %s differs from the original: %d bytes, want %d, first difference at byte %d", who, path, len(got), len(want), i)
	}
}

// goodPieces counts the pieces of a single-file torrent whose bytes in the
// file at path match their SHA-1 hash (a missing or short file has fewer).
func goodPieces(info *metainfo.Info, path string) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, info.PieceLength)
	good := 0
	for i := range info.NumPieces() {
		b := buf[:info.PieceSize(i)]
		if _, err := f.ReadAt(b, int64(i)*info.PieceLength); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return 0, err
		}
		if sha1.Sum(b) == info.Pieces[i] {
			good++
		}
	}
	return good, nil
}

// scrapeSeeders asks the tracker how many seeders and leechers it counts
// for the torrent (0, 0 when it does not know the torrent).
func scrapeSeeders(t *testing.T, announce string, hash metainfo.Hash) (seeders, leechers int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stats, err := tracker.NewClient().Scrape(ctx, announce, [][20]byte{hash})
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	s := stats[hash]
	return s.Seeders, s.Leechers
}

// waitScrape polls the tracker until want holds of its seeder and leecher counts.
func waitScrape(t *testing.T, announce string, hash metainfo.Hash, what string, want func(seeders, leechers int) bool) {
	t.Helper()
	deadline := time.Now().Add(procDeadline)
	for {
		s, l := scrapeSeeders(t, announce, hash)
		if want(s, l) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tracker never counted %s (last scrape: %d seeders, %d leechers)", what, s, l)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
