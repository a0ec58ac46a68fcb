package lab

import (
	"sync"
	"time"
)

// Control pauses and resumes lab runs from another goroutine: put one in
// Config.Control and call Pause and Resume while Run goes. It holds the
// wanted state; the run applies it at its next step (within a moment), so
// calls never block and a Pause followed quickly by Resume may not pause
// at all. A run that starts while its Control is paused starts paused.
// Sweep and Compare hand the same Control to each of their runs, so it
// pauses whichever run is going. The zero value is ready to use.
//
// While a run is paused every node's torrent is paused (its connections
// dropped, so no data moves) and the lab's clock stands still: D, the
// completion times, the timeline, the utilisation, the late joiners' delay
// and the timeout count only the time it ran. See Result.Pauses.
type Control struct {
	mu     sync.Mutex
	paused bool
	wake   chan struct{} // one pending "the wanted state changed"
}

// NewControl returns a Control that is not paused.
func NewControl() *Control { return &Control{} }

// Pause asks the run to pause.
func (c *Control) Pause() { c.set(true) }

// Resume asks a paused run to go on.
func (c *Control) Resume() { c.set(false) }

// Paused reports whether a pause is wanted (the run follows within a
// moment).
func (c *Control) Paused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused
}

func (c *Control) set(paused bool) {
	c.mu.Lock()
	c.paused = paused
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	wake := c.wake
	c.mu.Unlock()
	select {
	case wake <- struct{}{}:
	default: // a wake-up is pending already; the run reads the state then
	}
}

// changed is the channel that signals a change of the wanted state; nil
// for a nil Control, so a run without one never hears from it.
func (c *Control) changed() <-chan struct{} {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	return c.wake
}

// wantPaused is Paused, false for a nil Control.
func (c *Control) wantPaused() bool { return c != nil && c.Paused() }

// Pause is one stretch of a run spent paused.
type Pause struct {
	// At is the lab's clock when it paused (running time since the
	// start, which the pause does not advance).
	At time.Duration
	// Length is how long it stayed paused, by the wall clock.
	Length time.Duration
}

// clock is a run's lab clock: wall time since the start less the paused
// stretches. Only Run's goroutine touches it.
type clock struct {
	start    time.Time
	spans    []span    // closed pauses, in order
	pausedAt time.Time // zero while running
}

type span struct{ from, to time.Time }

// at is the lab time of the instant t: t - start less the paused time
// before t. An instant inside a pause reads as the moment it paused.
func (c *clock) at(t time.Time) time.Duration {
	d := t.Sub(c.start)
	for _, s := range c.spans {
		d -= overlap(s.from, s.to, c.start, t)
	}
	if !c.pausedAt.IsZero() {
		d -= overlap(c.pausedAt, t, c.start, t)
	}
	return max(d, 0)
}

func (c *clock) now() time.Duration { return c.at(time.Now()) }

func (c *clock) paused() bool { return !c.pausedAt.IsZero() }

// pause stops the clock at t.
func (c *clock) pause(t time.Time) {
	if c.pausedAt.IsZero() {
		c.pausedAt = t
	}
}

// resume starts the clock again at t and returns the pause it ended.
func (c *clock) resume(t time.Time) Pause {
	p := Pause{At: c.at(c.pausedAt), Length: t.Sub(c.pausedAt)}
	c.spans = append(c.spans, span{c.pausedAt, t})
	c.pausedAt = time.Time{}
	return p
}

// overlap is the length of [a0, a1) ∩ [b0, b1).
func overlap(a0, a1, b0, b1 time.Time) time.Duration {
	from, to := a0, a1
	if b0.After(from) {
		from = b0
	}
	if b1.Before(to) {
		to = b1
	}
	return max(to.Sub(from), 0)
}
