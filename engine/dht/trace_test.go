package dht

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// checkVia checks every hop's Via: zero for the nodes of our own table
// (step 1), and otherwise a node asked earlier in the lookup, one step
// before, that answered (its answer named the hop's node). It returns how
// many hops had a Via.
func checkVia(t *testing.T, hops []Hop) int {
	t.Helper()
	withVia := 0
	for i, h := range hops {
		if h.Step == 1 {
			if h.Via != (NodeAddr{}) {
				t.Errorf("hop %d (step 1, from our table) has Via %v, want none", i, h.Via)
			}
			continue
		}
		if h.Via.ID == (ID{}) || !h.Via.Addr.IsValid() {
			t.Errorf("hop %d (step %d, node %v) has no Via", i, h.Step, h.Node)
			continue
		}
		withVia++
		named := slices.IndexFunc(hops[:i], func(e Hop) bool {
			return e.Node == h.Via && e.Outcome == Answered && e.Step == h.Step-1
		})
		if named < 0 {
			t.Errorf("hop %d (step %d) has Via %v, which is no earlier answered step-%d hop", i, h.Step, h.Via, h.Step-1)
		}
	}
	return withVia
}

func nodeIDs(nodes []NodeAddr) []ID {
	ids := make([]ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

// TestStartFindNodeTraceFillsInAndRecordsVia: a newcomer that knows one
// node of a loopback network, and one node that has gone silent, looks up
// a random id with StartFindNode. The trace fills in while the silent
// node's query is pending, every hop past the first step says which
// earlier answer named it, and the trace ends with the nodes FindNode
// finds (the K closest in the network).
func TestStartFindNodeTraceFillsInAndRecordsVia(t *testing.T) {
	nodes := buildNetwork(t, 40)
	ctx := testContext(t, 30*time.Second)

	cfg := testConfig()
	cfg.QueryTimeout = 3 * time.Second // the silent node's query stays pending that long
	newcomer := startNode(t, cfg)
	silent := startNode(t, testConfig())
	for _, n := range []*Node{nodes[0], silent} {
		if err := newcomer.AddNode(ctx, n.Addr().String()); err != nil {
			t.Fatal(err)
		}
	}
	if err := silent.Close(); err != nil {
		t.Fatal(err)
	}

	target := RandomID()
	trace := newcomer.StartFindNode(ctx, target)
	if trace.Target != target || trace.Method != "find_node" {
		t.Fatalf("trace is for %v by %s, want %v by find_node", trace.Target, trace.Method, target)
	}
	// Answers come in while the silent node's query is still pending: the
	// lookup is running, and its trace shows how far it got.
	eventually(t, 10*time.Second, "the trace showing answered and pending queries", func() bool {
		var answered, pending bool
		for _, h := range trace.Hops() {
			answered = answered || h.Outcome == Answered
			pending = pending || h.Outcome == Pending
		}
		return answered && pending
	})
	select {
	case <-trace.Done():
		t.Fatal("the trace is done while a query is pending")
	default:
	}
	if got := trace.Closest(); got != nil {
		t.Fatalf("Closest while running = %v, want nil", got)
	}
	select {
	case <-trace.Done():
	case <-ctx.Done():
		t.Fatal("the lookup did not end")
	}
	if err := trace.Err(); err != nil {
		t.Fatal(err)
	}

	hops := trace.Hops()
	if withVia := checkVia(t, hops); withVia == 0 {
		t.Fatalf("no hop past the first step in %d hops; the newcomer knew only two nodes", len(hops))
	}
	silentHop := slices.IndexFunc(hops, func(h Hop) bool { return h.Node.Addr == silent.Addr() })
	if silentHop < 0 || hops[silentHop].Outcome != TimedOut || hops[silentHop].Step != 1 {
		t.Errorf("the silent node's hop: %+v (index %d), want a step-1 timeout", hops[max(silentHop, 0)], silentHop)
	}

	// The K nodes of the network closest to the target.
	var want []ID
	for _, n := range nodes {
		want = append(want, n.ID())
	}
	slices.SortFunc(want, func(a, b ID) int {
		if closer(target, a, b) {
			return -1
		}
		return 1
	})
	want = want[:K]
	got := trace.Closest()
	if !slices.Equal(nodeIDs(got), want) {
		t.Errorf("StartFindNode's closest = %v, want the network's %d closest %v", nodeIDs(got), K, want)
	}
	found, ftrace, err := newcomer.FindNode(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(found, got) {
		t.Errorf("FindNode found %v, StartFindNode %v", found, got)
	}
	if !slices.Equal(ftrace.Closest(), found) {
		t.Errorf("FindNode's trace says closest %v, it returned %v", ftrace.Closest(), found)
	}
	checkVia(t, ftrace.Hops())
}

// TestFindNodeHopsRecordVia: in a bootstrapped network, a plain FindNode
// from an old node also records, for every hop past the first step, the
// earlier answer that named it.
func TestFindNodeHopsRecordVia(t *testing.T) {
	nodes := buildNetwork(t, 30)
	ctx := testContext(t, 20*time.Second)
	_, trace, err := nodes[5].FindNode(ctx, RandomID())
	if err != nil {
		t.Fatal(err)
	}
	checkVia(t, trace.Hops())
}

func TestStartFindNodeFailsLikeFindNode(t *testing.T) {
	ctx := testContext(t, 5*time.Second)
	lonely := startNode(t, testConfig())
	trace := lonely.StartFindNode(ctx, RandomID())
	<-trace.Done()
	if trace.Err() == nil || trace.Closest() != nil || trace.Queries() != 0 {
		t.Errorf("lookup with an empty table: err %v, closest %v, %d queries; want an error and nothing else",
			trace.Err(), trace.Closest(), trace.Queries())
	}

	closed := startNode(t, testConfig())
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	trace = closed.StartFindNode(ctx, RandomID())
	select {
	case <-trace.Done():
	default:
		t.Fatal("StartFindNode on a closed node: the trace is not done at once")
	}
	if !errors.Is(trace.Err(), ErrClosed) {
		t.Errorf("StartFindNode on a closed node: err %v, want ErrClosed", trace.Err())
	}
}
