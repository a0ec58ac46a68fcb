package torrent

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/swarmscope/swarmscope/engine/metadata"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/pex"
)

// AddMagnet adds a torrent known only by its magnet link. It starts in the
// FetchingMetadata state: it finds peers through the link's trackers
// ("tr"), its peer addresses ("x.pe", dialled like AddOptions.Peers), the
// DHT and PEX, fetches the info dictionary from them (ut_metadata, checked
// against the info hash), and then proceeds exactly as a torrent added
// from its .torrent: storage, recheck, download. MetadataReady is closed
// and MetaInfo becomes non-nil when the metadata is in.
func (s *Session) AddMagnet(m *metainfo.Magnet, opts AddOptions) (*Torrent, error) {
	if m == nil {
		return nil, errors.New("add magnet link: no link")
	}
	if m.InfoHash == (metainfo.Hash{}) {
		return nil, errors.New("add magnet link: no info hash")
	}
	name := m.DisplayName
	if name == "" {
		name = m.InfoHash.Hex()
	}
	link := *m
	link.Trackers = slices.Clone(m.Trackers)
	link.Peers = slices.Clone(m.Peers)
	link.WebSeeds = slices.Clone(m.WebSeeds)
	opts.Peers = append(slices.Clone(opts.Peers), link.Peers...)
	if opts.Resume != nil || opts.PiecePriorities != nil {
		return nil, fmt.Errorf("add magnet link %s: resume data and piece priorities need the metadata; add the .torrent instead", m.InfoHash.Hex())
	}
	t, err := s.newTorrent(m.InfoHash, name, opts)
	if err != nil {
		return nil, err
	}
	t.magnet = &link
	t.state = FetchingMetadata
	return s.start(t)
}

// fetchMetadata is the loop of a magnet link before its metadata is known.
// It returns when the metadata has arrived (t.info is set), the torrent
// failed, or it is stopping.
func (t *Torrent) fetchMetadata() {
	t.fetcher = metadata.NewFetcher(t.infoHash)
	t.pexIn = pex.NewReceiver(0)
	t.state = FetchingMetadata
	if t.opts.Paused {
		t.state = Paused
	} else {
		t.startAnnouncer()
		t.startDHT()
		t.addCandidates(t.manual, SourceManual)
	}
	t.publish(time.Now())
	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	for t.info == nil && t.state != Failed {
		select {
		case <-t.ctx.Done():
			return
		case c := <-t.incoming:
			t.addConn(c)
		case m := <-t.peerMsgs:
			t.handlePeerMessage(m)
		case f := <-t.commands:
			f()
		case addrs := <-t.trackerPeers:
			t.addCandidates(addrs, SourceTracker)
		case found := <-t.foundPeers:
			t.addCandidates(found.addrs, found.source)
		case r := <-t.dialResults:
			t.dialFinished(r)
		case now := <-ticker.C:
			t.tickWithoutInfo(now)
		}
	}
}

// tickWithoutInfo is the periodic work while the metadata is missing:
// dials, metadata requests (the Fetcher also times out slow peers here),
// PEX, the trackers and the DHT.
func (t *Torrent) tickWithoutInfo(now time.Time) {
	t.ticks++
	if t.ticks%4 == 0 {
		if t.ticks%40 == 0 && t.active() {
			t.addCandidates(t.manual, SourceManual)
		}
		t.dialMore()
		t.askTrackersForPeers(now)
		t.sendPEX(now)
		t.updateDHTWant()
	}
	if t.active() {
		t.requestMetadataFromAll(now)
	}
	t.publish(now)
}

// metadataArrived builds the metainfo around the verified info dictionary
// (with the magnet link's trackers and web seeds) and opens the storage.
// The loop then leaves fetchMetadata and checks the data like any torrent.
func (t *Torrent) metadataArrived(raw []byte) {
	mi, err := metainfo.FromInfo(raw, t.magnet.Trackers, t.magnet.WebSeeds)
	if err != nil {
		t.fail(fmt.Errorf("metadata from peers: %w", err))
		return
	}
	if err := t.setInfo(mi); err != nil {
		t.fail(fmt.Errorf("metadata from peers: %w", err))
		return
	}
	t.fetcher = nil
	t.log = t.s.log.With("torrent", mi.Info.Name)
	t.log.Info("metadata received", "bytes", len(raw), "pieces", mi.Info.NumPieces())
	if mi.Info.Private {
		// Found out only now: no DHT and no PEX from here on (BEP 27).
		t.stopDHT()
		t.pexIn = nil
		for _, e := range t.ext {
			e.pex = nil
		}
	}
}
