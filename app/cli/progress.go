package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// IsTerminal reports whether w is a terminal (a character device), where a
// progress bar can redraw itself in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// How often the bar redraws on a terminal, and how often it prints a plain
// line when the output is a file or pipe (where \r redraws would pile up).
const (
	terminalRedraw = 100 * time.Millisecond
	plainInterval  = 10 * time.Second
	rateWindow     = 5 * time.Second
)

// ProgressBar shows how far a long job has come: percent, amount, rate and
// time left. On a terminal it is one line redrawn in place with \r; on
// anything else it prints a plain line every ten seconds, so logs stay
// readable. It is not safe for concurrent use.
type ProgressBar struct {
	w        io.Writer
	label    string
	total    int64
	done     int64
	status   string
	terminal bool
	now      func() time.Time

	start    time.Time
	lastDraw time.Time
	drawn    int // width of the line on screen, to blank leftovers
	samples  []progressSample
	finished bool
}

type progressSample struct {
	at   time.Time
	done int64
}

// NewProgressBar starts a progress display on w for a job of total bytes
// (0 if not known yet; see SetTotal).
func NewProgressBar(w io.Writer, label string, total int64) *ProgressBar {
	return newProgressBar(w, label, total, IsTerminal(w), time.Now)
}

func newProgressBar(w io.Writer, label string, total int64, terminal bool, now func() time.Time) *ProgressBar {
	t := now()
	return &ProgressBar{w: w, label: label, total: total, terminal: terminal, now: now, start: t, lastDraw: t,
		samples: []progressSample{{at: t}}}
}

// SetTotal changes the job size, for jobs that learn it late.
func (p *ProgressBar) SetTotal(total int64) { p.total = total }

// SetStatus sets extra words shown after the numbers, e.g. "12 peers".
func (p *ProgressBar) SetStatus(s string) { p.status = s }

// Update records that done bytes are finished and redraws when due.
func (p *ProgressBar) Update(done int64) {
	p.done = done
	now := p.now()
	if last := p.samples[len(p.samples)-1]; now.Sub(last.at) >= terminalRedraw {
		p.samples = append(p.samples, progressSample{at: now, done: done})
		// Keep only the window the rate is measured over.
		cut := 0
		for cut < len(p.samples)-2 && now.Sub(p.samples[cut+1].at) >= rateWindow {
			cut++
		}
		p.samples = p.samples[cut:]
	}
	interval := plainInterval
	if p.terminal {
		interval = terminalRedraw
	}
	if now.Sub(p.lastDraw) >= interval {
		p.draw(now)
	}
}

// Finish draws the final state and ends the line. It is safe to call twice.
func (p *ProgressBar) Finish() {
	if p.finished {
		return
	}
	p.finished = true
	now := p.now()
	elapsed := now.Sub(p.start)
	line := fmt.Sprintf("%s: %s in %s", p.label, humanize.IBytes(uint64(max(p.done, 0))), formatDuration(elapsed))
	// An average over a few milliseconds is noise (e.g. a download that was
	// already complete when the bar started), so only quote a real one.
	if secs := elapsed.Seconds(); secs >= 0.5 {
		line += fmt.Sprintf(", %s/s", humanize.IBytes(uint64(float64(p.done)/secs)))
	}
	if p.status != "" {
		line += ", " + p.status
	}
	if p.terminal {
		line = "\r" + pad(line, p.drawn)
	}
	fmt.Fprintln(p.w, line)
}

// Stop ends the display without a summary, e.g. when the job failed, so
// that whatever is printed next starts on a fresh line.
func (p *ProgressBar) Stop() {
	if p.finished {
		return
	}
	p.finished = true
	if p.terminal && p.drawn > 0 {
		fmt.Fprintln(p.w)
	}
}

// Rate is the progress in bytes per second over the last few seconds.
func (p *ProgressBar) Rate() float64 {
	first := p.samples[0]
	last := p.samples[len(p.samples)-1]
	if now := p.now(); p.done > last.done {
		last = progressSample{at: now, done: p.done}
	}
	dt := last.at.Sub(first.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(last.done-first.done) / dt
}

// Line is the text of the progress line as it would be drawn now.
func (p *ProgressBar) Line() string {
	var b strings.Builder
	b.WriteString(p.label)
	b.WriteString(": ")
	if p.total > 0 {
		frac := min(max(float64(p.done)/float64(p.total), 0), 1)
		fmt.Fprintf(&b, "%5.1f%% ", 100*frac)
		if p.terminal {
			const width = 24
			full := int(frac * width)
			b.WriteString("[" + strings.Repeat("=", full) + strings.Repeat(" ", width-full) + "] ")
		}
		fmt.Fprintf(&b, "%s / %s", humanize.IBytes(uint64(max(p.done, 0))), humanize.IBytes(uint64(p.total)))
	} else {
		b.WriteString(humanize.IBytes(uint64(max(p.done, 0))))
	}
	rate := p.Rate()
	if rate > 0 {
		fmt.Fprintf(&b, ", %s/s", humanize.IBytes(uint64(rate)))
		if p.total > p.done {
			eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
			fmt.Fprintf(&b, ", %s left", formatDuration(eta))
		}
	}
	if p.status != "" {
		b.WriteString(", ")
		b.WriteString(p.status)
	}
	return b.String()
}

func (p *ProgressBar) draw(now time.Time) {
	p.lastDraw = now
	line := p.Line()
	if p.terminal {
		fmt.Fprint(p.w, "\r"+pad(line, p.drawn))
		p.drawn = len(line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// pad blanks out the rest of a previously drawn, longer line.
func pad(line string, previous int) string {
	if n := previous - len(line); n > 0 {
		return line + strings.Repeat(" ", n)
	}
	return line
}

// formatDuration prints durations the way people read them: 850ms, 12s,
// 3m05s, 2h07m.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}
