package storage

import (
	"errors"
	"fmt"
)

// StartWriteback asks the operating system to begin writing every file's
// dirty data to disk, without waiting for it. Called now and then during a
// download, it keeps dirty data in the page cache from piling up until the
// next Sync, so that Sync (at a checkpoint or at stop) only waits for what
// was written last instead of the whole download. It promises nothing
// about durability: only Sync does. Files not open for writing are
// skipped; on systems without such a call it does nothing.
func (s *Storage) StartWriteback() error {
	if s.closed.Load() {
		return fmt.Errorf("storage: write back: %w", ErrClosed)
	}
	var errs []error
	for _, f := range s.files {
		if f.padding() || !f.dirty.Load() {
			continue
		}
		s.handleMu.Lock()
		h := f.rw
		if h != nil {
			f.users++ // keeps the handle from being evicted meanwhile
		}
		s.handleMu.Unlock()
		if h == nil {
			continue
		}
		err := startWriteback(h)
		s.release(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("storage: write back %w", &fileError{f.path, pathErrorCause(err)}))
		}
	}
	return errors.Join(errs...)
}
