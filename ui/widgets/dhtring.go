package widgets

import (
	"encoding/binary"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DHTRingNodeState is how alive a routing-table node is, which sets its dot's colour.
type DHTRingNodeState int

const (
	// DHTRingGood nodes answered recently (the theme's foreground colour).
	DHTRingGood DHTRingNodeState = iota
	// DHTRingQuestionable nodes have been quiet a while (the placeholder colour).
	DHTRingQuestionable
	// DHTRingBad nodes stopped answering (the error colour).
	DHTRingBad
)

// DHTRingOutcome is how one query of a lookup ended, which sets its line's colour.
type DHTRingOutcome int

const (
	// DHTRingPending: the query is in flight (the warning colour).
	DHTRingPending DHTRingOutcome = iota
	// DHTRingAnswered: the node answered (the primary colour).
	DHTRingAnswered
	// DHTRingTimedOut: no answer in time (the error colour).
	DHTRingTimedOut
	// DHTRingFailed: an error answer, or the query could not be sent (the error colour).
	DHTRingFailed
)

// String is the outcome in words: "pending", "answered", "timed out", "failed".
func (o DHTRingOutcome) String() string {
	switch o {
	case DHTRingAnswered:
		return "answered"
	case DHTRingTimedOut:
		return "timed out"
	case DHTRingFailed:
		return "failed"
	}
	return "pending"
}

func (o DHTRingOutcome) colourName() fyne.ThemeColorName {
	switch o {
	case DHTRingAnswered:
		return theme.ColorNamePrimary
	case DHTRingTimedOut, DHTRingFailed:
		return theme.ColorNameError
	}
	return theme.ColorNameWarning
}

func (s DHTRingNodeState) colourName() fyne.ThemeColorName {
	switch s {
	case DHTRingQuestionable:
		return theme.ColorNamePlaceHolder
	case DHTRingBad:
		return theme.ColorNameError
	}
	return theme.ColorNameForeground
}

// DHTRingNode is one node of the routing table: At is its place on the ring, a fraction of the
// id space in [0, 1) (see IDFraction).
type DHTRingNode struct {
	At    float64
	State DHTRingNodeState
}

// DHTRingHop is one query of a lookup: the node asked, at At on the ring, and how it went.
// With HasVia, Via is the place of the node whose answer named the one asked, and the hop's chord
// starts there; without, the node came from our own routing table and the chord starts at our
// node.
type DHTRingHop struct {
	At      float64
	Step    int
	Outcome DHTRingOutcome
	Via     float64
	HasVia  bool
}

// IDFraction is where a 160-bit id sits on the ring: id / 2^160 in [0, 1), from its leading 53
// bits (all a float64 holds; the rest move it by less than 2^-53 of a turn).
func IDFraction(id [20]byte) float64 {
	return float64(binary.BigEndian.Uint64(id[:8])>>11) / (1 << 53)
}

// DHTRing draws the 160-bit DHT id space as a circle, id 0 at the top and increasing clockwise
// (2^159 at the bottom): every routing-table node as a dot at its id, our own node larger in the
// primary colour, and, for a lookup, the target as a tick across the ring and every query as a
// chord to the node asked, coloured by how the query went. A chord starts at the node whose
// answer named the one asked (DHTRingHop.Via), or at our node for the nodes of our own table, so
// the chords chain from us towards the target, each answer pointing closer: the shortcuts of the
// course's circular DHT.
type DHTRing struct {
	widget.BaseWidget

	self      float64
	hasSelf   bool
	nodes     []DHTRingNode
	target    float64
	hasTarget bool
	hops      []DHTRingHop
}

// NewDHTRing returns an empty ring; it says "no DHT node" until SetTable.
func NewDHTRing() *DHTRing {
	r := &DHTRing{}
	r.ExtendBaseWidget(r)
	return r
}

// SetTable draws our own node at self and the routing table's nodes (copied). Call it on the UI
// goroutine.
func (r *DHTRing) SetTable(self float64, nodes []DHTRingNode) {
	r.self, r.hasSelf = wrapFraction(self), true
	r.nodes = append(r.nodes[:0], nodes...)
	r.Refresh()
}

// SetLookup marks target on the ring and draws a chord per hop (copied). Call it on the UI
// goroutine.
func (r *DHTRing) SetLookup(target float64, hops []DHTRingHop) {
	r.target, r.hasTarget = wrapFraction(target), true
	r.hops = append(r.hops[:0], hops...)
	r.Refresh()
}

// Clear removes everything: the table, our node and the lookup.
func (r *DHTRing) Clear() {
	r.hasSelf, r.hasTarget = false, false
	r.nodes, r.hops = r.nodes[:0], r.hops[:0]
	r.Refresh()
}

// Nodes returns a copy of the table's nodes drawn.
func (r *DHTRing) Nodes() []DHTRingNode { return append([]DHTRingNode(nil), r.nodes...) }

// Hops returns a copy of the lookup's hops drawn.
func (r *DHTRing) Hops() []DHTRingHop { return append([]DHTRingHop(nil), r.hops...) }

// CreateRenderer is called by Fyne; see dhtRingRenderer.
func (r *DHTRing) CreateRenderer() fyne.WidgetRenderer { return newDHTRingRenderer(r) }

func wrapFraction(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f -= math.Floor(f)
	if f >= 1 {
		f = 0
	}
	return f
}

// NewDHTRingLegend returns the legend for DHTRing: the hop colours and the node colours.
func NewDHTRingLegend() *Legend {
	entry := func(label string, name fyne.ThemeColorName) legendEntry {
		return legendEntry{label: label, colour: func(w fyne.Widget) premultiplied {
			return toPremultiplied(theme.ColorForWidget(name, w))
		}}
	}
	return newLegend([]legendEntry{
		entry("our node", theme.ColorNamePrimary),
		entry("query answered", DHTRingAnswered.colourName()),
		entry("query pending", DHTRingPending.colourName()),
		entry("timed out / failed", DHTRingTimedOut.colourName()),
		entry("good node", DHTRingGood.colourName()),
		entry("questionable", DHTRingQuestionable.colourName()),
	})
}

// dhtRingMinSide is the smallest square the ring asks for.
const dhtRingMinSide = 240

// Sizes of the marks, in Fyne units.
const (
	dhtRingDot     = 3   // a node's dot radius
	dhtRingSelfDot = 6   // our node's dot radius
	dhtRingTick    = 10  // how far the target's tick reaches either side of the ring
	dhtRingHopW    = 1.5 // a chord's stroke width
)

// dhtRingRenderer draws with pools of canvas objects kept across refreshes: a line per hop and a
// circle per node, grown to the largest table and lookup seen; the entries beyond the current
// ones are hidden.
type dhtRingRenderer struct {
	ring    *DHTRing
	circle  *canvas.Circle // the id space
	zero    *canvas.Text   // "0" at the top
	half    *canvas.Text   // "2^159" at the bottom
	lines   []*canvas.Line
	dots    []*canvas.Circle
	self    *canvas.Circle
	tick    *canvas.Line // the target
	target  *canvas.Text
	empty   *canvas.Text
	objects []fyne.CanvasObject
}

func newDHTRingRenderer(ring *DHTRing) *dhtRingRenderer {
	text := func(s string) *canvas.Text {
		t := canvas.NewText(s, color.Transparent)
		t.Alignment = fyne.TextAlignCenter
		return t
	}
	r := &dhtRingRenderer{
		ring:   ring,
		circle: canvas.NewCircle(color.Transparent),
		zero:   text("id 0"),
		half:   text("2¹⁵⁹"),
		self:   canvas.NewCircle(color.Transparent),
		tick:   canvas.NewLine(color.Transparent),
		target: text("target"),
		empty:  text("no DHT node"),
	}
	r.Refresh()
	return r
}

// grow makes the pools hold at least hops lines and nodes dots, rebuilding the object list (ring,
// chords, dots, our node, the target, texts) only when a pool grew.
func (r *dhtRingRenderer) grow(hops, nodes int) {
	if len(r.lines) >= hops && len(r.dots) >= nodes && r.objects != nil {
		return
	}
	for len(r.lines) < hops {
		r.lines = append(r.lines, canvas.NewLine(color.Transparent))
	}
	for len(r.dots) < nodes {
		r.dots = append(r.dots, canvas.NewCircle(color.Transparent))
	}
	r.objects = append(r.objects[:0], r.circle)
	for _, l := range r.lines {
		r.objects = append(r.objects, l)
	}
	for _, d := range r.dots {
		r.objects = append(r.objects, d)
	}
	r.objects = append(r.objects, r.self, r.tick, r.zero, r.half, r.target, r.empty)
}

// Refresh re-reads the theme, applies colours to the objects in use, hides the rest and lays out
// again.
func (r *dhtRingRenderer) Refresh() {
	g := r.ring
	colour := func(name fyne.ThemeColorName) color.Color { return theme.ColorForWidget(name, g) }
	caption := theme.SizeForWidget(theme.SizeNameCaptionText, g)
	fg := colour(theme.ColorNameForeground)

	r.grow(len(g.hops), len(g.nodes))
	var outcomes [DHTRingFailed + 1]color.Color
	for o := range outcomes {
		outcomes[o] = colour(DHTRingOutcome(o).colourName())
	}
	var states [DHTRingBad + 1]color.Color
	for s := range states {
		states[s] = colour(DHTRingNodeState(s).colourName())
	}
	for i, l := range r.lines {
		if i >= len(g.hops) || !g.hasSelf {
			l.Hidden = true
			continue
		}
		o := g.hops[i].Outcome
		c := outcomes[DHTRingPending]
		if o >= 0 && int(o) < len(outcomes) {
			c = outcomes[o]
		}
		l.Hidden, l.StrokeColor, l.StrokeWidth = false, c, dhtRingHopW
	}
	for i, d := range r.dots {
		if i >= len(g.nodes) {
			d.Hidden = true
			continue
		}
		s := g.nodes[i].State
		c := states[DHTRingGood]
		if s >= 0 && int(s) < len(states) {
			c = states[s]
		}
		d.Hidden, d.FillColor = false, c
	}
	r.circle.FillColor = color.Transparent
	r.circle.StrokeColor, r.circle.StrokeWidth = colour(theme.ColorNameSeparator), 2
	r.circle.Hidden = !g.hasSelf
	r.self.Hidden = !g.hasSelf
	r.self.FillColor = colour(theme.ColorNamePrimary)
	r.self.StrokeColor, r.self.StrokeWidth = fg, 1.5
	r.tick.Hidden, r.target.Hidden = !g.hasTarget || !g.hasSelf, !g.hasTarget || !g.hasSelf
	r.tick.StrokeColor, r.tick.StrokeWidth = fg, 3
	for _, t := range []*canvas.Text{r.zero, r.half, r.target, r.empty} {
		t.Color, t.TextSize = fg, caption
	}
	r.zero.Hidden, r.half.Hidden = !g.hasSelf, !g.hasSelf
	r.empty.Hidden = g.hasSelf
	r.Layout(g.Size())
	for _, t := range []*canvas.Text{r.zero, r.half, r.target, r.empty} {
		t.Refresh()
	}
	canvas.Refresh(g)
}

// dhtRingPoint is the point at fraction f of the ring: 0 at the top, clockwise (y grows
// downwards, so increasing angles run clockwise on screen).
func dhtRingPoint(f float64, centre fyne.Position, radius float32) fyne.Position {
	a := -math.Pi/2 + 2*math.Pi*f
	return fyne.NewPos(centre.X+radius*float32(math.Cos(a)), centre.Y+radius*float32(math.Sin(a)))
}

// geometry is the ring's centre and radius in a widget of size, leaving room for the labels
// above and below.
func (r *dhtRingRenderer) geometry(size fyne.Size) (fyne.Position, float32) {
	label := r.zero.MinSize().Height
	pad := theme.SizeForWidget(theme.SizeNamePadding, r.ring)
	radius := max(min(size.Width, size.Height)/2-label-pad-dhtRingTick, 1)
	return fyne.NewPos(size.Width/2, size.Height/2), radius
}

func (r *dhtRingRenderer) Layout(size fyne.Size) {
	g := r.ring
	r.grow(len(g.hops), len(g.nodes)) // in case Fyne lays out before the refresh after a setter
	es := r.empty.MinSize()
	r.empty.Resize(es)
	r.empty.Move(fyne.NewPos((size.Width-es.Width)/2, (size.Height-es.Height)/2))
	centre, radius := r.geometry(size)
	r.circle.Resize(fyne.NewSquareSize(2 * radius))
	r.circle.Move(centre.SubtractXY(radius, radius))

	place := func(t *canvas.Text, at fyne.Position) {
		ts := t.MinSize()
		t.Resize(ts)
		t.Move(at.SubtractXY(ts.Width/2, ts.Height/2))
	}
	gap := r.zero.MinSize().Height/2 + dhtRingTick
	place(r.zero, dhtRingPoint(0, centre, radius+gap))
	place(r.half, dhtRingPoint(0.5, centre, radius+gap))

	for i, n := range g.nodes {
		d := r.dots[i]
		d.Resize(fyne.NewSquareSize(2 * dhtRingDot))
		d.Move(dhtRingPoint(n.At, centre, radius).SubtractXY(dhtRingDot, dhtRingDot))
	}
	self := dhtRingPoint(g.self, centre, radius)
	r.self.Resize(fyne.NewSquareSize(2 * dhtRingSelfDot))
	r.self.Move(self.SubtractXY(dhtRingSelfDot, dhtRingSelfDot))
	for i, h := range g.hops {
		l := r.lines[i]
		from := self
		if h.HasVia {
			from = dhtRingPoint(h.Via, centre, radius)
		}
		l.Position1, l.Position2 = from, dhtRingPoint(h.At, centre, radius)
	}
	r.tick.Position1 = dhtRingPoint(g.target, centre, radius-dhtRingTick)
	r.tick.Position2 = dhtRingPoint(g.target, centre, radius+dhtRingTick)
	// The target's word sits inside the ring, clear of the tick.
	place(r.target, dhtRingPoint(g.target, centre, radius-dhtRingTick-r.target.MinSize().Width/2-2))
}

func (r *dhtRingRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(dhtRingMinSide) }

func (r *dhtRingRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *dhtRingRenderer) Destroy() {}
