package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// TestE2EEventsNotifyAndShowProblems feeds the core's events through watchEvents as Run does:
// a finished download and a torrent's error become desktop notifications naming the torrent;
// an error of no torrent and a damaged database become dialogs, not notifications; added and
// removed torrents say nothing; a second instance's hand-over brings the window forward.
func TestE2EEventsNotifyAndShowProblems(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.watchEvents()
	}()
	send := func(ev uiEvent) {
		t.Helper()
		select {
		case be.events <- ev:
		case <-time.After(3 * time.Second):
			t.Fatal("the window stopped reading events")
		}
	}
	send(uiEvent{Kind: eventAdded, ID: e2eID(1), Name: "alpha"})
	send(uiEvent{Kind: eventRemoved, ID: e2eID(3), Name: "gamma"})
	send(uiEvent{Kind: eventCompleted, ID: e2eID(2), Name: "beta"})
	send(uiEvent{Kind: eventError, ID: e2eID(1), Name: "alpha", Err: "disk full"})
	close(be.events)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("watchEvents did not return when the event channel closed")
	}
	want := []fyne.Notification{
		{Title: "Download complete", Content: "beta is ready."},
		{Title: "Problem with alpha", Content: "disk full"},
	}
	if got := a.notifications(); !slices.Equal(got, want) {
		t.Errorf("notifications %+v, want %+v", got, want)
	}
	if w.win.Canvas().Overlays().Top() != nil {
		t.Errorf("a dialog opened for torrent events: %q", e2eTexts(e2eTop(t, w.win)))
	}

	// Problems without a torrent are dialogs.
	w.onEvent(uiEvent{Kind: eventError, Err: "cannot listen on port 6881"})
	if !e2eShows(t, w.win, "Swarmscope hit a problem") || !e2eShows(t, w.win, "cannot listen on port 6881") {
		t.Errorf("a general error showed %q", e2eTexts(e2eTop(t, w.win)))
	}
	e2eDismissAll(w.win)
	w.onEvent(uiEvent{Kind: eventRecovered, Err: "the old database is at /x/swarmscope.db.damaged"})
	if !e2eShows(t, w.win, "The saved state was damaged") || !e2eShows(t, w.win, "the old database is at /x/swarmscope.db.damaged") {
		t.Errorf("a recovered database showed %q", e2eTexts(e2eTop(t, w.win)))
	}
	if n := len(a.notifications()); n != len(want) {
		t.Errorf("%d notifications after the dialogs, want still %d", n, len(want))
	}

	win := w.win.(*e2eWindow)
	shown, _, _ := win.counts()
	w.win.Hide()
	w.onEvent(uiEvent{Kind: eventHandedOver})
	if now, _, _ := win.counts(); now != shown+1 {
		t.Errorf("a hand-over showed the window %d times, want once", now-shown)
	}
}
