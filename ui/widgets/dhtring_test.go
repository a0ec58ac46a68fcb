package widgets

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// newTestDHTRing returns a 400×400 ring and its renderer.
func newTestDHTRing(t *testing.T) (*DHTRing, *dhtRingRenderer) {
	t.Helper()
	test.NewTempApp(t)
	r := NewDHTRing()
	r.Resize(fyne.NewSize(400, 400))
	return r, test.TempWidgetRenderer(t, r).(*dhtRingRenderer)
}

func centreOf(c *canvas.Circle) fyne.Position {
	return c.Position().AddXY(c.Size().Width/2, c.Size().Height/2)
}

func visibleCircles(cs []*canvas.Circle) int {
	n := 0
	for _, c := range cs {
		if c.Visible() {
			n++
		}
	}
	return n
}

func TestIDFraction(t *testing.T) {
	var zero, half, quarter, last [20]byte
	half[0], quarter[0] = 0x80, 0x40
	for i := range last {
		last[i] = 0xff
	}
	for _, c := range []struct {
		id   [20]byte
		want float64
	}{{zero, 0}, {half, 0.5}, {quarter, 0.25}} {
		if got := IDFraction(c.id); got != c.want {
			t.Errorf("IDFraction(%x) = %v, want %v", c.id, got, c.want)
		}
	}
	if got := IDFraction(last); got >= 1 || got < 0.999999 {
		t.Errorf("IDFraction(ff…ff) = %v, want just under 1", got)
	}
}

func TestDHTRingPlacesIDZeroAtTheTopAndHalfAtTheBottom(t *testing.T) {
	ring, r := newTestDHTRing(t)
	if !r.empty.Visible() {
		t.Error("an empty ring should say there is no DHT node")
	}
	var half [20]byte
	half[0] = 0x80
	ring.SetTable(0.25, []DHTRingNode{{At: 0}, {At: IDFraction(half)}, {At: 0.75, State: DHTRingBad}})
	if r.empty.Visible() {
		t.Error("the ring still says there is no DHT node")
	}
	centre, radius := r.geometry(ring.Size())
	top, bottom := centreOf(r.dots[0]), centreOf(r.dots[1])
	near := func(a, b fyne.Position) bool { return math.Hypot(float64(a.X-b.X), float64(a.Y-b.Y)) < 0.5 }
	if !near(top, fyne.NewPos(centre.X, centre.Y-radius)) {
		t.Errorf("id 0 at %v, want the top of the ring %v", top, fyne.NewPos(centre.X, centre.Y-radius))
	}
	if !near(bottom, fyne.NewPos(centre.X, centre.Y+radius)) {
		t.Errorf("id 2^159 at %v, want the bottom of the ring %v", bottom, fyne.NewPos(centre.X, centre.Y+radius))
	}
	// Clockwise: a quarter turn is on the right, three quarters on the left.
	if self := centreOf(r.self); !near(self, fyne.NewPos(centre.X+radius, centre.Y)) {
		t.Errorf("our node (a quarter turn) at %v, want the right of the ring", self)
	}
	if left := centreOf(r.dots[2]); !near(left, fyne.NewPos(centre.X-radius, centre.Y)) {
		t.Errorf("three quarters at %v, want the left of the ring", left)
	}
	if r.self.FillColor != theme.ColorForWidget(theme.ColorNamePrimary, ring) {
		t.Error("our node is not highlighted in the primary colour")
	}
	if r.dots[0].FillColor != theme.ColorForWidget(theme.ColorNameForeground, ring) ||
		r.dots[2].FillColor != theme.ColorForWidget(theme.ColorNameError, ring) {
		t.Error("node colours do not follow their states")
	}
}

func TestDHTRingDrawsAChordPerHopInItsOutcomesColour(t *testing.T) {
	ring, r := newTestDHTRing(t)
	ring.SetTable(0, []DHTRingNode{{At: 0.1}, {At: 0.2}})
	hops := []DHTRingHop{
		{At: 0.5, Step: 1, Outcome: DHTRingAnswered},
		{At: 0.6, Step: 1, Outcome: DHTRingTimedOut},
		{At: 0.55, Step: 2, Outcome: DHTRingPending},
		{At: 0.52, Step: 2, Outcome: DHTRingFailed, Via: 0.5, HasVia: true},
	}
	ring.SetLookup(0.51, hops)
	if got := len(visibleLines(r.lines)); got != len(hops) {
		t.Fatalf("%d visible chords, want %d", got, len(hops))
	}
	want := []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameError}
	centre, radius := r.geometry(ring.Size())
	self := centreOf(r.self)
	for i, h := range hops {
		l := r.lines[i]
		if c := theme.ColorForWidget(want[i], ring); l.StrokeColor != c {
			t.Errorf("hop %d (%v): colour %v, want %v", i, h.Outcome, l.StrokeColor, c)
		}
		// A hop the lookup was pointed to by an answer starts at the node that answered.
		if from := dhtRingPoint(h.Via, centre, radius); h.HasVia && l.Position1 != from {
			t.Errorf("hop %d starts at %v, want its via node's place %v", i, l.Position1, from)
		}
		if !h.HasVia && l.Position1 != self {
			t.Errorf("hop %d starts at %v, want our node %v", i, l.Position1, self)
		}
		if end := dhtRingPoint(h.At, centre, radius); l.Position2 != end {
			t.Errorf("hop %d ends at %v, want the asked node's place %v", i, l.Position2, end)
		}
	}
	if !r.tick.Visible() || !r.target.Visible() {
		t.Error("the target is not marked")
	}
	// The tick crosses the ring at the target's angle.
	mid := fyne.NewPos((r.tick.Position1.X+r.tick.Position2.X)/2, (r.tick.Position1.Y+r.tick.Position2.Y)/2)
	if p := dhtRingPoint(0.51, centre, radius); math.Hypot(float64(mid.X-p.X), float64(mid.Y-p.Y)) > 0.5 {
		t.Errorf("target tick centred at %v, want %v", mid, p)
	}
}

func TestDHTRingPoolsShrinkByHiding(t *testing.T) {
	ring, r := newTestDHTRing(t)
	nodes := make([]DHTRingNode, 300)
	hops := make([]DHTRingHop, 40)
	for i := range nodes {
		nodes[i].At = float64(i) / 300
	}
	for i := range hops {
		hops[i] = DHTRingHop{At: float64(i) / 40, Step: 1 + i/10, Outcome: DHTRingAnswered}
	}
	ring.SetTable(0.3, nodes)
	ring.SetLookup(0.7, hops)
	lines, dots := r.lines, r.dots
	objects := len(r.Objects())

	ring.SetTable(0.3, nodes[:5])
	ring.SetLookup(0.7, hops[:3])
	if got := visibleCircles(r.dots); got != 5 {
		t.Errorf("%d visible node dots, want 5", got)
	}
	if got := len(visibleLines(r.lines)); got != 3 {
		t.Errorf("%d visible chords, want 3", got)
	}
	if &r.lines[0] != &lines[0] || &r.dots[0] != &dots[0] || len(r.Objects()) != objects {
		t.Error("the pools were rebuilt for a smaller table")
	}
	// Growing again reuses the same objects.
	ring.SetTable(0.3, nodes)
	if got := visibleCircles(r.dots); got != len(nodes) || r.dots[299] != dots[299] {
		t.Errorf("%d visible dots after growing back (want %d), or new objects", got, len(nodes))
	}

	ring.Clear()
	if visibleCircles(r.dots) != 0 || len(visibleLines(r.lines)) != 0 || r.self.Visible() || r.tick.Visible() {
		t.Error("Clear left something drawn")
	}
	if !r.empty.Visible() {
		t.Error("a cleared ring should say there is no DHT node")
	}
}

func TestDHTRingLegendNamesTheColours(t *testing.T) {
	test.NewTempApp(t)
	labels := NewDHTRingLegend().Labels()
	if len(labels) != 6 || labels[0] != "our node" || labels[1] != "query answered" {
		t.Errorf("legend %q", labels)
	}
}
