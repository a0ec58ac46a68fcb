package torrent

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/wire"
)

// peerAddrs lists the addresses of a snapshot's peers.
func peerAddrs(s *Snapshot) []string {
	var out []string
	for _, p := range s.Peers {
		out = append(out, p.Addr)
	}
	return out
}

// droppedFor returns the reason the torrent last dropped a peer whose
// address is addr, or "".
func droppedFor(s *Snapshot, addr string) string {
	for i := len(s.DroppedPeers) - 1; i >= 0; i-- {
		if s.DroppedPeers[i].Addr == addr {
			return s.DroppedPeers[i].Reason
		}
	}
	return ""
}

// TestPauseStopsTrafficAndResumeCompletes pauses a leecher mid-download:
// its peers go, nothing moves and incoming peers are refused while paused;
// after Resume the download completes.
func TestPauseStopsTrafficAndResumeCompletes(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "p.bin", 16<<20, 256<<10)
	seedSession := newTestSession(t, Config{})
	// Slow enough that the pause lands mid-download.
	seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true, UploadLimit: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	leechSession := newTestSession(t, Config{})
	leecher, err := leechSession.Add(mi, AddOptions{Dir: leechDir, NoTrackers: true, Peers: []string{seedSession.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the first MiB", func() bool { return leecher.Snapshot().Downloaded >= 1<<20 })

	leecher.Pause()
	waitFor(t, 5*time.Second, "the leecher to pause and drop its peers", func() bool {
		s := leecher.Snapshot()
		return s.State == Paused && len(s.Peers) == 0
	})
	waitFor(t, 5*time.Second, "the seeder to see the leecher go", func() bool { return len(seeder.Snapshot().Peers) == 0 })

	// A peer connecting to the paused torrent is turned away.
	intruder := dialScripted(t, leechSession.Port(), mi.InfoHash, false)
	intruder.waitClosed()

	before, seederBefore := leecher.Snapshot(), seeder.Snapshot()
	time.Sleep(1500 * time.Millisecond)
	after, seederAfter := leecher.Snapshot(), seeder.Snapshot()
	if after.Downloaded != before.Downloaded || after.HaveCount != before.HaveCount {
		t.Errorf("paused leecher moved data: downloaded %d → %d bytes, pieces %d → %d",
			before.Downloaded, after.Downloaded, before.HaveCount, after.HaveCount)
	}
	if seederAfter.Uploaded != seederBefore.Uploaded {
		t.Errorf("seeder uploaded %d bytes to a paused leecher", seederAfter.Uploaded-seederBefore.Uploaded)
	}
	if len(after.Peers) != 0 || after.State != Paused {
		t.Errorf("paused leecher: state %v, peers %v", after.State, peerAddrs(after))
	}
	if after.HaveCount == after.NumPieces {
		t.Fatalf("the download finished before the pause; the test proves nothing")
	}

	seeder.SetRateLimits(0, 0)
	leecher.Resume()
	waitDone(t, leecher, 15*time.Second)
	sameFile(t, filepath.Join(seedDir, "p.bin"), filepath.Join(leechDir, "p.bin"))
}

// scriptedMessages reads a scripted peer's connection on a goroutine and
// hands each message over; the channel closes when the connection ends.
func scriptedMessages(s *scriptedPeer) <-chan wire.Message {
	s.conn.SetReadDeadline(time.Time{})
	out := make(chan wire.Message, 4096)
	go func() {
		defer close(out)
		for {
			m, err := wire.ReadMessage(s.r, 1<<22, nil)
			if err != nil {
				return
			}
			out <- m
		}
	}()
	return out
}

// allPiecesBitfield is a bitfield message claiming every one of n pieces.
func allPiecesBitfield(n int) []byte {
	bf := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		bf[i/8] |= 0x80 >> (i % 8)
	}
	msg := binary.BigEndian.AppendUint32(nil, uint32(1+len(bf)))
	msg = append(msg, byte(wire.Bitfield))
	return append(msg, bf...)
}

// TestUnansweredRequestsTimeOut: a peer that claims every piece, unchokes
// us and then never answers gets its requests cancelled after
// RequestTimeout, is marked snubbed, and the blocks come from a real
// seeder instead.
func TestUnansweredRequestsTimeOut(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "t.bin", 4<<20, 256<<10)
	leechSession := newTestSession(t, Config{RequestTimeout: time.Second})
	leecher, err := leechSession.Add(mi, AddOptions{Dir: leechDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the leecher to start", func() bool { return leecher.Snapshot().State == Downloading })

	silent := dialScripted(t, leechSession.Port(), mi.InfoHash, false)
	silent.send(allPiecesBitfield(mi.Info.NumPieces()))
	silent.send(rawMessage(byte(wire.Unchoke)))
	msgs := scriptedMessages(silent)

	requested := map[[2]uint32]bool{}
	cancelled := map[[2]uint32]bool{}
	deadline := time.After(10 * time.Second)
	for len(requested) == 0 || len(cancelled) < len(requested) {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("the silent peer was dropped instead of timed out (requests %d, cancels %d)", len(requested), len(cancelled))
			}
			switch {
			case m.KeepAlive:
			case m.ID == wire.Request:
				requested[[2]uint32{m.Index, m.Begin}] = true
			case m.ID == wire.Cancel:
				cancelled[[2]uint32{m.Index, m.Begin}] = true
			}
		case <-deadline:
			t.Fatalf("after 10 s the silent peer had %d requests and %d of them cancelled", len(requested), len(cancelled))
		}
	}
	t.Logf("%d requests to the silent peer timed out and were cancelled", len(requested))
	waitFor(t, 3*time.Second, "the silent peer to be marked snubbed", func() bool {
		s := leecher.Snapshot()
		return len(s.Peers) == 1 && s.Peers[0].Snubbed && strings.Contains(s.Peers[0].Flags(), "S")
	})

	seedSession := newTestSession(t, Config{})
	if _, err := seedSession.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true}); err != nil {
		t.Fatal(err)
	}
	leecher.AddPeer(seedSession.Addr().String())
	waitDone(t, leecher, 15*time.Second)
	sameFile(t, filepath.Join(seedDir, "t.bin"), filepath.Join(leechDir, "t.bin"))
}

// TestKeepAlivesAndIdleTimeout: with short intervals, we send keep-alives
// while quiet, a peer that sends only keep-alives stays connected past the
// idle limit, and one that falls silent is dropped once it passes.
func TestKeepAlivesAndIdleTimeout(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "k.bin", 1<<20, 64<<10)
	const keepAlive, idle = 300 * time.Millisecond, 1200 * time.Millisecond
	s := newTestSession(t, Config{KeepAliveInterval: keepAlive, IdleTimeout: idle})
	seeder, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the seeder to start", func() bool { return seeder.Snapshot().State == Seeding })

	p := dialScripted(t, s.Port(), mi.InfoHash, false)
	addr := p.conn.LocalAddr().String()
	msgs := scriptedMessages(p)

	// Phase 1: the peer sends keep-alives only, for well past the idle limit.
	keepAlives := 0
	var lastSent time.Time
	chatty := time.After(3 * idle)
	tick := time.NewTicker(keepAlive / 2)
	defer tick.Stop()
phase1:
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("a peer sending keep-alives was dropped: %q", droppedFor(seeder.Snapshot(), addr))
			}
			if m.KeepAlive {
				keepAlives++
			}
		case <-tick.C:
			p.send([]byte{0, 0, 0, 0})
			lastSent = time.Now()
		case <-chatty:
			break phase1
		}
	}
	// 3.6 s at one keep-alive per 300 ms of quiet: about 12, fewer when the
	// machine is busy, never none.
	if keepAlives < 6 {
		t.Errorf("got %d keep-alives in %v with KeepAliveInterval %v", keepAlives, 3*idle, keepAlive)
	}
	t.Logf("%d keep-alives in %v", keepAlives, 3*idle)

	// Phase 2: silence since its last keep-alive. The peer must be dropped
	// after about idle.
	silentSince := lastSent
	deadline := time.After(idle + 3*time.Second)
	for {
		select {
		case _, ok := <-msgs:
			if ok {
				continue
			}
			took := time.Since(silentSince)
			if took < idle-50*time.Millisecond {
				t.Errorf("dropped after %v of silence, before the idle limit %v", took, idle)
			}
			waitFor(t, 2*time.Second, "the drop to be recorded", func() bool { return droppedFor(seeder.Snapshot(), addr) != "" })
			if reason := droppedFor(seeder.Snapshot(), addr); !strings.Contains(reason, "silent for") {
				t.Errorf("drop reason %q, want it to say the peer was silent", reason)
			}
			t.Logf("dropped after %v of silence", took)
			return
		case <-deadline:
			t.Fatalf("a peer silent for %v (idle limit %v) is still connected", time.Since(silentSince), idle)
		}
	}
}

// mountSmallTmpfs mounts a 1 MiB tmpfs on a fresh folder and unmounts it
// when the test ends. Register it before anything that opens files in it.
func mountSmallTmpfs(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("mounting a 1 MiB tmpfs on %s to provoke ENOSPC: %v (this test needs root, as in CI)", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmounting the tmpfs on %s: %v", dir, err)
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// TestDiskFullFailsOnlyThatTorrent downloads two torrents in one session,
// one into a 1 MiB tmpfs: that one fails with "disk full: …", the other
// completes.
func TestDiskFullFailsOnlyThatTorrent(t *testing.T) {
	smallDir := mountSmallTmpfs(t) // first: unmounted after the sessions close
	seedDir, okDir := t.TempDir(), t.TempDir()
	bigMI := makeTorrent(t, seedDir, "big.bin", 4<<20, 256<<10)
	okMI := makeTorrent(t, seedDir, "ok.bin", 8<<20, 256<<10)

	seedSession := newTestSession(t, Config{})
	if _, err := seedSession.Add(bigMI, AddOptions{Dir: seedDir, NoTrackers: true}); err != nil {
		t.Fatal(err)
	}
	// The healthy torrent is slowed so it is still downloading when the
	// other one fails.
	if _, err := seedSession.Add(okMI, AddOptions{Dir: seedDir, NoTrackers: true, UploadLimit: 4 << 20}); err != nil {
		t.Fatal(err)
	}
	peers := []string{seedSession.Addr().String()}
	leechSession := newTestSession(t, Config{})
	big, err := leechSession.Add(bigMI, AddOptions{Dir: smallDir, NoTrackers: true, Peers: peers})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := leechSession.Add(okMI, AddOptions{Dir: okDir, NoTrackers: true, Peers: peers})
	if err != nil {
		t.Fatal(err)
	}

	waitFor(t, 10*time.Second, "the torrent on the full disk to fail", func() bool { return big.Snapshot().State == Failed })
	s := big.Snapshot()
	if !strings.HasPrefix(s.Err, "disk full: ") {
		t.Errorf("failed torrent's message %q, want it to start with \"disk full: \"", s.Err)
	}
	if len(s.Peers) != 0 {
		t.Errorf("failed torrent still has peers %v", peerAddrs(s))
	}
	t.Logf("failed with: %s", s.Err)
	if okSnap := ok.Snapshot(); okSnap.Complete {
		t.Logf("note: the healthy torrent completed before the other failed")
	} else if okSnap.State != Downloading {
		t.Errorf("healthy torrent is %v after the other failed, want downloading", okSnap.State)
	}
	waitDone(t, ok, 15*time.Second)
	sameFile(t, filepath.Join(seedDir, "ok.bin"), filepath.Join(okDir, "ok.bin"))
	if st := big.Snapshot().State; st != Failed {
		t.Errorf("torrent on the full disk went from failed to %v", st)
	}
}
