package app

import (
	"fmt"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// startMagnet starts the engine torrent of a magnet link whose metadata
// has not arrived yet, and waits for it in the background.
func (c *Client) startMagnet(e *entry) {
	c.mu.Lock()
	rec, peers := e.rec, e.peers
	c.mu.Unlock()
	m, err := metainfo.ParseMagnet(rec.Magnet)
	if err != nil {
		c.setError(e, fmt.Sprintf("the magnet link is damaged: %v", err))
		return
	}
	t, err := c.session.AddMagnet(m, torrent.AddOptions{
		Dir:           rec.SavePath,
		Peers:         peers,
		NoTrackers:    c.cfg.NoTrackers,
		Paused:        true, // the queue resumes it
		UploadLimit:   rec.UploadLimit,
		DownloadLimit: rec.DownloadLimit,
	})
	if err != nil {
		c.setError(e, fmt.Sprintf("could not start: %v", err))
		return
	}
	c.mu.Lock()
	if c.closed || e.removed {
		c.mu.Unlock()
		go t.Stop()
		return
	}
	e.t = t
	c.mu.Unlock()
	if !c.background(func() { c.awaitMetadata(e, t) }) {
		go t.Stop()
	}
}

// awaitMetadata stores the .torrent once the engine has fetched the
// metadata, replacing the magnet link in the record, so a restart resumes
// like any torrent.
func (c *Client) awaitMetadata(e *entry, t *torrent.Torrent) {
	select {
	case <-t.MetadataReady():
	case <-t.Stopped():
		return
	case <-c.ctx.Done():
		return
	}
	mi := t.MetaInfo()
	c.mu.Lock()
	saveDir := e.rec.SavePath
	c.mu.Unlock()
	paths, err := mi.Info.FilePaths(saveDir)
	if err != nil {
		c.setError(e, fmt.Sprintf("save folder %s: %v", saveDir, err))
		return
	}
	c.dbMu.Lock()
	defer c.dbMu.Unlock()
	c.mu.Lock()
	if e.removed || e.t != t {
		c.mu.Unlock()
		return
	}
	e.mi, e.name, e.paths = mi, mi.Info.Name, paths
	rec := e.rec
	rec.MetaInfo, rec.Magnet = mi.Raw, ""
	e.rec = rec
	c.mu.Unlock()
	if err := c.store.PutTorrent(rec); err != nil {
		c.emit(Event{Kind: EventError, ID: e.id, Name: mi.Info.Name,
			Message: fmt.Sprintf("the metadata of %q could not be saved: %v", mi.Info.Name, err)})
		return
	}
	c.refresh(time.Now())
}
