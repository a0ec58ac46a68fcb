package dht

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

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/peertest"
)

//go:embed testdata/libtorrent_dht.py
var libtorrentDHTScript []byte

// interopTimeout is the hard deadline of every libtorrent process and of
// each interop test.
const interopTimeout = 60 * time.Second

// ltNode is a libtorrent DHT node (testdata/libtorrent_dht.py) driven
// over stdin, in its own process group with a hard deadline.
type ltNode struct {
	port  int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	done  chan struct{}
}

func (l *ltNode) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.Write(b)
}

func (l *ltNode) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.String()
}

func (l *ltNode) addr() netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(l.port))
}

func (l *ltNode) command(t *testing.T, format string, args ...any) {
	t.Helper()
	if _, err := fmt.Fprintf(l.stdin, format+"\n", args...); err != nil {
		t.Fatalf("libtorrent node :%d: sending command: %v\n%s", l.port, err, l.output())
	}
}

// waitFor polls the output until match finds what it wants.
func (l *ltNode) waitFor(ctx context.Context, t *testing.T, what string, match func(output string) bool) {
	t.Helper()
	for !match(l.output()) {
		select {
		case <-ctx.Done():
			t.Fatalf("libtorrent node :%d: %s: %v; output:\n%s", l.port, what, ctx.Err(), tail(l.output(), 3000))
		case <-l.done:
			t.Fatalf("libtorrent node :%d exited before %s; output:\n%s", l.port, what, tail(l.output(), 3000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// startLibtorrentDHT starts one libtorrent DHT node on 127.0.0.1 and waits
// until it listens. It stops by itself after interopTimeout and is stopped
// (by its process group id) when the test ends.
func startLibtorrentDHT(t *testing.T, python, script string) *ltNode {
	t.Helper()
	port := peertest.FreePort(t)
	l := &ltNode{port: port, done: make(chan struct{})}
	l.cmd = exec.Command(python, "-u", script, "--port", fmt.Sprint(port), "--timeout", fmt.Sprint(interopTimeout.Seconds()))
	l.cmd.Stdout, l.cmd.Stderr = l, l
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	l.cmd.WaitDelay = 3 * time.Second
	stdin, err := l.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.stdin = stdin
	if err := l.cmd.Start(); err != nil {
		t.Fatalf("starting libtorrent DHT node: %v", err)
	}
	pid := l.cmd.Process.Pid
	t.Logf("libtorrent DHT node pid %d on 127.0.0.1:%d", pid, port)
	kill := time.AfterFunc(interopTimeout+5*time.Second, func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
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
			t.Logf("output of libtorrent node :%d:\n%s", port, tail(l.output(), 6000))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l.waitFor(ctx, t, "listening", func(out string) bool { return strings.Contains(out, "listening ") })
	return l
}

// libtorrentDHT forms a DHT of count libtorrent nodes and one of ours on
// loopback, each knowing all the others, and waits until every routing
// table has filled.
func libtorrentDHT(t *testing.T, ctx context.Context, count int) (*Node, []*ltNode) {
	python := peertest.RequireLibtorrent(t)
	script := filepath.Join(t.TempDir(), "libtorrent_dht.py")
	if err := os.WriteFile(script, libtorrentDHTScript, 0o644); err != nil {
		t.Fatal(err)
	}
	lts := make([]*ltNode, count)
	for i := range lts {
		lts[i] = startLibtorrentDHT(t, python, script)
	}
	cfg := testConfig()
	cfg.QueryTimeout = 2 * time.Second
	ours := startNode(t, cfg)
	// Introduce everyone to everyone once all are listening.
	for _, l := range lts {
		for _, other := range lts {
			if other != l {
				l.command(t, "add_node 127.0.0.1 %d", other.port)
			}
		}
		l.command(t, "add_node 127.0.0.1 %d", ours.Addr().Port())
	}
	for _, l := range lts {
		if err := ours.AddNode(ctx, l.addr().String()); err != nil {
			t.Fatalf("our node could not add libtorrent node %s: %v", l.addr(), err)
		}
	}
	want := fmt.Sprintf("status dht_nodes=%d", count)
	for _, l := range lts {
		l.waitFor(ctx, t, "a full routing table ("+want+")", func(out string) bool { return strings.Contains(out, want) })
	}
	if got := ours.Stats().Nodes; got != count {
		t.Fatalf("our routing table has %d nodes, want the %d libtorrent nodes", got, count)
	}
	return ours, lts
}

// TestLibtorrentAnnouncesWeFind: a libtorrent node announces an info hash
// (it adds a magnet-style torrent, which libtorrent announces to the DHT
// with its listen port); our GetPeers finds that peer.
func TestLibtorrentAnnouncesWeFind(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	defer cancel()
	ours, lts := libtorrentDHT(t, ctx, 4)
	ih := metainfo.Hash(RandomID())
	announcer := lts[0]
	announcer.command(t, "add_torrent %x %s", ih[:], t.TempDir())
	want := announcer.addr() // libtorrent announces its listen port, TCP = UDP here

	for attempt := 1; ; attempt++ {
		peers, trace := ours.GetPeers(ctx, ih)
		var found []netip.AddrPort
		for p := range peers {
			found = append(found, p)
		}
		for _, p := range found {
			if p == want {
				t.Logf("attempt %d: found %v in %d queries over %d steps", attempt, found, trace.Queries(), trace.Steps())
				return
			}
		}
		t.Logf("attempt %d: found %v (lookup: %d queries, error %v)", attempt, found, trace.Queries(), trace.Err())
		select {
		case <-ctx.Done():
			t.Fatalf("our node never found libtorrent's announce of %x at %v", ih[:], want)
		case <-time.After(time.Second):
		}
	}
}

// TestWeAnnounceLibtorrentFinds: our node announces an info hash and
// libtorrent's dht_get_peers finds us.
func TestWeAnnounceLibtorrentFinds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	defer cancel()
	ours, lts := libtorrentDHT(t, ctx, 3)
	ih := metainfo.Hash(RandomID())
	const port = 41234
	trace, err := ours.Announce(ctx, ih, port, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("announced to %v", trace.AnnouncedTo())
	if len(trace.AnnouncedTo()) != len(lts) {
		t.Fatalf("announce accepted by %d of %d libtorrent nodes", len(trace.AnnouncedTo()), len(lts))
	}
	for _, l := range lts {
		if !strings.Contains(l.output(), fmt.Sprintf("incoming_announce %x 127.0.0.1:%d", ih[:], port)) {
			// libtorrent reports announces it stores; give it a moment.
			l.waitFor(ctx, t, "our announce_peer", func(out string) bool {
				return strings.Contains(out, fmt.Sprintf("incoming_announce %x 127.0.0.1:%d", ih[:], port))
			})
		}
	}
	searcher := lts[len(lts)-1]
	want := fmt.Sprintf("127.0.0.1:%d", port)
	searcher.command(t, "get_peers %x", ih[:])
	searcher.waitFor(ctx, t, "dht_get_peers finding "+want, func(out string) bool {
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, fmt.Sprintf("peers %x ", ih[:])) && strings.Contains(line, want) {
				t.Logf("libtorrent: %s", line)
				return true
			}
		}
		return false
	})
}
