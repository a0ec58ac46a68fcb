package torrent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/metadata"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/pex"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/storage"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// AddOptions says where a torrent's data lives and how to find peers.
type AddOptions struct {
	// Dir is the download folder; the data goes to the safe paths
	// metainfo.Info.FilePaths(Dir) gives.
	Dir string
	// Peers are "host:port" addresses to connect to besides the trackers'.
	Peers []string
	// NoTrackers turns announcing off (tests, the Swarm Lab).
	NoTrackers bool
	// SeedOnly skips the pieces the recheck did not find, so the torrent
	// seeds what it has and downloads nothing.
	SeedOnly bool
	// UploadLimit and DownloadLimit are this torrent's rates in bytes/s
	// (0 = unlimited), on top of the session's; Torrent.SetRateLimits
	// changes them later.
	UploadLimit, DownloadLimit int64

	// Resume, when not nil, is resume data: the pieces an earlier run
	// verified and synced to disk. The check of existing data then trusts
	// it and hashes only RecheckPieces; pieces in neither count as missing.
	// See resume.go.
	Resume *bitfield.Bitfield
	// RecheckPieces are hashed despite Resume, e.g. the pieces of files
	// whose size or modification time changed since Resume was saved.
	RecheckPieces []int
	// PiecePriorities, when not nil, holds one picker priority per piece;
	// pieces at picker.Skip are not downloaded.
	PiecePriorities []picker.Priority
	// Paused leaves the torrent paused once its data is checked, as if
	// Pause had been called: no announce, no peers until Resume.
	Paused bool
}

// Torrent is one torrent in a session. Its methods are safe for concurrent
// use; they talk to the torrent's loop goroutine.
type Torrent struct {
	s        *Session
	mi       *metainfo.MetaInfo
	info     *metainfo.Info
	infoHash metainfo.Hash
	opts     AddOptions
	up, down *rateLimiter // this torrent's limits, waited on before the session's
	log      *slog.Logger

	snapshot      atomic.Pointer[Snapshot]
	published     atomic.Pointer[metainfo.MetaInfo] // MetaInfo, once known
	name          atomic.Pointer[string]            // Name
	metadataReady chan struct{}                     // closed once MetaInfo is known
	done          chan struct{}                     // closed when every wanted piece is verified
	stopped       chan struct{}                     // closed when the loop has exited
	stopErr       error                             // set before stopped is closed
	ctx           context.Context
	cancel        context.CancelFunc

	incoming     chan newConn
	commands     chan func()
	peerMsgs     chan peerMessage
	diskJobs     chan diskJob
	diskResults  chan diskResult
	writerWake   chan struct{}
	trackerPeers chan []string
	foundPeers   chan foundPeers // from the DHT
	dialResults  chan dialResult

	// Loop state: touched only by the loop goroutine (and by run before it).
	state         State
	errMsg        string
	storage       *storage.Storage
	picker        *picker.Picker
	choker        *choker.Choker
	have          *bitfield.Bitfield
	verifiedBytes int64
	complete      bool
	peers         map[picker.PeerKey]*peer
	nextKey       picker.PeerKey
	candidates    []candidate
	// pausedPeers are the peers we were connected to when paused, dialled
	// again on resume rather than waiting for a tracker to name them.
	pausedPeers    []candidate
	dialing        map[string]bool
	manual         []string
	banned         map[string]string // "ip:port" or peer ID → reason
	strikes        map[string]*strikes
	partial        map[int]*pieceProgress
	failedBlocks   map[int][]blockRecord
	diskQueue      []diskJob
	writeBacklog   int
	heldBlocks     int // received blocks kept in memory until their piece is complete
	throttled      bool
	downloaded     int64
	uploaded       int64
	wasted         int64
	downMeter      rateMeter
	upMeter        rateMeter
	hashFailures   int
	dropped        []DroppedPeer
	lastRechoke    time.Time
	rechokeWanted  bool
	ticks          int
	announcer      *announcer
	diskWG         sync.WaitGroup
	checked        atomic.Int64
	writtenBytes   atomic.Int64
	resumeState    // resume.go: hash count, check outcome, final bitfield, failure
	extensionState // extensions.go: ut_metadata, ut_pex and the DHT per torrent
}

type candidate struct {
	addr   string
	source Source
}

type dialResult struct {
	addr string
	err  error
}

// Add adds a torrent to the session and starts it: it opens the storage,
// rechecks existing data, announces and connects to peers.
func (s *Session) Add(mi *metainfo.MetaInfo, opts AddOptions) (*Torrent, error) {
	if mi == nil || mi.Info == nil {
		return nil, errors.New("add torrent: no metainfo")
	}
	t, err := s.newTorrent(mi.InfoHash, mi.Info.Name, opts)
	if err != nil {
		return nil, err
	}
	if err := t.setInfo(mi); err != nil {
		t.cancel()
		return nil, fmt.Errorf("add torrent %q: %w", mi.Info.Name, err)
	}
	return s.start(t)
}

// newTorrent builds a torrent without its info dictionary: the channels,
// the choker and an empty picker. setInfo completes it.
func (s *Session) newTorrent(infoHash metainfo.Hash, name string, opts AddOptions) (*Torrent, error) {
	// Storage takes absolute paths only; "-dir dl" on the command line is
	// relative to where the user stands.
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("add torrent %q: download folder %q: %w", name, opts.Dir, err)
	}
	opts.Dir = dir
	t := &Torrent{
		s:             s,
		infoHash:      infoHash,
		opts:          opts,
		up:            newRateLimiter(opts.UploadLimit),
		down:          newRateLimiter(opts.DownloadLimit),
		log:           s.log.With("torrent", name),
		done:          make(chan struct{}),
		stopped:       make(chan struct{}),
		metadataReady: make(chan struct{}),
		incoming:      make(chan newConn),
		commands:      make(chan func()),
		peerMsgs:      make(chan peerMessage, peerMessageQueue),
		diskJobs:      make(chan diskJob),
		diskResults:   make(chan diskResult, 64),
		writerWake:    make(chan struct{}, 1),
		trackerPeers:  make(chan []string, 4),
		foundPeers:    make(chan foundPeers, 4),
		dialResults:   make(chan dialResult, 16),
		state:         Checking,
		picker:        picker.New(0, 0, 0, nil),
		choker:        choker.New(s.chokerConfig(), rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))),
		have:          bitfield.New(0),
		peers:         make(map[picker.PeerKey]*peer),
		dialing:       make(map[string]bool),
		manual:        append([]string(nil), opts.Peers...),
		banned:        make(map[string]string),
		strikes:       make(map[string]*strikes),
		partial:       make(map[int]*pieceProgress),
		failedBlocks:  make(map[int][]blockRecord),
	}
	t.ext = make(map[picker.PeerKey]*peerExtensions)
	t.dhtWake = make(chan struct{}, 1)
	t.name.Store(&name)
	// The context must exist before the torrent is visible to incoming
	// connections.
	t.ctx, t.cancel = context.WithCancel(s.ctx)
	return t, nil
}

// setInfo gives the torrent its metainfo: safe file paths, storage and a
// picker sized for its pieces. It runs before the loop starts (Add) or on
// the loop once a magnet link's metadata has arrived.
func (t *Torrent) setInfo(mi *metainfo.MetaInfo) error {
	paths, err := mi.Info.FilePaths(t.opts.Dir)
	if err != nil {
		return err
	}
	specs := make([]storage.FileSpec, len(mi.Info.Files))
	for i, f := range mi.Info.Files {
		specs[i] = storage.FileSpec{Path: paths[i], Length: f.Length}
	}
	st, err := storage.New(specs, mi.Info.PieceLength, mi.Info.Pieces)
	if err != nil {
		return err
	}
	n := mi.Info.NumPieces()
	t.mi, t.info, t.storage = mi, mi.Info, st
	t.picker = picker.New(n, mi.Info.PieceLength, mi.Info.Length, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	t.picker.SetStrategy(t.s.cfg.PickerStrategy)
	t.have = bitfield.New(n)
	if !mi.Info.Private {
		// Only non-private torrents hand their metadata to others and
		// trade peers (BEP 27).
		if srv, err := metadata.NewServer(mi.Info.Raw); err == nil {
			t.metadataServer = srv
		}
		if t.pexIn == nil {
			t.pexIn = pex.NewReceiver(0)
		}
	}
	name := mi.Info.Name
	t.name.Store(&name)
	t.published.Store(mi)
	close(t.metadataReady)
	return nil
}

// start registers t with the session and starts its loop.
func (s *Session) start(t *Torrent) (*Torrent, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		t.cancel()
		return nil, errors.New("add torrent: session is closed")
	}
	if _, dup := s.torrents[t.infoHash]; dup {
		s.mu.Unlock()
		t.cancel()
		return nil, fmt.Errorf("add torrent %q: already in the session", t.Name())
	}
	s.torrents[t.infoHash] = t
	s.mu.Unlock()
	t.publish(time.Now())
	go t.run()
	return t, nil
}

// InfoHash identifies the torrent.
func (t *Torrent) InfoHash() metainfo.Hash { return t.infoHash }

// MetaInfo is the torrent's metainfo: nil for a magnet link until its
// metadata has been fetched (see MetadataReady).
func (t *Torrent) MetaInfo() *metainfo.MetaInfo { return t.published.Load() }

// MetadataReady is closed once MetaInfo is known: at once for a torrent
// added from its metainfo, after the metadata exchange for a magnet link.
func (t *Torrent) MetadataReady() <-chan struct{} { return t.metadataReady }

// Name is the torrent's name: the info dictionary's, or before the
// metadata of a magnet link has arrived, the link's display name (or the
// info hash in hex when it has none).
func (t *Torrent) Name() string { return *t.name.Load() }

// Snapshot returns the latest published picture of the torrent.
func (t *Torrent) Snapshot() *Snapshot { return t.snapshot.Load() }

// Done is closed when every wanted piece is verified (at once, after the
// recheck, if the data was already complete).
func (t *Torrent) Done() <-chan struct{} { return t.done }

// Stopped is closed when the torrent has stopped, by Stop or its session.
func (t *Torrent) Stopped() <-chan struct{} { return t.stopped }

// AddPeer connects to a peer at "host:port" (and keeps retrying it while we
// have fewer peers than the limit).
func (t *Torrent) AddPeer(addr string) {
	t.do(func() {
		t.manual = append(t.manual, addr)
		t.addCandidates([]string{addr}, SourceManual)
	})
}

// Pause disconnects every peer and announces "stopped"; Resume undoes it.
func (t *Torrent) Pause() { t.do(t.pause) }

// Resume reconnects after Pause.
func (t *Torrent) Resume() { t.do(t.resume) }

// Stop disconnects every peer, announces "stopped" (bounded by
// Config.StopAnnounceTimeout), flushes and closes the files, and removes the
// torrent from its session. It returns the error closing the files gave.
func (t *Torrent) Stop() error {
	t.cancel()
	<-t.stopped
	return t.stopErr
}

// do runs f on the loop; it is dropped when the torrent has stopped.
func (t *Torrent) do(f func()) {
	select {
	case t.commands <- f:
	case <-t.stopped:
	}
}

// deliver hands a handshaken connection to the loop.
func (t *Torrent) deliver(c newConn) bool {
	timer := time.NewTimer(t.s.cfg.HandshakeTimeout)
	defer timer.Stop()
	select {
	case t.incoming <- c:
		return true
	case <-t.stopped:
	case <-t.ctx.Done():
	case <-timer.C:
	}
	return false
}

// run is the torrent's loop goroutine.
func (t *Torrent) run() {
	defer close(t.stopped)
	defer func() {
		t.s.mu.Lock()
		delete(t.s.torrents, t.infoHash)
		t.s.mu.Unlock()
	}()
	for i := 0; i < t.s.cfg.DiskWorkers; i++ {
		t.diskWG.Add(1)
		go t.diskWorker()
	}
	defer t.shutdown()

	if t.info == nil {
		// A magnet link: find peers and fetch the info dictionary first.
		t.fetchMetadata()
		if t.ctx.Err() != nil {
			return
		}
	}
	if t.state != Failed {
		t.state = Checking
		if err := t.recheck(); err != nil {
			if t.ctx.Err() != nil {
				return
			}
			t.fail(fmt.Errorf("checking existing data: %w", err))
		}
	}
	if t.state != Failed {
		t.state = Downloading
		if t.picker.Complete() {
			t.markComplete()
		}
		if t.opts.Paused {
			t.state = Paused
		} else {
			t.startAnnouncer()
			t.startDHT()
			t.addCandidates(t.manual, SourceManual)
		}
		t.adoptFetchPeers()
	}
	t.publish(time.Now())

	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	for {
		t.flushDiskQueue()
		var diskSend chan<- diskJob
		var next diskJob
		if len(t.diskQueue) > 0 {
			diskSend, next = t.diskJobs, t.diskQueue[0]
		}
		select {
		case <-t.ctx.Done():
			return
		case c := <-t.incoming:
			t.addConn(c)
		case m := <-t.peerMsgs:
			t.handlePeerMessage(m)
			// Drain a batch without going back through the full select.
			for i := 0; i < 64; i++ {
				select {
				case m := <-t.peerMsgs:
					t.handlePeerMessage(m)
					continue
				default:
				}
				break
			}
		case r := <-t.diskResults:
			t.handleDiskResult(r)
		case diskSend <- next:
			t.diskQueue = t.diskQueue[1:]
		case <-t.writerWake:
			for _, p := range t.peers {
				if len(p.uploadQueue) > 0 {
					t.pumpUploads(p)
				}
			}
		case f := <-t.commands:
			f()
		case addrs := <-t.trackerPeers:
			t.addCandidates(addrs, SourceTracker)
		case found := <-t.foundPeers:
			t.addCandidates(found.addrs, found.source)
		case r := <-t.dialResults:
			t.dialFinished(r)
		case now := <-ticker.C:
			t.tick(now)
		}
	}
}

// recheck verifies the data already on disk, publishing progress.
func (t *Torrent) recheck() error {
	var last atomic.Int64
	have, err := t.checkData(func(done, total int) {
		t.checked.Store(int64(done))
		now := time.Now()
		if now.UnixNano()-last.Load() > int64(tickInterval) {
			last.Store(now.UnixNano())
			t.publish(now)
		}
	})
	if err != nil {
		return err
	}
	t.have = have
	t.checkDone = true
	t.picker.SetHave(have)
	t.applyPiecePriorities()
	if t.opts.SeedOnly {
		prio := make([]picker.Priority, have.Len())
		for i := range prio {
			if have.Has(i) {
				prio[i] = picker.Normal
			}
		}
		t.picker.SetPiecePriorities(prio)
	}
	for _, i := range have.Indexes() {
		t.verifiedBytes += t.info.PieceSize(i)
	}
	return nil
}

// shutdown runs when the loop exits: peers, announcer, disk workers, files.
func (t *Torrent) shutdown() {
	for _, p := range t.peers {
		t.dropPeer(p, errors.New("torrent stopped"))
	}
	t.stopAnnouncer(true)
	t.stopDHT()
	close(t.diskJobs)
	// Disk workers finish their current job; results nobody will read are
	// discarded by the workers once the loop is gone (ctx is done).
	t.diskWG.Wait()
	for _, j := range t.diskQueue {
		putBlockBuffer(j.buf)
	}
	t.diskQueue = nil
	var err error
	if t.storage != nil { // nil while a magnet link's metadata is missing
		err = t.storage.Sync()
		if cerr := t.storage.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.stopErr = fmt.Errorf("torrent %q: closing files: %w", t.Name(), err)
	} else if t.checkDone {
		// Synced and closed: every piece in have is on stable storage.
		t.finalHave = t.have.Clone()
	}
	if t.state != Failed {
		t.state = Stopped
	}
	t.publish(time.Now())
}

// fail puts the torrent in the Failed state: peers are dropped and nothing
// more is requested or served, but the session keeps running.
func (t *Torrent) fail(err error) {
	if t.state == Failed {
		return
	}
	t.log.Warn("torrent failed", "err", err)
	t.state = Failed
	t.errMsg = err.Error()
	t.failErr.Store(&err)
	for _, p := range t.peers {
		t.dropPeer(p, fmt.Errorf("torrent failed: %v", err))
	}
	t.stopAnnouncer(false) // the loop does not wait for trackers
	t.stopDHT()
	t.publish(time.Now())
}

func (t *Torrent) pause() {
	if t.state == Failed || t.state == Paused {
		return
	}
	t.pausedPeers = t.pausedPeers[:0]
	for _, p := range t.peers {
		// An incoming peer's address is only worth dialling when it told
		// us its listening port.
		if !p.incoming || p.listenPort != 0 {
			t.pausedPeers = append(t.pausedPeers, candidate{p.listenAddr(), p.source})
		}
		t.dropPeer(p, errors.New("paused"))
	}
	t.stopAnnouncer(false)
	t.stopDHT()
	t.state = Paused
	t.publish(time.Now())
}

func (t *Torrent) resume() {
	if t.state != Paused {
		return
	}
	t.opts.Paused = false
	t.state = Downloading
	switch {
	case t.info == nil:
		t.state = FetchingMetadata
	case t.complete:
		t.state = Seeding
	}
	t.startAnnouncer()
	t.startDHT()
	t.addCandidates(t.manual, SourceManual)
	t.candidates = append(t.candidates, t.pausedPeers...)
	t.pausedPeers = nil
	t.dialMore()
	t.publish(time.Now())
}

func (t *Torrent) active() bool {
	return t.state == Downloading || t.state == Seeding || t.state == FetchingMetadata
}

// markComplete runs once, when the last wanted piece is verified.
func (t *Torrent) markComplete() {
	if t.complete {
		return
	}
	t.complete = true
	t.state = Seeding
	close(t.done)
	t.announceCompleted()
	t.log.Info("download complete")
	t.publish(time.Now())
}

// tick does the periodic work: rates, snapshots, rechoking, timeouts, dials.
func (t *Torrent) tick(now time.Time) {
	t.ticks++
	for _, p := range t.peers {
		up := p.uploaded.Load()
		t.uploaded += up - p.uploadedSeen
		p.uploadedSeen = up
		p.downMeter.sample(now, p.downloaded)
		p.upMeter.sample(now, up)
	}
	t.downMeter.sample(now, t.downloaded)
	t.upMeter.sample(now, t.uploaded)
	if t.active() && (t.choker.Due(now) || t.rechokeWanted) {
		t.rechoke(now)
	}
	if t.ticks%4 == 0 {
		t.checkTimeouts(now)
		if t.ticks%40 == 0 && t.active() {
			// Retry manual peers we lost or never reached.
			t.addCandidates(t.manual, SourceManual)
		}
		t.dialMore()
		t.askTrackersForPeers(now)
		t.sendPEX(now)
		t.updateDHTWant()
	}
	t.publish(now)
}

// addCandidates queues addresses to dial.
func (t *Torrent) addCandidates(addrs []string, source Source) {
	for _, a := range addrs {
		t.candidates = append(t.candidates, candidate{a, source})
	}
	// Bound the queue: newest addresses win.
	if len(t.candidates) > 1000 {
		t.candidates = t.candidates[len(t.candidates)-1000:]
	}
	t.dialMore()
}

func (t *Torrent) dialMore() {
	if !t.active() {
		return
	}
	for len(t.candidates) > 0 && len(t.peers)+len(t.dialing) < t.s.maxPeersPerTorrent() {
		c := t.candidates[0]
		t.candidates = t.candidates[1:]
		if t.dialing[c.addr] || t.banned[c.addr] != "" || t.connectedTo(c.addr) {
			continue
		}
		t.dialing[c.addr] = true
		go func(c candidate) {
			err := t.s.dial(t.ctx, t, c.addr, c.source)
			select {
			case t.dialResults <- dialResult{c.addr, err}:
			case <-t.stopped:
			}
		}(c)
	}
}

// simultaneousOpenWindow: two connections to the same peer ID this close
// together are a simultaneous open (both sides dialled, e.g. after
// learning of each other from the same PEX message).
const simultaneousOpenWindow = 10 * time.Second

// keepSimultaneous reports whether the new connection c replaces p, an
// existing connection to the same peer ID. When both sides dial each
// other at once, each would otherwise refuse the connection that reached
// it second, and both connections could die. Both sides instead keep the
// connection opened by the side with the lower peer ID, so they keep the
// same one. Only a young connection in the other direction, from the same
// IP address, is ever replaced.
func (t *Torrent) keepSimultaneous(p *peer, c newConn, now time.Time) bool {
	if p.incoming == c.incoming || now.Sub(p.connectedAt) > simultaneousOpenWindow {
		return false
	}
	ap, err := netip.ParseAddrPort(c.conn.RemoteAddr().String())
	if err != nil || ap.Addr().Unmap() != p.ip {
		return false
	}
	weAreLower := bytes.Compare(t.s.peerID[:], c.handshake.PeerID[:]) < 0
	openedByUs := !c.incoming
	return openedByUs == weAreLower
}

func (t *Torrent) connectedTo(addr string) bool {
	for _, p := range t.peers {
		if p.addr == addr || p.listenAddr() == addr {
			return true
		}
	}
	return false
}

// addConn takes over a handshaken connection.
func (t *Torrent) addConn(c newConn) {
	reject := func(reason string) {
		t.log.Debug("connection refused", "peer", c.conn.RemoteAddr(), "reason", reason)
		c.conn.Close()
		t.s.connClosed()
	}
	addr := c.conn.RemoteAddr().String()
	switch {
	case !t.active():
		reject("torrent is " + t.state.String())
		return
	case len(t.peers) >= t.s.maxPeersPerTorrent():
		reject("peer limit reached")
		return
	case t.banned[addr] != "":
		reject("banned: " + t.banned[addr])
		return
	case t.banned[string(c.handshake.PeerID[:])] != "":
		reject("banned peer ID: " + t.banned[string(c.handshake.PeerID[:])])
		return
	}
	now := time.Now()
	for _, p := range t.peers {
		if p.id == c.handshake.PeerID {
			if !t.keepSimultaneous(p, c, now) {
				reject("already connected to this peer ID")
				return
			}
			t.dropPeer(p, errors.New("duplicate of a connection opened at the same time; the one the lower peer ID opened is kept"))
			break
		}
	}
	t.nextKey++
	p := newPeer(t.nextKey, c.conn, c.handshake, c.incoming, c.source, t.have.Len(), now)
	if c.dialedAddr != "" {
		p.addr = c.dialedAddr
	}
	t.peers[p.key] = p
	t.log.Debug("peer connected", "peer", p.addr, "client", p.client, "incoming", p.incoming)

	// BEP 3 and BEP 6: what we have must be the first message.
	switch {
	case t.info == nil:
		// A magnet link without metadata has nothing, but an empty
		// bitfield would read as "have all".
		if p.fast {
			p.send(wire.Message{ID: wire.HaveNone})
		}
	case p.fast && t.have.All():
		p.send(wire.Message{ID: wire.HaveAll})
	case p.fast && t.have.None():
		p.send(wire.Message{ID: wire.HaveNone})
	case !t.have.None():
		p.send(wire.Message{ID: wire.Bitfield, Bitfield: t.have.Bytes()})
	}
	t.offerAllowedFast(p)
	if p.extended {
		t.sendExtendedHandshake(p)
	}
	t.sendDHTPort(p)
	go p.readLoop(t.ctx, t.peerMsgs, t.maxMessageLength(), limiterPair{t.down, t.s.down}, t.s.cfg.IdleTimeout)
	go p.writeLoop(t.ctx, limiterPair{t.up, t.s.up}, t.writerWake, t.s.cfg.KeepAliveInterval)
	t.rechokeWanted = true
}

// dropPeer disconnects p and forgets it, recording why.
func (t *Torrent) dropPeer(p *peer, reason error) {
	if p.gone {
		return
	}
	p.gone = true
	p.close()
	t.s.connClosed()
	delete(t.peers, p.key)
	t.forgetExtensions(p)
	t.picker.PeerGone(p.key) // its requests go back to the pool
	p.requested = nil
	p.uploadQueue = nil
	up := p.uploaded.Load()
	t.uploaded += up - p.uploadedSeen
	p.uploadedSeen = up
	t.log.Debug("peer dropped", "peer", p.addr, "reason", reason)
	t.dropped = append(t.dropped, DroppedPeer{At: time.Now(), Addr: p.addr, Client: p.client, Reason: reason.Error()})
	if len(t.dropped) > droppedPeersKept {
		t.dropped = t.dropped[len(t.dropped)-droppedPeersKept:]
	}
	if !p.amChoking || p.peerInterested {
		t.rechokeWanted = true
	}
	t.dialMore()
}

// seedSlots is how many peers a seed unchokes: one per piece a second of
// its upload capacity (the tighter of this torrent's and the session's
// limits, or, with neither, the rate it has been uploading at), so each
// unchoked peer gets its first piece to trade within about a second
// however many there are. The choker never uses fewer than its regular
// slots. In the Swarm Lab at N = 20 (u_s = 10u) this alone took the
// distribution time from 1.30 to about 1.15 times the bound.
func (t *Torrent) seedSlots() int {
	if t.info == nil || t.info.PieceLength <= 0 {
		return 0
	}
	var limit int64
	for _, l := range []int64{t.up.limit(), t.s.up.limit()} {
		if l > 0 && (limit == 0 || l < limit) {
			limit = l
		}
	}
	capacity := float64(limit)
	if limit == 0 {
		capacity = t.upMeter.rate()
	}
	return int(capacity / float64(t.info.PieceLength))
}

// listenAddr is where the peer accepts connections, when it told us.
func (p *peer) listenAddr() string {
	if p.listenPort == 0 || !p.ip.IsValid() {
		return p.addr
	}
	return netip.AddrPortFrom(p.ip, uint16(p.listenPort)).String()
}

// rechoke asks the choker whom to upload to and applies its decisions.
func (t *Torrent) rechoke(now time.Time) {
	t.lastRechoke = now
	t.rechokeWanted = false
	if len(t.peers) == 0 {
		return
	}
	list := make([]choker.Peer, 0, len(t.peers))
	for _, p := range t.peers {
		list = append(list, choker.Peer{
			Key:          choker.PeerKey(p.key),
			Interested:   p.peerInterested,
			DownloadRate: p.downMeter.rate(),
			UploadRate:   p.upMeter.rate(),
			ConnectedAt:  p.connectedAt,
			LastBlockAt:  p.lastBlockAt,
		})
	}
	if t.complete {
		t.choker.SetSeedSlots(t.seedSlots())
	}
	decisions := t.choker.Rechoke(now, list, t.complete)
	if t.s.cfg.NoUpload {
		// A pure downloader overrules tit-for-tat: nobody is ever unchoked.
		for i := range decisions {
			decisions[i].Unchoke, decisions[i].Optimistic = false, false
			decisions[i].Reason = "choked: this client never uploads (no-upload mode)"
		}
	}
	for _, d := range decisions {
		p := t.peers[picker.PeerKey(d.Key)]
		if p == nil {
			continue
		}
		p.chokeReason, p.optimistic = d.Reason, d.Optimistic
		p.snubbed = p.snubbed || d.Snubbed
		if !d.Snubbed && !p.lastBlockAt.IsZero() && now.Sub(p.lastBlockAt) < time.Minute {
			p.snubbed = false
		}
		switch {
		case d.Unchoke && p.amChoking:
			p.amChoking = false
			p.send(wire.Message{ID: wire.Unchoke})
		case !d.Unchoke && !p.amChoking:
			p.amChoking = true
			p.send(wire.Message{ID: wire.Choke})
			t.discardUploads(p)
		}
	}
}

// publish builds and stores a new snapshot.
func (t *Torrent) publish(now time.Time) {
	s := &Snapshot{
		At:            now,
		Name:          t.Name(),
		InfoHash:      t.infoHash,
		State:         t.state,
		Err:           t.errMsg,
		ListenPort:    t.s.port,
		CheckedPieces: int(t.checked.Load()),
		HashedPieces:  int(t.hashed.Load()),
		Trackers:      t.trackerStatuses(),
		Private:       t.isPrivate(),
	}
	if t.info != nil {
		s.TotalSize, s.PieceLength, s.NumPieces = t.info.Length, t.info.PieceLength, t.info.NumPieces()
	}
	if t.fetcher != nil {
		s.MetadataHave, s.MetadataPieces = t.fetcher.Progress()
	}
	if t.state == Checking {
		// The loop has not started: only the recheck progress is known.
		t.snapshot.Store(s)
		return
	}
	s.HaveCount = t.have.Count()
	s.VerifiedBytes = t.verifiedBytes
	s.Complete = t.complete
	s.DownRate, s.UpRate = t.downMeter.rate(), t.upMeter.rate()
	s.Downloaded, s.Uploaded, s.Wasted = t.downloaded, t.uploaded, t.wasted
	s.HashFailures = t.hashFailures
	s.BannedPeers = len(t.banned)
	s.Availability = t.picker.AvailabilityAll()
	s.Pieces = make([]PieceState, s.NumPieces)
	for i := range s.Pieces {
		if t.have.Has(i) {
			s.Pieces[i] = PieceHave
		}
	}
	for i := range t.partial {
		if s.Pieces[i] != PieceHave {
			s.Pieces[i] = PieceDownloading
		}
	}
	s.DroppedPeers = append([]DroppedPeer(nil), t.dropped...)
	s.Peers = make([]PeerSnapshot, 0, len(t.peers))
	for _, p := range t.peers {
		hc := p.have.Count()
		ps := PeerSnapshot{
			Addr: p.addr, Client: p.client, PeerID: p.id, Source: p.source,
			Incoming: p.incoming, AmChoking: p.amChoking, AmInterested: p.amInterested,
			PeerChoking: p.peerChoking, PeerInterested: p.peerInterested,
			Snubbed: p.snubbed, Optimistic: p.optimistic, Fast: p.fast, Extended: p.extended,
			ChokeReason: p.chokeReason, HaveCount: hc, Bitfield: p.have.Clone(),
			Outstanding: len(p.requested), Queued: len(p.uploadQueue) + p.readsInFlight,
			DownRate: p.downMeter.rate(), UpRate: p.upMeter.rate(),
			Downloaded: p.downloaded, Uploaded: p.uploaded.Load(), ConnectedAt: p.connectedAt,
		}
		if s.NumPieces > 0 {
			ps.Progress = float64(hc) / float64(s.NumPieces)
		}
		s.Peers = append(s.Peers, ps)
	}
	t.snapshot.Store(s)
}
