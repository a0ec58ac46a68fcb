package widgets

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"
)

// SpeedChart draws a RateHistory as two lines, download and upload, over the history's whole
// window: the newest sample at the right edge, older ones to the left, the y axis from zero to a
// round number at or above the peak (labelled at the top left).
type SpeedChart struct {
	widget.BaseWidget

	down, up []float64
	capacity int
	top      float64 // the y-axis maximum, bytes/s
	seconds  int     // how long the window is, for the axis label
}

// NewSpeedChart returns an empty chart; it shows "no samples yet" until SetHistory.
func NewSpeedChart() *SpeedChart {
	c := &SpeedChart{capacity: 2, top: 1}
	c.ExtendBaseWidget(c)
	return c
}

// SetHistory draws h, whose samples are sampleSeconds apart. The chart copies the samples. Call it on
// the UI goroutine.
func (c *SpeedChart) SetHistory(h *RateHistory, sampleSeconds int) {
	c.down, c.up = h.Samples()
	c.capacity = h.Capacity()
	// Each sample stands for the sampleSeconds before it: 300 one-second samples cover five
	// minutes (not the 299 s between the first and the last).
	c.seconds = h.Capacity() * max(sampleSeconds, 1)
	peakDown, peakUp := h.Peak()
	c.top = niceCeiling(max(peakDown, peakUp))
	c.Refresh()
}

// Summary says in words what the chart shows, e.g.
// "last 5 minutes: download now 1.2 MiB/s (peak 3.0 MiB/s); upload now 0 B/s (peak 12 KiB/s)".
func (c *SpeedChart) Summary() string {
	if len(c.down) == 0 {
		return "no samples yet"
	}
	peak := func(v []float64) float64 {
		m := 0.0
		for _, x := range v {
			m = max(m, x)
		}
		return m
	}
	last := len(c.down) - 1
	return "last " + windowText(c.seconds) + ": download now " + RateText(c.down[last]) +
		" (peak " + RateText(peak(c.down)) + "); upload now " + RateText(c.up[last]) +
		" (peak " + RateText(peak(c.up)) + ")"
}

// CreateRenderer is called by Fyne; see speedChartRenderer.
func (c *SpeedChart) CreateRenderer() fyne.WidgetRenderer {
	return newSpeedChartRenderer(c)
}

// RateText formats a rate in bytes per second the way the whole UI does: "1.2 MiB/s".
func RateText(bytesPerSecond float64) string {
	if bytesPerSecond < 0 || math.IsNaN(bytesPerSecond) {
		bytesPerSecond = 0
	}
	return humanize.IBytes(uint64(bytesPerSecond)) + "/s"
}

// windowText is "90 seconds", "5 minutes".
func windowText(seconds int) string {
	if seconds < 120 {
		return humanize.Comma(int64(seconds)) + " seconds"
	}
	return humanize.Comma(int64(seconds/60)) + " minutes"
}

// niceCeiling returns the smallest 1, 2 or 5 × 10ⁿ (n ≥ 0) at or above v, so the axis label is a
// round number; 1 for v ≤ 1.
func niceCeiling(v float64) float64 {
	if v <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	magnitude := math.Pow(10, math.Floor(math.Log10(v)))
	for _, step := range []float64{1, 2, 5, 10} {
		if top := step * magnitude; top >= v {
			return top
		}
	}
	return 10 * magnitude
}

// chartPoints maps samples (oldest first) to positions in a plot of size: the newest sample at
// the right edge, one step of width/(capacity−1) per sample leftwards, y from the bottom (zero) to
// the top (top bytes/s). Values above top are clamped to the top edge.
func chartPoints(values []float64, capacity int, top float64, size fyne.Size) []fyne.Position {
	if len(values) == 0 || capacity < 2 || top <= 0 {
		return nil
	}
	step := size.Width / float32(capacity-1)
	right := size.Width
	points := make([]fyne.Position, len(values))
	for i, v := range values {
		age := len(values) - 1 - i
		frac := float32(math.Min(math.Max(v/top, 0), 1))
		points[i] = fyne.NewPos(right-float32(age)*step, size.Height-frac*size.Height)
	}
	return points
}
