package app

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The resume benchmark: 20 complete torrents, one of them 2 GiB, start
// seeding from resume data. Run it with
//
//	go test -run '^$' -bench Resume -benchtime 5x ./app/
//
// ns/op is the time from New to "all 20 seeding"; full-check-s is what the
// first start, which hashes everything, took; hashed-pieces must be 0.
const (
	benchTorrents = 20
	benchBigSize  = 2 << 30
)

// benchFixture is built once per process (hashing 2 GiB is slow) and
// removed by TestMain.
var benchFixture struct {
	once      sync.Once
	root      string
	db, dir   string
	fullCheck time.Duration
	err       error
}

func cleanupBenchFixture() {
	if benchFixture.root != "" {
		os.RemoveAll(benchFixture.root)
	}
}

func buildBenchFixture(b *testing.B) {
	f := &benchFixture
	f.root, f.err = os.MkdirTemp("", "swarmscope-bench-")
	if f.err != nil {
		return
	}
	f.db, f.dir = filepath.Join(f.root, "state.db"), filepath.Join(f.root, "data")
	// The big one: zeros, made sparse by Truncate; hashing reads them all.
	big := filepath.Join(f.dir, "big.bin")
	if f.err = os.MkdirAll(f.dir, 0o755); f.err != nil {
		return
	}
	fh, err := os.Create(big)
	if err != nil {
		f.err = err
		return
	}
	fh.Truncate(benchBigSize)
	fh.Close()
	raw := [][]byte{makeTorrent(b, big, 4<<20).Raw}
	for i := 1; i < benchTorrents; i++ {
		p := filepath.Join(f.dir, fmt.Sprintf("small-%02d.bin", i))
		writeRandom(b, p, 4<<20)
		raw = append(raw, makeTorrent(b, p, 256<<10).Raw)
	}
	cfg := testConfig(b, f.db, f.dir)
	start := time.Now()
	c, err := New(cfg)
	if err != nil {
		f.err = err
		return
	}
	// Every torrent may seed at once (saved: the timed starts use it too).
	s := c.Settings()
	s.MaxActiveSeeds = 0
	if f.err = c.SetSettings(s); f.err != nil {
		c.Close()
		return
	}
	for _, r := range raw {
		if _, err := c.AddTorrentBytes(r, AddOptions{}); err != nil {
			f.err = err
			c.Close()
			return
		}
	}
	f.err = allSeeding(c, 10*time.Minute)
	f.fullCheck = time.Since(start)
	if err := c.Close(); f.err == nil {
		f.err = err
	}
}

// allSeeding waits until every torrent seeds.
func allSeeding(c *Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list := c.Torrents()
		n := 0
		for _, s := range list {
			if s.State == Seeding {
				n++
			}
		}
		if n == benchTorrents && len(list) == benchTorrents {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d torrents seeding after %v", n, len(list), timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func BenchmarkResumeStart20Torrents(b *testing.B) {
	benchFixture.once.Do(func() { buildBenchFixture(b) })
	if benchFixture.err != nil {
		b.Fatal(benchFixture.err)
	}
	cfg := testConfig(b, benchFixture.db, benchFixture.dir)
	hashed := 0
	b.ResetTimer()
	for range b.N {
		c, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := allSeeding(c, time.Minute); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, s := range c.Torrents() {
			hashed += s.HashedPieces
		}
		c.Close()
		b.StartTimer()
	}
	b.ReportMetric(benchFixture.fullCheck.Seconds(), "full-check-s")
	b.ReportMetric(float64(hashed), "hashed-pieces")
}
