package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/persist"
)

func TestSecondInstanceHandsOverItsTorrent(t *testing.T) {
	db, dir := filepath.Join(t.TempDir(), "state.db"), t.TempDir()
	c := openClient(t, testConfig(t, db, dir))

	// A second client on the same database fails on the lock...
	if _, err := New(testConfig(t, db, dir)); !errors.Is(err, persist.ErrLocked) {
		t.Fatalf("second New on the same database: %v, want persist.ErrLocked", err)
	}
	// ...and hands its argument over instead.
	data := filepath.Join(dir, "handed.bin")
	writeRandom(t, data, 100<<10)
	torrentFile := filepath.Join(t.TempDir(), "handed.torrent")
	mi := makeTorrent(t, data, 16<<10)
	if err := os.WriteFile(torrentFile, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	ok, err := SendToRunning(db, []string{torrentFile, "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20)})
	if !ok {
		t.Fatalf("SendToRunning found no running instance (err %v)", err)
	}
	if err != nil {
		t.Errorf("hand-over of a .torrent and a magnet link: %v", err)
	}
	waitEvent(t, c, EventHandedOver, ID{}, 5*time.Second)
	waitState(t, c, mi.InfoHash, Seeding, 10*time.Second)
	var magnetID ID
	copy(magnetID[:], bytes.Repeat([]byte{0xab}, 20))
	waitState(t, c, magnetID, FetchingMetadata, 10*time.Second)

	// Nobody listening: false, no error.
	if ok, err := SendToRunning(filepath.Join(t.TempDir(), "other.db"), []string{torrentFile}); ok || err != nil {
		t.Fatalf("SendToRunning with no instance: %v, %v; want false, nil", ok, err)
	}
	// Garbage on the socket does not hurt the client.
	conn, err := netDialUnix(filepath.Join(filepath.Dir(db), SocketName))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("{\"args\": [1, 2, {}]}\n\x00\xff garbage"))
	conn.Close()
	if _, ok := summaryOf(c, mi.InfoHash); !ok {
		t.Fatal("client lost its torrent after garbage on the socket")
	}
}

func TestAddDuplicateAndMagnet(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	writeRandom(t, filepath.Join(dir, "dup.bin"), 64<<10)
	mi := makeTorrent(t, filepath.Join(dir, "dup.bin"), 16<<10)
	if _, err := c.AddTorrentBytes(mi.Raw, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.AddTorrentBytes(mi.Raw, AddOptions{})
	var dup *DuplicateError
	if !errors.Is(err, ErrDuplicate) || !errors.As(err, &dup) || dup.ID != mi.InfoHash {
		t.Fatalf("adding twice: %v, want a DuplicateError for %s", err, mi.InfoHash.Hex())
	}
	if _, err := c.AddMagnet(mi.Magnet().String(), AddOptions{}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("AddMagnet of a torrent in the list: %v, want ErrDuplicate", err)
	}
	if _, err := c.AddMagnet("magnet:?xt=urn:btih:nothex", AddOptions{}); err == nil {
		t.Fatalf("AddMagnet of a broken link: %v, want a parse error", err)
	}
	if _, err := c.AddTorrentBytes([]byte("d4:infoi1ee"), AddOptions{}); err == nil {
		t.Fatal("a broken .torrent was accepted")
	}
}

func TestCreateAndSeedThenRemoveWithData(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	share := filepath.Join(dir, "share")
	writeRandom(t, filepath.Join(share, "sub", "a.bin"), 100<<10)
	writeRandom(t, filepath.Join(share, "b.bin"), 50<<10)
	// Old enough that CreateAndSeed may trust what it hashed.
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{filepath.Join(share, "sub", "a.bin"), filepath.Join(share, "b.bin")} {
		os.Chtimes(p, old, old)
	}
	unrelated := filepath.Join(share, "notes.txt")
	id, mi, err := c.CreateAndSeed(context.Background(), share, metainfo.CreateOptions{PieceLength: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	s := waitState(t, c, id, Seeding, 10*time.Second)
	if s.HashedPieces != 0 {
		t.Errorf("create-and-seed hashed %d pieces again, want 0", s.HashedPieces)
	}
	if s.SaveDir != dir || mi.Info.Name != "share" {
		t.Errorf("save folder %s, name %s; want %s, share", s.SaveDir, mi.Info.Name, dir)
	}
	// A file that is not the torrent's survives removal with data.
	if err := os.WriteFile(unrelated, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(id, true); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, c, EventRemoved, id, 10*time.Second)
	if _, ok := summaryOf(c, id); ok {
		t.Error("removed torrent still listed")
	}
	for _, p := range []string{filepath.Join(share, "sub", "a.bin"), filepath.Join(share, "sub"), filepath.Join(share, "b.bin")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists after remove with data", p)
		}
	}
	if _, err := os.Stat(unrelated); err != nil {
		t.Errorf("a file that was not the torrent's was deleted: %v", err)
	}
}

func TestQueueLimitsActiveSeeds(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	s := c.Settings()
	s.MaxActiveSeeds = 1
	if err := c.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	var ids []ID
	for _, name := range []string{"q1.bin", "q2.bin"} {
		writeRandom(t, filepath.Join(dir, name), 64<<10)
		id, err := c.AddTorrentBytes(makeTorrent(t, filepath.Join(dir, name), 16<<10).Raw, AddOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	waitState(t, c, ids[0], Seeding, 10*time.Second)
	waitState(t, c, ids[1], Queued, 10*time.Second)
	if err := c.Pause(ids[0]); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, ids[1], Seeding, 5*time.Second)
	if st, _ := summaryOf(c, ids[0]); st.State != Paused {
		t.Errorf("paused torrent shows %v", st.State)
	}
}

func TestSkippedFileIsNotDownloadedUntilWanted(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	src := t.TempDir()
	const pl = 16 << 10
	sizes := []int64{10 * pl, 10 * pl, 10 * pl}
	for i, size := range sizes {
		writeRandom(t, filepath.Join(src, "set", string(rune('a'+i))+".bin"), size)
	}
	mi := makeTorrent(t, filepath.Join(src, "set"), pl)
	peer := startSeeder(t, mi, src)
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{Peers: []string{peer}, FilePriorities: []FilePriority{Normal, Skip, High}})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 20*time.Second)
	d, _ := c.Details(id)
	if d.Files[1].Done != 0 || d.Files[0].Done != sizes[0] || d.Files[2].Done != sizes[2] {
		t.Fatalf("with file 1 skipped: done %d, %d, %d bytes", d.Files[0].Done, d.Files[1].Done, d.Files[2].Done)
	}
	if err := c.SetFilePriority(id, 1, Normal); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the un-skipped file downloaded", func() bool {
		d, _ := c.Details(id)
		return d.State == Seeding && len(d.Files) == 3 && d.Files[1].Done == sizes[1]
	})
}

func TestSetSaveDirMovesWithoutRehashing(t *testing.T) {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	writeRandom(t, filepath.Join(dir, "moving", "x.bin"), 200<<10)
	id, err := c.AddTorrentBytes(makeTorrent(t, filepath.Join(dir, "moving"), 16<<10).Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
	to := t.TempDir()
	if err := c.SetSaveDir(id, to); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "moved and seeding", func() bool {
		s, _ := summaryOf(c, id)
		return s.SaveDir == to && s.State == Seeding
	})
	s, _ := summaryOf(c, id)
	if s.HashedPieces != 0 {
		t.Errorf("%d pieces hashed after the move, want 0", s.HashedPieces)
	}
	if _, err := os.Stat(filepath.Join(to, "moving", "x.bin")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "moving")); !os.IsNotExist(err) {
		t.Errorf("the old folder is still there (%v)", err)
	}
}

func TestRecoveredDatabaseIsReported(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(db, []byte("this is not a bbolt database, not even close"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := openClient(t, testConfig(t, db, t.TempDir()))
	ev := waitEvent(t, c, EventRecovered, ID{}, time.Second)
	if !strings.Contains(ev.Message, "moved to") || c.Status().Recovered == "" {
		t.Errorf("recovery not reported in words: event %q, status %q", ev.Message, c.Status().Recovered)
	}
}
