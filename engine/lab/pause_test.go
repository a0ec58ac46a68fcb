package lab

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// pauseConfig is a small p2p run slow enough to pause in the middle: F =
// 1 MiB in 64 KiB chunks (16 pieces), u = 200 KiB/s, u_s = d = 400 KiB/s,
// so the bound is about 3 s and no peer can complete in under 2.5 s.
func pauseConfig() Config {
	return Config{
		Peers:          3,
		FileSize:       1 << 20,
		PieceLength:    64 << 10,
		PeerUpload:     200 << 10,
		SeedUpload:     400 << 10,
		PeerDownload:   400 << 10,
		Mode:           PeerToPeer,
		SampleInterval: 50 * time.Millisecond,
		Timeout:        90 * time.Second,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// syncBuffer collects log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// tail is the last n bytes written.
func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf[max(len(b.buf)-n, 0):])
}

func piecesOf(n LiveNode) int {
	have := 0
	for _, h := range n.Have {
		if h {
			have++
		}
	}
	return have
}

// A run paused for a second in the middle moves no data while paused, then
// completes; D, the completion times and the timeline leave the pause out,
// and D still respects the floor.
func TestRunPausesAndResumes(t *testing.T) {
	cfg := pauseConfig()
	ctl := NewControl()
	cfg.Control = ctl
	// The engines' warnings (bans, failed pieces) explain a run that did
	// not complete.
	warnings := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(warnings, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// The Live callback runs on Run's goroutine; the resume timer's
	// goroutine only calls ctl.Resume.
	var (
		mu              sync.Mutex
		pausedViews     []*LiveView
		sawRunningAfter bool
		triggered       bool
	)
	var lastView *LiveView
	cfg.Live = func(v *LiveView) {
		mu.Lock()
		defer mu.Unlock()
		lastView = v
		switch {
		case v.Paused:
			pausedViews = append(pausedViews, v)
			if len(pausedViews) == 1 {
				time.AfterFunc(time.Second, ctl.Resume)
			}
		case !triggered:
			// Pause once the peers have started but none is near done.
			started, early := false, true
			for _, n := range v.Nodes[1:] {
				have := piecesOf(n)
				started = started || have > 0
				early = early && have < v.Pieces/2
			}
			if started && early {
				triggered = true
				ctl.Pause()
			}
		case len(pausedViews) > 0:
			sawRunningAfter = true
		}
	}
	began := time.Now()
	res, err := Run(context.Background(), cfg, nil)
	wall := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%s; floor %v; paused %v of %v wall; pauses %+v; notes %q", res.Summary(), res.Floor, res.PausedTime(), wall, res.Pauses, res.Notes)
	if !triggered || len(res.Pauses) != 1 {
		t.Fatalf("paused %d times (pause requested: %v), want once", len(res.Pauses), triggered)
	}
	if !res.Finished {
		if lastView != nil {
			for _, n := range lastView.Nodes {
				t.Logf("at the end: %s has %d of %d pieces, uploads to %d nodes", n.Name, piecesOf(n), lastView.Pieces, len(n.Unchokes))
			}
		}
		t.Fatalf("the run did not complete after the resume: %q; engine warnings:\n%s", res.Notes, warnings.tail(4096))
	}
	if !sawRunningAfter {
		t.Error("no running live view after the resume")
	}
	p := res.Pauses[0]
	// The clock stopped before the first paused view, and Resume came a
	// second after it.
	if p.Length < time.Second {
		t.Errorf("the pause lasted %v, want at least the 1 s between the paused view and Resume", p.Length)
	}
	if p.At <= 0 || p.At >= res.D {
		t.Errorf("paused at %v of lab time, want inside the run (0, D = %v)", p.At, res.D)
	}
	// D leaves the pause out: the wall clock around Run (which also set
	// up and tore down the swarm) holds D plus the pause.
	if res.D > wall-res.PausedTime() {
		t.Errorf("D = %v, but Run took %v of which %v paused: D includes paused time", res.D, wall, res.PausedTime())
	}
	if res.D < res.Floor {
		t.Errorf("D = %v is below the floor %v (one extra burst allowed for the resume)", res.D, res.Floor)
	}
	if res.Floor >= cfg.Floor() {
		t.Errorf("floor %v after a pause, want below the unpaused floor %v (one more burst)", res.Floor, cfg.Floor())
	}
	for _, n := range res.Nodes[1:] {
		if !n.Complete || n.CompletedAt > res.D {
			t.Errorf("%s: complete %v at %v, want complete by D = %v", n.Name, n.Complete, n.CompletedAt, res.D)
		}
	}
	if u := res.Nodes[0].Utilisation; u <= 0 || u > 1.2 {
		t.Errorf("the server's upload use %.2f, want above 0 and at most 1.2", u)
	}

	// The timeline runs on lab time: in order, with the sample taken as
	// the pause began, and nothing later than the end of the run.
	sawPauseSample := false
	for i, s := range res.Timeline {
		if i > 0 && s.At < res.Timeline[i-1].At {
			t.Fatalf("timeline goes back at sample %d: %v after %v", i, s.At, res.Timeline[i-1].At)
		}
		sawPauseSample = sawPauseSample || s.At == p.At
	}
	if !sawPauseSample {
		t.Errorf("no timeline sample at the pause (%v)", p.At)
	}
	if last := res.Timeline[len(res.Timeline)-1].At; last > wall-res.PausedTime() {
		t.Errorf("the timeline ends at %v, after the running time %v", last, wall-res.PausedTime())
	}

	// Two views of the paused swarm, a second apart: the clock stood still
	// and no peer received more than a block or two already on its way.
	if len(pausedViews) != 2 {
		t.Fatalf("%d paused views, want one as it paused and one before it resumed", len(pausedViews))
	}
	first, last := pausedViews[0], pausedViews[1]
	if first.Sample.At != p.At || last.Sample.At != p.At {
		t.Errorf("paused views at %v and %v, want both at the pause, %v", first.Sample.At, last.Sample.At, p.At)
	}
	const inFlight = 2 * 16 << 10
	var before int64
	for i := range first.Nodes {
		before += first.Nodes[i].Downloaded
		if grew := last.Nodes[i].Downloaded - first.Nodes[i].Downloaded; grew > inFlight {
			t.Errorf("%s downloaded %d bytes while paused, want at most %d in flight", first.Nodes[i].Name, grew, inFlight)
		}
		if grew := last.Nodes[i].Uploaded - first.Nodes[i].Uploaded; grew > inFlight {
			t.Errorf("%s uploaded %d bytes while paused, want at most %d in flight", first.Nodes[i].Name, grew, inFlight)
		}
	}
	if before == 0 {
		t.Error("nothing was downloaded before the pause: the run was paused before it started")
	}
}

// A run whose Control is paused before it starts starts paused: the late
// joiners' delay and the timeout count running time only, so neither
// passes while it stays paused far longer than both.
func TestRunStartsPausedAndItsTimersWait(t *testing.T) {
	cfg := pauseConfig()
	cfg.Timeout = 300 * time.Millisecond
	cfg.LateJoiners, cfg.LateJoinDelay = 0.4, 100*time.Millisecond
	ctl := NewControl()
	ctl.Pause()
	cfg.Control = ctl
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu    sync.Mutex
		views []*LiveView
	)
	cfg.Live = func(v *LiveView) {
		mu.Lock()
		defer mu.Unlock()
		views = append(views, v)
		if len(views) == 1 {
			time.AfterFunc(time.Second, cancel) // ten times the timeout
		}
	}
	res, err := Run(ctx, cfg, nil)
	mu.Lock()
	defer mu.Unlock()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled (the timeout must not pass while paused)", err)
	}
	if res == nil || len(views) == 0 {
		t.Fatalf("result %v, %d live views", res, len(views))
	}
	for _, note := range res.Notes {
		if strings.Contains(note, "timed out") {
			t.Errorf("note %q: the timeout passed while paused", note)
		}
	}
	for i, v := range views {
		if !v.Paused {
			t.Fatalf("view %d of %d is not paused: the run did not start paused", i, len(views))
		}
	}
	if len(res.Pauses) != 1 || res.Pauses[0].Length < time.Second {
		t.Errorf("pauses %+v, want one of at least 1 s", res.Pauses)
	}
	if res.Finished {
		t.Error("a run that never resumed finished")
	}
	last := views[len(views)-1]
	if last.Sample.At != res.Pauses[0].At {
		t.Errorf("the last view is at %v, want the clock stopped at %v", last.Sample.At, res.Pauses[0].At)
	}
	late := 0
	for _, n := range last.Nodes {
		if n.LateJoiner {
			late++
			if n.Joined {
				t.Errorf("%s joined while the run was paused", n.Name)
			}
		}
	}
	if late == 0 {
		t.Fatal("no late joiner in the run")
	}
}

// The lab clock leaves pauses out, and an instant inside a pause reads as
// the moment it began.
func TestClockLeavesPausesOut(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	c := clock{start: t0}
	c.pause(at(2))
	if got := c.at(at(5)); got != 2*time.Second {
		t.Errorf("inside the first pause: %v, want 2s", got)
	}
	p := c.resume(at(5))
	if p.At != 2*time.Second || p.Length != 3*time.Second {
		t.Errorf("first pause %+v, want at 2s for 3s", p)
	}
	c.pause(at(6))
	c.pause(at(7)) // pausing again while paused changes nothing
	p = c.resume(at(10))
	if p.At != 3*time.Second || p.Length != 4*time.Second {
		t.Errorf("second pause %+v, want at 3s for 4s", p)
	}
	for _, tc := range []struct {
		wall float64
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {4, 2 * time.Second}, {5.5, 2500 * time.Millisecond}, {8, 3 * time.Second}, {12, 5 * time.Second}} {
		if got := c.at(at(tc.wall)); got != tc.want {
			t.Errorf("wall %vs: lab time %v, want %v", tc.wall, got, tc.want)
		}
	}
}

// Each pause lets every rate limiter's bucket fill once more, and the
// floor takes exactly that much more credit off.
func TestFloorAfterPauses(t *testing.T) {
	for _, mode := range []Mode{PeerToPeer, ClientServer} {
		cfg := smallConfig(5, mode)
		if cfg.FloorAfterPauses(0) != cfg.Floor() {
			t.Errorf("%s: FloorAfterPauses(0) = %v, Floor() = %v", mode, cfg.FloorAfterPauses(0), cfg.Floor())
		}
		// smallConfig's total upload binds in p2p, the server's in cs.
		capacity, burst := float64(cfg.SeedUpload), limiterBurst(float64(cfg.SeedUpload))
		if mode == PeerToPeer {
			for _, u := range cfg.peerUploads() {
				capacity += u
				burst += limiterBurst(u)
			}
		}
		want := time.Duration(burst / capacity * float64(time.Second))
		for k := 1; k <= 2; k++ {
			if got := cfg.FloorAfterPauses(k-1) - cfg.FloorAfterPauses(k); got < want-time.Millisecond || got > want+time.Millisecond {
				t.Errorf("%s: pause %d lowers the floor by %v, want one burst's worth, %v", mode, k, got, want)
			}
		}
	}
}

// Control's wanted state: calls never block, repeated calls coalesce, and
// a nil Control never signals.
func TestControl(t *testing.T) {
	var c Control
	if c.Paused() {
		t.Fatal("a new Control is paused")
	}
	for range 3 {
		c.Pause()
	}
	if !c.Paused() || len(c.changed()) != 1 {
		t.Fatalf("after Pause: paused %v, %d wake-ups pending, want true and 1", c.Paused(), len(c.changed()))
	}
	<-c.changed()
	c.Resume()
	if c.Paused() || len(c.changed()) != 1 {
		t.Errorf("after Resume: paused %v, %d wake-ups pending", c.Paused(), len(c.changed()))
	}
	var none *Control
	if none.changed() != nil || none.wantPaused() {
		t.Error("a nil Control signals or wants a pause")
	}
}
