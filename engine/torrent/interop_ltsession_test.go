package torrent

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/peertest"
)

// The DHT and PEX interop tests drive libtorrent sessions
// (testdata/libtorrent_session.py, python3-libtorrent 2.0) on 127.0.0.1.
// Each runs in its own process group with a hard deadline, joins no public
// network (no bootstrap routers, no LSD, UPnP or NAT-PMP) and is stopped by
// its process group id when the test ends.

//go:embed testdata/libtorrent_session.py
var libtorrentSessionScript []byte

// ltSessionTimeout is the hard deadline of every libtorrent session
// process; each test is shorter.
const ltSessionTimeout = 90 * time.Second

// ltSession is one libtorrent session, driven over stdin.
type ltSession struct {
	name  string
	port  int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	done  chan struct{}
}

type ltOptions struct {
	DHT, PEX bool
	// NoSeedDial: a seeding torrent only accepts connections.
	NoSeedDial bool
}

func (l *ltSession) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.Write(b)
}

func (l *ltSession) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.String()
}

func (l *ltSession) addr() netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(l.port))
}

func (l *ltSession) command(t testing.TB, format string, args ...any) {
	t.Helper()
	if _, err := fmt.Fprintf(l.stdin, format+"\n", args...); err != nil {
		t.Fatalf("libtorrent %s: sending command: %v\n%s", l.name, err, ltTail(l.output(), 3000))
	}
}

// waitLine polls the output until a line satisfies match, and returns it.
func (l *ltSession) waitLine(ctx context.Context, t testing.TB, what string, match func(line string) bool) string {
	t.Helper()
	for {
		for _, line := range strings.Split(l.output(), "\n") {
			if match(line) {
				return line
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("libtorrent %s: waiting for %s: %v; output:\n%s", l.name, what, ctx.Err(), ltTail(l.output(), 4000))
		case <-l.done:
			t.Fatalf("libtorrent %s exited before %s; output:\n%s", l.name, what, ltTail(l.output(), 4000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastStatus is the node count of the last "status dht_nodes=" line.
func (l *ltSession) dhtNodes() int {
	out := l.output()
	i := strings.LastIndex(out, "status dht_nodes=")
	if i < 0 {
		return 0
	}
	var n int
	fmt.Sscanf(out[i:], "status dht_nodes=%d", &n)
	return n
}

func ltTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// startLibtorrentSession starts a libtorrent session on 127.0.0.1 and
// waits until it listens.
func startLibtorrentSession(t testing.TB, name string, opts ltOptions) *ltSession {
	t.Helper()
	python := peertest.RequireLibtorrent(t)
	script := filepath.Join(t.TempDir(), "libtorrent_session.py")
	if err := os.WriteFile(script, libtorrentSessionScript, 0o644); err != nil {
		t.Fatal(err)
	}
	port := peertest.FreePort(t)
	l := &ltSession{name: fmt.Sprintf("%s (:%d)", name, port), port: port, done: make(chan struct{})}
	args := []string{"-u", script, "--port", fmt.Sprint(port), "--timeout", fmt.Sprint(ltSessionTimeout.Seconds())}
	if opts.DHT {
		args = append(args, "--dht")
	}
	if opts.PEX {
		args = append(args, "--pex")
	}
	if opts.NoSeedDial {
		args = append(args, "--no-seed-dial")
	}
	l.cmd = exec.Command(python, args...)
	l.cmd.Stdout, l.cmd.Stderr = l, l
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	l.cmd.WaitDelay = 3 * time.Second
	stdin, err := l.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.stdin = stdin
	if err := l.cmd.Start(); err != nil {
		t.Fatalf("starting libtorrent %s: %v", name, err)
	}
	pid := l.cmd.Process.Pid
	t.Logf("libtorrent %s: pid %d", l.name, pid)
	kill := time.AfterFunc(ltSessionTimeout+5*time.Second, func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
	go func() {
		_ = l.cmd.Wait()
		kill.Stop()
		close(l.done)
	}()
	t.Cleanup(func() {
		_, _ = io.WriteString(l.stdin, "quit\n")
		select {
		case <-l.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-l.done
		}
		if t.Failed() || os.Getenv("PEERTEST_LOGS") != "" {
			t.Logf("output of libtorrent %s:\n%s", l.name, ltTail(l.output(), 8000))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l.waitLine(ctx, t, "listening", func(line string) bool { return strings.HasPrefix(line, "listening ") })
	return l
}
