package persist

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// withMigration appends a test-only migration for the duration of the test. Tests in this
// package do not run in parallel, so swapping the package variable is safe.
func withMigration(t *testing.T, m migration) {
	t.Helper()
	saved := migrations
	migrations = append(migrations[:len(migrations):len(migrations)], m)
	t.Cleanup(func() { migrations = saved })
}

// createV1 makes a database at schema version 1 holding one torrent.
func createV1(t *testing.T) (path string, rec TorrentRecord) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "swarmscope.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(); err != nil || v != 1 {
		t.Fatalf("new database at schema %d (err %v), want 1", v, err)
	}
	rec = fullRecord(hashOf(1))
	if err := s.PutTorrent(rec); err != nil {
		t.Fatal(err)
	}
	return path, rec
}

func TestMigrationUpgradesV1ToV2Once(t *testing.T) {
	path, rec := createV1(t)
	runs := 0
	withMigration(t, migration{name: "test: add a labels bucket and upper-case labels", apply: func(tx *bolt.Tx) error {
		runs++
		if _, err := tx.CreateBucket([]byte("labels")); err != nil {
			return err
		}
		torrents := tx.Bucket(bucketTorrents)
		return torrents.ForEach(func(k, v []byte) error {
			r, err := decodeRecord(v)
			if err != nil {
				return err
			}
			r.Label = strings.ToUpper(r.Label)
			return torrents.Put(k, encodeRecord(&r))
		})
	}})

	for range 2 { // the second open must find nothing to do
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("Open with a v2 migration: %v", err)
		}
		if v, err := s.SchemaVersion(); err != nil || v != 2 {
			t.Errorf("schema after migration = %d (err %v), want 2", v, err)
		}
		got, err := s.GetTorrent(rec.InfoHash)
		if err != nil || got.Label != "LINUX ISOS" {
			t.Errorf("migrated record label = %q (err %v)", got.Label, err)
		}
		s.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket([]byte("labels")) == nil {
				t.Error("the migration's bucket is missing")
			}
			return nil
		})
		s.Close()
	}
	if runs != 1 {
		t.Errorf("migration ran %d times, want 1", runs)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	path, rec := createV1(t)
	withMigration(t, migration{name: "test: fails halfway", apply: func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketTorrents).Delete(rec.InfoHash[:]); err != nil {
			return err
		}
		return errors.New("disk on fire")
	}})
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "migrate to schema 2 (test: fails halfway): disk on fire") {
		t.Fatalf("Open with a failing migration = %v", err)
	}
	migrations = migrations[:len(migrations)-1] // drop the failing step; Cleanup restores the rest
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open without the failing migration: %v", err)
	}
	defer s.Close()
	if s.Recovered() != nil {
		t.Errorf("a failed migration was treated as damage: %+v", s.Recovered())
	}
	if v, _ := s.SchemaVersion(); v != 1 {
		t.Errorf("schema after failed migration = %d, want 1", v)
	}
	if _, err := s.GetTorrent(rec.InfoHash); err != nil {
		t.Errorf("the failed migration's delete was kept: %v", err)
	}
}

func TestNewerSchemaIsRefusedAndLeftInPlace(t *testing.T) {
	path, _ := createV1(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, 7))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	_, err = Open(path, Options{})
	var newer *NewerVersionError
	if !errors.As(err, &newer) || newer.Found != 7 {
		t.Fatalf("Open of a schema-7 database = %v, want *NewerVersionError", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("a newer database must be left alone; folder holds %d entries", len(entries))
	}
}
