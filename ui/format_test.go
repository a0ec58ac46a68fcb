package ui

import (
	"math"
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	checks := []struct{ got, want string }{
		{sizeText(1536), "1.5 KiB"},
		{sizeText(-1), "0 B"},
		{rateText(0.2), ""},
		{rateText(2048), "2.0 KiB/s"},
		{etaText(3*time.Minute+5*time.Second, false), "3 minutes"},
		{etaText(-1, false), "∞"},
		{etaText(time.Hour, true), ""},
		{ratioText(1.234), "1.23"},
		{ratioText(math.Inf(1)), "∞"},
		{percentText(0.99999), "99.9 %"},
		{percentText(1), "100.0 %"},
		{addedText(time.Time{}), ""},
		{addedText(time.Date(2020, 5, 17, 12, 0, 0, 0, time.UTC)), "2020-05-17"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
}
