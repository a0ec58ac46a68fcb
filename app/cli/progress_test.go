package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressBarTerminal(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bar := newProgressBar(&out, "hashing", 100<<20, true, clock.now)
	for i := 1; i <= 10; i++ {
		clock.advance(time.Second)
		bar.Update(int64(i) * 5 << 20) // 5 MiB/s
	}
	s := out.String()
	if strings.Contains(s, "\n") {
		t.Errorf("terminal output has a newline before Finish: %q", s)
	}
	if strings.Count(s, "\r") != 10 {
		t.Errorf("want 10 redraws, got %q", s)
	}
	last := s[strings.LastIndex(s, "\r")+1:]
	for _, want := range []string{"hashing:  50.0% [============            ] 50 MiB / 100 MiB", "5.0 MiB/s", "10.0s left"} {
		if !strings.Contains(last, want) {
			t.Errorf("last line %q lacks %q", last, want)
		}
	}
	bar.SetStatus("3 peers")
	clock.advance(time.Second)
	bar.Finish()
	bar.Finish()
	final := out.String()[strings.LastIndex(out.String(), "\r"):]
	if strings.TrimRight(final, " \n") != "\rhashing: 50 MiB in 11.0s, 4.5 MiB/s, 3 peers" || !strings.HasSuffix(final, "\n") {
		t.Errorf("finish line: %q", out.String()[strings.LastIndex(out.String(), "\r"):])
	}
}

func TestProgressBarRedrawRateLimited(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bar := newProgressBar(&out, "x", 1000, true, clock.now)
	for i := range 100 {
		clock.advance(time.Millisecond)
		bar.Update(int64(i))
	}
	if n := strings.Count(out.String(), "\r"); n != 1 {
		t.Errorf("100 updates over 100ms drew %d times, want 1", n)
	}
}

func TestProgressBarPlain(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bar := newProgressBar(&out, "downloading", 0, false, clock.now)
	for i := 1; i <= 25; i++ {
		clock.advance(time.Second)
		if i == 5 {
			bar.SetTotal(250 << 20)
		}
		bar.Update(int64(i) << 20)
	}
	s := out.String()
	if strings.Contains(s, "\r") || strings.Contains(s, "[") {
		t.Errorf("plain output has redraws or a bar: %q", s)
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) != 2 {
		t.Fatalf("25s of progress printed %d lines, want 2 (one per 10s): %q", len(lines), s)
	}
	if !strings.HasPrefix(lines[1], "downloading:   8.0% 20 MiB / 250 MiB, 1.0 MiB/s, 3m50s left") {
		t.Errorf("line = %q", lines[1])
	}
}

func TestProgressBarStop(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bar := newProgressBar(&out, "x", 10, true, clock.now)
	clock.advance(time.Second)
	bar.Update(5)
	bar.Stop()
	bar.Finish() // no-op after Stop
	if !strings.HasSuffix(out.String(), "\n") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("output %q", out.String())
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:        "850ms",
		12 * time.Second:              "12.0s",
		3*time.Minute + 5*time.Second: "3m05s",
		2*time.Hour + 7*time.Minute:   "2h07m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
