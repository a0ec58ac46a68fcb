package app

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// TestMergeTrackersKeepsDataAndSurvivesRestart: adding trackers to a
// torrent in the list keeps its info hash and verified data (no re-hash)
// and is saved.
func TestMergeTrackersKeepsDataAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(t.TempDir(), "state.db")
	data := filepath.Join(dir, "shared.bin")
	writeRandom(t, data, 64<<10)
	// A file written this very second is re-hashed on restart (file-system
	// clocks are coarse), which is not what this test is about.
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(data, past, past); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), data, metainfo.CreateOptions{
		PieceLength: 16 << 10, Trackers: []string{"http://127.0.0.1:1/announce"}})
	if err != nil {
		t.Fatal(err)
	}

	c := openClient(t, testConfig(t, db, dir))
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
	c.mu.Lock()
	before := c.entries[id].t
	c.mu.Unlock()
	if err := c.MergeTrackers(id, [][]string{{"http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"}, {"udp://127.0.0.1:3/announce"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the torrent restarted with the new trackers", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.entries[id].t != nil && c.entries[id].t != before
	})
	// Details reads the running engine torrent (Torrents() is refreshed on a tick).
	var d Details
	waitFor(t, 10*time.Second, "the restarted torrent seeding", func() bool {
		d, _ = c.Details(id)
		return d.Snapshot != nil && d.Snapshot.Complete
	})
	if d.Snapshot.HashedPieces != 0 {
		t.Errorf("merging trackers re-hashed %d pieces", d.Snapshot.HashedPieces)
	}
	want := [][]string{{"http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"}, {"udp://127.0.0.1:3/announce"}}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c = openClient(t, testConfig(t, db, dir))
	c.mu.Lock()
	e := c.entries[id]
	c.mu.Unlock()
	if e == nil || e.mi == nil {
		t.Fatal("torrent lost after restart")
	}
	if !reflect.DeepEqual(e.mi.AnnounceList, want) || e.mi.InfoHash != mi.InfoHash {
		t.Fatalf("after restart: trackers %q, hash %s; want %q, %s", e.mi.AnnounceList, e.mi.InfoHash, want, mi.InfoHash)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
}
