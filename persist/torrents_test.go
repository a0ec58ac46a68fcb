package persist

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestPutGetRoundTripsEveryField(t *testing.T) {
	s, path := openTemp(t)
	want := fullRecord(hashOf(1))
	if err := s.PutTorrent(want); err != nil {
		t.Fatalf("PutTorrent: %v", err)
	}
	got, err := s.GetTorrent(want.InfoHash)
	if err != nil {
		t.Fatalf("GetTorrent: %v", err)
	}
	assertSameRecord(t, got, want)

	// And after a restart.
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	got, err = s2.GetTorrent(want.InfoHash)
	if err != nil {
		t.Fatalf("GetTorrent after reopen: %v", err)
	}
	assertSameRecord(t, got, want)
}

func TestGetReturnsCopiesNotDatabaseMemory(t *testing.T) {
	s, _ := openTemp(t)
	want := fullRecord(hashOf(1))
	if err := s.PutTorrent(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetTorrent(want.InfoHash)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt's memory is read-only: writing into it would fault if the record aliased it.
	got.MetaInfo[0], got.Bitfield[0] = 'x', 0
	// Later transactions must not change what the caller holds either.
	if err := s.PutTorrent(fullRecord(hashOf(2))); err != nil {
		t.Fatal(err)
	}
	if got.MetaInfo[0] != 'x' || got.Bitfield[0] != 0 {
		t.Error("returned record changed under the caller")
	}
}

func TestMagnetOnlyRecordThenMetadataArrives(t *testing.T) {
	s, _ := openTemp(t)
	rec := TorrentRecord{InfoHash: hashOf(3), Magnet: "magnet:?xt=urn:btih:0303030303030303030303030303030303030303",
		SavePath: "/tmp/x", Added: time.Unix(1700000000, 0)}
	if err := s.PutTorrent(rec); err != nil {
		t.Fatalf("PutTorrent magnet: %v", err)
	}
	got, err := s.GetTorrent(rec.InfoHash)
	if err != nil {
		t.Fatal(err)
	}
	if got.MetaInfo != nil || got.Magnet != rec.Magnet {
		t.Fatalf("magnet record came back as %+v", got)
	}
	rec.MetaInfo = []byte("d4:infod4:name1:xee")
	if err := s.PutTorrent(rec); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetTorrent(rec.InfoHash); string(got.MetaInfo) != string(rec.MetaInfo) {
		t.Fatalf("metainfo after update = %q", got.MetaInfo)
	}
	// A full replacement without metainfo drops it.
	rec.MetaInfo = nil
	if err := s.PutTorrent(rec); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetTorrent(rec.InfoHash); got.MetaInfo != nil {
		t.Fatalf("metainfo survived a put without it: %q", got.MetaInfo)
	}
}

func TestPutRejectsInvalidRecords(t *testing.T) {
	s, _ := openTemp(t)
	noSource := TorrentRecord{InfoHash: hashOf(1)}
	badBits := fullRecord(hashOf(1))
	badBits.NumPieces = 100
	zeroHash := fullRecord([20]byte{})
	for name, rec := range map[string]TorrentRecord{"no metainfo or magnet": noSource, "bitfield length": badBits, "zero hash": zeroHash} {
		err := s.PutTorrent(rec)
		var recErr *RecordError
		if !errors.As(err, &recErr) {
			t.Errorf("%s: PutTorrent = %v, want a *RecordError", name, err)
		}
	}
	if list, err := s.ListTorrents(); err != nil || len(list) != 0 {
		t.Errorf("after rejected puts: %d records, err %v", len(list), err)
	}
}

func TestGetMissingIsNotFound(t *testing.T) {
	s, _ := openTemp(t)
	_, err := s.GetTorrent(hashOf(9))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetTorrent of a missing hash = %v, want ErrNotFound", err)
	}
	if want := "persist: torrent 0909090909090909090909090909090909090909: get: not found"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestListOrderedByAddedThenHash(t *testing.T) {
	s, _ := openTemp(t)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// Put in an order unlike the expected one, with a tie on Added broken by hash.
	adds := []struct {
		hash  byte
		added time.Time
	}{{5, t0.Add(time.Hour)}, {9, t0}, {2, t0.Add(2 * time.Hour)}, {7, t0}, {1, t0.Add(time.Hour)}}
	for _, a := range adds {
		rec := fullRecord(hashOf(a.hash))
		rec.Added = a.added
		if err := s.PutTorrent(rec); err != nil {
			t.Fatal(err)
		}
	}
	want := []byte{7, 9, 1, 5, 2}
	for range 3 { // the order must not depend on map or iteration luck
		list, err := s.ListTorrents()
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for _, r := range list {
			got = append(got, r.InfoHash[0])
		}
		if string(got) != string(want) {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestListSkipsUnreadableRecordAndSaysWhich(t *testing.T) {
	s, _ := openTemp(t)
	for _, h := range []byte{1, 2} {
		if err := s.PutTorrent(fullRecord(hashOf(h))); err != nil {
			t.Fatal(err)
		}
	}
	damaged := hashOf(3)
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTorrents).Put(damaged[:], []byte("not a record"))
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListTorrents()
	if len(list) != 2 {
		t.Errorf("got %d readable records, want 2", len(list))
	}
	var recErr *RecordError
	if !errors.As(err, &recErr) || recErr.InfoHash != damaged {
		t.Fatalf("ListTorrents error = %v, want a *RecordError for the damaged torrent", err)
	}
	if !strings.HasPrefix(err.Error(), "persist: torrent 0303030303030303030303030303030303030303: decode record: ") {
		t.Errorf("message %q does not say which torrent and what failed", err)
	}
}

func TestDeleteTorrent(t *testing.T) {
	s, _ := openTemp(t)
	keep, drop := fullRecord(hashOf(1)), fullRecord(hashOf(2))
	for _, r := range []TorrentRecord{keep, drop} {
		if err := s.PutTorrent(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteTorrent(drop.InfoHash); err != nil {
		t.Fatalf("DeleteTorrent: %v", err)
	}
	if _, err := s.GetTorrent(drop.InfoHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted torrent: GetTorrent = %v, want ErrNotFound", err)
	}
	var leftoverMetaInfo []byte
	s.db.View(func(tx *bolt.Tx) error {
		leftoverMetaInfo = tx.Bucket(bucketMetaInfo).Get(drop.InfoHash[:])
		return nil
	})
	if leftoverMetaInfo != nil {
		t.Error("metainfo of the deleted torrent is still stored")
	}
	if list, err := s.ListTorrents(); err != nil || len(list) != 1 || list[0].InfoHash != keep.InfoHash {
		t.Errorf("after delete: %d records, err %v", len(list), err)
	}
	if err := s.DeleteTorrent(hashOf(42)); err != nil {
		t.Errorf("deleting an unknown torrent: %v", err)
	}
}

func TestSaveProgressUpdatesSeveralTorrents(t *testing.T) {
	s, _ := openTemp(t)
	a, b, c := fullRecord(hashOf(1)), fullRecord(hashOf(2)), fullRecord(hashOf(3))
	for _, r := range []TorrentRecord{a, b, c} {
		if err := s.PutTorrent(r); err != nil {
			t.Fatal(err)
		}
	}
	done := time.Date(2025, 5, 5, 5, 5, 5, 5, time.UTC)
	updates := []ProgressUpdate{
		{InfoHash: a.InfoHash, Bitfield: []byte{0xff, 0xff, 0x80}, NumPieces: 17, Uploaded: 10, Downloaded: 20,
			Wasted: 30, SeedingTime: time.Minute, Completed: done,
			FileStamps: []FileStamp{{Size: 5, ModTime: done}}},
		{InfoHash: b.InfoHash, Bitfield: []byte{0x01}, NumPieces: 8, Uploaded: 1},
		{InfoHash: hashOf(99), Bitfield: []byte{0xff}, NumPieces: 8}, // removed meanwhile: ignored
	}
	if err := s.SaveProgress(updates); err != nil {
		t.Fatalf("SaveProgress: %v", err)
	}

	wantA := a
	wantA.Bitfield, wantA.NumPieces, wantA.Uploaded, wantA.Downloaded = updates[0].Bitfield, 17, 10, 20
	wantA.Wasted, wantA.SeedingTime, wantA.Completed, wantA.FileStamps = 30, time.Minute, done, updates[0].FileStamps
	wantB := b // a zero Completed keeps the stored one; the rest is replaced
	wantB.Bitfield, wantB.NumPieces, wantB.Uploaded, wantB.Downloaded = []byte{0x01}, 8, 1, 0
	wantB.Wasted, wantB.SeedingTime, wantB.FileStamps = 0, 0, nil
	for _, want := range []TorrentRecord{wantA, wantB, c} {
		got, err := s.GetTorrent(want.InfoHash)
		if err != nil {
			t.Fatal(err)
		}
		assertSameRecord(t, got, want)
	}
	if _, err := s.GetTorrent(hashOf(99)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveProgress created a record for an unknown torrent: %v", err)
	}
}

func TestSaveProgressIsAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	a, b := fullRecord(hashOf(1)), fullRecord(hashOf(2))
	for _, r := range []TorrentRecord{a, b} {
		if err := s.PutTorrent(r); err != nil {
			t.Fatal(err)
		}
	}
	err := s.SaveProgress([]ProgressUpdate{
		{InfoHash: a.InfoHash, Bitfield: []byte{0, 0, 0}, NumPieces: 17, Uploaded: 1},
		{InfoHash: b.InfoHash, Bitfield: []byte{0}, NumPieces: 17}, // one byte short
	})
	var recErr *RecordError
	if !errors.As(err, &recErr) || recErr.InfoHash != b.InfoHash {
		t.Fatalf("SaveProgress with a malformed bitfield = %v, want a *RecordError naming it", err)
	}
	got, _ := s.GetTorrent(a.InfoHash)
	assertSameRecord(t, got, a)
}

func TestSaveProgressSavesOthersWhenOneRecordIsUnreadable(t *testing.T) {
	s, _ := openTemp(t)
	a := fullRecord(hashOf(1))
	if err := s.PutTorrent(a); err != nil {
		t.Fatal(err)
	}
	damaged := hashOf(2)
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTorrents).Put(damaged[:], []byte{1, 2, 3, 4, 5, 6})
	}); err != nil {
		t.Fatal(err)
	}
	err := s.SaveProgress([]ProgressUpdate{
		{InfoHash: damaged, Bitfield: []byte{1}, NumPieces: 1},
		{InfoHash: a.InfoHash, Bitfield: []byte{1}, NumPieces: 1, Uploaded: 77},
	})
	var recErr *RecordError
	if !errors.As(err, &recErr) || recErr.InfoHash != damaged {
		t.Fatalf("SaveProgress = %v, want a *RecordError for the damaged record", err)
	}
	if got, _ := s.GetTorrent(a.InfoHash); got.Uploaded != 77 {
		t.Errorf("the readable torrent was not saved: uploaded %d", got.Uploaded)
	}
}

// Several goroutines using one Store at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	s, _ := openTemp(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				rec := fullRecord(hashOf(byte(g*10 + i + 1)))
				if err := s.PutTorrent(rec); err != nil {
					t.Error(err)
					return
				}
				if err := s.SaveProgress([]ProgressUpdate{{InfoHash: rec.InfoHash, Uploaded: int64(i)}}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.ListTorrents(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if list, err := s.ListTorrents(); err != nil || len(list) != 40 {
		t.Fatalf("after concurrent puts: %d records, err %v", len(list), err)
	}
}

// BenchmarkSaveProgress saves 20 torrents of 10,000 pieces each, the shape of a busy client's
// periodic save. Each commit is fsynced, so the figure mostly measures the disk.
func BenchmarkSaveProgress(b *testing.B) {
	s, _ := openTemp(b)
	const torrents, pieces, files = 20, 10_000, 10
	updates := make([]ProgressUpdate, torrents)
	for i := range updates {
		rec := fullRecord(hashOf(byte(i + 1)))
		rec.MetaInfo = make([]byte, pieces*20) // the size of a real torrent's piece hashes
		rec.NumPieces = pieces
		rec.Bitfield = make([]byte, (pieces+7)/8)
		if err := s.PutTorrent(rec); err != nil {
			b.Fatal(err)
		}
		stamps := make([]FileStamp, files)
		for f := range stamps {
			stamps[f] = FileStamp{Size: 1 << 30, ModTime: time.Now()}
		}
		updates[i] = ProgressUpdate{InfoHash: rec.InfoHash, NumPieces: pieces,
			Bitfield: make([]byte, (pieces+7)/8), FileStamps: stamps}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		for i := range updates {
			updates[i].Bitfield[n%len(updates[i].Bitfield)] |= 1 << (n % 8)
			updates[i].Downloaded += 16384
		}
		if err := s.SaveProgress(updates); err != nil {
			b.Fatal(fmt.Errorf("iteration %d: %w", n, err))
		}
	}
}
