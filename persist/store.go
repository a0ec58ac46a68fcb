package persist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names; see the package documentation for what each holds.
var (
	bucketMeta     = []byte("meta")
	bucketTorrents = []byte("torrents")
	bucketMetaInfo = []byte("metainfo")
	bucketSettings = []byte("settings")
	bucketDHT      = []byte("dht")
)

// DefaultLockTimeout is how long Open waits for another process to release the database before
// reporting ErrLocked. Long enough to ride out an instance that is just closing, short enough
// that a user double-clicking a .torrent does not wait noticeably.
const DefaultLockTimeout = time.Second

// Options adjusts Open. The zero value is ready to use.
type Options struct {
	// LockTimeout bounds the wait for another process's lock; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
}

// Store is an open Swarmscope database. It is safe for concurrent use.
type Store struct {
	db        *bolt.DB
	path      string
	recovered *Recovered
}

// DefaultPath returns where Swarmscope keeps its database, os.UserConfigDir()/swarmscope/
// swarmscope.db, creating the swarmscope folder (mode 0700: torrents and settings are private)
// if needed.
func DefaultPath() (string, error) {
	config, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("persist: find the configuration folder: %w", err)
	}
	dir := filepath.Join(config, "swarmscope")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("persist: create the configuration folder: %w", err)
	}
	return filepath.Join(dir, "swarmscope.db"), nil
}

// Open opens the database at path, creating it (and its folder) if it does not exist, and
// brings its schema up to date.
//
// If another Swarmscope holds the database, Open gives up after opts.LockTimeout with an error
// matching ErrLocked. If the file cannot be read as a database, Open moves it aside, creates a
// fresh one and succeeds; Store.Recovered then describes what happened. Errors that are not about
// the file's contents (permissions, a full disk, a newer schema) are returned as they are and
// leave the file in place.
//
// Open reads the whole database once and runs bbolt's consistency check before trusting it;
// Swarmscope's database is small (mostly .torrent files), so this takes milliseconds.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("persist: database %s: create its folder: %w", path, err)
	}
	db, err := openChecked(path, opts)
	if err == nil {
		return &Store{db: db, path: path}, nil
	}
	var damaged *damageError
	if !errors.As(err, &damaged) {
		return nil, err
	}
	note, err := moveAside(path, damaged.reason, time.Now())
	if err != nil {
		return nil, err
	}
	db, err = openChecked(path, opts)
	if err != nil {
		return nil, fmt.Errorf("persist: database %s: create a fresh database after moving the damaged one to %s: %w",
			path, note.MovedTo, err)
	}
	return &Store{db: db, path: path, recovered: note}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Recovered describes the damaged database Open replaced, or returns nil when Open found the
// database readable (or created it).
func (s *Store) Recovered() *Recovered { return s.recovered }

// Close releases the database. It waits for transactions in progress to finish.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("persist: database %s: close: %w", s.path, err)
	}
	return nil
}

// update runs fn in a read-write transaction, naming the database in any bbolt error (the
// errors fn builds itself already say what failed).
func (s *Store) update(what string, fn func(tx *bolt.Tx) error) error {
	return s.wrap(what, s.db.Update(fn))
}

func (s *Store) view(what string, fn func(tx *bolt.Tx) error) error {
	return s.wrap(what, s.db.View(fn))
}

func (s *Store) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	// Record errors already name the torrent and say what failed.
	var rec *RecordError
	if errors.As(err, &rec) {
		return err
	}
	return fmt.Errorf("persist: database %s: %s: %w", s.path, what, err)
}
