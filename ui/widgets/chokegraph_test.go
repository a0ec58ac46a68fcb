package widgets

import (
	"math"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func chokeNodes(n int) []ChokeGraphNode {
	nodes := make([]ChokeGraphNode, n)
	for i := range nodes {
		nodes[i].Label = string(rune('A' + i))
	}
	return nodes
}

// newTestChokeGraph returns a 400×400 graph and its renderer.
func newTestChokeGraph(t *testing.T) (*ChokeGraph, *chokeGraphRenderer) {
	t.Helper()
	test.NewTempApp(t)
	g := NewChokeGraph()
	g.Resize(fyne.NewSize(400, 400))
	return g, test.TempWidgetRenderer(t, g).(*chokeGraphRenderer)
}

func visibleLines(lines []*canvas.Line) []*canvas.Line {
	var out []*canvas.Line
	for _, l := range lines {
		if l.Visible() {
			out = append(out, l)
		}
	}
	return out
}

func TestChokeGraphDrawsOneLinePerEdgeInItsKindsColour(t *testing.T) {
	g, r := newTestChokeGraph(t)
	edges := []ChokeGraphEdge{
		{From: 0, To: 1, Kind: ChokeSeeding},
		{From: 1, To: 2, Kind: ChokeTitForTat},
		{From: 2, To: 1, Kind: ChokeOptimistic},
		{From: 3, To: 0, Kind: ChokeEveryone},
	}
	g.SetGraph(chokeNodes(4), edges)
	if got := len(visibleLines(r.shafts)); got != len(edges) {
		t.Fatalf("%d visible edge lines, want %d", got, len(edges))
	}
	if got := len(visibleLines(r.heads)); got != 2*len(edges) {
		t.Errorf("%d visible arrowhead strokes, want %d", got, 2*len(edges))
	}
	want := map[ChokeKind]fyne.ThemeColorName{
		ChokeTitForTat: theme.ColorNamePrimary, ChokeOptimistic: theme.ColorNameWarning,
		ChokeSeeding: theme.ColorNameSuccess, ChokeEveryone: theme.ColorNamePlaceHolder,
	}
	for i, e := range edges {
		c := theme.ColorForWidget(want[e.Kind], g)
		for _, l := range []*canvas.Line{r.shafts[i], r.heads[2*i], r.heads[2*i+1]} {
			if l.StrokeColor != c {
				t.Errorf("edge %d (%v): colour %v, want %v", i, e.Kind, l.StrokeColor, c)
			}
		}
	}
	// Each shaft runs from near its uploader to near its target, the arrowhead at the target.
	for i, e := range edges {
		from, to := r.centres[e.From], r.centres[e.To]
		s := r.shafts[i]
		if dist(s.Position1, from) > dist(s.Position1, to) || dist(s.Position2, to) > dist(s.Position2, from) {
			t.Errorf("edge %d: line %v→%v does not run from node %v to node %v", i, s.Position1, s.Position2, from, to)
		}
		if r.heads[2*i].Position1 != s.Position2 || r.heads[2*i+1].Position1 != s.Position2 {
			t.Errorf("edge %d: arrowhead not at the target end", i)
		}
	}
	// The optimistic slot is drawn thicker than a tit-for-tat one of the same age.
	if r.shafts[2].StrokeWidth <= r.shafts[1].StrokeWidth {
		t.Errorf("optimistic width %v, tit-for-tat %v: want optimistic thicker", r.shafts[2].StrokeWidth, r.shafts[1].StrokeWidth)
	}
}

func dist(a, b fyne.Position) float64 {
	return math.Hypot(float64(a.X-b.X), float64(a.Y-b.Y))
}

func TestChokeGraphDrawsNewEdgesThicker(t *testing.T) {
	g, r := newTestChokeGraph(t)
	nodes := chokeNodes(3)
	g.SetGraph(nodes, []ChokeGraphEdge{{From: 0, To: 1}})
	if r.shafts[0].StrokeWidth != chokeEdgeWidth(ChokeTitForTat, false) {
		t.Errorf("first sample: width %v, want the plain width (nothing to compare with)", r.shafts[0].StrokeWidth)
	}
	// 0→1 stays, 1→2 is new, and 0→2 replaces nothing: new too.
	g.SetGraph(nodes, []ChokeGraphEdge{{From: 1, To: 2}, {From: 0, To: 1}, {From: 0, To: 2}})
	fresh, old := r.shafts[0].StrokeWidth, r.shafts[1].StrokeWidth
	if fresh <= old {
		t.Errorf("new edge width %v, old edge width %v: want the new one thicker", fresh, old)
	}
	if r.shafts[2].StrokeWidth != fresh {
		t.Errorf("second new edge width %v, want %v", r.shafts[2].StrokeWidth, fresh)
	}
	// The same graph again: nothing is new any more.
	g.SetGraph(nodes, []ChokeGraphEdge{{From: 1, To: 2}, {From: 0, To: 1}, {From: 0, To: 2}})
	for i, s := range r.shafts[:3] {
		if s.StrokeWidth != old {
			t.Errorf("unchanged sample: edge %d width %v, want %v", i, s.StrokeWidth, old)
		}
	}
	// The same pair for another reason is a re-evaluation too.
	g.SetGraph(nodes, []ChokeGraphEdge{{From: 1, To: 2, Kind: ChokeOptimistic}})
	if r.shafts[0].StrokeWidth != chokeEdgeWidth(ChokeOptimistic, true) {
		t.Errorf("tit-for-tat turned optimistic: width %v, want %v", r.shafts[0].StrokeWidth, chokeEdgeWidth(ChokeOptimistic, true))
	}
	// After ForgetPrevious an edge not seen before is not claimed as new.
	g.ForgetPrevious()
	g.SetGraph(nodes, []ChokeGraphEdge{{From: 2, To: 0}})
	if r.shafts[0].StrokeWidth != old {
		t.Errorf("after ForgetPrevious: width %v, want %v", r.shafts[0].StrokeWidth, old)
	}
}

func TestChokeGraphPlacesNodesOnACircleFirstAtTheTop(t *testing.T) {
	g, r := newTestChokeGraph(t)
	const n = 8
	g.SetGraph(chokeNodes(n), nil)
	centre := fyne.NewPos(200, 200)
	var radius float64
	for i := range n {
		d := r.dots[i]
		if !d.Visible() {
			t.Fatalf("node %d hidden", i)
		}
		c := d.Position().AddXY(d.Size().Width/2, d.Size().Height/2)
		if c != r.centres[i] {
			t.Errorf("node %d: circle centred at %v, layout says %v", i, c, r.centres[i])
		}
		if i == 0 {
			radius = dist(c, centre)
		} else if math.Abs(dist(c, centre)-radius) > 0.5 {
			t.Errorf("node %d at distance %v from the centre, node 0 at %v", i, dist(c, centre), radius)
		}
	}
	if radius < 100 {
		t.Errorf("radius %v, want most of the 400×400 widget", radius)
	}
	top := r.centres[0]
	if math.Abs(float64(top.X-200)) > 0.5 || top.Y >= 200 {
		t.Errorf("first node at %v, want straight above the centre", top)
	}
	// Clockwise on screen: the second node is right of the top one, the quarter-way one at the right.
	if r.centres[1].X <= top.X || math.Abs(float64(r.centres[n/4].X)-(200+radius)) > 0.5 || math.Abs(float64(r.centres[n/4].Y-200)) > 0.5 {
		t.Errorf("nodes 1 and %d at %v and %v: want clockwise from the top", n/4, r.centres[1], r.centres[n/4])
	}
	for i := range n {
		if l := r.labels[i]; !l.Visible() || l.Text != chokeNodes(n)[i].Label || l.Color != theme.ColorForWidget(theme.ColorNameForeground, g) {
			t.Errorf("label %d: %q visible %v colour %v", i, l.Text, l.Visible(), l.Color)
		}
	}
}

func TestChokeGraphMarksNodeStates(t *testing.T) {
	g, r := newTestChokeGraph(t)
	g.SetGraph([]ChokeGraphNode{{Label: "S", Complete: true}, {Label: "1", FreeRider: true}, {Label: "2", Absent: true}, {Label: "3"}}, nil)
	colour := func(name fyne.ThemeColorName) any { return theme.ColorForWidget(name, g) }
	if r.dots[0].FillColor != colour(theme.ColorNameSuccess) {
		t.Errorf("complete node fill %v, want the success colour", r.dots[0].FillColor)
	}
	if r.dots[1].StrokeColor != colour(theme.ColorNameError) || r.dots[1].StrokeWidth == 0 {
		t.Errorf("free rider outline %v width %v, want the error colour", r.dots[1].StrokeColor, r.dots[1].StrokeWidth)
	}
	if r.dots[2].FillColor != colour(theme.ColorNameDisabled) || r.labels[2].Color != colour(theme.ColorNameDisabled) {
		t.Errorf("absent node %v / label %v, want the disabled colour", r.dots[2].FillColor, r.labels[2].Color)
	}
	if r.dots[3].FillColor != colour(theme.ColorNameForeground) || r.dots[3].StrokeWidth != 0 {
		t.Errorf("ordinary node fill %v outline %v", r.dots[3].FillColor, r.dots[3].StrokeWidth)
	}
	if r.empty.Visible() {
		t.Error("the empty message shows over a graph")
	}
	g.Clear()
	if !r.empty.Visible() || r.dots[0].Visible() || len(g.Nodes()) != 0 {
		t.Error("after Clear the nodes still show, or the empty message does not")
	}
}

func TestChokeGraphHidesLinesWhenEdgesShrink(t *testing.T) {
	g, r := newTestChokeGraph(t)
	nodes := chokeNodes(6)
	var ten []ChokeGraphEdge
	for i := range 10 {
		ten = append(ten, ChokeGraphEdge{From: i % 6, To: (i + 1 + i/6) % 6})
	}
	g.SetGraph(nodes, ten)
	if got := len(visibleLines(r.shafts)); got != 10 {
		t.Fatalf("%d visible lines, want 10", got)
	}
	pool := r.shafts[0]
	g.SetGraph(nodes[:4], ten[:3])
	if got := len(visibleLines(r.shafts)); got != 3 {
		t.Errorf("after shrinking: %d visible lines, want 3", got)
	}
	if got := len(visibleLines(r.heads)); got != 6 {
		t.Errorf("after shrinking: %d visible arrowhead strokes, want 6", got)
	}
	if len(r.shafts) != 10 || r.shafts[0] != pool {
		t.Errorf("the line pool was not reused: %d lines", len(r.shafts))
	}
	for i, d := range r.dots {
		if d.Visible() != (i < 4) {
			t.Errorf("node %d visible %v with 4 nodes", i, d.Visible())
		}
	}
	if n := len(r.Objects()); n != 3*10+2*6+1 {
		t.Errorf("%d objects, want the pools of 10 edges and 6 nodes and the empty message", n)
	}
}

func TestChokeGraphIgnoresEdgesOutOfRange(t *testing.T) {
	g, r := newTestChokeGraph(t)
	edges := []ChokeGraphEdge{{From: 0, To: 5}, {From: -1, To: 0}, {From: 1, To: 1}, {From: 1, To: 0, Kind: ChokeSeeding}, {From: 2, To: 0}}
	g.SetGraph(chokeNodes(2), edges)
	want := []ChokeGraphEdge{{From: 1, To: 0, Kind: ChokeSeeding}}
	if got := g.Edges(); !slices.Equal(got, want) {
		t.Errorf("edges %v, want %v", got, want)
	}
	if got := len(visibleLines(r.shafts)); got != 1 {
		t.Errorf("%d visible lines, want 1", got)
	}
	r.Layout(fyne.NewSize(50, 50)) // and again at another size
}

func TestChokeGraphLegendNamesTheKinds(t *testing.T) {
	test.NewTempApp(t)
	got := NewChokeGraphLegend().Labels()
	want := []string{"tit-for-tat", "optimistic", "seeding", "everyone", "complete node"}
	if !slices.Equal(got, want) {
		t.Errorf("legend %q, want %q", got, want)
	}
}

// A graph of the lab's largest swarm stays cheap to redraw: the pools are built once.
func BenchmarkChokeGraphSetGraph(b *testing.B) {
	test.NewTempApp(b)
	g := NewChokeGraph()
	g.Resize(fyne.NewSize(600, 600))
	r := test.WidgetRenderer(g).(*chokeGraphRenderer)
	nodes := chokeNodes(101)
	samples := make([][]ChokeGraphEdge, 2)
	for s := range samples {
		for i := range nodes {
			for k := range 5 {
				samples[s] = append(samples[s], ChokeGraphEdge{From: i, To: (i + 1 + k + s) % len(nodes), Kind: ChokeKind(k % 4)})
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		g.SetGraph(nodes, samples[i%2])
	}
	if len(r.shafts) != 505 {
		b.Fatalf("%d lines, want 505", len(r.shafts))
	}
}
