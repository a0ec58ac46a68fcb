// Package dhttest starts small DHT networks on 127.0.0.1 for tests of the
// packages above the DHT (the application core, the UI). Nothing here
// reaches beyond loopback.
package dhttest

import (
	"context"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
)

// QueryTimeout is the query timeout of the nodes Loopback starts; pass it to
// the node under test too, so a lost packet costs half a second, not five.
const QueryTimeout = 500 * time.Millisecond

// Loopback starts count DHT nodes on 127.0.0.1 (several per IP allowed),
// each joined to the network through the first, and closes them when the
// test ends. With bootstrap set, every node after the first has joined
// (retried, as a loaded machine may miss a timeout) before it returns.
func Loopback(t testing.TB, count int, bootstrap bool) []*dht.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodes := make([]*dht.Node, count)
	for i := range nodes {
		cfg := dht.Config{Addr: "127.0.0.1:0", AllowSameIP: true, QueryTimeout: QueryTimeout}
		if i > 0 {
			cfg.BootstrapNodes = []string{nodes[0].Addr().String()}
		}
		n, err := dht.New(cfg)
		if err != nil {
			t.Fatalf("dhttest: node %d: %v", i, err)
		}
		if err := n.Start(context.Background()); err != nil {
			t.Fatalf("dhttest: starting node %d: %v", i, err)
		}
		t.Cleanup(func() { n.Close() })
		nodes[i] = n
	}
	if !bootstrap {
		return nodes
	}
	for _, n := range nodes[1:] {
		var err error
		for range 3 {
			if err = n.Bootstrap(ctx); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("dhttest: bootstrapping %s: %v", n.Addr(), err)
		}
	}
	return nodes
}
