package ui

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/dht/dhttest"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// dhtBackend scripts the DHT part of the backend; the other methods are left to the embedded
// (nil) interface, which the DHT window never calls.
type dhtBackend struct {
	backend
	mu      sync.Mutex
	on      bool
	info    dhtInfo
	lookup  *dhtLookupInfo
	targets []string // what DHTLookup was asked
}

func (b *dhtBackend) DHT() (dhtInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.info, b.on
}

func (b *dhtBackend) DHTLookup(target string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.on {
		return errors.New("the DHT is off: turn it on in Settings")
	}
	if target == "nonsense" {
		return errors.New(`"nonsense" is neither an info hash nor a magnet link`)
	}
	b.targets = append(b.targets, target)
	b.lookup = &dhtLookupInfo{Method: "get_peers", Random: target == ""}
	if target == "" {
		b.lookup.Method = "find_node"
	}
	b.lookup.Target[0] = 0x80
	return nil
}

func (b *dhtBackend) DHTLastLookup() (dhtLookupInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lookup == nil {
		return dhtLookupInfo{}, false
	}
	return *b.lookup, true
}

func (b *dhtBackend) setLookup(l dhtLookupInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lookup = &l
}

// testDHTInfo is a node at id 0 with a three-bucket table: two far nodes in bucket 0, one
// questionable node in bucket 1, one in our own bucket 2.
func testDHTInfo() dhtInfo {
	id := func(b byte) (out [20]byte) { out[0] = b; return out }
	changed := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	return dhtInfo{
		Addr: "127.0.0.1:6881", Nodes: 4, Good: 3, Questionable: 1, QueriesOut: 40, Responses: 35, Timeouts: 5,
		Buckets: []dhtBucket{
			{Index: 0, Prefix: "1", LastChanged: changed, Nodes: []dhtNode{
				{ID: id(0x80), Addr: "127.0.0.1:1000"}, {ID: id(0xc0), Addr: "127.0.0.1:1001"}}},
			{Index: 1, Prefix: "01", LastChanged: changed, Replacements: 2, Nodes: []dhtNode{
				{ID: id(0x40), Addr: "127.0.0.1:1002", State: widgets.DHTRingQuestionable}}},
			{Index: 2, Prefix: "00", ContainsSelf: true, Nodes: []dhtNode{{ID: id(0x20), Addr: "127.0.0.1:1003"}}},
		},
	}
}

// ringChords returns the ring's visible lines but the last, the target's tick: the lookup's
// chords, in the order of its hops.
func ringChords(t *testing.T, w *dhtWindow) []*canvas.Line {
	t.Helper()
	var lines []*canvas.Line
	for _, o := range test.TempWidgetRenderer(t, w.ring).Objects() {
		if l, ok := o.(*canvas.Line); ok && l.Visible() {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatal("the ring draws no line")
	}
	return lines[:len(lines)-1]
}

func newTestDHTWindow(t *testing.T, be *dhtBackend) *dhtWindow {
	t.Helper()
	w := newDHTWindow(test.NewTempApp(t), be)
	w.do = func(f func()) { f() }
	w.now = func() time.Time { return time.Date(2026, 1, 1, 12, 0, 30, 0, time.UTC) }
	t.Cleanup(w.stop)
	return w
}

func TestDHTWindowShowsBucketsAndAFinishedLookup(t *testing.T) {
	be := &dhtBackend{on: true, info: testDHTInfo()}
	w := newTestDHTWindow(t, be)
	w.refresh()

	if w.off.Visible() || !w.content.Visible() {
		t.Fatal("the DHT is on but the window says it is off")
	}
	rows := w.buckets.Rows()
	if len(rows) != 3 {
		t.Fatalf("%d bucket rows, want 3", len(rows))
	}
	want := [][]string{
		{"0", "1", "1/2", "2^159 – 2^160", "2", "0", "0", "0", "30 s ago"},
		{"1", "01", "1/4", "2^158 – 2^159", "0", "1", "0", "2", "30 s ago"},
		{"2 (us)", "00", "1/4", "< 2^158", "1", "0", "0", "0", ""},
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("bucket row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	if got := len(w.ring.Nodes()); got != 4 {
		t.Errorf("the ring shows %d nodes, want the table's 4", got)
	}
	if !strings.Contains(w.node.Text, "127.0.0.1:6881") || !strings.Contains(w.node.Text, "4 nodes known") {
		t.Errorf("node line %q", w.node.Text)
	}
	if len(w.hops.Rows()) != 0 || len(w.ring.Hops()) != 0 {
		t.Error("hops shown before any lookup")
	}

	// Look up an info hash: the window asks the backend and shows the lookup at once.
	ih := strings.Repeat("ab", 20)
	w.target.SetText(ih)
	test.Tap(w.lookupBtn)
	if len(be.targets) != 1 || be.targets[0] != ih {
		t.Fatalf("lookups asked %q, want %q", be.targets, ih)
	}
	if !strings.Contains(w.summary.Text, "running") {
		t.Errorf("summary of a fresh lookup %q, want running", w.summary.Text)
	}

	// The lookup finishes: three queries over two steps, one timed out; the first node's answer
	// named the third.
	l := dhtLookupInfo{Method: "get_peers", Done: true, Steps: 2, Peers: 1, Duration: 1500 * time.Millisecond}
	l.Target[0] = 0x90
	l.Hops = []dhtHop{
		{Step: 1, Addr: "127.0.0.1:1000", Prefix: 2, Outcome: widgets.DHTRingAnswered, RTT: 12 * time.Millisecond, BestPrefix: 7, NodesReturned: 8},
		{Step: 1, Addr: "127.0.0.1:1001", Prefix: 1, Outcome: widgets.DHTRingTimedOut, RTT: 500 * time.Millisecond, BestPrefix: -1},
		{Step: 2, Addr: "127.0.0.1:1004", ViaAddr: "127.0.0.1:1000", Prefix: 7, Outcome: widgets.DHTRingAnswered, RTT: 9 * time.Millisecond, BestPrefix: 7, NodesReturned: 8, PeersReturned: 1},
	}
	l.Hops[0].Node[0], l.Hops[1].Node[0], l.Hops[2].Node[0] = 0x80, 0xc0, 0x91
	l.Hops[2].Via = l.Hops[0].Node
	be.setLookup(l)
	w.refresh()
	hops := w.hops.Rows()
	if len(hops) != 3 {
		t.Fatalf("%d hop rows, want 3", len(hops))
	}
	wantHops := [][]string{
		{"1", "1", "127.0.0.1:1000", "our table", "2", "~2^157", "answered", "12 ms", "8 nodes, best shares 7 bits"},
		{"2", "1", "127.0.0.1:1001", "our table", "1", "~2^158", "timed out", "500 ms", ""},
		{"3", "2", "127.0.0.1:1004", "127.0.0.1:1000", "7", "~2^152", "answered", "9 ms", "8 nodes, best shares 7 bits, 1 peer"},
	}
	for i := range wantHops {
		if strings.Join(hops[i], "|") != strings.Join(wantHops[i], "|") {
			t.Errorf("hop row %d: %q, want %q", i, hops[i], wantHops[i])
		}
	}
	for _, words := range []string{"done", "3 queries (2 answered)", "2 steps", "shares 7 bits", "~2^152", "1 peer found", "1.5 s"} {
		if !strings.Contains(w.summary.Text, words) {
			t.Errorf("summary %q does not say %q", w.summary.Text, words)
		}
	}
	ringHops := w.ring.Hops()
	if len(ringHops) != 3 || ringHops[1].Outcome != widgets.DHTRingTimedOut || ringHops[2].Step != 2 ||
		ringHops[2].At != widgets.IDFraction(l.Hops[2].Node) {
		t.Errorf("ring hops %+v do not follow the lookup", ringHops)
	}
	if ringHops[0].HasVia || ringHops[1].HasVia || !ringHops[2].HasVia || ringHops[2].Via != widgets.IDFraction(l.Hops[0].Node) {
		t.Errorf("ring hops %+v: only the third should come via the first's node", ringHops)
	}
	// On the ring, the third query's line starts where the first one's ends: at the node that
	// named it. The first two start at our node.
	chords := ringChords(t, w)
	if len(chords) != 3 {
		t.Fatalf("%d chords drawn, want 3", len(chords))
	}
	if chords[2].Position1 != chords[0].Position2 || chords[2].Position2 == chords[0].Position2 {
		t.Errorf("the third chord runs %v–%v, want it to start at the first's end %v", chords[2].Position1, chords[2].Position2, chords[0].Position2)
	}
	if chords[0].Position1 != chords[1].Position1 || chords[0].Position1 == chords[2].Position1 {
		t.Errorf("the first two chords start at %v and %v, want both at our node, apart from the third's start %v",
			chords[0].Position1, chords[1].Position1, chords[2].Position1)
	}

	// A target the backend cannot read is explained, and nothing else changes.
	w.target.SetText("nonsense")
	test.Tap(w.lookupBtn)
	if !w.problem.Visible() || !strings.Contains(w.problem.Text, "neither an info hash") {
		t.Errorf("problem %q (visible %v), want the backend's explanation", w.problem.Text, w.problem.Visible())
	}
	if len(be.targets) != 1 {
		t.Error("a rejected lookup was recorded")
	}
}

func TestDHTWindowSaysWhenTheDHTIsOff(t *testing.T) {
	w := newTestDHTWindow(t, &dhtBackend{})
	w.refresh()
	if !w.off.Visible() || w.content.Visible() {
		t.Fatal("the DHT is off but the window does not say so")
	}
	if !strings.Contains(w.off.Text, "DHT is off") || !strings.Contains(w.off.Text, "Settings") {
		t.Errorf("off text %q should say the DHT is off and where to turn it on", w.off.Text)
	}
}

func TestDHTWindowRefreshesUntilClosed(t *testing.T) {
	be := &dhtBackend{on: true, info: testDHTInfo()}
	w := newTestDHTWindow(t, be)
	var mu sync.Mutex
	applied := 0
	w.do = func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		applied++
		f()
	}
	w.start()
	done := w.tickDone
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := applied
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d refreshes in 5 s, want the 2 Hz tick", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.win.Close()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the refresh goroutine still runs after the window closed")
	}
}

func TestMainWindowOpensOneDHTWindow(t *testing.T) {
	a := test.NewTempApp(t)
	mw := &mainWindow{fyneApp: a, be: &dhtBackend{}}
	mw.showDHT()
	d := mw.dhtWin
	if d == nil {
		t.Fatal("showDHT opened no window")
	}
	mw.showDHT()
	if mw.dhtWin != d {
		t.Error("a second showDHT opened another window")
	}
	if !d.off.Visible() {
		t.Error("the window opened on a backend without DHT does not say it is off")
	}
	d.win.Close()
	if mw.dhtWin != nil {
		t.Error("the closed window is still remembered")
	}
}

// The real core through clientBackend: a client whose DHT node joins three loopback nodes shows
// them in its table, and a lookup of a random id fills the window's hop table until it is done.
func TestDHTWindowOnTheRealClient(t *testing.T) {
	nodes := dhttest.Loopback(t, 3, false)
	dir := t.TempDir()
	c, err := app.New(app.Config{
		StatePath: filepath.Join(dir, "state.db"), ListenAddr: "127.0.0.1:0", NoTrackers: true, DefaultDir: dir,
		DHT: &dht.Config{AllowSameIP: true, QueryTimeout: dhttest.QueryTimeout, BootstrapNodes: []string{nodes[0].Addr().String()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	be := newClientBackend(c)
	w := newDHTWindow(test.NewTempApp(t), be)
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.refresh()
		if len(w.ring.Nodes()) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ring shows %d nodes after 20 s, want the 3 loopback nodes", len(w.ring.Nodes()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if rows := w.buckets.Rows(); len(rows) == 0 || !strings.HasSuffix(rows[len(rows)-1][0], "(us)") {
		t.Errorf("bucket rows %q: the last should be ours", rows)
	}

	test.Tap(w.lookupBtn) // empty entry: a random id
	if w.problem.Visible() {
		t.Fatalf("lookup refused: %s", w.problem.Text)
	}
	for !strings.Contains(w.summary.Text, "done") {
		if time.Now().After(deadline.Add(20 * time.Second)) {
			t.Fatalf("lookup not done: %s", w.summary.Text)
		}
		time.Sleep(50 * time.Millisecond)
		w.refresh()
	}
	if !strings.Contains(w.summary.Text, "find_node of random id") || len(w.hops.Rows()) == 0 {
		t.Errorf("summary %q with %d hop rows, want a random lookup with hops", w.summary.Text, len(w.hops.Rows()))
	}
	answered := 0
	for _, row := range w.hops.Rows() {
		if row[6] == "answered" {
			answered++
		}
	}
	if answered == 0 {
		t.Errorf("no hop answered: %q", w.hops.Rows())
	}
}
