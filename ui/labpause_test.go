package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// fakePauser records what the window asks of the run.
type fakePauser struct {
	paused bool
	calls  []string
}

func (f *fakePauser) Pause()       { f.paused = true; f.calls = append(f.calls, "pause") }
func (f *fakePauser) Resume()      { f.paused = false; f.calls = append(f.calls, "resume") }
func (f *fakePauser) Paused() bool { return f.paused }

// The pause button is there only while a run goes; it pauses the run and turns into Resume, and
// the status line says the run is paused until Resume puts the running words back.
func TestLabWindowPauseButtonToggles(t *testing.T) {
	a := test.NewTempApp(t)
	w := newLabWindow(a)
	defer w.win.Close()
	if !w.pauseBtn.Disabled() || w.pauseBtn.Text != "Pause" {
		t.Fatalf("idle: pause button %q disabled %v, want a disabled Pause", w.pauseBtn.Text, w.pauseBtn.Disabled())
	}
	test.Tap(w.pauseBtn) // nothing to pause: no effect

	// begin hands its Control to the run's config, and Pause goes to it.
	cfg := lab.DefaultConfig()
	w.begin(cfg)
	if run := w.withLive(cfg); run.Control == nil || run.Control != w.control || w.pauser != w.control {
		t.Fatalf("the run's Control %p, the window's %p: the run would not obey the button", run.Control, w.control)
	}
	control := w.control
	test.Tap(w.pauseBtn)
	if !control.Paused() {
		t.Error("Pause did not pause the run's Control")
	}
	w.end()
	if w.pauser != nil || !w.pauseBtn.Disabled() || w.pauseBtn.Text != "Pause" {
		t.Errorf("after the run: pauser %v, button %q disabled %v; want no pauser and a disabled Pause", w.pauser, w.pauseBtn.Text, w.pauseBtn.Disabled())
	}

	fake := &fakePauser{}
	w.cancel, w.pauser = func() {}, fake
	w.setRunning(true)
	w.status.SetText("Running: the test.")
	if w.pauseBtn.Disabled() {
		t.Fatal("the pause button is disabled while a run goes")
	}
	test.Tap(w.pauseBtn)
	if strings.Join(fake.calls, ",") != "pause" || w.pauseBtn.Text != "Resume" {
		t.Fatalf("after one tap: calls %q, button %q; want a pause and Resume", fake.calls, w.pauseBtn.Text)
	}
	if !strings.Contains(strings.ToLower(w.status.Text), "paused") {
		t.Errorf("status %q while paused, want it to say paused", w.status.Text)
	}
	test.Tap(w.pauseBtn)
	if strings.Join(fake.calls, ",") != "pause,resume" || w.pauseBtn.Text != "Pause" || w.status.Text != "Running: the test." {
		t.Errorf("after two taps: calls %q, button %q, status %q; want pause then resume, Pause and the running words", fake.calls, w.pauseBtn.Text, w.status.Text)
	}
	test.Tap(w.pauseBtn)
	w.end() // the run ends while paused: the button is Pause again, for the next run
	if w.pauseBtn.Text != "Pause" || !w.pauseBtn.Disabled() {
		t.Errorf("a run that ended paused left the button %q (disabled %v)", w.pauseBtn.Text, w.pauseBtn.Disabled())
	}
}

// A tiny real run paused from the window as it starts: the live view holds the paused picture,
// nothing is finished while paused, and after Resume the run completes with the pause recorded
// and left out of D.
func TestLabWindowPausesARealRun(t *testing.T) {
	w, locked := newLockedLabWindow(t)
	locked(func() {
		fillLabForm(w, "3", "1 MiB", "64 KiB", "400 KiB", "4000 KiB", "4000 KiB")
		test.Tap(w.startBtn)
		test.Tap(w.pauseBtn) // before the swarm is even set up: it starts paused
		if w.cancel == nil || w.pauseBtn.Text != "Resume" {
			t.Fatalf("Start then Pause: running %v, button %q", w.cancel != nil, w.pauseBtn.Text)
		}
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			done := false
			locked(func() { done = cond() })
			if done {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen within 90 s", what)
			}
		}
	}
	waitFor("a paused live view", func() bool { return w.view != nil && w.view.Paused })
	pausedAt := time.Now()
	var frozen *lab.LiveView
	locked(func() { frozen = w.view })
	time.Sleep(600 * time.Millisecond)
	var pausedFor time.Duration
	locked(func() {
		if w.view != frozen || w.cancel == nil || w.result != nil {
			t.Fatalf("while paused: the view changed %v, running %v, result %v", w.view != frozen, w.cancel != nil, w.result)
		}
		if !strings.Contains(strings.ToLower(w.status.Text), "paused") || !strings.Contains(w.matrixInfo.Text, "Paused") {
			t.Errorf("status %q, live line %q; want both to say paused", w.status.Text, w.matrixInfo.Text)
		}
		pausedFor = time.Since(pausedAt) // the run was paused before pausedAt and resumes after the tap
		test.Tap(w.pauseBtn)
		if w.pauseBtn.Text != "Pause" || w.control.Paused() {
			t.Errorf("Resume left the button %q and the run paused %v", w.pauseBtn.Text, w.control.Paused())
		}
	})
	waitFor("the end of the run", func() bool { return w.cancel == nil })
	locked(func() {
		r := w.result
		if r == nil || !r.Finished {
			t.Fatalf("result %+v, want a finished run", r)
		}
		if len(r.Pauses) != 1 || r.Pauses[0].Length < pausedFor {
			t.Errorf("pauses %+v, want one of at least the %v the test held it", r.Pauses, pausedFor)
		}
		if r.D < r.Floor || !strings.Contains(w.status.Text, "Done.") {
			t.Errorf("D = %v (floor %v), status %q", r.D, r.Floor, w.status.Text)
		}
		if !w.pauseBtn.Disabled() || w.pauseBtn.Text != "Pause" || w.startBtn.Disabled() {
			t.Errorf("after the run: pause button %q disabled %v, Start disabled %v", w.pauseBtn.Text, w.pauseBtn.Disabled(), w.startBtn.Disabled())
		}
	})
}
