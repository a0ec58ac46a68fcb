package lab

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Chart is a small line chart: the lab draws its figures with it, as SVG
// (for documents) or PNG (for anything else), with no plotting library.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
}

// Series is one line of a chart.
type Series struct {
	Name    string
	Points  []Point
	Color   color.RGBA
	Dashed  bool // bounds are dashed, measurements solid
	Markers bool // a dot at every point
	// Neutral series (the timeline's bound line) are drawn in the palette's Bound colour
	// rather than Color; Color still holds the default palette's.
	Neutral bool
}

// Point is one (x, y) of a series.
type Point struct{ X, Y float64 }

// Colours of the figures: client-server warm, peer-to-peer cool.
var (
	colorCS      = color.RGBA{0xd6, 0x27, 0x28, 0xff}
	colorP2P     = color.RGBA{0x1f, 0x77, 0xb4, 0xff}
	colorRare    = color.RGBA{0x2c, 0xa0, 0x2c, 0xff}
	colorBound   = color.RGBA{0x55, 0x55, 0x55, 0xff}
	colorAxis    = color.RGBA{0x22, 0x22, 0x22, 0xff}
	colorGrid    = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	colorBgWhite = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// Palette is the colours of a chart's raster rendering, around its data series.
type Palette struct {
	Background color.RGBA // the whole image
	Axis       color.RGBA // the two axis lines
	Grid       color.RGBA // the grid at every tick
	Text       color.RGBA // title, labels, ticks and legend
	Bound      color.RGBA // neutral series: the timeline's bound line
	// Lighten blends the data series' colours this far (0 to 1) towards white, for a dark
	// background; 0 keeps them as they are.
	Lighten float64
}

// DefaultPalette is white paper with dark ink: the colours of the files the lab writes (PNG
// and SVG), for papers and slides.
func DefaultPalette() Palette {
	return Palette{Background: colorBgWhite, Axis: colorAxis, Grid: colorGrid, Text: colorAxis, Bound: colorBound}
}

// series is the colour a series is drawn in with this palette.
func (p Palette) series(s Series) color.RGBA {
	if s.Neutral {
		return p.Bound
	}
	c, t := s.Color, min(max(p.Lighten, 0), 1)
	if t == 0 {
		return c
	}
	m := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*t + 0.5) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), c.A}
}

// SweepChart is the textbook figure from a sweep: measured distribution
// time against N for both modes, with the two bounds as dashed curves.
func SweepChart(base Config, points []SweepPoint) Chart {
	maxN := 1
	for _, p := range points {
		maxN = max(maxN, p.Peers)
	}
	c := Chart{
		Title:  fmt.Sprintf("Distribution time vs N (F = %s, u = %s, u_s = %s)", sizeText(base.FileSize), RatesText(base.UploadPattern()), rateText(base.SeedUpload)),
		XLabel: "N (peers)",
		YLabel: "D (s)",
	}
	for _, m := range []Mode{ClientServer, PeerToPeer} {
		col, name := colorCS, "client-server"
		if m == PeerToPeer {
			col, name = colorP2P, "peer-to-peer"
		}
		bound := Series{Name: name + " bound", Color: col, Dashed: true}
		for n := 1; n <= maxN; n++ {
			cfg := base
			cfg.Peers, cfg.Mode = n, m
			bound.Points = append(bound.Points, Point{float64(n), cfg.Bound().Seconds()})
		}
		measured := Series{Name: name + " measured", Color: col, Markers: true}
		for _, p := range points {
			if p.Mode == m && p.Finished {
				measured.Points = append(measured.Points, Point{float64(p.Peers), p.D.Seconds()})
			}
		}
		c.Series = append(c.Series, bound, measured)
	}
	return c
}

// TimelineChart shows one run over time: peers complete, copies of the
// rarest piece, and the bound as a vertical dashed line.
func TimelineChart(r *Result) Chart {
	c := Chart{
		Title:  fmt.Sprintf("%s, N = %d: the swarm over time", r.Config.Mode, r.Config.Peers),
		XLabel: "time (s)",
		YLabel: "peers / copies",
	}
	done := Series{Name: "peers complete", Color: colorP2P}
	rare := Series{Name: "copies of the rarest piece", Color: colorRare}
	for _, s := range r.Timeline {
		done.Points = append(done.Points, Point{s.At.Seconds(), float64(s.Complete)})
		rare.Points = append(rare.Points, Point{s.At.Seconds(), float64(s.RarestCopies)})
	}
	b := r.Bound.Seconds()
	bound := Series{Name: "bound", Color: colorBound, Dashed: true, Neutral: true,
		Points: []Point{{b, 0}, {b, float64(r.Config.Peers + 1)}}}
	c.Series = []Series{done, rare, bound}
	return c
}

// Layout of both renderings, in pixels.
const (
	chartWidth   = 800
	chartHeight  = 500
	marginLeft   = 70
	marginRight  = 25
	marginTop    = 45
	marginBottom = 55
)

// frame maps data to pixels and holds the axis ticks.
type frame struct {
	x0, x1, y0, y1 float64
	xTicks, yTicks []float64
}

func (c Chart) frame() frame {
	f := frame{x0: math.Inf(1), x1: math.Inf(-1), y0: 0, y1: math.Inf(-1)}
	for _, s := range c.Series {
		for _, p := range s.Points {
			f.x0, f.x1 = min(f.x0, p.X), max(f.x1, p.X)
			f.y1 = max(f.y1, p.Y)
		}
	}
	if math.IsInf(f.x0, 0) {
		f.x0, f.x1, f.y1 = 0, 1, 1
	}
	f.x0 = min(f.x0, 0)
	if f.x1 <= f.x0 {
		f.x1 = f.x0 + 1
	}
	if f.y1 <= 0 {
		f.y1 = 1
	}
	f.xTicks, f.x1 = ticks(f.x0, f.x1)
	f.yTicks, f.y1 = ticks(0, f.y1*1.05)
	return f
}

// ticks picks round steps (1, 2 or 5 × 10^k) for about six ticks and
// returns them with the axis end rounded up to the last one.
func ticks(lo, hi float64) ([]float64, float64) {
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; ; v += step {
		out = append(out, v)
		if v >= hi-1e-9 {
			return out, v
		}
	}
}

func (f frame) px(x float64) float64 {
	return marginLeft + (x-f.x0)/(f.x1-f.x0)*(chartWidth-marginLeft-marginRight)
}

func (f frame) py(y float64) float64 {
	return chartHeight - marginBottom - (y-f.y0)/(f.y1-f.y0)*(chartHeight-marginTop-marginBottom)
}

func tickLabel(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// WriteSVG renders the chart as a standalone SVG document.
func (c Chart) WriteSVG(w io.Writer) error {
	f := c.frame()
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="13">`+"\n",
		chartWidth, chartHeight, chartWidth, chartHeight)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(b, `<text x="%d" y="25" text-anchor="middle" font-size="15">%s</text>`+"\n", chartWidth/2, escape(c.Title))
	for _, t := range f.xTicks {
		x := f.px(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x, marginTop, x, chartHeight-marginBottom, hex(colorGrid))
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, chartHeight-marginBottom+18, tickLabel(t))
	}
	for _, t := range f.yTicks {
		y := f.py(t)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`+"\n", marginLeft, y, chartWidth-marginRight, y, hex(colorGrid))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", marginLeft-6, y+4, tickLabel(t))
	}
	fmt.Fprintf(b, `<polyline points="%d,%d %d,%d %d,%d" fill="none" stroke="%s"/>`+"\n",
		marginLeft, marginTop, marginLeft, chartHeight-marginBottom, chartWidth-marginRight, chartHeight-marginBottom, hex(colorAxis))
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", (marginLeft+chartWidth-marginRight)/2, chartHeight-12, escape(c.XLabel))
	fmt.Fprintf(b, `<text x="18" y="%d" text-anchor="middle" transform="rotate(-90 18 %d)">%s</text>`+"\n",
		(marginTop+chartHeight-marginBottom)/2, (marginTop+chartHeight-marginBottom)/2, escape(c.YLabel))
	for _, s := range c.Series {
		if len(s.Points) == 0 {
			continue
		}
		var pts []string
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", f.px(p.X), f.py(p.Y)))
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="8 5"`
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), hex(s.Color), dash)
		if s.Markers {
			for _, p := range s.Points {
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`+"\n", f.px(p.X), f.py(p.Y), hex(s.Color))
			}
		}
	}
	for i, s := range c.Series {
		y := marginTop + 12 + 18*i
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="8 5"`
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", marginLeft+12, y, marginLeft+42, y, hex(s.Color), dash)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", marginLeft+50, y+4, escape(s.Name))
	}
	fmt.Fprintln(b, `</svg>`)
	return b.Flush()
}

func escape(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// WritePNG renders the chart as a PNG: the same layout as the SVG, lines
// drawn with a small rasterizer and text in a fixed 7×13 bitmap font.
func (c Chart) WritePNG(w io.Writer) error {
	return png.Encode(w, c.Image())
}

// Image renders the chart as WritePNG does, without encoding it: 800×500
// pixels on a white background, for a program that shows it on screen.
func (c Chart) Image() *image.RGBA { return c.ImageWith(DefaultPalette()) }

// ImageWith renders the chart as Image does in the colours of p, for a screen
// whose theme is not white paper.
func (c Chart) ImageWith(p Palette) *image.RGBA {
	f := c.frame()
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartHeight))
	draw.Draw(img, img.Bounds(), &image.Uniform{p.Background}, image.Point{}, draw.Src)
	r := raster{img: img, ink: image.NewUniform(p.Text)}
	for _, t := range f.xTicks {
		x := f.px(t)
		r.line(x, marginTop, x, chartHeight-marginBottom, p.Grid, 1, false)
		r.text(x, chartHeight-marginBottom+18, tickLabel(t), alignCenter)
	}
	for _, t := range f.yTicks {
		y := f.py(t)
		r.line(marginLeft, y, chartWidth-marginRight, y, p.Grid, 1, false)
		r.text(marginLeft-6, y+4, tickLabel(t), alignRight)
	}
	r.line(marginLeft, marginTop, marginLeft, chartHeight-marginBottom, p.Axis, 1, false)
	r.line(marginLeft, chartHeight-marginBottom, chartWidth-marginRight, chartHeight-marginBottom, p.Axis, 1, false)
	r.text(chartWidth/2, 25, c.Title, alignCenter)
	r.text((marginLeft+chartWidth-marginRight)/2, chartHeight-12, c.XLabel, alignCenter)
	r.text(8, marginTop-10, c.YLabel, alignLeft)
	for _, s := range c.Series {
		col := p.series(s)
		for i := 1; i < len(s.Points); i++ {
			a, b := s.Points[i-1], s.Points[i]
			r.line(f.px(a.X), f.py(a.Y), f.px(b.X), f.py(b.Y), col, 2, s.Dashed)
		}
		if s.Markers {
			for _, pt := range s.Points {
				r.dot(f.px(pt.X), f.py(pt.Y), 4, col)
			}
		}
	}
	for i, s := range c.Series {
		y := float64(marginTop + 12 + 18*i)
		r.line(marginLeft+12, y, marginLeft+42, y, p.series(s), 2, s.Dashed)
		r.text(marginLeft+50, y+4, s.Name, alignLeft)
	}
	return img
}

// raster draws on an RGBA image, text in ink.
type raster struct {
	img *image.RGBA
	ink *image.Uniform
}

// line draws from (x0, y0) to (x1, y1), width pixels thick, stepping one
// pixel at a time along the longer axis; dashed lines skip every other
// 8-pixel stretch.
func (r raster) line(x0, y0, x1, y1 float64, c color.RGBA, width int, dashed bool) {
	dx, dy := x1-x0, y1-y0
	steps := int(math.Ceil(max(math.Abs(dx), math.Abs(dy))))
	if steps == 0 {
		steps = 1
	}
	length := math.Hypot(dx, dy)
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		if dashed && int(t*length/8)%2 == 1 {
			continue
		}
		x, y := int(math.Round(x0+t*dx)), int(math.Round(y0+t*dy))
		for ox := 0; ox < width; ox++ {
			for oy := 0; oy < width; oy++ {
				r.img.SetRGBA(x+ox-width/2, y+oy-width/2, c)
			}
		}
	}
}

// dot fills a circle of the given radius.
func (r raster) dot(cx, cy float64, radius int, c color.RGBA) {
	x0, y0 := int(math.Round(cx)), int(math.Round(cy))
	for dx := -radius; dx <= radius; dx++ {
		for dy := -radius; dy <= radius; dy++ {
			if dx*dx+dy*dy <= radius*radius {
				r.img.SetRGBA(x0+dx, y0+dy, c)
			}
		}
	}
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// text writes s with its baseline at y.
func (r raster) text(x, y float64, s string, a align) {
	d := font.Drawer{Dst: r.img, Src: r.ink, Face: basicfont.Face7x13}
	w := d.MeasureString(s).Round()
	switch a {
	case alignCenter:
		x -= float64(w) / 2
	case alignRight:
		x -= float64(w)
	}
	d.Dot = fixed.P(int(math.Round(x)), int(math.Round(y)))
	d.DrawString(s)
}
