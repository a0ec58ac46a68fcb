package torrent

import "time"

// rateMeter measures a byte rate over a sliding window: the loop feeds it a
// cumulative byte count at every tick, and the rate is the growth over the
// last rateWindow.
type rateMeter struct {
	samples [rateSamples]rateSample
	next    int
	filled  int
}

type rateSample struct {
	at    time.Time
	total int64
}

const (
	rateWindow  = 5 * time.Second
	rateSamples = int(rateWindow/tickInterval) + 1
)

// sample records the cumulative total at now.
func (m *rateMeter) sample(now time.Time, total int64) {
	m.samples[m.next] = rateSample{now, total}
	m.next = (m.next + 1) % rateSamples
	if m.filled < rateSamples {
		m.filled++
	}
}

// rate is bytes per second over the window (0 until two samples exist).
func (m *rateMeter) rate() float64 {
	if m.filled < 2 {
		return 0
	}
	newest := m.samples[(m.next-1+rateSamples)%rateSamples]
	oldest := m.samples[(m.next-m.filled+rateSamples)%rateSamples]
	dt := newest.at.Sub(oldest.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(newest.total-oldest.total) / dt
}
