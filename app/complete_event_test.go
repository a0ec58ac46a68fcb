package app

import (
	"path/filepath"
	"testing"
	"time"
)

// Adding a torrent whose data is already whole on disk seeds it and marks
// it completed, but raises no "completed" event: nothing was downloaded,
// so the desktop must not announce a finished download.
func TestAlreadyCompleteDataRaisesNoCompletedEvent(t *testing.T) {
	src := t.TempDir()
	mi := makeTorrentIn(t, src, "whole.bin")
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), src))
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: src})
	if err != nil {
		t.Fatal(err)
	}
	s := waitState(t, c, id, Seeding, 10*time.Second)
	if s.Completed.IsZero() {
		t.Error("a torrent found whole on disk has no completion time")
	}
	// The list refreshes a few times a second: give it several rounds.
	deadline := time.After(1500 * time.Millisecond)
	for {
		select {
		case ev := <-c.Events():
			if ev.Kind == EventCompleted {
				t.Fatalf("completed event for data that was already on disk: %+v", ev)
			}
		case <-deadline:
			return
		}
	}
}
