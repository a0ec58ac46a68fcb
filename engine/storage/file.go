package storage

import (
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// maxOpenFiles bounds the files a Storage keeps open at once, so that a
// torrent of many thousands of files does not exhaust file descriptors. The
// least recently used idle files are closed beyond it.
const maxOpenFiles = 128

// file is one file of the torrent with its lazily opened handles. Handles
// are opened, counted and closed under Storage.handleMu; reads and writes go
// through ReadAt/WriteAt outside the lock, which os.File allows
// concurrently. A file's handles are closed (evicted) only while no one uses
// them.
type file struct {
	index  int    // position in the torrent's file list
	path   string // "" for a padding file
	length int64
	offset int64 // where the file starts in the torrent's data

	// Guarded by Storage.handleMu.
	rw    *os.File      // opened (and created) for writing; also used for reading
	ro    *os.File      // opened read-only before any write
	users int           // acquired and not yet released
	lru   *list.Element // in Storage.lru while a handle is open

	dirty atomic.Bool // written since the last sync

	// writeMu serialises writes to the file. The kernel does too (a
	// buffered write holds the inode lock), but a writer waiting there
	// spins on the CPU while the other copies into the page cache; waiting
	// here parks it instead.
	writeMu sync.Mutex
}

func (f *file) padding() bool { return f.path == "" }

// acquire returns a handle on f for reading or writing; the caller must
// release(f) when done with it. Opening for reading never creates anything:
// a missing file gives an error wrapping fs.ErrNotExist, and is found once a
// write creates it.
func (s *Storage) acquire(f *file, write bool) (*os.File, error) {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	if s.closed.Load() {
		return nil, ErrClosed
	}
	h := f.rw
	if h == nil && !write {
		h = f.ro
	}
	if h == nil {
		var err error
		if write {
			h, err = openForWrite(f.path, f.length)
			f.rw = h
		} else {
			h, err = os.Open(f.path)
			if err != nil {
				err = fmt.Errorf("open: %w", pathErrorCause(err))
			}
			f.ro = h
		}
		if err != nil {
			return nil, err
		}
	}
	f.users++
	if f.lru == nil {
		f.lru = s.lru.PushFront(f)
		s.evictIdleLocked()
	} else {
		s.lru.MoveToFront(f.lru)
	}
	return h, nil
}

// release ends a use begun by acquire.
func (s *Storage) release(f *file) {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	f.users--
	s.evictIdleLocked()
}

// evictIdleLocked closes the least recently used idle files while more than
// maxOpen are open. Close errors are dropped: the data is in the page cache
// either way, and a file written since the last Sync stays dirty, so Sync
// reopens and fsyncs it and reports any write-back error there.
func (s *Storage) evictIdleLocked() {
	for e := s.lru.Back(); e != nil && s.lru.Len() > s.maxOpen; {
		prev := e.Prev()
		if f := e.Value.(*file); f.users == 0 {
			f.closeHandlesLocked()
			s.lru.Remove(e)
			f.lru = nil
		}
		e = prev
	}
}

// closeHandlesLocked closes both handles of f.
func (f *file) closeHandlesLocked() error {
	var errs []error
	for _, h := range []*os.File{f.rw, f.ro} {
		if h != nil {
			if err := h.Close(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", f.path, pathErrorCause(err)))
			}
		}
	}
	f.rw, f.ro = nil, nil
	return errors.Join(errs...)
}

// closeAll closes every open file; acquire fails with ErrClosed afterwards
// (the caller has set s.closed).
func (s *Storage) closeAll() error {
	s.handleMu.Lock()
	defer s.handleMu.Unlock()
	var errs []error
	for e := s.lru.Front(); e != nil; e = e.Next() {
		f := e.Value.(*file)
		errs = append(errs, f.closeHandlesLocked())
		f.lru = nil
	}
	s.lru.Init()
	return errors.Join(errs...)
}

// syncFile fsyncs f if it was written since the last sync, reopening it if
// its handle was evicted meanwhile (fsync flushes the file, not the handle).
func (s *Storage) syncFile(f *file) error {
	if !f.dirty.Swap(false) {
		return nil
	}
	h, err := s.acquire(f, true)
	if err != nil {
		f.dirty.Store(true)
		return &fileError{f.path, err}
	}
	defer s.release(f)
	if err := h.Sync(); err != nil {
		f.dirty.Store(true) // try again next time
		return &fileError{f.path, pathErrorCause(err)}
	}
	return nil
}

// openForWrite opens path for reading and writing, creating it and its
// parent folders when missing and extending it to length, which leaves it
// sparse on file systems that support holes. A longer existing file is left
// alone rather than truncated: it may hold someone's data.
func openForWrite(path string, length int64) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create folder: %w", err)
	}
	h, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create: %w", pathErrorCause(err))
	}
	info, err := h.Stat()
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("stat: %w", pathErrorCause(err))
	}
	// Devices and the like have no length to set.
	if info.Mode().IsRegular() && info.Size() < length {
		if err := h.Truncate(length); err != nil {
			h.Close()
			return nil, fmt.Errorf("extend to %d bytes: %w", length, pathErrorCause(err))
		}
	}
	return h, nil
}

// pathErrorCause strips the "op path:" prefix of an *fs.PathError, because
// our own messages already name the file and the operation. The cause (a
// syscall.Errno) still matches fs.ErrNotExist, fs.ErrPermission and friends
// under errors.Is.
func pathErrorCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fileError is an I/O failure on one file: "<path>: <what failed>".
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
