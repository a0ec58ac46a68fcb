package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// restartFixture is a database with torrents in several states.
type restartFixture struct {
	db, dir                         string
	seeding, partial, paused, multi ID
	multiFiles                      []string
	partialHave                     int
}

func newRestartFixture(t *testing.T) *restartFixture {
	const pl = 32 << 10
	f := &restartFixture{db: filepath.Join(t.TempDir(), "state.db"), dir: t.TempDir()}
	c := openClient(t, testConfig(t, f.db, f.dir))

	writeRandom(t, filepath.Join(f.dir, "seeding.bin"), 1<<20+123)
	id, err := c.AddTorrentBytes(makeTorrent(t, filepath.Join(f.dir, "seeding.bin"), pl).Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.seeding = id

	// Partial: the second half of the pieces is zeroed after hashing.
	partialPath := filepath.Join(f.dir, "partial.bin")
	writeRandom(t, partialPath, 20*pl)
	mi := makeTorrent(t, partialPath, pl)
	fh, err := os.OpenFile(partialPath, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt(make([]byte, 10*pl), 10*pl)
	fh.Close()
	f.partialHave = 10
	if f.partial, err = c.AddTorrentBytes(mi.Raw, AddOptions{}); err != nil {
		t.Fatal(err)
	}

	writeRandom(t, filepath.Join(f.dir, "paused.bin"), 300<<10)
	if f.paused, err = c.AddTorrentBytes(makeTorrent(t, filepath.Join(f.dir, "paused.bin"), pl).Raw, AddOptions{Paused: true}); err != nil {
		t.Fatal(err)
	}

	for i, size := range []int64{5*pl + 7, 3 * pl, 11*pl + 100} {
		p := filepath.Join(f.dir, "multi", "part", string(rune('a'+i))+".dat")
		writeRandom(t, p, size)
		f.multiFiles = append(f.multiFiles, p)
	}
	if f.multi, err = c.AddTorrentBytes(makeTorrent(t, filepath.Join(f.dir, "multi"), pl).Raw, AddOptions{}); err != nil {
		t.Fatal(err)
	}

	waitState(t, c, f.seeding, Seeding, 10*time.Second)
	s := waitState(t, c, f.partial, Downloading, 10*time.Second)
	if got := int(s.Progress*20 + 0.5); got != f.partialHave {
		t.Fatalf("partial torrent: %d of 20 pieces verified, want %d", got, f.partialHave)
	}
	waitState(t, c, f.multi, Seeding, 10*time.Second)
	waitFor(t, 10*time.Second, "paused torrent checked", func() bool {
		d, _ := c.Details(f.paused)
		return d.Snapshot != nil && d.Snapshot.HaveCount == d.NumPieces
	})
	if s, _ := summaryOf(c, f.paused); s.State != Paused {
		t.Fatalf("paused torrent is %v", s.State)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *restartFixture) ids() []ID { return []ID{f.seeding, f.partial, f.paused, f.multi} }

// settle waits until no torrent is checking or queued.
func settle(t *testing.T, c *Client) {
	t.Helper()
	waitFor(t, 15*time.Second, "every torrent settled", func() bool {
		for _, s := range c.Torrents() {
			if s.State == Checking || s.State == Queued {
				return false
			}
		}
		return true
	})
}

func TestRestartRestoresStateWithoutRehashing(t *testing.T) {
	f := newRestartFixture(t)
	c := openClient(t, testConfig(t, f.db, f.dir))
	settle(t, c)
	want := map[ID]State{f.seeding: Seeding, f.partial: Downloading, f.paused: Paused, f.multi: Seeding}
	for _, id := range f.ids() {
		s, ok := summaryOf(c, id)
		if !ok {
			t.Fatalf("torrent %s is gone after the restart", id.Hex())
		}
		if s.State != want[id] {
			t.Errorf("%s: state %v after restart, want %v (%s)", s.Name, s.State, want[id], s.Message)
		}
		if s.HashedPieces != 0 {
			t.Errorf("%s: %d pieces hashed on a restart with unchanged files, want 0", s.Name, s.HashedPieces)
		}
		d, _ := c.Details(id)
		if s.RestoredPieces != d.Snapshot.HaveCount {
			t.Errorf("%s: %d pieces restored, %d verified", s.Name, s.RestoredPieces, d.Snapshot.HaveCount)
		}
	}
	if d, _ := c.Details(f.partial); d.Snapshot.HaveCount != f.partialHave {
		t.Errorf("partial torrent: %d pieces after restart, want %d", d.Snapshot.HaveCount, f.partialHave)
	}
	if d, _ := c.Details(f.multi); d.Snapshot.HaveCount != d.NumPieces {
		t.Errorf("multi-file torrent: %d of %d pieces after restart", d.Snapshot.HaveCount, d.NumPieces)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// A changed modification time: only that file's pieces are hashed.
	touched := f.multiFiles[1]
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(touched, later, later); err != nil {
		t.Fatal(err)
	}
	c = openClient(t, testConfig(t, f.db, f.dir))
	settle(t, c)
	d, _ := c.Details(f.multi)
	var first, last int
	for _, file := range d.Files {
		if file.Index == 1 {
			info := c.entries[f.multi].mi.Info
			first, last = pieceSpan(info, info.Files[1])
		}
	}
	if got, want := d.HashedPieces, last-first+1; got != want {
		t.Errorf("after touching %s: %d pieces hashed, want its %d (pieces %d-%d)", filepath.Base(touched), got, want, first, last)
	}
	if d.State != Seeding || d.Snapshot.HaveCount != d.NumPieces {
		t.Errorf("after touching a file: %v with %d of %d pieces, want seeding with all", d.State, d.Snapshot.HaveCount, d.NumPieces)
	}
	for _, id := range []ID{f.seeding, f.partial, f.paused} {
		if s, _ := summaryOf(c, id); s.HashedPieces != 0 {
			t.Errorf("%s: %d pieces hashed though its files did not change", s.Name, s.HashedPieces)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// A changed size: the truncated file's pieces are hashed and fail.
	if err := os.Truncate(f.multiFiles[2], 1000); err != nil {
		t.Fatal(err)
	}
	c = openClient(t, testConfig(t, f.db, f.dir))
	settle(t, c)
	d, _ = c.Details(f.multi)
	if d.State != Downloading {
		t.Errorf("after truncating a file: state %v, want downloading", d.State)
	}
	for _, file := range d.Files {
		switch file.Index {
		case 0:
			if file.Done != file.Size {
				t.Errorf("untouched file %s: %d of %d bytes verified", file.Path, file.Done, file.Size)
			}
		case 2:
			if file.Done >= file.Size {
				t.Errorf("truncated file %s still counts as complete", file.Path)
			}
		}
	}
}
