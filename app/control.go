package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// Start lets a paused torrent run again (when the queue has room). On a
// torrent in the Error state it retries: the torrent restarts from its
// resume data, hashing only files that changed.
func (c *Client) Start(id ID) error {
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	if e.busy != 0 {
		c.mu.Unlock()
		return fmt.Errorf("%q is %v; try again when that is done", e.name, e.busy)
	}
	e.userPaused = false
	e.rec.Paused = false
	retry := e.errMsg != ""
	if retry {
		e.errMsg, e.rec.Error = "", ""
		e.busy = Checking
	}
	c.mu.Unlock()
	c.putRecord(e)
	if retry {
		c.restart(e, true, nil)
	}
	c.refresh(time.Now())
	return nil
}

// Pause stops a torrent's transfers until Start.
func (c *Client) Pause(id ID) error {
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	e.userPaused = true
	e.rec.Paused = true
	var t *torrent.Torrent
	if s := e.snapshot(); s != nil && (s.State == torrent.Downloading || s.State == torrent.Seeding) {
		t = e.t
	}
	c.mu.Unlock()
	c.putRecord(e)
	if t != nil {
		t.Pause()
	}
	c.refresh(time.Now())
	return nil
}

// Recheck hashes all of a torrent's data again, in the background. Until
// it is over the stored progress says nothing is verified, so a crash
// during the recheck cannot bring back pieces it would have rejected.
func (c *Client) Recheck(id ID) error {
	e, err := c.claim(id, Checking)
	if err != nil {
		return err
	}
	c.mu.Lock()
	e.errMsg, e.rec.Error = "", ""
	c.mu.Unlock()
	c.putRecord(e)
	c.restart(e, false, nil)
	return nil
}

// claim marks a torrent busy with a background operation.
func (c *Client) claim(id ID, busy State) (*entry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	e, err := c.lookupLocked(id)
	if err != nil {
		return nil, err
	}
	if e.busy != 0 {
		return nil, fmt.Errorf("%q is %v; try again when that is done", e.name, e.busy)
	}
	if e.mi == nil && e.rec.Magnet != "" {
		return nil, fmt.Errorf("%q is still fetching its metadata; try again once it has arrived", e.name)
	}
	if e.mi == nil {
		return nil, fmt.Errorf("%q cannot be started: %s", e.name, e.errMsg)
	}
	e.busy = busy
	return e, nil
}

// restart stops e's engine torrent in the background, runs work (if any)
// and starts it again: from its resume data when keep is set, with a full
// recheck when not. e.busy must already be set; it is cleared here.
func (c *Client) restart(e *entry, keep bool, work func() error) {
	ok := c.background(func() {
		err := c.stopEngine(e, keep)
		if err != nil {
			c.log.Warn("stopping torrent for a restart", "torrent", e.name, "err", err)
		}
		if work != nil {
			if werr := work(); werr != nil {
				c.mu.Lock()
				e.busy = 0
				c.mu.Unlock()
				c.setError(e, werr.Error())
				return
			}
		}
		c.mu.Lock()
		e.busy = 0
		e.completedSeen = !e.rec.Completed.IsZero()
		c.mu.Unlock()
		c.startEngine(e)
	})
	if !ok {
		c.mu.Lock()
		e.busy = 0
		c.mu.Unlock()
	}
}

// Remove takes a torrent out of the list at once. With deleteData its
// files are deleted in the background once it has stopped — only the
// torrent's own files, then the folders that became empty — and
// EventRemoved (or EventError) says when that is done.
func (c *Client) Remove(id ID, deleteData bool) error {
	c.dbMu.Lock()
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err == nil && e.busy != 0 {
		err = fmt.Errorf("%q is %v; try again when that is done", e.name, e.busy)
	}
	if err != nil {
		c.mu.Unlock()
		c.dbMu.Unlock()
		return err
	}
	c.forgetLocked(e)
	t := e.t
	e.t = nil
	saveDir, paths := e.rec.SavePath, e.paths
	c.mu.Unlock()
	err = c.store.DeleteTorrent(id)
	c.dbMu.Unlock()
	if err != nil {
		return fmt.Errorf("remove %q: %w", e.name, err)
	}
	finish := func() {
		var msgs []error
		if t != nil {
			if err := t.Stop(); err != nil {
				msgs = append(msgs, err)
			}
		}
		if deleteData {
			msgs = append(msgs, deleteFiles(saveDir, paths))
		}
		if err := errors.Join(msgs...); err != nil {
			c.emit(Event{Kind: EventError, ID: id, Name: e.name, Message: "removing: " + err.Error()})
		}
		c.emit(Event{Kind: EventRemoved, ID: id, Name: e.name})
	}
	if !c.background(finish) {
		finish()
	}
	c.refresh(time.Now())
	return nil
}

// deleteFiles deletes the given files, then every folder between them and
// saveDir that is now empty. saveDir itself stays.
func deleteFiles(saveDir string, paths []string) error {
	var errs []error
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := os.Remove(p); err != nil && !isNotExist(err) {
			errs = append(errs, err)
		}
	}
	removeEmptyParents(saveDir, paths)
	return errors.Join(errs...)
}

// moveFetchingMagnet handles SetSaveDir for a magnet link still waiting for
// its metadata: there are no files yet, so only the folder changes, and the
// link starts again there. It reports false for every other torrent. Should
// the metadata arrive while the link stops, what it wrote is moved as for
// any torrent.
func (c *Client) moveFetchingMagnet(id ID, abs string) (bool, error) {
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err != nil || e.mi != nil || e.rec.Magnet == "" {
		c.mu.Unlock()
		return false, nil // SetSaveDir's usual path says what is wrong
	}
	if e.busy != 0 {
		c.mu.Unlock()
		return true, fmt.Errorf("%q is %v; try again when that is done", e.name, e.busy)
	}
	if e.rec.SavePath == abs {
		c.mu.Unlock()
		return true, nil
	}
	e.busy = Moving
	c.mu.Unlock()
	c.restart(e, true, func() error {
		c.mu.Lock()
		mi, oldDir, oldPaths := e.mi, e.rec.SavePath, e.paths
		c.mu.Unlock()
		if mi != nil {
			newPaths, err := mi.Info.FilePaths(abs)
			if err != nil {
				return fmt.Errorf("moving to %s failed: %w", abs, err)
			}
			if err := moveFiles(oldPaths, newPaths); err != nil {
				return fmt.Errorf("moving the files to %s failed: %w", abs, err)
			}
			removeEmptyParents(oldDir, oldPaths)
			c.mu.Lock()
			e.paths = newPaths
			c.mu.Unlock()
		}
		c.mu.Lock()
		e.rec.SavePath = abs
		c.mu.Unlock()
		c.putRecord(e)
		return nil
	})
	return true, nil
}

// SetSaveDir moves a torrent's files to dir in the background (state
// Moving) and restarts it there from its resume data: moved files keep
// their modification times, so nothing is hashed again.
func (c *Client) SetSaveDir(id ID, dir string) error {
	abs, err := absDir(dir)
	if err != nil {
		return err
	}
	if fetching, err := c.moveFetchingMagnet(id, abs); fetching || err != nil {
		return err
	}
	e, err := c.claim(id, Moving)
	if err != nil {
		return err
	}
	c.mu.Lock()
	same := e.rec.SavePath == abs
	if same {
		e.busy = 0
	}
	c.mu.Unlock()
	if same {
		return nil
	}
	newPaths, err := e.mi.Info.FilePaths(abs)
	if err != nil {
		c.mu.Lock()
		e.busy = 0
		c.mu.Unlock()
		return fmt.Errorf("move %q to %s: %w", e.name, abs, err)
	}
	c.restart(e, true, func() error {
		c.mu.Lock()
		oldDir, oldPaths := e.rec.SavePath, e.paths
		c.mu.Unlock()
		if err := moveFiles(oldPaths, newPaths); err != nil {
			return fmt.Errorf("moving the files to %s failed: %w", abs, err)
		}
		removeEmptyParents(oldDir, oldPaths)
		c.mu.Lock()
		e.rec.SavePath, e.paths = abs, newPaths
		c.mu.Unlock()
		c.putRecord(e)
		return nil
	})
	return nil
}

// removeEmptyParents removes the folders the torrent's files were in, up
// to but not including root, when they are empty.
func removeEmptyParents(root string, paths []string) {
	dirs := map[string]bool{}
	for _, p := range paths {
		if p == "" {
			continue
		}
		for d := filepath.Dir(p); d != root && len(d) > len(root); d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	ordered := make([]string, 0, len(dirs))
	for d := range dirs {
		ordered = append(ordered, d)
	}
	// Deepest first, so a parent is tried after its children.
	slices.SortFunc(ordered, func(a, b string) int { return len(b) - len(a) })
	for _, d := range ordered {
		os.Remove(d) // fails, as wanted, when the folder holds anything else
	}
}

// moveFiles moves each existing file to its new path: a rename when the
// folders share a file system, else a copy that keeps the modification
// time (resume data relies on it) followed by removing the original.
func moveFiles(from, to []string) error {
	for i, src := range from {
		if src == "" {
			continue
		}
		if _, err := os.Stat(src); isNotExist(err) {
			continue // never written
		}
		dst := to[i]
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		err := os.Rename(src, dst)
		if err == nil {
			continue
		}
		if !errors.Is(err, syscall.EXDEV) {
			return err
		}
		if err := copyFile(src, dst); err != nil {
			os.Remove(dst)
			return err
		}
		if err := os.Remove(src); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(dst, st.ModTime(), st.ModTime())
}

// SetFilePriority changes one file's priority: Skip stops downloading it
// (pieces it shares with wanted files still come), High fetches it first.
func (c *Client) SetFilePriority(id ID, file int, p FilePriority) error {
	return c.SetFilePriorities(id, []int{file}, p)
}

// SetFilePriorities gives several files (by FileStatus.Index) the same
// priority, as for a folder: one record write and one hand-over to the
// engine however many files change. Nothing changes if any index is wrong.
func (c *Client) SetFilePriorities(id ID, files []int, p FilePriority) error {
	if !p.valid() {
		return fmt.Errorf("%v is not a file priority", p)
	}
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err == nil && e.mi == nil {
		err = fmt.Errorf("%q: %s", e.name, e.errMsg)
	}
	if err != nil {
		c.mu.Unlock()
		return err
	}
	for _, file := range files {
		if file < 0 || file >= len(e.mi.Info.Files) {
			c.mu.Unlock()
			return fmt.Errorf("%q has no file %d (it has %d)", e.name, file, len(e.mi.Info.Files))
		}
	}
	prios := make([]int8, len(e.mi.Info.Files))
	for i := range prios {
		prios[i] = int8(filePriority(e.rec.FilePriorities, i))
	}
	for _, file := range files {
		prios[file] = int8(p)
	}
	e.rec.FilePriorities = prios
	c.mu.Unlock()
	c.putRecord(e)
	// The engine may be checking, which delays the call: do it aside. Each
	// call applies the latest priorities, so their order does not matter.
	c.background(func() { c.applyPriorities(e) })
	return nil
}

// applyPriorities hands e's current file priorities to its engine torrent,
// restarting it when a complete torrent must download again.
func (c *Client) applyPriorities(e *entry) {
	c.mu.Lock()
	t, info, prios := e.t, e.mi.Info, e.rec.FilePriorities
	c.mu.Unlock()
	if t == nil {
		return // applied when it starts
	}
	err := t.SetPiecePriorities(piecePrioritiesFull(info, prios))
	if errors.Is(err, torrent.ErrNeedsRestart) {
		c.mu.Lock()
		if e.busy != 0 || e.t != t {
			c.mu.Unlock()
			return
		}
		e.busy = Checking
		e.rec.Completed = time.Time{}
		c.mu.Unlock()
		c.restart(e, true, nil)
	}
}

// AddPeers connects a torrent to peers at "host:port" besides those its
// trackers give (the command line's -peer). They are kept until Close, not
// saved.
func (c *Client) AddPeers(id ID, addrs []string) error {
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	e.peers = append(slices.Clone(e.peers), addrs...)
	t := e.t
	c.mu.Unlock()
	if t != nil {
		// Aside: the engine takes commands only once its check is over.
		c.background(func() {
			for _, a := range addrs {
				t.AddPeer(a)
			}
		})
	}
	return nil
}

// SetRateLimits sets one torrent's own upload and download limits in
// bytes/s (0 = none); the global limits of the settings still apply on top.
// They are saved with the torrent and take effect at once.
func (c *Client) SetRateLimits(id ID, upload, download int64) error {
	if upload < 0 || download < 0 {
		return fmt.Errorf("rate limits must not be negative (up %d, down %d)", upload, download)
	}
	c.mu.Lock()
	e, err := c.lookupLocked(id)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	e.rec.UploadLimit, e.rec.DownloadLimit = upload, download
	t := e.t
	c.mu.Unlock()
	c.putRecord(e)
	if t != nil {
		t.SetRateLimits(upload, download)
	}
	return nil
}

// RateLimits returns one torrent's own limits in bytes/s (0 = none).
func (c *Client) RateLimits(id ID) (upload, download int64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, err := c.lookupLocked(id)
	if err != nil {
		return 0, 0, err
	}
	return e.rec.UploadLimit, e.rec.DownloadLimit, nil
}

// MergeTrackers adds trackers to a torrent already in the list — what the
// user wants when they add the same torrent again from a source that knows
// other trackers. Trackers it already has are skipped; the info hash and
// the data are untouched. The torrent restarts from its resume data (no
// re-hash) to announce to the new list.
func (c *Client) MergeTrackers(id ID, tiers [][]string) error {
	e, err := c.claim(id, Checking)
	if err != nil {
		return err
	}
	c.mu.Lock()
	mi := e.mi
	c.mu.Unlock()
	merged := metainfo.MergeTiers(mi.AnnounceList, tiers)
	updated, err := metainfo.WithTrackers(mi, merged)
	if err != nil {
		c.mu.Lock()
		e.busy = 0
		c.mu.Unlock()
		return fmt.Errorf("%q: %w", e.name, err)
	}
	c.mu.Lock()
	e.mi = updated
	e.rec.MetaInfo = updated.Raw
	c.mu.Unlock()
	c.putRecord(e)
	c.restart(e, true, nil)
	return nil
}
