package torrent

import (
	"context"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/dht/dhttest"
)

// dhtSessionConfig is a session whose DHT node joins through boot, with
// the normal DHT intervals (no AnnounceInterval: that would hide them).
func dhtSessionConfig(boot *dht.Node) Config {
	return Config{DHT: &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout,
		BootstrapNodes: []string{boot.Addr().String()}}}
}

// bootstrapped waits until the session's DHT node has joined (retried, as
// a loaded machine may miss a query timeout).
func bootstrapped(t *testing.T, s *Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for range 3 {
		if err = s.DHT().Bootstrap(ctx); err == nil {
			return
		}
	}
	t.Fatalf("bootstrapping %s: %v", s.DHT().Addr(), err)
}

// TestDHTLookupRetriesSoonAfterFindingNobody is the audit's slow case: a
// magnet link whose first get_peers lookup ran before the seeder announced.
// The lookup is retried after 2 s (then 4 s, 8 s …), so the leecher finds
// the seeder within seconds of its announce, not a minute later
// (dhtLookupIntervalAlone, the old wait).
func TestDHTLookupRetriesSoonAfterFindingNobody(t *testing.T) {
	hub := dhttest.Loopback(t, 1, false)[0]
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "retry.bin", 300<<10+7, 32<<10)

	leechSession := newTestSession(t, dhtSessionConfig(hub))
	bootstrapped(t, leechSession)
	answered := leechSession.DHT().Stats().Responses
	link := mi.Magnet()
	link.Trackers = nil
	leecher, err := leechSession.AddMagnet(&link, AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	// The leecher's first lookup has asked the hub, which knows no peer
	// yet: its answer is empty. (The leecher then announces itself: the
	// hub stores one peer, the leecher.)
	waitFor(t, 10*time.Second, "the leecher's first get_peers answer", func() bool {
		return leechSession.DHT().Stats().Responses > answered
	})
	if n := hub.Stats().PeersStored; n > 1 {
		t.Fatalf("the hub already stores %d peers before the seeder started", n)
	}

	seedSession := newTestSession(t, dhtSessionConfig(hub))
	bootstrapped(t, seedSession)
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	waitFor(t, 10*time.Second, "the seeder's announce to the hub", func() bool {
		return hub.Stats().PeersStored >= 2 // the leecher and the seeder
	})
	announced := time.Now()
	// Retries come 2 s, 6 s, 14 s … after the first lookup; on a loaded
	// machine the seeder may take a few seconds to announce.
	waitDone(t, leecher, 15*time.Second)
	t.Logf("the leecher completed %v after the seeder announced", time.Since(announced).Round(time.Millisecond))
}

// TestDHTSeederAnnouncesWhenItsTableGetsNodes: a seeder whose routing
// table is still empty when its torrent starts (the hub does not answer
// yet) announces as soon as the table gets its first node, not at the next
// dhtAnnounceInterval a quarter of an hour later.
func TestDHTSeederAnnouncesWhenItsTableGetsNodes(t *testing.T) {
	// The hub's socket is open but nobody reads it yet: queries to it go
	// unanswered until Start.
	hub, err := dht.New(dht.Config{Addr: "127.0.0.1:0", AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hub.Close() })

	seedDir := t.TempDir()
	mi := makeTorrent(t, seedDir, "announce.bin", 100<<10, 16<<10)
	seedSession := newTestSession(t, dhtSessionConfig(hub))
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	waitFor(t, 10*time.Second, "the seeder's bootstrap to time out", func() bool {
		return seedSession.DHT().Stats().Timeouts > 0
	})
	if n := seedSession.DHT().Stats().Nodes; n != 0 {
		t.Fatalf("the seeder's table has %d nodes before the hub is up", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, 12*time.Second, "the seeder's announce once the hub answers", func() bool {
		return hub.Stats().PeersStored > 0
	})
	t.Logf("announced %v after the hub came up", time.Since(start).Round(time.Millisecond))
}
