package app

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// missingSize marks, in a FileStamp, a file that did not exist.
const missingSize = -1

// stampFiles records each file's size and modification time, in torrent
// order. Padding and empty files get zero stamps: they hold no data.
func stampFiles(info *metainfo.Info, paths []string) []persist.FileStamp {
	stamps := make([]persist.FileStamp, len(info.Files))
	for i, f := range info.Files {
		if f.Padding || f.Length == 0 || i >= len(paths) || paths[i] == "" {
			continue
		}
		st, err := os.Stat(paths[i])
		if err != nil {
			stamps[i] = persist.FileStamp{Size: missingSize}
			continue
		}
		stamps[i] = persist.FileStamp{Size: st.Size(), ModTime: st.ModTime()}
	}
	return stamps
}

// resumePlan is how a torrent starts: which pieces resume data vouches for
// and which must be hashed again.
type resumePlan struct {
	have     *bitfield.Bitfield // nil: no usable resume data, hash everything
	recheck  []int
	restored int    // pieces taken from resume data without hashing
	missing  string // files that held verified pieces and are gone, in words
}

// planResume compares the files on disk with the stamps saved alongside
// the verified pieces. A file whose size or modification time changed has
// its pieces hashed again; a missing file that held verified pieces makes
// the torrent an error rather than a silent re-download.
func planResume(info *metainfo.Info, paths []string, rec persist.TorrentRecord) resumePlan {
	have := recordBitfield(info, rec)
	if have == nil || len(rec.FileStamps) != len(info.Files) {
		return resumePlan{}
	}
	var (
		recheck []int
		missing []string
	)
	for i, f := range info.Files {
		if f.Padding || f.Length == 0 {
			continue
		}
		stamp := rec.FileStamps[i]
		first, last := pieceSpan(info, f)
		st, err := os.Stat(paths[i])
		switch {
		case err == nil && st.Size() == stamp.Size && st.ModTime().Equal(stamp.ModTime):
			continue // unchanged: trust its pieces
		case err != nil && isNotExist(err) && stamp.Size == missingSize:
			continue // still not created: none of its pieces can be verified
		case err != nil && isNotExist(err) && anyIn(have, first, last):
			missing = append(missing, paths[i])
		}
		for k := first; k <= last; k++ {
			recheck = append(recheck, k)
		}
	}
	if len(missing) > 0 {
		return resumePlan{missing: missingMessage(missing)}
	}
	slices.Sort(recheck)
	recheck = slices.Compact(recheck)
	restored := have.Count()
	for _, k := range recheck {
		if have.Has(k) {
			restored--
		}
	}
	return resumePlan{have: have, recheck: recheck, restored: restored}
}

func missingMessage(paths []string) string {
	if len(paths) == 1 {
		return fmt.Sprintf("file %s is missing; put it back and press Start, or Force recheck to download it again", paths[0])
	}
	return fmt.Sprintf("%d files are missing, e.g. %s; put them back and press Start, or Force recheck to download them again",
		len(paths), paths[0])
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func anyIn(b *bitfield.Bitfield, first, last int) bool {
	for k := first; k <= last; k++ {
		if b.Has(k) {
			return true
		}
	}
	return false
}

// missingVerified lists files that are gone although have holds pieces of
// them: deleted while the torrent ran.
func missingVerified(info *metainfo.Info, paths []string, have *bitfield.Bitfield, stamps []persist.FileStamp) []string {
	var out []string
	for i, f := range info.Files {
		if f.Padding || f.Length == 0 || stamps[i].Size != missingSize {
			continue
		}
		if first, last := pieceSpan(info, f); anyIn(have, first, last) {
			out = append(out, paths[i])
		}
	}
	return out
}

// startEngine adds the entry's torrent to the session with its resume
// data. The torrent starts paused; the queue resumes it when it may run.
func (c *Client) startEngine(e *entry) {
	c.mu.Lock()
	if e.mi == nil && e.rec.Magnet != "" && !c.closed && !e.removed && e.t == nil {
		c.mu.Unlock()
		c.startMagnet(e)
		return
	}
	if c.closed || e.removed || e.mi == nil || e.t != nil {
		c.mu.Unlock()
		return
	}
	rec, mi, paths, peers := e.rec, e.mi, e.paths, e.peers
	c.mu.Unlock()

	plan := planResume(mi.Info, paths, rec)
	if plan.missing != "" {
		c.setError(e, plan.missing)
		return
	}
	opts := torrent.AddOptions{
		Dir:             rec.SavePath,
		Peers:           peers,
		NoTrackers:      c.cfg.NoTrackers,
		Resume:          plan.have,
		RecheckPieces:   plan.recheck,
		PiecePriorities: piecePriorities(mi.Info, rec.FilePriorities),
		Paused:          true,
		UploadLimit:     rec.UploadLimit,
		DownloadLimit:   rec.DownloadLimit,
	}
	t, err := c.session.Add(mi, opts)
	if err != nil {
		c.setError(e, fmt.Sprintf("could not start: %v", err))
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || e.removed {
		// Lost a race with Close or Remove: they no longer see this torrent.
		go t.Stop()
		return
	}
	e.t = t
	e.restored = plan.restored
	e.base = totals{up: rec.Uploaded, down: rec.Downloaded, wasted: rec.Wasted}
	if plan.have == nil {
		e.restored = 0
	}
}

// setError puts e in the Error state with msg, saves msg with its record
// and tells the UI.
func (c *Client) setError(e *entry, msg string) {
	c.mu.Lock()
	e.errMsg = msg
	e.rec.Error = msg
	c.mu.Unlock()
	c.emit(Event{Kind: EventError, ID: e.id, Name: e.name, Message: msg})
	c.putRecord(e)
}

// putRecord stores e's whole record (settings-like fields: folder, paused,
// priorities, error). Progress fields go with it as last saved.
func (c *Client) putRecord(e *entry) {
	c.dbMu.Lock()
	defer c.dbMu.Unlock()
	c.mu.Lock()
	rec, removed := e.rec, e.removed
	c.mu.Unlock()
	if removed {
		return
	}
	if err := c.store.PutTorrent(rec); err != nil {
		c.log.Warn("saving torrent failed", "torrent", e.name, "err", err)
		c.emit(Event{Kind: EventError, ID: e.id, Name: e.name, Message: "saving its settings failed: " + err.Error()})
	}
}

// saveProgress checkpoints every running torrent and stores all their
// progress in one transaction. A torrent whose verified files have
// vanished goes to the Error state instead.
func (c *Client) saveProgress() error {
	c.dbMu.Lock()
	defer c.dbMu.Unlock()
	type item struct {
		e    *entry
		t    *torrent.Torrent
		info *metainfo.Info
		path []string
	}
	var items []item
	c.mu.Lock()
	for _, e := range c.order {
		// Torrents in the Error state saved their progress when stopped.
		if e.t != nil && e.mi != nil && e.busy == 0 && e.errMsg == "" {
			items = append(items, item{e, e.t, e.mi.Info, e.paths})
		}
	}
	c.mu.Unlock()

	var (
		updates []persist.ProgressUpdate
		owners  []*entry
		gone    []*entry
	)
	for _, it := range items {
		have, err := it.t.Checkpoint()
		if err != nil {
			if !errors.Is(err, torrent.ErrChecking) {
				c.log.Warn("checkpoint failed", "torrent", it.info.Name, "err", err)
			}
			continue
		}
		// Stamped after the sync: a later write changes the time again.
		stamps := stampFiles(it.info, it.path)
		if missing := missingVerified(it.info, it.path, have, stamps); len(missing) > 0 {
			c.mu.Lock()
			it.e.errMsg = missingMessage(missing)
			it.e.rec.Error = it.e.errMsg
			c.mu.Unlock()
			gone = append(gone, it.e)
			continue
		}
		s := it.t.Snapshot()
		c.mu.Lock()
		tot := it.e.totals(s)
		u := persist.ProgressUpdate{
			InfoHash:    it.e.id,
			Bitfield:    have.Bytes(),
			NumPieces:   have.Len(),
			FileStamps:  stamps,
			Uploaded:    tot.up,
			Downloaded:  tot.down,
			Wasted:      tot.wasted,
			SeedingTime: it.e.seedingTime,
			Completed:   it.e.rec.Completed,
		}
		unchanged := sameProgress(it.e.rec, u)
		c.mu.Unlock()
		if !unchanged {
			updates = append(updates, u)
			owners = append(owners, it.e)
		}
	}
	var err error
	if len(updates) > 0 {
		err = c.store.SaveProgress(updates)
		if err == nil {
			c.mu.Lock()
			for i, e := range owners {
				u := updates[i]
				e.rec.Bitfield, e.rec.NumPieces, e.rec.FileStamps = u.Bitfield, u.NumPieces, u.FileStamps
				e.rec.Uploaded, e.rec.Downloaded, e.rec.Wasted = u.Uploaded, u.Downloaded, u.Wasted
				e.rec.SeedingTime = u.SeedingTime
			}
			c.mu.Unlock()
		}
	}
	for _, e := range gone {
		c.emit(Event{Kind: EventError, ID: e.id, Name: e.name, Message: e.errMsg})
		c.mu.Lock()
		rec := e.rec
		c.mu.Unlock()
		if perr := c.store.PutTorrent(rec); perr != nil {
			err = errors.Join(err, perr)
		}
		c.stopInBackground(e)
	}
	return err
}

// sameProgress reports whether u would store nothing new.
func sameProgress(rec persist.TorrentRecord, u persist.ProgressUpdate) bool {
	if !bytes.Equal(rec.Bitfield, u.Bitfield) || rec.NumPieces != u.NumPieces ||
		rec.Uploaded != u.Uploaded || rec.Downloaded != u.Downloaded || rec.Wasted != u.Wasted ||
		rec.SeedingTime != u.SeedingTime || len(rec.FileStamps) != len(u.FileStamps) {
		return false
	}
	if !u.Completed.IsZero() && !u.Completed.Equal(rec.Completed) {
		return false
	}
	for i := range u.FileStamps {
		a, b := rec.FileStamps[i], u.FileStamps[i]
		if a.Size != b.Size || !a.ModTime.Equal(b.ModTime) {
			return false
		}
	}
	return true
}

// stopEngine stops e's torrent and records the progress it had synced at
// stop: the bitfield and stamps when keep is set, nothing verified when
// not (a forced recheck: if we crash during it, the next start hashes
// everything rather than trusting the old set).
func (c *Client) stopEngine(e *entry, keep bool) error {
	c.mu.Lock()
	t := e.t
	c.mu.Unlock()
	if t == nil && keep {
		return nil // stopped already, its progress saved then
	}
	var (
		stopErr, haveErr error
		have             *bitfield.Bitfield
		s                *torrent.Snapshot
	)
	if t != nil {
		stopErr = t.Stop()
		have, haveErr = t.Checkpoint()
		s = t.Snapshot()
	}

	c.dbMu.Lock()
	defer c.dbMu.Unlock()
	c.mu.Lock()
	e.base = e.totals(s)
	e.t = nil
	if e.mi == nil {
		// A magnet link whose metadata never came: no pieces to save.
		c.mu.Unlock()
		return stopErr
	}
	info, paths := e.mi.Info, e.paths
	u := persist.ProgressUpdate{
		InfoHash:    e.id,
		NumPieces:   info.NumPieces(),
		Uploaded:    e.base.up,
		Downloaded:  e.base.down,
		Wasted:      e.base.wasted,
		SeedingTime: e.seedingTime,
		Completed:   e.rec.Completed,
	}
	c.mu.Unlock()
	switch {
	case !keep:
		// Nothing verified.
	case haveErr == nil:
		u.Bitfield = have.Bytes()
		u.FileStamps = stampFiles(info, paths)
	default:
		// Stopped during its check or the final sync failed: keep what was
		// stored before.
		c.mu.Lock()
		u.Bitfield, u.NumPieces, u.FileStamps = e.rec.Bitfield, e.rec.NumPieces, e.rec.FileStamps
		c.mu.Unlock()
	}
	err := c.store.SaveProgress([]persist.ProgressUpdate{u})
	if err == nil {
		c.mu.Lock()
		e.rec.Bitfield, e.rec.NumPieces, e.rec.FileStamps = u.Bitfield, u.NumPieces, u.FileStamps
		e.rec.Uploaded, e.rec.Downloaded, e.rec.Wasted = u.Uploaded, u.Downloaded, u.Wasted
		e.rec.SeedingTime = u.SeedingTime
		c.mu.Unlock()
	}
	return errors.Join(stopErr, err)
}

// stopInBackground stops e's engine torrent (after an error) without
// making the caller wait for the trackers.
func (c *Client) stopInBackground(e *entry) {
	c.background(func() {
		if err := c.stopEngine(e, true); err != nil {
			c.log.Warn("stopping torrent failed", "torrent", e.name, "err", err)
		}
	})
}

// background runs f on its own goroutine, which Close waits for; it does
// nothing once Close has begun (Close stops every torrent itself).
func (c *Client) background(f func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
	return true
}

// describeFailure turns the engine's error into words a user can act on.
func describeFailure(err error, fallback string) string {
	if err == nil {
		return fallback
	}
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		return fallback
	}
	var lead string
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		lead = "the disk is full"
	case errors.Is(err, syscall.EROFS):
		lead = "the save folder is on a read-only disk"
	case errors.Is(err, fs.ErrPermission):
		lead = "permission denied"
	case isNotExist(err):
		lead = "a file is missing"
	case errors.Is(err, syscall.EIO):
		lead = "the disk reported an I/O error"
	}
	// The engine may already lead with the same words ("disk full: …").
	if lead == "" || strings.HasPrefix(msg, "disk full") && lead == "the disk is full" {
		return msg
	}
	return lead + ": " + msg
}
