package app

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/dht/dhttest"
	"github.com/swarmscope/swarmscope/persist"
)

// TestDHTTableSavedWhileRunningIsLoadedAfterACrash: the routing table is
// saved while the client runs, not only at Close. The client's database is
// closed under it (as if the process were killed: Close cannot save any
// more); the next client on the same database, with no bootstrap node at
// all, comes back with the same node id and fills its table from the
// nodes saved while the first one ran.
func TestDHTTableSavedWhileRunningIsLoadedAfterACrash(t *testing.T) {
	nodes := loopbackDHT(t, 6)
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	cfg := testConfig(t, db, filepath.Join(dir, "dl"))
	cfg.DHT = &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout, BootstrapNodes: []string{nodes[0].Addr().String()}}
	cfg.DHTSaveInterval = 400 * time.Millisecond // the first save 100 ms after start
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	first := c.session.DHT().ID()
	waitFor(t, 15*time.Second, "the routing table saved while the client runs", func() bool {
		saved, err := c.store.LoadDHTNodes()
		if err != nil {
			t.Fatal(err)
		}
		id, err := dht.SavedID(saved)
		// At least three nodes of 26 bytes each in the saved form.
		return err == nil && id == first && len(saved) > 3*26
	})

	// The crash: nothing written after this point reaches the database.
	if err := c.store.Close(); err != nil {
		t.Fatal(err)
	}
	c.Close() // fails to save: the database is closed

	cfg2 := testConfig(t, db, filepath.Join(dir, "dl"))
	cfg2.DHT = &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout} // no bootstrap node
	c2 := openClient(t, cfg2)
	v, ok := c2.DHTView()
	if !ok {
		t.Fatal("the DHT is off after the restart")
	}
	if v.ID != first {
		t.Errorf("node id %s after the restart, want the saved %s", v.ID, first)
	}
	waitFor(t, 15*time.Second, "the restarted client's table to fill from the saved nodes", func() bool {
		v, _ := c2.DHTView()
		return v.Stats.Nodes >= 3
	})
}

// TestDHTEmptyTableDoesNotReplaceTheSavedOne: a client whose saved nodes
// are all gone (an offline start) keeps the saved table rather than
// replacing it with an empty one at Close.
func TestDHTEmptyTableDoesNotReplaceTheSavedOne(t *testing.T) {
	// A saved table whose nodes have gone: a node that knew one other, both
	// closed.
	a, err := dht.New(dht.Config{Addr: "127.0.0.1:0", AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout})
	if err != nil {
		t.Fatal(err)
	}
	other := dhttest.Loopback(t, 1, false)[0]
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.AddNode(ctx, other.Addr().String()); err != nil {
		t.Fatal(err)
	}
	saved := a.MarshalNodes()
	a.Close()
	other.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	store, err := persist.Open(db, persist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveDHTNodes(saved); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t, db, filepath.Join(dir, "dl"))
	cfg.DHT = &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout}
	cfg.DHTSaveInterval = 100 * time.Millisecond
	c := openClient(t, cfg)
	// The saved node is pinged and does not answer.
	waitFor(t, 10*time.Second, "the saved node to time out", func() bool {
		v, _ := c.DHTView()
		return v.Stats.Timeouts > 0
	})
	if v, _ := c.DHTView(); v.Stats.Nodes != 0 {
		t.Fatalf("%d nodes in the table, want none", v.Stats.Nodes)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	store, err = persist.Open(db, persist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := store.LoadDHTNodes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, saved) {
		t.Fatalf("the saved table was replaced (%d bytes, had %d)", len(got), len(saved))
	}
}
