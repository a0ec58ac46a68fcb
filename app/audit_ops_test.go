package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// makeTorrentIn writes 256 KiB of random data to dir/name and hashes it.
func makeTorrentIn(t *testing.T, dir, name string) *metainfo.MetaInfo {
	t.Helper()
	writeRandom(t, filepath.Join(dir, name), 256<<10)
	return makeTorrent(t, filepath.Join(dir, name), 16<<10)
}

// TestQueueLimitsActiveDownloads proves MaxActiveDownloads: with a limit
// of 1 only the first incomplete torrent in queue order downloads and the
// others wait as Queued; the next one starts when the active one is
// paused, completes or is removed, and an earlier torrent that is started
// again takes its slot back.
func TestQueueLimitsActiveDownloads(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	s := c.Settings()
	s.MaxActiveDownloads = 1
	if err := c.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	var ids []ID
	first := makeTorrentIn(t, src, "d1.bin")
	for i, mi := range append([]*metainfo.MetaInfo{first}, makeTorrentIn(t, src, "d2.bin"), makeTorrentIn(t, src, "d3.bin")) {
		// No data in dir and no peers: each would download forever.
		id, err := c.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: dir})
		if err != nil {
			t.Fatalf("torrent %d: %v", i+1, err)
		}
		ids = append(ids, id)
	}
	expect := func(when string, want ...State) {
		t.Helper()
		for i, st := range want {
			waitState(t, c, ids[i], st, 10*time.Second)
		}
		// All at once, after each reached its state.
		for i, st := range want {
			if got, _ := summaryOf(c, ids[i]); got.State != st {
				t.Errorf("%s: torrent %d is %v, want %v", when, i+1, got.State, st)
			}
		}
	}
	expect("after adding three", Downloading, Queued, Queued)

	if err := c.Pause(ids[0]); err != nil {
		t.Fatal(err)
	}
	expect("after pausing the first", Paused, Downloading, Queued)

	if err := c.Start(ids[0]); err != nil {
		t.Fatal(err)
	}
	expect("after starting the first again", Downloading, Queued, Queued)

	// The first completes (a seeder appears): it seeds, the second starts.
	if err := c.AddPeers(ids[0], []string{startSeeder(t, first, src)}); err != nil {
		t.Fatal(err)
	}
	expect("after the first completed", Seeding, Downloading, Queued)

	if err := c.Remove(ids[1], false); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, ids[2], Downloading, 10*time.Second)
	if got, _ := summaryOf(c, ids[0]); got.State != Seeding {
		t.Errorf("after removing the second: the first is %v, want seeding", got.State)
	}
}

// TestRemoveKeepingDataLeavesFiles proves Remove without deleteData takes
// the torrent out of the list (for good: not back after a restart) and
// leaves every file untouched, so adding it again seeds at once.
func TestRemoveKeepingDataLeavesFiles(t *testing.T) {
	db, dir := filepath.Join(t.TempDir(), "state.db"), t.TempDir()
	c := openClient(t, testConfig(t, db, dir))
	paths := []string{filepath.Join(dir, "kept", "a.bin"), filepath.Join(dir, "kept", "sub", "b.bin")}
	var want [][]byte
	for _, p := range paths {
		want = append(want, writeRandom(t, p, 96<<10))
	}
	mi := makeTorrent(t, filepath.Join(dir, "kept"), 16<<10)
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
	if err := c.Remove(id, false); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, c, EventRemoved, id, 10*time.Second)
	if _, ok := summaryOf(c, id); ok {
		t.Error("removed torrent still listed")
	}
	for i, p := range paths {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("after remove keeping data: %v", err)
		}
		if !bytes.Equal(got, want[i]) {
			t.Errorf("%s changed by remove keeping data", p)
		}
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openClient(t, testConfig(t, db, dir))
	if _, ok := c.Details(id); ok {
		t.Fatal("the removed torrent is back after a restart")
	}
	id, err = c.AddTorrentBytes(mi.Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := waitState(t, c, id, Seeding, 10*time.Second); s.Progress != 1 {
		t.Errorf("added again over the kept files: %.0f%% verified, want 100%%", 100*s.Progress)
	}
}

// TestEventsForAddCompletionAndError proves the event stream of one
// torrent's life: EventAdded when it joins the list, EventCompleted when
// its download finishes (over loopback from a seeder), and EventError,
// naming the file, when a file it had verified disappears.
func TestEventsForAddCompletionAndError(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	src := t.TempDir()
	mi := makeTorrentIn(t, src, "evented.bin")
	peer := startSeeder(t, mi, src)

	start := time.Now()
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{Peers: []string{peer}})
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, c, EventAdded, id, 5*time.Second)
	if ev.Name != "evented.bin" || ev.At.Before(start) {
		t.Errorf("added event %+v, want name evented.bin and a time", ev)
	}
	ev = waitEvent(t, c, EventCompleted, id, 20*time.Second)
	if ev.Name != "evented.bin" {
		t.Errorf("completed event %+v, want name evented.bin", ev)
	}
	s := waitState(t, c, id, Seeding, 10*time.Second)
	if s.Completed.IsZero() || s.Progress != 1 {
		t.Errorf("after the completed event: completed at %v, %.0f%% verified", s.Completed, 100*s.Progress)
	}

	path := filepath.Join(dir, "evented.bin")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, c, EventError, id, 20*time.Second)
	if !strings.Contains(ev.Message, "file "+path+" is missing") || ev.Name != "evented.bin" {
		t.Errorf("error event %+v, want it to name %s as missing", ev, path)
	}
	if s := waitState(t, c, id, Error, 10*time.Second); s.Message != ev.Message {
		t.Errorf("list shows %q, the event said %q", s.Message, ev.Message)
	}
}
