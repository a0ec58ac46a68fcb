package torrent

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestSeederToLeecher(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "data.bin", 3<<20+12345, 64<<10)

	seedSession := newTestSession(t, Config{})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)

	leechSession := newTestSession(t, Config{})
	leecher, err := leechSession.Add(mi, AddOptions{Dir: leechDir, NoTrackers: true,
		Peers: []string{fmt.Sprintf("127.0.0.1:%d", seedSession.Port())}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 30*time.Second)
	sameFile(t, filepath.Join(seedDir, "data.bin"), filepath.Join(leechDir, "data.bin"))
	s := leecher.Snapshot()
	t.Logf("downloaded %d bytes, wasted %d, hash failures %d", s.Downloaded, s.Wasted, s.HashFailures)
	if err := leecher.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestSwarmOneSeederThreeLeechers: every session uploads at most 2 MiB/s,
// so the leechers must trade pieces among themselves; then a late leecher
// completes from the others after the seeder has left.
func TestSwarmOneSeederThreeLeechers(t *testing.T) {
	const size = 6<<20 + 4321
	const limit = 2 << 20
	seedDir := t.TempDir()
	mi := makeTorrent(t, seedDir, "swarm.bin", size, 64<<10)
	want := filepath.Join(seedDir, "swarm.bin")

	seedSession := newTestSession(t, Config{UploadLimit: limit})
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	addrs := []string{fmt.Sprintf("127.0.0.1:%d", seedSession.Port())}

	start := time.Now()
	var leechers []*Torrent
	var dirs []string
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		s := newTestSession(t, Config{UploadLimit: limit})
		l, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true, Peers: append([]string(nil), addrs...)})
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", s.Port()))
		leechers = append(leechers, l)
		dirs = append(dirs, dir)
	}
	var fromPeers int64
	for i, l := range leechers {
		waitDone(t, l, 40*time.Second)
		sameFile(t, want, filepath.Join(dirs[i], "swarm.bin"))
		fromPeers += l.Snapshot().Uploaded
	}
	elapsed := time.Since(start)
	t.Logf("3 leechers done in %v; seeder uploaded %d bytes, leechers uploaded %d bytes between them",
		elapsed, seeder.Snapshot().Uploaded, fromPeers)
	if fromPeers == 0 {
		t.Error("the leechers traded nothing among themselves")
	}
	// The seeder alone at 2 MiB/s would need 3*size/limit seconds.
	if alone := time.Duration(3 * size * int64(time.Second) / limit); elapsed > alone+3*time.Second {
		t.Errorf("swarm took %v; the seeder alone needs about %v", elapsed, alone)
	}

	// The seeder leaves; a late leecher still completes from the others.
	if err := seeder.Stop(); err != nil {
		t.Fatal(err)
	}
	lateDir := t.TempDir()
	lateSession := newTestSession(t, Config{})
	late, err := lateSession.Add(mi, AddOptions{Dir: lateDir, NoTrackers: true, Peers: addrs[1:]})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, late, 30*time.Second)
	sameFile(t, want, filepath.Join(lateDir, "swarm.bin"))
}
