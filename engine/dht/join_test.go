package dht

import (
	"net"
	"testing"
	"time"
)

// TestJoinedClosesOnFirstNodeAndBootstrap: Joined's channel closes when the
// empty table gets its first node, and again when a bootstrap succeeds;
// a later call hands out a fresh, open channel.
func TestJoinedClosesOnFirstNodeAndBootstrap(t *testing.T) {
	hub := startNode(t, testConfig())
	n := startNode(t, testConfig()) // nothing to bootstrap from: stays empty
	first := n.Joined()
	select {
	case <-first:
		t.Fatal("Joined closed before the table had a node")
	default:
	}
	ctx := testContext(t, 10*time.Second)
	if err := n.AddNode(ctx, hub.Addr().String()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first:
	default:
		t.Fatal("Joined still open after the table got its first node")
	}
	second := n.Joined()
	select {
	case <-second:
		t.Fatal("the next Joined channel is already closed")
	default:
	}
	// A second node in a non-empty table is no join; a bootstrap is.
	other := startNode(t, testConfig())
	if err := n.AddNode(ctx, other.Addr().String()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second:
		t.Fatal("Joined closed for a second node")
	default:
	}
	n2 := startNode(t, Config{Addr: "127.0.0.1:0", AllowSameIP: true, QueryTimeout: 500 * time.Millisecond,
		BootstrapNodes: []string{hub.Addr().String()}})
	if err := n2.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	joined := n2.Joined()
	if err := n2.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-joined:
	default:
		t.Fatal("Joined still open after a successful bootstrap")
	}
}

// TestEmptyTableBootstrapsAgainSoon: a node whose bootstrap node is not up
// yet (a classroom hub started after the students' nodes) retries within
// seconds, not at the next minute's maintenance pass.
func TestEmptyTableBootstrapsAgainSoon(t *testing.T) {
	// Reserve a loopback UDP port for the hub, then free it: for now
	// nothing answers there.
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hubAddr := pc.LocalAddr().String()
	pc.Close()

	cfg := testConfig()
	cfg.BootstrapNodes = []string{hubAddr}
	n := startNode(t, cfg)
	eventually(t, 10*time.Second, "the first bootstrap never timed out", func() bool {
		return n.Stats().Timeouts > 0
	})
	if got := n.Stats().Nodes; got != 0 {
		t.Fatalf("%d nodes in the table before the hub is up", got)
	}
	joined := n.Joined()

	hubCfg := testConfig()
	hubCfg.Addr = hubAddr
	hub, err := New(hubCfg)
	if err != nil {
		t.Fatalf("the hub on the reserved port %s: %v", hubAddr, err)
	}
	if err := hub.Start(testContext(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Close() })
	start := time.Now()
	// The retries come 2 s, 4 s, 8 s … after the failures; the first
	// that reaches the hub fills the table. The old schedule waited a
	// minute.
	select {
	case <-joined:
	case <-time.After(12 * time.Second):
		t.Fatalf("still no node after %v with the hub up (stats %+v)", time.Since(start), n.Stats())
	}
	t.Logf("joined %v after the hub came up", time.Since(start).Round(time.Millisecond))
	if n.Stats().Nodes == 0 {
		t.Fatal("Joined closed but the table is empty")
	}
}
