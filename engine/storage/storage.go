// Package storage maps a torrent's pieces onto the files of its download
// folder: it writes downloaded blocks into (sparse) files, reads blocks back
// for uploading, verifies completed pieces against their SHA-1 hashes and
// rechecks existing data in parallel.
//
// A torrent's data is the concatenation of its files in order; piece i covers
// bytes [i*pieceLength, (i+1)*pieceLength) of it, so a piece may span several
// files. Padding files (BEP 47) read as zeros and are never written to disk.
// Files are created lazily, on the first write, so opening a torrent or
// rechecking it never creates anything. At most a bounded number of files
// are kept open; the least recently used idle ones are closed beyond that.
//
// Writes normally come from one goroutine (the torrent loop), but every
// method is safe for concurrent use: uploads and rechecks may read while
// other pieces are being written.
package storage

import (
	"container/list"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
)

// FileSpec is one file of the torrent in order. Path is an absolute, already
// validated OS path; "" marks a padding file, which reads as zeros and is
// never stored.
type FileSpec struct {
	Path   string
	Length int64
}

// FileRange is the part of one file that a piece covers.
type FileRange struct {
	File        int   // index into the files given to New
	FileOffset  int64 // where the range starts within the file
	PieceOffset int64 // where the range starts within the piece
	Length      int64
	Padding     bool // the file is a padding file: zeros, not on disk
}

// ErrClosed is returned (wrapped) by every operation after Close.
var ErrClosed = errors.New("storage is closed")

// chunkSize bounds the read buffers: pieces are hashed and rechecked in
// chunks of at most this many bytes, whatever the piece length (a recheck
// on a CPU that hashes piecehash.Lanes pieces at once has a chunk for each).
const chunkSize = 1 << 20

// recheckInGroups lets a recheck hash piecehash.Lanes pieces side by side
// when the CPU can; a variable so that a test can turn it off.
var recheckInGroups = true

// Storage is the piece ⇄ file mapping of one torrent.
type Storage struct {
	files       []*file // in torrent order, each with its offset in the data
	pieceLength int64
	length      int64 // total of all file lengths
	hashes      [][20]byte

	closed atomic.Bool

	handleMu sync.Mutex // guards the open handles of every file and lru
	lru      list.List  // files with an open handle, most recently used first
	maxOpen  int        // files kept open at most, beyond those in use

	// chunks holds read buffers of min(chunkSize, pieceLength) bytes for
	// VerifyPiece.
	chunks sync.Pool

	emptyMu      sync.Mutex
	emptyCreated bool // zero-length files have been created
}

// New describes a torrent's storage. It does not touch the disk. The number
// of hashes must match the number of pieces implied by the file lengths and
// pieceLength.
func New(files []FileSpec, pieceLength int64, hashes [][20]byte) (*Storage, error) {
	if pieceLength <= 0 {
		return nil, fmt.Errorf("storage: piece length %d is not positive", pieceLength)
	}
	if len(files) == 0 {
		return nil, errors.New("storage: no files")
	}
	s := &Storage{pieceLength: pieceLength, hashes: hashes, maxOpen: maxOpenFiles}
	seen := make(map[string]int, len(files))
	for i, spec := range files {
		if spec.Length < 0 {
			return nil, fmt.Errorf("storage: file %d (%q): negative length %d", i, spec.Path, spec.Length)
		}
		if spec.Length > math.MaxInt64-s.length {
			return nil, fmt.Errorf("storage: file %d (%q): total length overflows int64", i, spec.Path)
		}
		if spec.Path != "" {
			if !filepath.IsAbs(spec.Path) {
				return nil, fmt.Errorf("storage: file %d: path %q is not absolute", i, spec.Path)
			}
			clean := filepath.Clean(spec.Path)
			if j, dup := seen[clean]; dup {
				return nil, fmt.Errorf("storage: files %d and %d both map to %s", j, i, clean)
			}
			seen[clean] = i
		}
		s.files = append(s.files, &file{index: i, path: spec.Path, length: spec.Length, offset: s.length})
		s.length += spec.Length
	}
	numPieces := s.length / pieceLength
	if s.length%pieceLength != 0 {
		numPieces++
	}
	if int64(len(hashes)) != numPieces {
		return nil, fmt.Errorf("storage: %d piece hashes for %d bytes in pieces of %d (want %d)",
			len(hashes), s.length, pieceLength, numPieces)
	}
	bufSize := min(pieceLength, chunkSize)
	s.chunks.New = func() any {
		b := make([]byte, bufSize)
		return &b
	}
	return s, nil
}

// NumPieces is the number of pieces.
func (s *Storage) NumPieces() int { return len(s.hashes) }

// Length is the total length of the torrent's data, padding included.
func (s *Storage) Length() int64 { return s.length }

// PieceLength is the nominal piece length; see PieceSize for the last piece.
func (s *Storage) PieceLength() int64 { return s.pieceLength }

// PieceSize is the length of the given piece: the piece length, except for a
// shorter last piece. It is 0 for an index out of range.
func (s *Storage) PieceSize(piece int) int64 {
	if piece < 0 || piece >= len(s.hashes) {
		return 0
	}
	if piece == len(s.hashes)-1 {
		return s.length - int64(piece)*s.pieceLength
	}
	return s.pieceLength
}

// FileRanges lists, in order, the parts of files that a piece covers
// (zero-length files cover nothing). It returns nil for an index out of
// range.
func (s *Storage) FileRanges(piece int) []FileRange {
	size := s.PieceSize(piece)
	if size == 0 {
		return nil
	}
	start := int64(piece) * s.pieceLength
	var out []FileRange
	s.eachPart(start, size, func(f *file, fileOff, lo, hi int64) error {
		out = append(out, FileRange{File: f.index, FileOffset: fileOff, PieceOffset: lo, Length: hi - lo, Padding: f.padding()})
		return nil
	})
	return out
}

// eachPart calls fn for each file part of the data range [off, off+n), in
// order: the file, the offset within it, and the part's bounds [lo, hi)
// relative to off. It stops at the first error. The range must lie within
// the data.
func (s *Storage) eachPart(off, n int64, fn func(f *file, fileOff, lo, hi int64) error) error {
	end := off + n
	i := sort.Search(len(s.files), func(i int) bool {
		f := s.files[i]
		return f.offset+f.length > off
	})
	for pos := off; pos < end && i < len(s.files); i++ {
		f := s.files[i]
		if f.length == 0 {
			continue
		}
		fileOff := pos - f.offset
		m := min(end-pos, f.length-fileOff)
		if err := fn(f, fileOff, pos-off, pos-off+m); err != nil {
			return err
		}
		pos += m
	}
	return nil
}

// Sync flushes to stable storage every file written since the last Sync.
func (s *Storage) Sync() error {
	if s.closed.Load() {
		return fmt.Errorf("storage: sync: %w", ErrClosed)
	}
	var errs []error
	for _, f := range s.files {
		if err := s.syncFile(f); err != nil {
			errs = append(errs, fmt.Errorf("storage: sync %w", err))
		}
	}
	return errors.Join(errs...)
}

// Close closes every open file. It does not sync; call Sync first when the
// data must be durable. Operations after Close fail with ErrClosed.
func (s *Storage) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.closeAll(); err != nil {
		return fmt.Errorf("storage: close %w", err)
	}
	return nil
}

// pieceRange checks a block request against the piece layout and returns the
// block's offset in the torrent's data. op names the operation for the error.
func (s *Storage) pieceRange(op string, piece int, begin int64, n int) (int64, error) {
	if s.closed.Load() {
		return 0, fmt.Errorf("storage: %s piece %d at %d: %w", op, piece, begin, ErrClosed)
	}
	if piece < 0 || piece >= len(s.hashes) {
		return 0, fmt.Errorf("storage: %s piece %d: no such piece (the torrent has %d)", op, piece, len(s.hashes))
	}
	size := s.PieceSize(piece)
	if begin < 0 || begin > size {
		return 0, fmt.Errorf("storage: %s piece %d at %d: offset outside the piece of %d bytes", op, piece, begin, size)
	}
	if int64(n) > size-begin {
		return 0, fmt.Errorf("storage: %s piece %d at %d: %d bytes overrun the piece of %d bytes", op, piece, begin, n, size)
	}
	return int64(piece)*s.pieceLength + begin, nil
}
