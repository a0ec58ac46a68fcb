package widgets

import (
	"slices"
	"testing"
)

func TestRateHistoryKeepsNewestSamplesInOrder(t *testing.T) {
	h := NewRateHistory(3)
	if d, u := h.Samples(); len(d) != 0 || len(u) != 0 {
		t.Fatalf("empty history holds %v %v", d, u)
	}
	for i := 1; i <= 5; i++ {
		h.Add(float64(i), float64(10*i))
	}
	down, up := h.Samples()
	if !slices.Equal(down, []float64{3, 4, 5}) || !slices.Equal(up, []float64{30, 40, 50}) {
		t.Fatalf("samples = %v %v, want the last three oldest first", down, up)
	}
	if h.Len() != 3 || h.Capacity() != 3 {
		t.Errorf("len %d cap %d, want 3 3", h.Len(), h.Capacity())
	}
	if d, u := h.Last(); d != 5 || u != 50 {
		t.Errorf("last = %v %v, want 5 50", d, u)
	}
	if d, u := h.Peak(); d != 5 || u != 50 {
		t.Errorf("peak = %v %v, want 5 50", d, u)
	}
}

func TestRateHistoryPeakForgetsOverwrittenSamples(t *testing.T) {
	h := NewRateHistory(2)
	h.Add(100, 7)
	h.Add(1, 2)
	h.Add(3, -4) // negative counts as zero
	if d, u := h.Peak(); d != 3 || u != 2 {
		t.Errorf("peak = %v %v, want 3 2 (100 and 7 were overwritten)", d, u)
	}
}
