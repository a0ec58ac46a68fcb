package lab

import (
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"testing"
)

// The sha256 of the Pix of Image() for the fake sweep and run, as the renderer drew them before
// palettes existed: the default palette must keep the files the lab writes unchanged.
const (
	goldenSweepPix    = "fbc8b13c7d9a49fcf908efb46e8187fa9fadb6409df0f431609d2cf550d98671"
	goldenTimelinePix = "4f2be16e9127def655295e805f1a789f2c117418a5dac0a3d22062e39c114acb"
)

func pixHash(img *image.RGBA) string {
	return fmt.Sprintf("%x", sha256.Sum256(img.Pix))
}

func testCharts() map[string]Chart {
	base, points := fakeSweep()
	return map[string]Chart{"sweep": SweepChart(base, points), "timeline": TimelineChart(fakeRun())}
}

func TestDefaultPaletteIsTheOldWhitePaper(t *testing.T) {
	golden := map[string]string{"sweep": goldenSweepPix, "timeline": goldenTimelinePix}
	for name, c := range testCharts() {
		if got := pixHash(c.ImageWith(DefaultPalette())); got != golden[name] {
			t.Errorf("%s: ImageWith(DefaultPalette()) hashes to %s, want the old Image() output %s", name, got, golden[name])
		}
		if got := pixHash(c.Image()); got != golden[name] {
			t.Errorf("%s: Image() hashes to %s, want %s", name, got, golden[name])
		}
	}
}

var testDark = Palette{
	Background: color.RGBA{0x17, 0x17, 0x18, 0xff},
	Axis:       color.RGBA{0xf3, 0xf3, 0xf3, 0xff},
	Grid:       color.RGBA{0x39, 0x39, 0x3a, 0xff},
	Text:       color.RGBA{0xf0, 0xf1, 0xf2, 0xff},
	Bound:      color.RGBA{0xb2, 0xb2, 0xb2, 0xff},
	Lighten:    0.25,
}

func TestDarkPaletteDrawsInItsColours(t *testing.T) {
	p := testDark
	for name, c := range testCharts() {
		img := c.ImageWith(p)
		for _, pt := range []image.Point{{0, 0}, {chartWidth - 1, 0}, {0, chartHeight - 1}, {chartWidth - 1, chartHeight - 1}} {
			if got := img.RGBAAt(pt.X, pt.Y); got != p.Background {
				t.Errorf("%s: corner %v is %v, want the background %v", name, pt, got, p.Background)
			}
		}
		// The y axis runs down the left margin, the x axis along the bottom one.
		if got := img.RGBAAt(marginLeft, (marginTop+chartHeight-marginBottom)/2); got != p.Axis {
			t.Errorf("%s: y axis pixel %v, want the axis colour %v", name, got, p.Axis)
		}
		if got := img.RGBAAt(marginLeft+3, chartHeight-marginBottom); got != p.Axis {
			t.Errorf("%s: x axis pixel %v, want the axis colour %v", name, got, p.Axis)
		}
		count := map[color.RGBA]int{}
		for y := range chartHeight {
			for x := range chartWidth {
				count[img.RGBAAt(x, y)]++
			}
		}
		// The tick labels under the x axis and the title are text.
		text := 0
		for y := chartHeight - marginBottom + 5; y < chartHeight; y++ {
			for x := marginLeft; x < chartWidth-marginRight; x++ {
				if img.RGBAAt(x, y) == p.Text {
					text++
				}
			}
		}
		if text == 0 {
			t.Errorf("%s: no pixel of the text colour %v under the x axis", name, p.Text)
		}
		if count[p.Grid] == 0 {
			t.Errorf("%s: no grid pixels %v", name, p.Grid)
		}
		for _, old := range []color.RGBA{colorBgWhite, colorAxis, colorGrid} {
			if count[old] != 0 {
				t.Errorf("%s: %d pixels of the default palette's %v in a dark image", name, count[old], old)
			}
		}
		for _, s := range c.Series {
			want := p.series(s)
			if count[want] == 0 {
				t.Errorf("%s: series %q not drawn in %v", name, s.Name, want)
			}
			if !s.Neutral && count[s.Color] != 0 {
				t.Errorf("%s: series %q drawn in its unlightened colour %v", name, s.Name, s.Color)
			}
		}
	}
	// The timeline's bound is neutral: it takes the palette's Bound colour.
	if c := TimelineChart(fakeRun()); !c.Series[2].Neutral || testDark.series(c.Series[2]) != testDark.Bound {
		t.Error("the timeline's bound line does not use the palette's Bound colour")
	}
}

func TestPaletteLighten(t *testing.T) {
	s := Series{Color: color.RGBA{0x1f, 0x77, 0xb4, 0xff}}
	if got := (Palette{}).series(s); got != s.Color {
		t.Errorf("no lightening: %v, want %v", got, s.Color)
	}
	if got, want := (Palette{Lighten: 1}).series(s), (color.RGBA{0xff, 0xff, 0xff, 0xff}); got != want {
		t.Errorf("full lightening: %v, want %v", got, want)
	}
	if got, want := (Palette{Lighten: 0.5}).series(s), (color.RGBA{0x8f, 0xbb, 0xda, 0xff}); got != want {
		t.Errorf("half lightening: %v, want %v", got, want)
	}
}
