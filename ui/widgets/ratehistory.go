package widgets

// RateHistory is a fixed-size ring of download and upload rate samples (bytes per second), oldest
// overwritten first. The speed chart draws it; the UI appends one sample per torrent per second.
// It is not safe for concurrent use: keep it on the UI goroutine.
type RateHistory struct {
	down, up []float64
	next     int // where the next sample goes
	count    int // samples held, up to the capacity
}

// NewRateHistory returns an empty history that keeps the last capacity samples (at least 2).
func NewRateHistory(capacity int) *RateHistory {
	capacity = max(capacity, 2)
	return &RateHistory{down: make([]float64, capacity), up: make([]float64, capacity)}
}

// Add appends one sample; negative rates count as zero.
func (h *RateHistory) Add(down, up float64) {
	h.down[h.next] = max(down, 0)
	h.up[h.next] = max(up, 0)
	h.next = (h.next + 1) % len(h.down)
	h.count = min(h.count+1, len(h.down))
}

// Capacity is how many samples the history keeps.
func (h *RateHistory) Capacity() int { return len(h.down) }

// Len is how many samples it holds now.
func (h *RateHistory) Len() int { return h.count }

// Samples returns copies of the held samples, oldest first.
func (h *RateHistory) Samples() (down, up []float64) {
	return h.ordered(h.down), h.ordered(h.up)
}

func (h *RateHistory) ordered(ring []float64) []float64 {
	out := make([]float64, 0, h.count)
	start := (h.next - h.count + len(ring)) % len(ring)
	for i := range h.count {
		out = append(out, ring[(start+i)%len(ring)])
	}
	return out
}

// Peak returns the largest download and upload rate held.
func (h *RateHistory) Peak() (down, up float64) {
	for i := range h.count {
		j := (h.next - 1 - i + 2*len(h.down)) % len(h.down)
		down = max(down, h.down[j])
		up = max(up, h.up[j])
	}
	return down, up
}

// Last returns the newest sample, zero when empty.
func (h *RateHistory) Last() (down, up float64) {
	if h.count == 0 {
		return 0, 0
	}
	j := (h.next - 1 + len(h.down)) % len(h.down)
	return h.down[j], h.up[j]
}
