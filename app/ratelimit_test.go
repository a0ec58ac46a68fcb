package app

import (
	"path/filepath"
	"testing"
	"time"
)

// TestPerTorrentRateLimitsApplyAndSurviveRestart: a torrent's own limits
// reach its engine torrent at once and come back after a restart.
func TestPerTorrentRateLimitsApplyAndSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(t.TempDir(), "state.db")
	data := filepath.Join(dir, "limited.bin")
	writeRandom(t, data, 96<<10)
	mi := makeTorrent(t, data, 16<<10)

	engineLimits := func(c *Client, id ID) (up, down int64, ok bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if e := c.entries[id]; e != nil && e.t != nil {
			up, down = e.t.RateLimits()
			return up, down, true
		}
		return 0, 0, false
	}

	c := openClient(t, testConfig(t, db, dir))
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetRateLimits(id, -1, 0); err == nil {
		t.Fatal("a negative limit was accepted")
	}
	if err := c.SetRateLimits(id, 300<<10, 700<<10); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "limits on the engine torrent", func() bool {
		up, down, ok := engineLimits(c, id)
		return ok && up == 300<<10 && down == 700<<10
	})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c = openClient(t, testConfig(t, db, dir))
	if up, down, err := c.RateLimits(id); err != nil || up != 300<<10 || down != 700<<10 {
		t.Fatalf("after restart: limits %d/%d (%v), want %d/%d", up, down, err, 300<<10, 700<<10)
	}
	waitFor(t, 10*time.Second, "limits on the restarted engine torrent", func() bool {
		up, down, ok := engineLimits(c, id)
		return ok && up == 300<<10 && down == 700<<10
	})
}
