package torrent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/picker"
)

// TestResumeTrustsBitfieldAndRechecksOnlyListedPieces pins the resume
// hooks: Checkpoint's set comes back as AddOptions.Resume without hashing,
// except RecheckPieces, which are hashed and may fail.
func TestResumeTrustsBitfieldAndRechecksOnlyListedPieces(t *testing.T) {
	dir := t.TempDir()
	mi := makeTorrent(t, dir, "resume.bin", 40*16<<10, 16<<10)
	n := mi.Info.NumPieces()
	s := newTestSession(t, Config{})

	tr, err := s.Add(mi, AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, tr, 10*time.Second)
	waitFor(t, 5*time.Second, "the snapshot after the full recheck", func() bool { return tr.Snapshot().State == Seeding })
	if got := tr.Snapshot().HashedPieces; got != n {
		t.Fatalf("full recheck hashed %d pieces, want %d", got, n)
	}
	have, err := tr.Checkpoint()
	if err != nil || have.Count() != n {
		t.Fatalf("checkpoint: %v with %v pieces, want all %d", err, have, n)
	}
	if err := tr.Stop(); err != nil {
		t.Fatal(err)
	}
	final, err := tr.Checkpoint()
	if err != nil || final.Count() != n {
		t.Fatalf("checkpoint after stop: %v, %v", err, final)
	}

	// Corrupt piece 3 behind the engine's back, then resume listing it.
	f, err := os.OpenFile(filepath.Join(dir, "resume.bin"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("garbage"), 3*16<<10+5)
	f.Close()
	tr, err = s.Add(mi, AddOptions{Dir: dir, NoTrackers: true, Resume: final, RecheckPieces: []int{3, 3, 7}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "resumed check", func() bool { return tr.Snapshot().State != Checking })
	snap := tr.Snapshot()
	if snap.HashedPieces != 2 || snap.HaveCount != n-1 || snap.Pieces[3] == PieceHave || snap.Pieces[7] != PieceHave {
		t.Fatalf("resumed: hashed %d (want 2), have %d (want %d), piece 3 %v, piece 7 %v",
			snap.HashedPieces, snap.HaveCount, n-1, snap.Pieces[3], snap.Pieces[7])
	}
	if err := tr.Stop(); err != nil {
		t.Fatal(err)
	}

	// Paused: checked, then it waits; skipping the missing piece completes it.
	tr, err = s.Add(mi, AddOptions{Dir: dir, NoTrackers: true, Resume: final, RecheckPieces: []int{3}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "paused after its check", func() bool { return tr.Snapshot().State == Paused })
	prio := make([]picker.Priority, n)
	for i := range prio {
		prio[i] = picker.Normal
	}
	prio[3] = picker.Skip
	if err := tr.SetPiecePriorities(prio); err != nil {
		t.Fatal(err)
	}
	waitDone(t, tr, 5*time.Second)
	if st := tr.Snapshot().State; st != Paused {
		t.Errorf("complete by skipping while paused: state %v, want paused", st)
	}
	prio[3] = picker.Normal
	if err := tr.SetPiecePriorities(prio); err != ErrNeedsRestart {
		t.Errorf("wanting more of a complete torrent: %v, want ErrNeedsRestart", err)
	}
	if err := tr.Stop(); err != nil {
		t.Fatal(err)
	}

	// Resume data that does not fit the torrent fails it, in words.
	tr, err = s.Add(mi, AddOptions{Dir: dir, NoTrackers: true, Resume: final, RecheckPieces: []int{n}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "failed on bad resume data", func() bool { return tr.Snapshot().State == Failed })
	if tr.Err() == nil || tr.Snapshot().Err == "" {
		t.Errorf("failed torrent without an error: %v / %q", tr.Err(), tr.Snapshot().Err)
	}
}
