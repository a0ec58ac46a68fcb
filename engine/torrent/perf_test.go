package torrent

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/peertest"
)

// BenchmarkDownloadFromLibtorrent measures a loopback download from a real
// libtorrent seeder: wall time, MiB/s, our CPU seconds and peak RSS. The
// size is SWARMSCOPE_BENCH_MIB (default 256) with 256 KiB pieces. Run it
// alone, e.g.
//
//	go test -run XXX -bench DownloadFromLibtorrent -benchtime 1x ./engine/torrent
func BenchmarkDownloadFromLibtorrent(b *testing.B) {
	mib := int64(256)
	if v, err := strconv.Atoi(os.Getenv("SWARMSCOPE_BENCH_MIB")); err == nil && v > 0 {
		mib = int64(v)
	}
	seedDir := b.TempDir()
	data := peertest.RandomFile(b, seedDir, "bench.bin", mib<<20)
	torrentPath := peertest.MakeTorrent(b, data, "", 256<<10)
	seeder := peertest.StartLibtorrent(b, peertest.ClientOptions{Torrent: torrentPath, Dir: seedDir, Timeout: 5 * time.Minute}, true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := seeder.WaitComplete(ctx); err != nil {
		b.Fatal(err)
	}
	mi := loadTorrent(b, torrentPath)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		leechDir := b.TempDir()
		s, err := NewSession(Config{ListenAddr: "127.0.0.1:0", Logger: testLogger(b)})
		if err != nil {
			b.Fatal(err)
		}
		var before syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		start := time.Now()
		tr, err := s.Add(mi, AddOptions{Dir: leechDir, Peers: []string{seeder.Addr()}})
		if err != nil {
			b.Fatal(err)
		}
		waitDone(b, tr, 3*time.Minute)
		wall := time.Since(start)
		var after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		s.Close()
		cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
		b.ReportMetric(float64(mib)/wall.Seconds(), "MiB/s")
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(float64(after.Maxrss)/1024, "peak-RSS-MiB")
		b.Logf("%d MiB in %v: %.0f MiB/s, %.2f CPU s, peak RSS %d MiB (whole test process)",
			mib, wall, float64(mib)/wall.Seconds(), cpu.Seconds(), after.Maxrss/1024)
		b.StopTimer()
		peertest.SameFile(b, data, filepath.Join(leechDir, "bench.bin"))
		os.RemoveAll(leechDir)
		b.StartTimer()
	}
}
