package storage

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/piecehash"
)

// VerifyPiece reads a piece back from disk and reports whether its SHA-1
// matches the torrent's hash. The piece is streamed through the hash in
// chunks, so memory stays bounded whatever the piece length. A piece whose
// data is not on disk (missing or short file) is an error wrapping
// fs.ErrNotExist or io.ErrUnexpectedEOF.
func (s *Storage) VerifyPiece(piece int) (bool, error) {
	if _, err := s.pieceRange("verify", piece, 0, 0); err != nil {
		return false, err
	}
	bufp := s.chunks.Get().(*[]byte)
	defer s.chunks.Put(bufp)
	ok, err := s.hashPiece(piece, *bufp, sha1.New())
	if err != nil {
		return false, fmt.Errorf("storage: verify piece %d: read %w", piece, err)
	}
	return ok, nil
}

// hashPiece hashes a piece in chunks of len(buf) and compares the result
// with the expected hash.
func (s *Storage) hashPiece(piece int, buf []byte, h hash.Hash) (bool, error) {
	h.Reset()
	start := int64(piece) * s.pieceLength
	size := s.PieceSize(piece)
	for done := int64(0); done < size; {
		n := min(int64(len(buf)), size-done)
		if err := s.readAt(buf[:n], start+done); err != nil {
			return false, err
		}
		h.Write(buf[:n])
		done += n
	}
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	return sum == s.hashes[piece], nil
}

// Recheck hashes every piece on disk and returns the set of pieces whose
// hash matches. Pieces whose data is missing (a file that does not exist or
// is too short) are simply absent from the result; nothing is created.
//
// workers goroutines hash in parallel (all CPUs when workers <= 0). They
// claim consecutive runs of pieces in order, so the files are read front to
// back in large chunks, which suits the kernel's read-ahead and spinning
// disks alike. progress, if not nil, is called after each run with the
// number of pieces checked so far and the total; the calls never overlap,
// and they should return quickly since workers wait for them.
//
// Recheck stops early with an error wrapping ctx.Err() when ctx is done, and
// with the first read error other than missing data.
func (s *Storage) Recheck(ctx context.Context, workers int, progress func(done, total int)) (*bitfield.Bitfield, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("storage: recheck: %w", ErrClosed)
	}
	total := len(s.hashes)
	have := bitfield.New(total)

	run, bufSize := s.recheckRun()
	runs := (total + run - 1) / run
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, runs)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next int64 // first piece of the next unclaimed run
		mu   sync.Mutex
		done int // guarded by mu, like have and the progress calls
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			buf := make([]byte, bufSize)
			matched := make([]bool, run)
			h := sha1.New()
			lanes := piecehash.New()
			for ctx.Err() == nil {
				first := int(atomic.AddInt64(&next, int64(run))) - run
				if first >= total {
					return
				}
				last := min(first+run, total)
				if err := s.checkRun(first, last, buf, h, lanes, matched); err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				for p := first; p < last; p++ {
					if matched[p-first] {
						have.Set(p)
					}
				}
				done += last - first
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("storage: recheck: %w", err)
		}
		return nil, err
	}
	return have, nil
}

// recheckRun returns how many consecutive pieces a recheck worker claims at
// a time and the size of its read buffer. A run is as many whole pieces as
// fit in chunkSize (at least one); pieces longer than that are streamed
// through the buffer. Where the CPU hashes piecehash.Lanes pieces side by
// side a run has at least that many: shorter pieces are read whole, longer
// ones in strips of chunkSize per piece.
func (s *Storage) recheckRun() (run int, bufSize int64) {
	run, bufSize = 1, chunkSize
	if s.pieceLength <= chunkSize {
		run = int(chunkSize / s.pieceLength)
		bufSize = int64(run) * s.pieceLength
	}
	if recheckInGroups && piecehash.Accelerated() && run < piecehash.Lanes {
		run = piecehash.Lanes
		bufSize = piecehash.Lanes * min(s.pieceLength, chunkSize)
	}
	return run, bufSize
}

// checkRun hashes pieces [first, last) and sets matched[p-first] for each
// piece p that is on disk with the right hash.
func (s *Storage) checkRun(first, last int, buf []byte, h hash.Hash, lanes *piecehash.Digest, matched []bool) error {
	clear(matched)
	if last-first == piecehash.Lanes && s.pieceLength > chunkSize && s.PieceSize(last-1) == s.pieceLength {
		err := s.checkGroupInStrips(first, buf, lanes, matched)
		if err == nil {
			return nil
		}
		if !isMissingData(err) {
			return fmt.Errorf("storage: recheck pieces %d-%d: read %w", first, last-1, err)
		}
		// Some piece's data is missing; find out which pieces are whole.
	} else if last-first > 1 && int64(last-first)*s.pieceLength <= int64(len(buf)) {
		// All pieces of the run fit in buf: read them in one go.
		start := int64(first) * s.pieceLength
		end := int64(last-1)*s.pieceLength + s.PieceSize(last-1)
		err := s.readAt(buf[:end-start], start)
		if err == nil {
			p := first
			// Groups of full-length pieces side by side, the rest one by one.
			for ; piecehash.Accelerated() && p+piecehash.Lanes <= last && s.PieceSize(p+piecehash.Lanes-1) == s.pieceLength; p += piecehash.Lanes {
				var group [piecehash.Lanes][]byte
				for i := range group {
					lo := int64(p+i-first) * s.pieceLength
					group[i] = buf[lo : lo+s.pieceLength]
				}
				var sums [piecehash.Lanes][sha1.Size]byte
				lanes.Reset()
				lanes.Write(&group)
				lanes.Sum(&sums)
				for i, sum := range sums {
					matched[p+i-first] = sum == s.hashes[p+i]
				}
			}
			for ; p < last; p++ {
				lo := int64(p-first) * s.pieceLength
				matched[p-first] = sha1.Sum(buf[lo:lo+s.PieceSize(p)]) == s.hashes[p]
			}
			return nil
		}
		if !isMissingData(err) {
			return fmt.Errorf("storage: recheck pieces %d-%d: read %w", first, last-1, err)
		}
		// Some file of the run is missing or short; find out which pieces
		// are still whole.
	}
	for p := first; p < last; p++ {
		ok, err := s.hashPiece(p, buf, h)
		if err != nil && !isMissingData(err) {
			return fmt.Errorf("storage: recheck piece %d: read %w", p, err)
		}
		matched[p-first] = ok && err == nil
	}
	return nil
}

// checkGroupInStrips hashes the piecehash.Lanes full-length pieces from
// first side by side, reading each in strips of len(buf)/Lanes bytes, and
// sets matched[i] for those with the right hash.
func (s *Storage) checkGroupInStrips(first int, buf []byte, lanes *piecehash.Digest, matched []bool) error {
	var sums [piecehash.Lanes][sha1.Size]byte
	if err := lanes.SumPieces(s.readAt, int64(first)*s.pieceLength, s.pieceLength, buf, &sums); err != nil {
		return err
	}
	for i, sum := range sums {
		matched[i] = sum == s.hashes[first+i]
	}
	return nil
}

// isMissingData reports whether a read failed because the data is simply not
// there (yet): a missing file, a path through a regular file, a short file.
func isMissingData(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, io.ErrUnexpectedEOF)
}
