package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteBlock writes data at offset begin of a piece, across as many files as
// it spans. Bytes that fall in padding files are discarded. The first write
// also creates the torrent's zero-length files.
func (s *Storage) WriteBlock(piece int, begin int64, data []byte) error {
	off, err := s.pieceRange("write", piece, begin, len(data))
	if err != nil {
		return err
	}
	if err := s.createEmptyFiles(); err != nil {
		return fmt.Errorf("storage: write piece %d at %d: %w", piece, begin, err)
	}
	err = s.eachPart(off, int64(len(data)), func(f *file, fileOff, lo, hi int64) error {
		if f.padding() {
			return nil
		}
		h, err := s.acquire(f, true)
		if err != nil {
			return &fileError{f.path, err}
		}
		defer s.release(f)
		f.writeMu.Lock()
		_, err = h.WriteAt(data[lo:hi], fileOff)
		f.writeMu.Unlock()
		if err != nil {
			return &fileError{f.path, pathErrorCause(err)}
		}
		// Marked after writing: a Sync racing with this write either
		// clears the mark before it is set again, or fsyncs after the data
		// went in.
		f.dirty.Store(true)
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: write piece %d at %d to %w", piece, begin, err)
	}
	return nil
}

// ReadBlock fills buf with the bytes at offset begin of a piece, reading
// exactly that range from the files it spans. A file that does not exist
// gives an error wrapping fs.ErrNotExist; a file shorter than the torrent
// says gives one wrapping io.ErrUnexpectedEOF.
func (s *Storage) ReadBlock(piece int, begin int64, buf []byte) error {
	off, err := s.pieceRange("read", piece, begin, len(buf))
	if err != nil {
		return err
	}
	if err := s.readAt(buf, off); err != nil {
		return fmt.Errorf("storage: read piece %d at %d from %w", piece, begin, err)
	}
	return nil
}

// readAt fills buf from offset off of the torrent's data. Errors are
// *fileError values naming the file.
func (s *Storage) readAt(buf []byte, off int64) error {
	return s.eachPart(off, int64(len(buf)), func(f *file, fileOff, lo, hi int64) error {
		part := buf[lo:hi]
		if f.padding() {
			clear(part)
			return nil
		}
		h, err := s.acquire(f, false)
		if err != nil {
			return &fileError{f.path, err}
		}
		n, err := h.ReadAt(part, fileOff)
		s.release(f)
		if n == len(part) {
			return nil // ReadAt may report io.EOF along with the last byte
		}
		if err == nil || err == io.EOF {
			return &fileError{f.path, fmt.Errorf("file ends before byte %d: %w", fileOff+int64(len(part)), io.ErrUnexpectedEOF)}
		}
		return &fileError{f.path, pathErrorCause(err)}
	})
}

// createEmptyFiles creates the zero-length files, which no write ever
// reaches, once the torrent starts writing data.
func (s *Storage) createEmptyFiles() error {
	s.emptyMu.Lock()
	defer s.emptyMu.Unlock()
	if s.emptyCreated {
		return nil
	}
	for _, f := range s.files {
		if f.length != 0 || f.padding() {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return fmt.Errorf("create empty file %s: create folder: %w", f.path, err)
		}
		h, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("create empty file %s: %w", f.path, pathErrorCause(err))
		}
		if err := h.Close(); err != nil {
			return fmt.Errorf("create empty file %s: %w", f.path, pathErrorCause(err))
		}
	}
	s.emptyCreated = true
	return nil
}

// WriteBlocks writes bufs one after the other at offset begin of a piece,
// as WriteBlock would write their concatenation, without first copying them
// together: where the system has pwritev(2), each file the range spans gets
// one vectored write.
func (s *Storage) WriteBlocks(piece int, begin int64, bufs [][]byte) error {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	off, err := s.pieceRange("write", piece, begin, n)
	if err != nil {
		return err
	}
	if err := s.createEmptyFiles(); err != nil {
		return fmt.Errorf("storage: write piece %d at %d: %w", piece, begin, err)
	}
	var parts [][]byte
	err = s.eachPart(off, int64(n), func(f *file, fileOff, lo, hi int64) error {
		if f.padding() {
			return nil
		}
		parts = sliceRange(parts[:0], bufs, lo, hi)
		h, err := s.acquire(f, true)
		if err != nil {
			return &fileError{f.path, err}
		}
		defer s.release(f)
		f.writeMu.Lock()
		err = writeVecAt(h, parts, fileOff)
		f.writeMu.Unlock()
		if err != nil {
			return &fileError{f.path, pathErrorCause(err)}
		}
		f.dirty.Store(true) // after writing, as in WriteBlock
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: write piece %d at %d to %w", piece, begin, err)
	}
	return nil
}

// sliceRange appends to dst the parts of bufs that cover bytes [lo, hi) of
// their concatenation.
func sliceRange(dst [][]byte, bufs [][]byte, lo, hi int64) [][]byte {
	pos := int64(0)
	for _, b := range bufs {
		end := pos + int64(len(b))
		if end > lo && pos < hi && len(b) > 0 {
			dst = append(dst, b[max(lo-pos, 0):min(hi-pos, int64(len(b)))])
		}
		pos = end
		if pos >= hi {
			break
		}
	}
	return dst
}
