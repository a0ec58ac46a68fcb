package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// chartMinHeight is the floor of the plot's height; layouts usually give it more.
const chartMinHeight = 120

// speedChartRenderer draws the chart with canvas.Line segments (one per pair of neighbouring
// samples, per series), a baseline and a top rule, and two captions: the y-axis maximum at the
// top left and the legend ("download", "upload") at the top right. Segments are reused across
// refreshes; only their count changes while the history fills up.
type speedChartRenderer struct {
	chart           *SpeedChart
	baseline, top   *canvas.Line
	topLabel, empty *canvas.Text
	downLabel       *canvas.Text
	upLabel         *canvas.Text
	downSegs        []*canvas.Line
	upSegs          []*canvas.Line
	objects         []fyne.CanvasObject
}

func newSpeedChartRenderer(c *SpeedChart) *speedChartRenderer {
	r := &speedChartRenderer{
		chart:     c,
		baseline:  canvas.NewLine(color.Transparent),
		top:       canvas.NewLine(color.Transparent),
		topLabel:  canvas.NewText("", color.Transparent),
		empty:     canvas.NewText("no samples yet", color.Transparent),
		downLabel: canvas.NewText("— download", color.Transparent),
		upLabel:   canvas.NewText("— upload", color.Transparent),
	}
	r.Refresh()
	return r
}

// plotArea is the rectangle the lines are drawn in: below the caption row.
func (r *speedChartRenderer) plotArea(size fyne.Size) (fyne.Position, fyne.Size) {
	caption := r.topLabel.MinSize().Height
	pad := theme.SizeForWidget(theme.SizeNamePadding, r.chart)
	origin := fyne.NewPos(0, caption+pad)
	return origin, fyne.NewSize(size.Width, max(size.Height-origin.Y, 1))
}

func (r *speedChartRenderer) Layout(size fyne.Size) {
	origin, plot := r.plotArea(size)
	r.topLabel.Move(fyne.NewPos(0, 0))
	r.topLabel.Resize(r.topLabel.MinSize())
	upSize := r.upLabel.MinSize()
	downSize := r.downLabel.MinSize()
	pad := theme.SizeForWidget(theme.SizeNamePadding, r.chart)
	r.upLabel.Move(fyne.NewPos(size.Width-upSize.Width, 0))
	r.upLabel.Resize(upSize)
	r.downLabel.Move(fyne.NewPos(size.Width-upSize.Width-pad*2-downSize.Width, 0))
	r.downLabel.Resize(downSize)
	emptySize := r.empty.MinSize()
	r.empty.Move(fyne.NewPos((size.Width-emptySize.Width)/2, origin.Y+(plot.Height-emptySize.Height)/2))
	r.empty.Resize(emptySize)

	r.top.Position1 = origin
	r.top.Position2 = fyne.NewPos(size.Width, origin.Y)
	bottom := origin.Y + plot.Height
	r.baseline.Position1 = fyne.NewPos(0, bottom)
	r.baseline.Position2 = fyne.NewPos(size.Width, bottom)

	place := func(segs []*canvas.Line, values []float64) {
		points := chartPoints(values, r.chart.capacity, r.chart.top, plot)
		for i, seg := range segs {
			seg.Position1 = points[i].Add(origin)
			seg.Position2 = points[i+1].Add(origin)
		}
	}
	place(r.downSegs, r.chart.down)
	place(r.upSegs, r.chart.up)
}

func (r *speedChartRenderer) MinSize() fyne.Size {
	captionWidth := r.topLabel.MinSize().Width + r.downLabel.MinSize().Width + r.upLabel.MinSize().Width
	return fyne.NewSize(max(captionWidth, barMinWidth*4), chartMinHeight)
}

// Refresh matches the segment count to the samples, re-reads theme colours and lays out again.
func (r *speedChartRenderer) Refresh() {
	c := r.chart
	downColour := theme.ColorForWidget(theme.ColorNamePrimary, c)
	upColour := theme.ColorForWidget(theme.ColorNameSuccess, c)
	rule := theme.ColorForWidget(theme.ColorNameSeparator, c)
	fg := theme.ColorForWidget(theme.ColorNameForeground, c)
	caption := theme.SizeForWidget(theme.SizeNameCaptionText, c)

	r.downSegs = resizeSegments(r.downSegs, max(len(c.down)-1, 0), downColour)
	r.upSegs = resizeSegments(r.upSegs, max(len(c.up)-1, 0), upColour)
	r.baseline.StrokeColor, r.top.StrokeColor = rule, rule
	r.baseline.StrokeWidth, r.top.StrokeWidth = 1, 1
	r.topLabel.Text = RateText(c.top)
	for _, t := range []*canvas.Text{r.topLabel, r.empty} {
		t.Color, t.TextSize = fg, caption
	}
	r.downLabel.Color, r.downLabel.TextSize = downColour, caption
	r.upLabel.Color, r.upLabel.TextSize = upColour, caption
	r.empty.Hidden = len(c.down) > 0

	r.objects = r.objects[:0]
	r.objects = append(r.objects, r.top, r.baseline, r.topLabel, r.downLabel, r.upLabel, r.empty)
	for _, s := range r.upSegs {
		r.objects = append(r.objects, s)
	}
	for _, s := range r.downSegs {
		r.objects = append(r.objects, s)
	}
	r.Layout(c.Size())
	canvas.Refresh(c)
}

// resizeSegments returns n lines in colour, reusing segs.
func resizeSegments(segs []*canvas.Line, n int, colour color.Color) []*canvas.Line {
	for len(segs) < n {
		segs = append(segs, canvas.NewLine(colour))
	}
	segs = segs[:n]
	for _, s := range segs {
		s.StrokeColor = colour
		s.StrokeWidth = 2
	}
	return segs
}

func (r *speedChartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *speedChartRenderer) Destroy() {}
