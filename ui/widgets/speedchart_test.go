package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestChartPointsPutNewestAtRightEdge(t *testing.T) {
	size := fyne.NewSize(100, 50)
	// capacity 5: 4 steps of 25 units. Three samples fill the right half.
	points := chartPoints([]float64{0, 50, 100}, 5, 100, size)
	want := []fyne.Position{{X: 50, Y: 50}, {X: 75, Y: 25}, {X: 100, Y: 0}}
	if len(points) != len(want) {
		t.Fatalf("got %d points, want %d", len(points), len(want))
	}
	for i := range want {
		if points[i] != want[i] {
			t.Errorf("point %d = %v, want %v", i, points[i], want[i])
		}
	}
}

func TestChartPointsClampAboveTop(t *testing.T) {
	points := chartPoints([]float64{500, -3}, 2, 100, fyne.NewSize(10, 20))
	if points[0].Y != 0 {
		t.Errorf("value above top at y %v, want 0 (top edge)", points[0].Y)
	}
	if points[1].Y != 20 {
		t.Errorf("negative value at y %v, want 20 (baseline)", points[1].Y)
	}
	if chartPoints(nil, 5, 1, fyne.NewSize(10, 10)) != nil {
		t.Error("no samples should give no points")
	}
}

func TestNiceCeiling(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 1}, {1, 1}, {1.5, 2}, {3, 5}, {7, 10}, {10, 10}, {11, 20}, {1_234_567, 2_000_000},
	} {
		if got := niceCeiling(c.in); got != c.want {
			t.Errorf("niceCeiling(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestSpeedChartDrawsOneSegmentPerSamplePair(t *testing.T) {
	test.NewTempApp(t)
	h := NewRateHistory(60)
	for i := range 10 {
		h.Add(float64(i*1000), 500)
	}
	c := NewSpeedChart()
	c.SetHistory(h, 1)
	c.Resize(fyne.NewSize(300, 150))
	r := test.TempWidgetRenderer(t, c).(*speedChartRenderer)
	if len(r.downSegs) != 9 || len(r.upSegs) != 9 {
		t.Fatalf("segments %d/%d, want 9/9 for 10 samples", len(r.downSegs), len(r.upSegs))
	}
	if r.topLabel.Text != "9.8 KiB/s" { // niceCeiling(9000) = 10 000 bytes
		t.Errorf("axis label %q, want 9.8 KiB/s", r.topLabel.Text)
	}
	last := r.downSegs[8].Position2
	if last.X != 300 {
		t.Errorf("newest sample at x %v, want the right edge 300", last.X)
	}
	if !r.empty.Hidden {
		t.Error("the 'no samples yet' caption shows although there are samples")
	}
	if s := c.Summary(); !strings.HasPrefix(s, "last 60 seconds: download now 8.8 KiB/s (peak 8.8 KiB/s); upload now 500 B/s") {
		t.Errorf("summary %q", s)
	}
}

// The window is named as the app's history is sized: 300 one-second samples are five minutes.
func TestSpeedChartWindowInWords(t *testing.T) {
	test.NewTempApp(t)
	h := NewRateHistory(300)
	h.Add(1, 1)
	c := NewSpeedChart()
	c.SetHistory(h, 1)
	if s := c.Summary(); !strings.HasPrefix(s, "last 5 minutes: ") {
		t.Errorf("summary %q, want it to start with \"last 5 minutes: \"", s)
	}
}

func TestSpeedChartEmpty(t *testing.T) {
	test.NewTempApp(t)
	c := NewSpeedChart()
	c.Resize(fyne.NewSize(200, 100))
	r := test.TempWidgetRenderer(t, c).(*speedChartRenderer)
	if r.empty.Hidden || len(r.downSegs) != 0 {
		t.Error("an empty chart should say so and draw no lines")
	}
	if c.Summary() != "no samples yet" {
		t.Errorf("summary %q", c.Summary())
	}
}
