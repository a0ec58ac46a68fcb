package widgets

import (
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ChokeKind is why an uploader unchokes a peer, which sets the colour of the edge.
type ChokeKind int

const (
	// ChokeTitForTat is a regular slot earned by uploading fast to the uploader (theme primary).
	ChokeTitForTat ChokeKind = iota
	// ChokeOptimistic is the rotating optimistic slot (theme warning colour, drawn thicker).
	ChokeOptimistic
	// ChokeSeeding is a slot of an uploader that has the whole file (theme success colour).
	ChokeSeeding
	// ChokeEveryone is upload-to-all: no choking at all (grey: the theme's placeholder colour, which
	// unlike the disabled colour stays visible on the light theme's background).
	ChokeEveryone
)

// String names the kind the way the lab does: "tit-for-tat", "optimistic", "seeding", "everyone".
func (k ChokeKind) String() string {
	switch k {
	case ChokeOptimistic:
		return "optimistic"
	case ChokeSeeding:
		return "seeding"
	case ChokeEveryone:
		return "everyone"
	}
	return "tit-for-tat"
}

// colourName is the theme colour the kind's edges are drawn in.
func (k ChokeKind) colourName() fyne.ThemeColorName {
	switch k {
	case ChokeOptimistic:
		return theme.ColorNameWarning
	case ChokeSeeding:
		return theme.ColorNameSuccess
	case ChokeEveryone:
		return theme.ColorNamePlaceHolder
	}
	return theme.ColorNamePrimary
}

// ChokeGraphNode is one participant of the swarm.
type ChokeGraphNode struct {
	Label     string // short: "S", "1", "2", …
	Complete  bool   // has the whole file: filled in the success colour
	FreeRider bool   // never uploads: ringed in the error colour
	Absent    bool   // not in the swarm (not joined yet, or left): drawn faint
}

// ChokeGraphEdge is "From uploads to To", indices into the nodes.
type ChokeGraphEdge struct {
	From, To int
	Kind     ChokeKind
}

// edgeKey identifies an edge across samples: the same pair for the same reason.
type edgeKey struct {
	from, to int
	kind     ChokeKind
}

// ChokeGraph draws who unchokes whom: the nodes on a circle (the first at the top, the others
// clockwise), every unchoke an arrow from the uploader to the target coloured by its kind. An
// edge that was not there at the previous SetGraph is drawn bold, so each re-evaluation of the
// chokers shows as a burst of bold arrows.
type ChokeGraph struct {
	widget.BaseWidget

	nodes []ChokeGraphNode
	edges []ChokeGraphEdge
	fresh []bool // per edge: new since the previous SetGraph
	prev  map[edgeKey]struct{}
	spare map[edgeKey]struct{} // last sample's set, cleared and reused as the next one
	// steady is set by ForgetPrevious: the next SetGraph marks nothing new.
	steady bool
}

// NewChokeGraph returns an empty graph; it says "no sample yet" until SetGraph.
func NewChokeGraph() *ChokeGraph {
	g := &ChokeGraph{prev: map[edgeKey]struct{}{}, spare: map[edgeKey]struct{}{}, steady: true}
	g.ExtendBaseWidget(g)
	return g
}

// SetGraph draws nodes and edges (the widget copies both). Edges whose ends are not valid,
// distinct node indices are ignored. An edge not present at the previous call is marked new and
// drawn bold, unless ForgetPrevious was called since (or this is the first call). Call it on the
// UI goroutine.
func (g *ChokeGraph) SetGraph(nodes []ChokeGraphNode, edges []ChokeGraphEdge) {
	g.nodes = append(g.nodes[:0], nodes...)
	g.edges, g.fresh = g.edges[:0], g.fresh[:0]
	next := g.spare
	clear(next)
	for _, e := range edges {
		if e.From < 0 || e.To < 0 || e.From >= len(nodes) || e.To >= len(nodes) || e.From == e.To {
			continue
		}
		k := edgeKey{e.From, e.To, e.Kind}
		_, had := g.prev[k]
		next[k] = struct{}{}
		g.edges = append(g.edges, e)
		g.fresh = append(g.fresh, !had && !g.steady)
	}
	g.prev, g.spare = next, g.prev
	g.steady = false
	g.Refresh()
}

// ForgetPrevious makes the next SetGraph compare with nothing, so it marks no edge new: for when
// the samples in between were not shown (the graph was on a hidden tab), where bold arrows would
// claim changes that happened long before.
func (g *ChokeGraph) ForgetPrevious() {
	g.steady = true
}

// Clear removes every node and edge.
func (g *ChokeGraph) Clear() {
	g.nodes, g.edges, g.fresh = g.nodes[:0], g.edges[:0], g.fresh[:0]
	clear(g.prev)
	g.steady = true
	g.Refresh()
}

// Nodes returns a copy of the nodes drawn.
func (g *ChokeGraph) Nodes() []ChokeGraphNode {
	return append([]ChokeGraphNode(nil), g.nodes...)
}

// Edges returns a copy of the edges drawn (the valid ones SetGraph was given, in order).
func (g *ChokeGraph) Edges() []ChokeGraphEdge {
	return append([]ChokeGraphEdge(nil), g.edges...)
}

// CreateRenderer is called by Fyne; see chokeGraphRenderer.
func (g *ChokeGraph) CreateRenderer() fyne.WidgetRenderer {
	return newChokeGraphRenderer(g)
}

// NewChokeGraphLegend returns the legend for ChokeGraph: the four edge colours and the colour of
// a complete node.
func NewChokeGraphLegend() *Legend {
	entry := func(label string, name fyne.ThemeColorName) legendEntry {
		return legendEntry{label: label, colour: func(w fyne.Widget) premultiplied {
			return toPremultiplied(theme.ColorForWidget(name, w))
		}}
	}
	entries := make([]legendEntry, 0, 5)
	for _, k := range []ChokeKind{ChokeTitForTat, ChokeOptimistic, ChokeSeeding, ChokeEveryone} {
		entries = append(entries, entry(k.String(), k.colourName()))
	}
	entries = append(entries, entry("complete node", theme.ColorNameSuccess))
	return newLegend(entries)
}

// chokeEdgeWidth is an edge's stroke width: optimistic edges are thicker than the others, and a
// new edge is bolder still.
func chokeEdgeWidth(k ChokeKind, fresh bool) float32 {
	w := float32(1.25)
	if k == ChokeOptimistic {
		w = 2.5
	}
	if fresh {
		w += 2.25
	}
	return w
}

// chokeGraphMinSide is the smallest square the graph asks for.
const chokeGraphMinSide = 200

// chokeGraphRenderer draws the graph with pools of canvas objects kept across refreshes: per edge
// a shaft and two arrowhead strokes, per node a circle and a label. Pools grow to the largest
// graph seen; the entries beyond the current graph are hidden.
type chokeGraphRenderer struct {
	graph  *ChokeGraph
	shafts []*canvas.Line
	heads  []*canvas.Line // two per edge: heads[2i] and heads[2i+1]
	dots   []*canvas.Circle
	labels []*canvas.Text
	empty  *canvas.Text
	// labelStep: every labelStep-th node is labelled, so the labels do not overlap.
	labelStep int
	centres   []fyne.Position // the nodes' centres at the last layout, reused
	objects   []fyne.CanvasObject
}

func newChokeGraphRenderer(g *ChokeGraph) *chokeGraphRenderer {
	r := &chokeGraphRenderer{graph: g, empty: canvas.NewText("no sample yet", color.Transparent), labelStep: 1}
	r.Refresh()
	return r
}

// grow makes the pools hold at least edges edges and nodes nodes, rebuilding the object list
// (edges below nodes below labels) only when a pool grew.
func (r *chokeGraphRenderer) grow(edges, nodes int) {
	if len(r.shafts) >= edges && len(r.dots) >= nodes && r.objects != nil {
		return
	}
	for len(r.shafts) < edges {
		r.shafts = append(r.shafts, canvas.NewLine(color.Transparent))
		r.heads = append(r.heads, canvas.NewLine(color.Transparent), canvas.NewLine(color.Transparent))
	}
	for len(r.dots) < nodes {
		r.dots = append(r.dots, canvas.NewCircle(color.Transparent))
		t := canvas.NewText("", color.Transparent)
		t.Alignment = fyne.TextAlignCenter
		r.labels = append(r.labels, t)
	}
	r.objects = r.objects[:0]
	for i, s := range r.shafts {
		r.objects = append(r.objects, s, r.heads[2*i], r.heads[2*i+1])
	}
	for _, d := range r.dots {
		r.objects = append(r.objects, d)
	}
	for _, t := range r.labels {
		r.objects = append(r.objects, t)
	}
	r.objects = append(r.objects, r.empty)
}

// Refresh re-reads the theme, applies colours and widths to the graph's objects, hides the rest
// and lays out again.
func (r *chokeGraphRenderer) Refresh() {
	g := r.graph
	colour := func(name fyne.ThemeColorName) color.Color { return theme.ColorForWidget(name, g) }
	fg, faint := colour(theme.ColorNameForeground), colour(theme.ColorNameDisabled)
	complete, rider := colour(theme.ColorNameSuccess), colour(theme.ColorNameError)
	var kinds [ChokeEveryone + 1]color.Color
	for k := range kinds {
		kinds[k] = colour(ChokeKind(k).colourName())
	}
	caption := theme.SizeForWidget(theme.SizeNameCaptionText, g)

	r.grow(len(g.edges), len(g.nodes))
	for i, s := range r.shafts {
		h1, h2 := r.heads[2*i], r.heads[2*i+1]
		if i >= len(g.edges) {
			s.Hidden, h1.Hidden, h2.Hidden = true, true, true
			continue
		}
		e := g.edges[i]
		c := kinds[ChokeTitForTat]
		if e.Kind >= 0 && int(e.Kind) < len(kinds) {
			c = kinds[e.Kind]
		}
		width := chokeEdgeWidth(e.Kind, g.fresh[i])
		for _, l := range []*canvas.Line{s, h1, h2} {
			l.Hidden, l.StrokeColor, l.StrokeWidth = false, c, width
		}
		h1.StrokeWidth, h2.StrokeWidth = min(width, 2.5), min(width, 2.5)
	}
	for i, d := range r.dots {
		t := r.labels[i]
		if i >= len(g.nodes) {
			d.Hidden, t.Hidden = true, true
			continue
		}
		n := g.nodes[i]
		d.Hidden = false
		d.FillColor, t.Color = fg, fg
		switch {
		case n.Absent:
			d.FillColor, t.Color = faint, faint
		case n.Complete:
			d.FillColor = complete
		}
		d.StrokeColor, d.StrokeWidth = color.Transparent, 0
		if n.FreeRider {
			d.StrokeColor, d.StrokeWidth = rider, 2
		}
		t.Text, t.TextSize = n.Label, caption
	}
	r.empty.Color, r.empty.TextSize = fg, caption
	r.empty.Hidden = len(g.nodes) > 0
	r.Layout(g.Size())
	// Lines and circles are drawn from their fields each frame; texts are cached as textures, so
	// the changed ones must be refreshed themselves.
	for _, t := range r.labels[:len(g.nodes)] {
		t.Refresh()
	}
	r.empty.Refresh()
	canvas.Refresh(g)
}

// chokeGraphGeometry is where the circle of nodes sits in a widget of some size.
type chokeGraphGeometry struct {
	centre     fyne.Position
	radius     float32 // of the circle the node centres lie on
	nodeRadius float32
}

// geometry fits a circle of n nodes into size, leaving room for the labels around it.
func chokeGeometry(size fyne.Size, n int, labelHeight, pad float32) chokeGraphGeometry {
	centre := fyne.NewPos(size.Width/2, size.Height/2)
	const maxNode = 8
	radius := max(min(size.Width, size.Height)/2-maxNode-labelHeight-pad, 1)
	node := float32(maxNode)
	if n > 0 {
		spacing := 2 * math.Pi * float64(radius) / float64(n)
		node = float32(math.Min(math.Max(spacing*0.3, 2.5), maxNode))
	}
	return chokeGraphGeometry{centre: centre, radius: radius, nodeRadius: node}
}

// nodePosition is node i of n on a circle: node 0 at the top, the others clockwise (y grows
// downwards, so increasing angles run clockwise on screen).
func nodePosition(i, n int, centre fyne.Position, radius float32) fyne.Position {
	if n <= 0 {
		return centre
	}
	a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
	return fyne.NewPos(centre.X+radius*float32(math.Cos(a)), centre.Y+radius*float32(math.Sin(a)))
}

func (r *chokeGraphRenderer) Layout(size fyne.Size) {
	g := r.graph
	r.grow(len(g.edges), len(g.nodes)) // in case Fyne lays out before the refresh after SetGraph
	n := len(g.nodes)
	pad := theme.SizeForWidget(theme.SizeNamePadding, g)
	emptySize := r.empty.MinSize()
	r.empty.Resize(emptySize)
	r.empty.Move(fyne.NewPos((size.Width-emptySize.Width)/2, (size.Height-emptySize.Height)/2))
	if n == 0 {
		return
	}
	// The widest label is the last one or "S"; label every step-th node so neighbours do not overlap.
	widest := fyne.MeasureText(strconv.Itoa(n-1), r.labels[0].TextSize, r.labels[0].TextStyle)
	geo := chokeGeometry(size, n, widest.Height, pad)
	spacing := 2 * math.Pi * float64(geo.radius+geo.nodeRadius+pad) / float64(n)
	r.labelStep = max(1, int(math.Ceil(float64(widest.Width+pad/2)/spacing)))

	if cap(r.centres) < n {
		r.centres = make([]fyne.Position, n)
	}
	centres := r.centres[:n]
	for i := range n {
		p := nodePosition(i, n, geo.centre, geo.radius)
		centres[i] = p
		d := r.dots[i]
		d.Resize(fyne.NewSquareSize(2 * geo.nodeRadius))
		d.Move(p.SubtractXY(geo.nodeRadius, geo.nodeRadius))
		t := r.labels[i]
		t.Hidden = i%r.labelStep != 0
		if t.Hidden {
			continue
		}
		ts := t.MinSize()
		out := nodePosition(i, n, geo.centre, geo.radius+geo.nodeRadius+pad/2+ts.Height/2)
		t.Resize(ts)
		t.Move(out.SubtractXY(ts.Width/2, ts.Height/2))
	}

	offset := min(geo.nodeRadius*0.5, 2.5) // A→B and B→A run side by side, not on top of each other
	for i, e := range g.edges {
		from, to := centres[e.From], centres[e.To]
		dx, dy := to.X-from.X, to.Y-from.Y
		length := float32(math.Hypot(float64(dx), float64(dy)))
		if length == 0 {
			length = 1
		}
		ux, uy := dx/length, dy/length // along the edge
		px, py := -uy, ux              // its right-hand side on screen
		start := fyne.NewPos(from.X+ux*geo.nodeRadius+px*offset, from.Y+uy*geo.nodeRadius+py*offset)
		tip := fyne.NewPos(to.X-ux*(geo.nodeRadius+1)+px*offset, to.Y-uy*(geo.nodeRadius+1)+py*offset)
		s := r.shafts[i]
		s.Position1, s.Position2 = start, tip
		head := float32(4) + s.StrokeWidth
		back := fyne.NewPos(tip.X-ux*head, tip.Y-uy*head)
		h1, h2 := r.heads[2*i], r.heads[2*i+1]
		h1.Position1, h1.Position2 = tip, fyne.NewPos(back.X+px*head*0.6, back.Y+py*head*0.6)
		h2.Position1, h2.Position2 = tip, fyne.NewPos(back.X-px*head*0.6, back.Y-py*head*0.6)
	}
}

func (r *chokeGraphRenderer) MinSize() fyne.Size {
	return fyne.NewSquareSize(chokeGraphMinSide)
}

func (r *chokeGraphRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chokeGraphRenderer) Destroy() {}
