package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/persist"
)

// ErrClosed is returned by operations after Close.
var ErrClosed = errors.New("the client is closed")

// AddTorrentFile adds the .torrent at path.
func (c *Client) AddTorrentFile(path string, opts AddOptions) (ID, error) {
	mi, err := metainfo.Load(path)
	if err != nil {
		return ID{}, err
	}
	return c.add(mi, opts, persist.TorrentRecord{})
}

// AddTorrentBytes adds a .torrent held in memory (a download, a drop).
func (c *Client) AddTorrentBytes(data []byte, opts AddOptions) (ID, error) {
	mi, err := metainfo.Parse(data)
	if err != nil {
		return ID{}, fmt.Errorf("add torrent: %w", err)
	}
	return c.add(mi, opts, persist.TorrentRecord{})
}

// AddMagnet adds a torrent by magnet link. It shows "fetching metadata"
// until peers (from the link's trackers and x.pe addresses, the DHT and
// PEX) have sent the info dictionary; the link is stored until then, the
// full .torrent after, and the download proceeds as for a .torrent file.
func (c *Client) AddMagnet(uri string, opts AddOptions) (ID, error) {
	m, err := metainfo.ParseMagnet(uri)
	if err != nil {
		return ID{}, fmt.Errorf("add magnet link: %w", err)
	}
	id := m.InfoHash
	if opts.FilePriorities != nil {
		return id, fmt.Errorf("add magnet link %s: file priorities need the metadata; set them once it has arrived", id.Hex())
	}
	name := m.DisplayName
	if name == "" {
		name = id.Hex()
	}
	c.mu.Lock()
	dir := opts.SaveDir
	if dir == "" {
		dir = c.defaultDirLocked()
	}
	c.mu.Unlock()
	dir, err = absDir(dir)
	if err != nil {
		return id, fmt.Errorf("add magnet link %s: %w", id.Hex(), err)
	}
	if err := c.lockForAdd(id); err != nil {
		return id, err
	}
	rec := persist.TorrentRecord{
		InfoHash: id, Magnet: m.String(), SavePath: dir, Added: time.Now(),
		Paused: opts.Paused, QueuePosition: c.nextQueue,
	}
	c.nextQueue++
	e := &entry{id: id, name: name, rec: rec, peers: append([]string(nil), opts.Peers...), userPaused: opts.Paused}
	c.entries[id] = e
	c.order = append(c.order, e)
	c.mu.Unlock()
	err = c.store.PutTorrent(rec)
	c.dbMu.Unlock()
	if err != nil {
		c.mu.Lock()
		c.forgetLocked(e)
		c.mu.Unlock()
		return id, fmt.Errorf("add magnet link %s: %w", id.Hex(), err)
	}
	c.emit(Event{Kind: EventAdded, ID: id, Name: name})
	c.startEngine(e)
	c.refresh(time.Now())
	return id, nil
}

// CreateAndSeed makes a torrent of the file or folder at path and seeds it
// from where it is (its parent folder becomes the save folder). The pieces
// just hashed are taken as verified when no file changed while hashing, so
// seeding starts without reading the data again; otherwise it is checked.
func (c *Client) CreateAndSeed(ctx context.Context, path string, copts metainfo.CreateOptions) (ID, *metainfo.MetaInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ID{}, nil, fmt.Errorf("create torrent of %q: %w", path, err)
	}
	started := time.Now()
	mi, err := metainfo.Create(ctx, abs, copts)
	if err != nil {
		return ID{}, nil, err
	}
	dir := filepath.Dir(abs)
	paths, err := mi.Info.FilePaths(dir)
	if err != nil {
		return ID{}, nil, fmt.Errorf("create torrent of %s: %w", abs, err)
	}
	seed := persist.TorrentRecord{Completed: time.Now()}
	stamps := stampFiles(mi.Info, paths)
	if unchangedSince(mi.Info, stamps, started) {
		have := allPieces(mi.Info.NumPieces())
		seed.Bitfield, seed.NumPieces, seed.FileStamps = have, mi.Info.NumPieces(), stamps
	}
	id, err := c.add(mi, AddOptions{SaveDir: dir}, seed)
	return id, mi, err
}

// unchangedSince reports whether every file was last modified safely
// before t (a second of margin for coarse file-system clocks), so what
// Create hashed is what is on disk.
func unchangedSince(info *metainfo.Info, stamps []persist.FileStamp, t time.Time) bool {
	for i, f := range info.Files {
		if f.Padding || f.Length == 0 {
			continue
		}
		if stamps[i].Size != f.Length || !stamps[i].ModTime.Before(t.Add(-time.Second)) {
			return false
		}
	}
	return true
}

func allPieces(n int) []byte {
	b := make([]byte, (n+7)/8)
	for i := range n {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return b
}

// add puts a torrent in the list and the database and starts it. seed
// carries resume data and a completion time (CreateAndSeed).
func (c *Client) add(mi *metainfo.MetaInfo, opts AddOptions, seed persist.TorrentRecord) (ID, error) {
	id := mi.InfoHash
	if opts.FilePriorities != nil && len(opts.FilePriorities) != len(mi.Info.Files) {
		return id, fmt.Errorf("add %q: %d file priorities for %d files", mi.Info.Name, len(opts.FilePriorities), len(mi.Info.Files))
	}
	var prios []int8
	for i, p := range opts.FilePriorities {
		if !p.valid() {
			return id, fmt.Errorf("add %q: file %d: %v is not a priority", mi.Info.Name, i, p)
		}
		prios = append(prios, int8(p))
	}
	c.mu.Lock()
	dir := opts.SaveDir
	if dir == "" {
		dir = c.defaultDirLocked()
	}
	c.mu.Unlock()
	dir, err := absDir(dir)
	if err != nil {
		return id, fmt.Errorf("add %q: %w", mi.Info.Name, err)
	}
	paths, err := mi.Info.FilePaths(dir)
	if err != nil {
		return id, fmt.Errorf("add %q: %w", mi.Info.Name, err)
	}

	if err := c.lockForAdd(id); err != nil {
		return id, err
	}
	rec := seed
	rec.InfoHash = id
	rec.MetaInfo = mi.Raw
	rec.SavePath = dir
	rec.Added = time.Now()
	rec.Paused = opts.Paused
	rec.QueuePosition = c.nextQueue
	rec.FilePriorities = prios
	c.nextQueue++
	e := &entry{
		id: id, name: mi.Info.Name, mi: mi, paths: paths, rec: rec,
		peers:         append([]string(nil), opts.Peers...),
		userPaused:    opts.Paused,
		completedSeen: !rec.Completed.IsZero(),
	}
	c.entries[id] = e
	c.order = append(c.order, e)
	c.mu.Unlock()
	err = c.store.PutTorrent(rec)
	c.dbMu.Unlock()
	if err != nil {
		c.mu.Lock()
		c.forgetLocked(e)
		c.mu.Unlock()
		return id, fmt.Errorf("add %q: %w", mi.Info.Name, err)
	}
	c.emit(Event{Kind: EventAdded, ID: id, Name: e.name})
	c.startEngine(e)
	c.refresh(time.Now()) // the list shows it at once
	return id, nil
}

// forgetLocked takes e out of the list.
func (c *Client) forgetLocked(e *entry) {
	e.removed = true
	delete(c.entries, e.id)
	for i, o := range c.order {
		if o == e {
			c.order = append(c.order[:i:i], c.order[i+1:]...)
			break
		}
	}
}

// lockForAdd takes dbMu and then mu for adding torrent id, and returns with
// both held; or, holding neither, says why it cannot be added (the client
// is closed, or the torrent is already in the list).
func (c *Client) lockForAdd(id ID) error {
	c.dbMu.Lock()
	c.mu.Lock()
	var err error
	if c.closed {
		err = ErrClosed
	} else if old := c.entries[id]; old != nil {
		err = &DuplicateError{ID: id, Name: old.name}
	}
	if err != nil {
		c.mu.Unlock()
		c.dbMu.Unlock()
	}
	return err
}
