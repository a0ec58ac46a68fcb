package dht

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/anacrolix/torrent/bencode"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// testConfig is a loopback node that never contacts anything it is not
// given.
func testConfig() Config {
	return Config{Addr: "127.0.0.1:0", AllowSameIP: true, QueryTimeout: 500 * time.Millisecond}
}

func startNode(t testing.TB, cfg Config) *Node {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("closing node %s: %v", n.Addr(), err)
		}
	})
	return n
}

func testContext(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 10 ms until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAddNodeMakesBothSidesKnowEachOther(t *testing.T) {
	a, b := startNode(t, testConfig()), startNode(t, testConfig())
	ctx := testContext(t, 5*time.Second)
	if err := a.AddNode(ctx, b.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if s := a.Stats(); s.Nodes != 1 || s.Good != 1 {
		t.Fatalf("a's table after AddNode: %+v", s)
	}
	// b heard a's ping, pinged back, and added a on the answer.
	eventually(t, 3*time.Second, "b did not add a", func() bool { return b.Stats().Nodes == 1 })
	got := b.Buckets()[0].Nodes[0]
	if got.ID != a.ID() || got.Addr != a.Addr() || got.State != Good {
		t.Fatalf("b's entry for a: %+v", got)
	}
	if err := a.AddNode(ctx, "127.0.0.1:0"); err == nil {
		t.Fatal("AddNode accepted port 0")
	}
}

// buildNetwork starts count nodes and joins each to the first few.
func buildNetwork(t testing.TB, count int) []*Node {
	t.Helper()
	nodes := make([]*Node, count)
	seeds := 3
	for i := range nodes {
		cfg := testConfig()
		for j := 0; j < min(i, seeds); j++ {
			cfg.BootstrapNodes = append(cfg.BootstrapNodes, nodes[j].Addr().String())
		}
		nodes[i] = startNode(t, cfg)
	}
	// Join in order: each bootstrap is a lookup of the node's own id
	// through the nodes already there.
	ctx := testContext(t, 60*time.Second)
	for _, n := range nodes[1:] {
		// A loaded machine (the race detector, parallel test binaries) can
		// miss the 500 ms query timeout now and then; a real node would just
		// try again, and so does the test, a bounded number of times.
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			if err = n.Bootstrap(ctx); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("bootstrapping %s: %v", n.Addr(), err)
		}
	}
	return nodes
}

func TestAnnounceThenGetPeersSmallNetwork(t *testing.T) {
	nodes := buildNetwork(t, 12)
	ctx := testContext(t, 10*time.Second)
	ih := metainfo.Hash(RandomID())
	trace, err := nodes[3].Announce(ctx, ih, 51413, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(trace.AnnouncedTo()) == 0 {
		t.Fatal("announce reached nobody")
	}
	peers, lookup := nodes[10].GetPeers(ctx, ih)
	want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 51413)
	var found []netip.AddrPort
	for p := range peers {
		found = append(found, p)
	}
	if len(found) != 1 || found[0] != want {
		t.Fatalf("GetPeers found %v, want [%v]; lookup error %v", found, want, lookup.Err())
	}
	if lookup.Queries() == 0 || lookup.Steps() == 0 {
		t.Fatalf("trace recorded %d queries, %d steps", lookup.Queries(), lookup.Steps())
	}

	// implied_port: the peer's port is the announcer's UDP port.
	ih2 := metainfo.Hash(RandomID())
	if _, err := nodes[5].Announce(ctx, ih2, 0, true); err != nil {
		t.Fatal(err)
	}
	peers, _ = nodes[7].GetPeers(ctx, ih2)
	found = found[:0]
	for p := range peers {
		found = append(found, p)
	}
	if len(found) != 1 || found[0] != nodes[5].Addr() {
		t.Fatalf("implied_port announce: found %v, want [%v]", found, nodes[5].Addr())
	}
}

// rawClient is a plain UDP socket speaking KRPC by hand, for hostile input.
type rawClient struct {
	t    *testing.T
	conn *net.UDPConn
	to   netip.AddrPort
}

func newRawClient(t *testing.T, to netip.AddrPort) *rawClient {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn, to: to}
}

func (c *rawClient) send(packet string) {
	if _, err := c.conn.WriteToUDPAddrPort([]byte(packet), c.to); err != nil {
		c.t.Fatal(err)
	}
}

// receive returns the next answer, or nil after wait. Queries from the
// node (it pings unknown queriers to see whether they can join its table)
// are skipped.
func (c *rawClient) receive(wait time.Duration) *message {
	buf := make([]byte, 64<<10)
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	for {
		n, _, err := c.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return nil
		}
		m, err := decodeMessage(buf[:n])
		if err != nil {
			c.t.Fatalf("node sent undecodable %q: %v", buf[:n], err)
		}
		if m.Y != "q" {
			return m
		}
	}
}

func (c *rawClient) query(q string, args map[string]any) *message {
	c.send(string(bencode.MustMarshal(map[string]any{"t": "xy", "y": "q", "q": q, "a": args})))
	return c.receive(time.Second)
}

func TestHostileInputIsDroppedOrRefused(t *testing.T) {
	n := startNode(t, testConfig())
	c := newRawClient(t, n.Addr())
	myID := strings.Repeat("m", 20)

	// Dropped silently: garbage, oversized, bad ids, unknown transactions.
	for _, packet := range []string{
		"garbage",
		"d1:t2:aa1:y1:qe",
		"d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe",
		"d1:ad2:id20:" + myID + "e1:q4:ping1:t2:aa1:y1:q1:x5000:" + strings.Repeat("x", 5000) + "e",
		"d1:rd2:id20:" + myID + "e1:t2:zz1:y1:re", // answer to nothing we asked
	} {
		c.send(packet)
		if m := c.receive(200 * time.Millisecond); m != nil {
			t.Fatalf("node answered %q with %+v", packet, m)
		}
	}
	if d := n.Stats().Dropped; d != 5 {
		t.Fatalf("Stats.Dropped = %d, want 5", d)
	}

	// Refused with a KRPC error.
	refusals := []struct {
		q    string
		args map[string]any
		code int
	}{
		{"find_node", map[string]any{"id": myID, "target": "short"}, errCodeProtocol},
		{"get_peers", map[string]any{"id": myID, "info_hash": "short"}, errCodeProtocol},
		{"announce_peer", map[string]any{"id": myID, "info_hash": strings.Repeat("i", 20), "port": 6881, "token": "forged!!"}, errCodeProtocol},
		{"announce_peer", map[string]any{"id": myID, "info_hash": strings.Repeat("i", 20), "port": 0, "token": "x"}, errCodeProtocol},
		{"vote", map[string]any{"id": myID}, errCodeMethod},
	}
	for _, r := range refusals {
		m := c.query(r.q, r.args)
		if m == nil || m.Y != "e" || m.E.Code != r.code || m.T != "xy" {
			t.Fatalf("%s %v: answer %+v, want error %d", r.q, r.args, m, r.code)
		}
	}

	// A proper get_peers gives a token that works for announce_peer from
	// this address only.
	ih := strings.Repeat("i", 20)
	m := c.query("get_peers", map[string]any{"id": myID, "info_hash": ih})
	if m == nil || m.Y != "r" || m.R.Token == "" {
		t.Fatalf("get_peers answer %+v", m)
	}
	m = c.query("announce_peer", map[string]any{"id": myID, "info_hash": ih, "port": 7000, "token": m.R.Token})
	if m == nil || m.Y != "r" {
		t.Fatalf("announce_peer with a valid token: %+v", m)
	}
	m = c.query("get_peers", map[string]any{"id": myID, "info_hash": ih})
	if len(m.R.Values) != 1 || m.R.Values[0] != string(appendCompactPeer(nil, netip.MustParseAddrPort("127.0.0.1:7000"))) {
		t.Fatalf("stored peers %q, want 127.0.0.1:7000", m.R.Values)
	}
	// Still alive and answering.
	if m := c.query("ping", map[string]any{"id": myID}); m == nil || m.Y != "r" || m.R.ID != string(n.id[:]) {
		t.Fatalf("ping after hostile input: %+v", m)
	}
}

func TestQueriesAreRateLimitedPerSource(t *testing.T) {
	cfg := testConfig()
	cfg.QueriesPerSecond, cfg.QueryBurst = 5, 10
	n := startNode(t, cfg)
	flooder := newRawClient(t, n.Addr())
	ping := string(bencode.MustMarshal(map[string]any{"t": "fl", "y": "q", "q": "ping", "a": map[string]any{"id": strings.Repeat("f", 20)}}))
	for range 200 {
		flooder.send(ping)
	}
	answers := 0
	for flooder.receive(300*time.Millisecond) != nil {
		answers++
	}
	// The burst, plus what refilled while the flood was being sent.
	if answers < 10 || answers > 15 {
		t.Fatalf("%d of 200 flood pings answered, want about the burst of 10", answers)
	}
	if n.Stats().RateLimited < 150 {
		t.Fatalf("Stats.RateLimited = %d", n.Stats().RateLimited)
	}
	// Another source is not affected.
	other := newRawClient(t, n.Addr())
	if m := other.query("ping", map[string]any{"id": strings.Repeat("o", 20)}); m == nil {
		t.Fatal("a second source was refused while the first one flooded")
	}
}

func TestPendingQueriesAreCapped(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPending = 2
	n := startNode(t, cfg)
	silent := newRawClient(t, n.Addr()) // never answers
	addr := silent.conn.LocalAddr().(*net.UDPAddr).AddrPort()
	ctx := testContext(t, 5*time.Second)
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := n.Ping(ctx, addr); errs <- err }()
	}
	eventually(t, time.Second, "two pings in flight", func() bool { return n.Stats().Pending == 2 })
	start := time.Now()
	_, err := n.Ping(ctx, addr)
	if err == nil || !strings.Contains(err.Error(), "in flight") || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("third ping: %v after %v, want an immediate 'in flight' error", err, time.Since(start))
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Fatal("ping to a silent node succeeded")
		}
	}
	if s := n.Stats(); s.Timeouts != 2 || s.Pending != 0 {
		t.Fatalf("after timeouts: %+v", s)
	}
}

func TestSavedNodesRestoreTheTable(t *testing.T) {
	nodes := buildNetwork(t, 6)
	saved := nodes[0].MarshalNodes()
	id, err := SavedID(saved)
	if err != nil || id != nodes[0].ID() {
		t.Fatalf("SavedID = %v, %v; want %v", id, err, nodes[0].ID())
	}
	cfg := testConfig()
	cfg.ID = id
	restored, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.LoadNodes(saved); err != nil {
		t.Fatal(err)
	}
	if err := restored.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := restored.Bootstrap(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, want := restored.Stats().Nodes, nodes[0].Stats().Nodes; got < want {
		t.Fatalf("restored table has %d nodes, the saved one %d", got, want)
	}
	for _, bad := range []string{"", "d2:id3:abce", "not bencode", strings.Repeat("x", maxSavedSize+1)} {
		if err := restored.LoadNodes([]byte(bad)); err == nil {
			t.Fatalf("LoadNodes accepted %.20q", bad)
		}
	}
}

func TestClosedNodeFailsCleanly(t *testing.T) {
	n, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	peers, trace := n.GetPeers(context.Background(), metainfo.Hash{1})
	for range peers {
		t.Fatal("peer from a closed node")
	}
	<-trace.Done()
	if trace.Err() == nil {
		t.Fatal("lookup on a closed node reported no error")
	}
	if err := n.Start(context.Background()); err == nil {
		t.Fatal("restarted a closed node")
	}
}

// TestMaintenancePingsQuestionableAndRefreshesStaleBuckets lets 16
// minutes pass on one node's clock: its nodes turn questionable and every
// bucket is stale. One maintenance pass pings the questionable nodes
// (they answer and are good again) and refreshes stale buckets with
// lookups.
func TestMaintenancePingsQuestionableAndRefreshesStaleBuckets(t *testing.T) {
	nodes := buildNetwork(t, 20)
	n := nodes[len(nodes)-1]
	n.clockSkew.Store(int64(GoodWindow + time.Minute))
	stale := func() int {
		count := 0
		for _, b := range n.Buckets() {
			if n.now().Sub(b.LastChanged) >= BucketRefreshInterval {
				count++
			}
		}
		return count
	}
	before := n.Stats()
	staleBefore := stale()
	if staleBefore != before.Buckets {
		t.Fatalf("%d of %d buckets stale after 16 minutes", staleBefore, before.Buckets)
	}
	if before.Questionable == 0 || before.Good != 0 {
		t.Fatalf("after 16 minutes: %d good, %d questionable; want all questionable", before.Good, before.Questionable)
	}
	n.maintenancePass()
	eventually(t, 5*time.Second, "questionable nodes were not pinged back to good", func() bool {
		return n.Stats().Good >= min(before.Questionable, pingsPerPass)
	})
	if n.Stats().QueriesOut <= before.QueriesOut+int64(pingsPerPass) {
		t.Fatalf("no refresh lookups: %d queries out before, %d after", before.QueriesOut, n.Stats().QueriesOut)
	}
	if after := stale(); after > staleBefore-min(staleBefore, refreshesPerPass) {
		t.Fatalf("%d of %d buckets still stale after a maintenance pass", after, staleBefore)
	}
}
