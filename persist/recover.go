package persist

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Recovered describes a damaged database that Open moved aside and replaced with a fresh one.
type Recovered struct {
	Path    string    // the database path, which now holds a fresh, empty database
	MovedTo string    // where the damaged file was moved
	Reason  error     // why the file could not be used
	At      time.Time // when it was moved
}

// Message explains what happened in words a user can act on.
func (r *Recovered) Message() string {
	return fmt.Sprintf("Swarmscope could not read its database %s (%v). It was moved to %s and a new, empty "+
		"database was created, so torrents and settings need to be added again; downloaded files are untouched.",
		r.Path, r.Reason, r.MovedTo)
}

// damageError marks an open failure caused by the file's contents, which Open answers by moving
// the file aside. Every other failure is returned to the caller unchanged.
type damageError struct {
	path   string
	reason error
}

func (e *damageError) Error() string {
	return fmt.Sprintf("persist: database %s is damaged: %v", e.path, e.reason)
}

func (e *damageError) Unwrap() error { return e.reason }

// openChecked opens the bbolt file, reads every reachable page once, checks bbolt's invariants
// and runs pending migrations. It reports a damaged file as *damageError.
//
// bbolt trusts the page numbers it finds in the file, so a damaged or truncated file can make it
// index out of range or touch memory-mapped pages past the end of the file (SIGBUS). Both are
// turned into panics and recovered here, in the one goroutine that does the first reads; after
// this pass, later reads only visit pages already proven readable. A panic inside bolt.Open
// leaks that attempt's memory mapping, a one-off cost of finding a damaged file.
func openChecked(path string, opts Options) (*bolt.DB, error) {
	var (
		db   *bolt.DB
		file *os.File // captured so a panic inside bolt.Open can still release the lock
	)
	boltOpts := &bolt.Options{
		Timeout: opts.LockTimeout,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		},
	}
	err := guardFaults(path, func() error {
		var err error
		db, err = bolt.Open(path, 0o600, boltOpts)
		switch {
		case err == nil:
		case errors.Is(err, berrors.ErrTimeout):
			return &LockedError{Path: path}
		case isEnvironmental(err):
			return fmt.Errorf("persist: database %s: open: %w", path, err)
		default:
			return &damageError{path: path, reason: err}
		}
		if err := verify(db, path); err != nil {
			return err
		}
		return migrate(db, path)
	})
	if err == nil {
		return db, nil
	}
	if db != nil {
		_ = guardFaults(path, db.Close)
	}
	if file != nil {
		_ = file.Close() // usually already closed by bbolt; this covers a panic inside bolt.Open
	}
	return nil, err
}

// isEnvironmental tells failures of the operating system (permissions, missing folder, full
// disk, failed mmap) from bbolt's complaints about the file's contents.
func isEnvironmental(err error) bool {
	var pathErr *fs.PathError
	var errno syscall.Errno
	return errors.As(err, &pathErr) || errors.As(err, &errno)
}

// guardFaults runs fn with memory faults turned into panics, and any panic into a damageError.
func guardFaults(path string, fn func() error) (err error) {
	previous := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(previous)
	defer func() {
		if r := recover(); r != nil {
			err = &damageError{path: path, reason: fmt.Errorf("reading it crashed the database library: %v", r)}
		}
	}()
	return fn()
}

// verify makes the first read of a freshly opened database: the file must be as long as bbolt's
// high-water mark says, every key and value in every bucket must be readable, and bbolt's own
// consistency check must pass.
func verify(db *bolt.DB, path string) error {
	return db.View(func(tx *bolt.Tx) error {
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("persist: database %s: check its size: %w", path, err)
		}
		if info.Size() < tx.Size() {
			return &damageError{path: path, reason: fmt.Errorf("the file is %d bytes but its pages reach byte %d: it was truncated",
				info.Size(), tx.Size())}
		}
		var sum uint32
		err = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return touchBucket(b, &sum)
		})
		if err != nil {
			return &damageError{path: path, reason: err}
		}
		// Check sends every problem it finds; drain the channel so its goroutine can finish.
		var problems []error
		for problem := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, problem)
			}
		}
		if len(problems) > 0 {
			return &damageError{path: path, reason: fmt.Errorf("consistency check failed: %w", errors.Join(problems...))}
		}
		return nil
	})
}

// touchBucket reads every byte of every key and value under b, so pages that cannot be read fault
// now, inside guardFaults, rather than later in some other goroutine.
func touchBucket(b *bolt.Bucket, sum *uint32) error {
	return b.ForEach(func(k, v []byte) error {
		*sum = crc32.Update(*sum, crcTable, k)
		if v != nil {
			*sum = crc32.Update(*sum, crcTable, v)
			return nil
		}
		child := b.Bucket(k)
		if child == nil {
			return fmt.Errorf("key %q has no value and is not a bucket", k)
		}
		return touchBucket(child, sum)
	})
}

// moveAside renames the damaged file at path to path.corrupt-YYYYMMDD-HHMMSS (adding -2, -3, …
// if that name is taken) so Open can create a fresh database and the user keeps the old one.
func moveAside(path string, reason error, now time.Time) (*Recovered, error) {
	base := path + ".corrupt-" + now.Format("20060102-150405")
	target := base
	for n := 2; ; n++ {
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if n > 100 {
			return nil, fmt.Errorf("persist: database %s is damaged (%v) and could not be moved aside: names up to %s are taken",
				path, reason, target)
		}
		target = fmt.Sprintf("%s-%d", base, n)
	}
	if err := os.Rename(path, target); err != nil {
		return nil, fmt.Errorf("persist: database %s is damaged (%v) and could not be moved aside: %w", path, reason, err)
	}
	return &Recovered{Path: path, MovedTo: target, Reason: reason, At: now}, nil
}
