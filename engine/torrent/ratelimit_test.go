package torrent

import (
	"math"
	"path/filepath"
	"testing"
	"time"
)

// measureDownRate returns the torrent's download rate in bytes/s over about
// d, from the Downloaded counters and timestamps of two snapshots (so the
// snapshot interval does not skew it), after settle to let the previous
// limit's queued bytes drain.
func measureDownRate(tr *Torrent, settle, d time.Duration) float64 {
	time.Sleep(settle)
	a := tr.Snapshot()
	time.Sleep(d)
	b := tr.Snapshot()
	return float64(b.Downloaded-a.Downloaded) / b.At.Sub(a.At).Seconds()
}

func checkRate(t *testing.T, what string, got float64, want int64) {
	t.Helper()
	t.Logf("%s: %.0f KiB/s (limit %d KiB/s)", what, got/1024, want/1024)
	if math.Abs(got-float64(want)) > 0.25*float64(want) {
		t.Errorf("%s: measured %.0f KiB/s, want %d KiB/s ± 25 %%", what, got/1024, want/1024)
	}
}

// TestRateLimitsPerTorrentAndGlobal runs two of our sessions on loopback.
// The seeder serves two torrents, one with a per-torrent upload limit; the
// other must not be slowed by it. Then the leecher's per-torrent download
// limit, then its session-wide limit, each set at run time, must hold.
func TestRateLimitsPerTorrentAndGlobal(t *testing.T) {
	seedDir := t.TempDir()
	limitedMI := makeTorrent(t, seedDir, "limited.bin", 24<<20, 256<<10)
	freeMI := makeTorrent(t, seedDir, "free.bin", 8<<20, 256<<10)

	seedSession := newTestSession(t, Config{})
	const seedUpLimit = 1 << 20
	limitedSeed, err := seedSession.Add(limitedMI, AddOptions{Dir: seedDir, NoTrackers: true, UploadLimit: seedUpLimit})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seedSession.Add(freeMI, AddOptions{Dir: seedDir, NoTrackers: true}); err != nil {
		t.Fatal(err)
	}
	if up, down := limitedSeed.RateLimits(); up != seedUpLimit || down != 0 {
		t.Fatalf("seeder torrent limits = %d up, %d down; want %d, 0", up, down, seedUpLimit)
	}

	leechDir := t.TempDir()
	leechSession := newTestSession(t, Config{})
	peers := []string{seedSession.Addr().String()}
	limited, err := leechSession.Add(limitedMI, AddOptions{Dir: leechDir, Peers: peers, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	free, err := leechSession.Add(freeMI, AddOptions{Dir: leechDir, Peers: peers, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}

	// The unlimited torrent shares the seeder's session and connection
	// limit but not the other torrent's upload limit: 8 MiB at 1 MiB/s
	// would take 8 s.
	waitDone(t, free, 4*time.Second)
	sameFile(t, filepath.Join(seedDir, "free.bin"), filepath.Join(leechDir, "free.bin"))

	checkRate(t, "seeder's per-torrent upload limit", measureDownRate(limited, 500*time.Millisecond, 2500*time.Millisecond), seedUpLimit)

	const leechDownLimit = 512 << 10
	limited.SetRateLimits(0, leechDownLimit)
	checkRate(t, "leecher's per-torrent download limit", measureDownRate(limited, time.Second, 2500*time.Millisecond), leechDownLimit)

	const globalDownLimit = 768 << 10
	limited.SetRateLimits(0, 0)
	leechSession.SetRateLimits(0, globalDownLimit)
	if up, down := leechSession.RateLimits(); up != 0 || down != globalDownLimit {
		t.Fatalf("session limits = %d up, %d down; want 0, %d", up, down, globalDownLimit)
	}
	checkRate(t, "leecher's session download limit", measureDownRate(limited, time.Second, 2500*time.Millisecond), globalDownLimit)

	// Lifting every limit lets the rest through at loopback speed.
	leechSession.SetRateLimits(0, 0)
	limitedSeed.SetRateLimits(0, 0)
	waitDone(t, limited, 10*time.Second)
	sameFile(t, filepath.Join(seedDir, "limited.bin"), filepath.Join(leechDir, "limited.bin"))
}
