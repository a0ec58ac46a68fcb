package torrent

// Resume data: the engine side of restarting without re-hashing.
//
// The application saves, every few seconds, which pieces are verified
// (Checkpoint) together with each file's size and modification time. On the
// next start it passes the saved set as AddOptions.Resume and lists in
// AddOptions.RecheckPieces the pieces of files that changed meanwhile; the
// check of existing data then hashes only those. Crash safety rests on one
// ordering rule, which Checkpoint keeps: a piece is reported as verified
// only after its data has been synced to disk.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/picker"
)

// ErrChecking is returned by Checkpoint while the torrent is still checking
// its existing data: nothing is known to be verified yet.
var ErrChecking = errors.New("the torrent is still checking its data")

// ErrNeedsRestart is returned by SetPiecePriorities when a complete torrent
// would have to download again: its Done channel is already closed, so the
// new priorities take effect only when the torrent is added again.
var ErrNeedsRestart = errors.New("a complete torrent must be restarted to download more pieces")

// resumeState is the part of Torrent that resume.go owns.
type resumeState struct {
	// hashed counts pieces hashed while checking existing data.
	hashed atomic.Int64
	// checkDone is set (by the loop goroutine) once the check of existing
	// data has produced t.have; before that t.have means nothing.
	checkDone bool
	// finalHave is t.have after the files were synced and closed at stop;
	// nil when the check never finished or the sync failed. Written before
	// Stopped is closed, read after.
	finalHave *bitfield.Bitfield
	// failErr is the error that put the torrent in the Failed state.
	failErr atomic.Pointer[error]
}

// checkData produces the verified pieces at start: a full recheck, or with
// AddOptions.Resume only the pieces resume data cannot vouch for.
func (t *Torrent) checkData(progress func(done, total int)) (*bitfield.Bitfield, error) {
	if t.opts.Resume == nil {
		have, err := t.storage.Recheck(t.ctx, 0, progress)
		if err == nil {
			t.hashed.Add(int64(have.Len()))
		}
		return have, err
	}
	n := t.info.NumPieces()
	if t.opts.Resume.Len() != n {
		return nil, fmt.Errorf("resume data holds %d pieces, the torrent has %d", t.opts.Resume.Len(), n)
	}
	have := t.opts.Resume.Clone()
	var todo []int
	for _, p := range t.opts.RecheckPieces {
		if p < 0 || p >= n {
			return nil, fmt.Errorf("resume data: piece %d to recheck is out of range (the torrent has %d)", p, n)
		}
		todo = append(todo, p)
	}
	slices.Sort(todo)
	todo = slices.Compact(todo)
	for _, p := range todo {
		have.Clear(p) // known again only if it hashes right
	}
	if len(todo) == 0 {
		return have, nil
	}
	var (
		next     atomic.Int64
		mu       sync.Mutex // guards have, done, firstErr and progress calls
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	workers := min(t.s.cfg.DiskWorkers, len(todo))
	for range workers {
		wg.Go(func() {
			for t.ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				ok, err := t.storage.VerifyPiece(todo[i])
				t.hashed.Add(1)
				mu.Lock()
				if err != nil && !missingData(err) && firstErr == nil {
					firstErr = err
				}
				if ok && err == nil {
					have.Set(todo[i])
				}
				done++
				if progress != nil {
					progress(done, len(todo))
				}
				stop := firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := t.ctx.Err(); err != nil {
		return nil, fmt.Errorf("recheck: %w", err)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return have, nil
}

// missingData reports whether a read failed only because the data is not
// there: a missing file, a path through a regular file, a short file.
func missingData(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, io.ErrUnexpectedEOF)
}

// applyPiecePriorities hands AddOptions.PiecePriorities to the picker; it
// runs once the check of existing data is over.
func (t *Torrent) applyPiecePriorities() {
	if t.opts.PiecePriorities != nil {
		t.picker.SetPiecePriorities(t.opts.PiecePriorities)
	}
}

// Checkpoint returns the verified pieces after syncing the torrent's files,
// so that every piece it reports is on stable storage: the set is taken
// first, then the files are synced, and only then is it returned — pieces
// verified while the sync runs are left for the next checkpoint. After the
// torrent has stopped it returns the set synced at stop.
//
// It fails with ErrChecking while existing data is being checked and with
// the sync's error when the disk refuses.
func (t *Torrent) Checkpoint() (*bitfield.Bitfield, error) {
	if s := t.Snapshot(); s != nil && s.State == Checking {
		return nil, ErrChecking
	}
	reply := make(chan *bitfield.Bitfield, 1)
	select {
	case t.commands <- func() {
		if t.checkDone {
			reply <- t.have.Clone()
		} else {
			reply <- nil
		}
	}:
	case <-t.stopped:
		return t.stoppedCheckpoint()
	}
	var have *bitfield.Bitfield
	select {
	case have = <-reply:
	case <-t.stopped:
		return t.stoppedCheckpoint()
	}
	if have == nil {
		return nil, ErrChecking
	}
	if err := t.storage.Sync(); err != nil {
		select {
		case <-t.stopped:
			// Stopped meanwhile: shutdown synced and closed the files.
			return t.stoppedCheckpoint()
		default:
		}
		return nil, fmt.Errorf("torrent %q: checkpoint: %w", t.Name(), err)
	}
	return have, nil
}

func (t *Torrent) stoppedCheckpoint() (*bitfield.Bitfield, error) {
	if t.finalHave == nil {
		if t.stopErr != nil {
			return nil, t.stopErr
		}
		return nil, fmt.Errorf("torrent %q stopped before its data was checked", t.Name())
	}
	return t.finalHave.Clone(), nil
}

// Err returns the error that put the torrent in the Failed state, for
// callers that want to tell a full disk from a missing permission with
// errors.Is; Snapshot.Err has the same in words. Nil when it has not failed.
func (t *Torrent) Err() error {
	if p := t.failErr.Load(); p != nil {
		return *p
	}
	return nil
}

// SetPiecePriorities changes which pieces are wanted and how urgently, one
// picker priority per piece. Skipping everything still missing completes
// the torrent; wanting more of a complete torrent returns ErrNeedsRestart
// and changes nothing.
func (t *Torrent) SetPiecePriorities(prio []picker.Priority) error {
	prio = slices.Clone(prio)
	reply := make(chan error, 1)
	select {
	case t.commands <- func() { reply <- t.setPiecePriorities(prio) }:
	case <-t.stopped:
		return fmt.Errorf("torrent %q has stopped", t.Name())
	}
	select {
	case err := <-reply:
		return err
	case <-t.stopped:
		return fmt.Errorf("torrent %q has stopped", t.Name())
	}
}

func (t *Torrent) setPiecePriorities(prio []picker.Priority) error {
	if t.info == nil {
		return fmt.Errorf("torrent %q: piece priorities need the metadata, which is still being fetched", t.Name())
	}
	if len(prio) != t.info.NumPieces() {
		return fmt.Errorf("torrent %q: %d piece priorities for %d pieces", t.info.Name, len(prio), t.info.NumPieces())
	}
	if t.complete {
		for i, p := range prio {
			if p > picker.Skip && !t.have.Has(i) {
				return ErrNeedsRestart
			}
		}
	}
	t.picker.SetPiecePriorities(prio)
	if !t.complete && t.checkDone && t.state != Failed && t.picker.Complete() {
		paused := t.state == Paused
		t.markComplete()
		if paused {
			t.state = Paused
		}
	}
	t.fillAll()
	t.publish(time.Now())
	return nil
}
