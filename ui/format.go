package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/ui/widgets"
)

// sizeText is a byte count as the UI shows it: "1.4 GiB".
func sizeText(n int64) string {
	if n < 0 {
		n = 0
	}
	return humanize.IBytes(uint64(n))
}

// rateText is a rate as the UI shows it, "" when nothing moves so idle rows stay quiet.
func rateText(bytesPerSecond float64) string {
	if bytesPerSecond < 1 {
		return ""
	}
	return widgets.RateText(bytesPerSecond)
}

// etaText is the time left: "3 minutes", "∞" when nothing arrives, "" when there is nothing left.
func etaText(eta time.Duration, done bool) string {
	switch {
	case done:
		return ""
	case eta < 0:
		return "∞"
	}
	now := time.Now()
	return strings.TrimSpace(humanize.RelTime(now, now.Add(eta), "", ""))
}

// ratioText is uploaded ÷ downloaded with two decimals, "∞" when we uploaded without downloading.
func ratioText(r float64) string {
	switch {
	case math.IsInf(r, 1):
		return "∞"
	case math.IsNaN(r) || r < 0:
		return "0.00"
	}
	return fmt.Sprintf("%.2f", r)
}

// percentText is a fraction as a percentage with one decimal, rounded down so 99.96 % never
// reads 100 %.
func percentText(f float64) string {
	f = math.Max(0, math.Min(1, f))
	return fmt.Sprintf("%.1f %%", math.Floor(f*1000)/10)
}

// addedText is when a torrent was added: "3 minutes ago" for recent ones, the date otherwise.
func addedText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if time.Since(t) < 7*24*time.Hour {
		return humanize.Time(t)
	}
	return t.Format("2006-01-02")
}
