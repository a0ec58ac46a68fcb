package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// Config says where the client keeps its state and how it listens. The
// zero value is the desktop app's.
type Config struct {
	// StatePath is the bbolt database; "" means persist.DefaultPath().
	StatePath string
	// ListenAddr is where peers connect; "" means 0.0.0.0 on
	// Settings.ListenPort. Tests use "127.0.0.1:0".
	ListenAddr string
	// DefaultDir, when set, replaces Settings.DownloadDir as the folder
	// torrents added without a SaveDir go to (tests: t.TempDir()).
	DefaultDir string
	// NoTrackers turns announcing off for every torrent (tests).
	NoTrackers bool
	// SaveInterval is how often progress is saved (default 5 s).
	SaveInterval time.Duration
	// DHT, when not nil and Settings.DHTEnabled is on, runs a DHT node
	// with this configuration (its Addr left empty: the UDP port of the
	// listener's number). The desktop app and the command line pass
	// dht.DefaultConfig(); nil, as in tests, means no DHT.
	DHT *dht.Config
	// DHTSaveInterval is how often the running client saves the DHT
	// routing table, so that a crash or a kill loses little of it; the
	// first save comes a quarter of it after start, once the table has
	// nodes. Zero means DefaultDHTSaveInterval (see dht.go).
	DHTSaveInterval time.Duration
	// Logger receives the engine's and the client's logs; nil means
	// slog.Default().
	Logger *slog.Logger
}

// refreshInterval is how often summaries are rebuilt and the queue applied.
const refreshInterval = 250 * time.Millisecond

// Client owns every torrent on one engine session. Its methods are safe for
// concurrent use.
type Client struct {
	cfg        Config
	log        *slog.Logger
	store      *persist.Store
	session    *torrent.Session
	listenNote string
	recovered  string

	// dbMu serialises writes of torrent records, so a whole-record write
	// (PutTorrent) never overtakes a newer progress save; taken before mu.
	dbMu sync.Mutex

	mu        sync.Mutex
	settings  persist.Settings
	entries   map[ID]*entry
	order     []*entry // the list's order: as added
	summaries []Summary
	nextQueue int
	closed    bool

	events   chan Event
	instance net.Listener
	ctx      context.Context
	cancel   context.CancelFunc
	loopDone chan struct{}
	wg       sync.WaitGroup // background operations and the instance listener

	dhtLookupsMu sync.Mutex
	dhtLookups   []*dhtLookupRecord // newest first, at most DHTLookupsKept (see dht.go)
	dhtSave      dhtSaver           // run's goroutine, then Close (see dht.go)
}

// New opens the database (moving a damaged one aside), restores every
// torrent from it with its resume data, and starts them. It fails with an
// error matching persist.ErrLocked when another Swarmscope holds the
// database: hand the arguments over with SendToRunning instead.
func New(cfg Config) (*Client, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SaveInterval <= 0 {
		cfg.SaveInterval = 5 * time.Second
	}
	if cfg.StatePath == "" {
		p, err := persist.DefaultPath()
		if err != nil {
			return nil, err
		}
		cfg.StatePath = p
	}
	store, err := persist.Open(cfg.StatePath, persist.Options{})
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		log:      cfg.Logger,
		store:    store,
		entries:  make(map[ID]*entry),
		events:   make(chan Event, 256),
		loopDone: make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if r := store.Recovered(); r != nil {
		c.recovered = r.Message()
		c.emit(Event{Kind: EventRecovered, Message: c.recovered})
	}
	settings, err := store.LoadSettings()
	if err != nil {
		c.emit(Event{Kind: EventError, Message: fmt.Sprintf("the saved settings could not be read (%v); using the defaults", err)})
	}
	c.settings = settings
	if err := c.startSession(); err != nil {
		store.Close()
		return nil, err
	}
	if err := c.listenForInstances(); err != nil {
		c.session.Close()
		store.Close()
		return nil, err
	}
	c.restoreAll()
	go c.run()
	return c, nil
}

// startSession opens the engine session on the configured port, falling
// back to any free port (with a note for the status bar) when it is taken.
func (c *Client) startSession() error {
	s := c.settings
	up, down := s.UploadLimit, s.DownloadLimit
	if s.AltLimitsEnabled {
		up, down = s.AltUploadLimit, s.AltDownloadLimit
	}
	chokerCfg := choker.DefaultConfig()
	if s.UploadSlots > 0 {
		chokerCfg.RegularSlots = s.UploadSlots
	}
	ecfg := torrent.Config{
		ListenAddr:         c.cfg.ListenAddr,
		MaxPeersPerTorrent: s.MaxPeersPerTorrent,
		UploadLimit:        up,
		DownloadLimit:      down,
		Choker:             chokerCfg,
		Logger:             c.log,
	}
	saved := c.dhtConfig(&ecfg)
	if ecfg.ListenAddr == "" {
		ecfg.ListenAddr = net.JoinHostPort("0.0.0.0", strconv.Itoa(s.ListenPort))
	}
	session, err := torrent.NewSession(ecfg)
	if err != nil && c.cfg.ListenAddr == "" {
		c.listenNote = fmt.Sprintf("port %d is in use, listening on a free port instead: %v", s.ListenPort, err)
		ecfg.ListenAddr = "0.0.0.0:0"
		session, err = torrent.NewSession(ecfg)
	}
	if err != nil {
		return fmt.Errorf("start the peer listener: %w", err)
	}
	c.session = session
	if node := session.DHT(); node != nil && len(saved) > 0 {
		if err := node.LoadNodes(saved); err != nil {
			c.log.Warn("the saved DHT routing table could not be used", "err", err)
		}
	}
	return nil
}

// dhtConfig sets the session's DHT from Config.DHT and the settings, with
// the node id of the saved routing table, and returns that table.
func (c *Client) dhtConfig(ecfg *torrent.Config) []byte {
	if c.cfg.DHT == nil || !c.settings.DHTEnabled {
		return nil
	}
	cfg := *c.cfg.DHT
	cfg.Addr = ""
	saved, err := c.store.LoadDHTNodes()
	if err != nil {
		c.log.Warn("the saved DHT routing table could not be read", "err", err)
	}
	if id, err := dht.SavedID(saved); err == nil && len(saved) > 0 {
		cfg.ID = id
	}
	ecfg.DHT = &cfg
	return saved
}

// restoreAll brings back every stored torrent as it was.
func (c *Client) restoreAll() {
	records, err := c.store.ListTorrents()
	if err != nil {
		c.emit(Event{Kind: EventError, Message: fmt.Sprintf("some saved torrents could not be read and were left out: %v", err)})
	}
	var started []*entry
	c.mu.Lock()
	for _, rec := range records {
		e := c.restoreEntry(rec)
		c.entries[e.id] = e
		c.order = append(c.order, e)
		c.nextQueue = max(c.nextQueue, rec.QueuePosition+1)
		if e.errMsg == "" {
			started = append(started, e)
		}
	}
	c.mu.Unlock()
	for _, e := range started {
		c.startEngine(e)
	}
	c.refresh(time.Now())
}

// restoreEntry rebuilds an entry from its record; a record whose torrent
// cannot be used comes back in the Error state rather than being dropped.
func (c *Client) restoreEntry(rec persist.TorrentRecord) *entry {
	e := &entry{id: rec.InfoHash, rec: rec}
	e.base = totals{up: rec.Uploaded, down: rec.Downloaded, wasted: rec.Wasted}
	e.seedingTime = rec.SeedingTime
	e.userPaused = rec.Paused || c.settings.OnStartup == persist.StartPaused
	e.completedSeen = !rec.Completed.IsZero()
	if len(rec.MetaInfo) == 0 {
		e.name = ID(rec.InfoHash).Hex()
		if m, err := metainfo.ParseMagnet(rec.Magnet); err == nil && m.DisplayName != "" {
			e.name = m.DisplayName
		} else if err != nil {
			e.errMsg = fmt.Sprintf("the saved magnet link is damaged: %v; remove the torrent and add it again", err)
		}
		return e
	}
	mi, err := metainfo.Parse(rec.MetaInfo)
	if err == nil && mi.InfoHash != rec.InfoHash {
		err = fmt.Errorf("its info hash is %s, not %s", mi.InfoHash.Hex(), ID(rec.InfoHash).Hex())
	}
	if err != nil {
		e.name = ID(rec.InfoHash).Hex()
		e.errMsg = fmt.Sprintf("the saved .torrent is damaged: %v; remove the torrent and add it again", err)
		return e
	}
	e.mi, e.name = mi, mi.Info.Name
	if e.paths, err = mi.Info.FilePaths(rec.SavePath); err != nil {
		e.errMsg = fmt.Sprintf("save folder %s: %v", rec.SavePath, err)
	}
	if rec.Error != "" {
		// Shown again after a restart; Start retries.
		e.errMsg = rec.Error
	}
	return e
}

// Close saves everyone's progress, stops every torrent (each telling its
// trackers, within a bounded time) and closes the database.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	if c.instance != nil {
		c.instance.Close()
	}
	<-c.loopDone
	c.wg.Wait() // background operations; none start once closed is set

	c.mu.Lock()
	var running []*torrent.Torrent
	for _, e := range c.order {
		if e.t != nil {
			running = append(running, e.t)
		}
	}
	c.mu.Unlock()
	// In parallel: each stop may wait for its trackers' answer.
	var wg sync.WaitGroup
	errs := make([]error, len(running))
	for i, t := range running {
		wg.Go(func() { errs[i] = t.Stop() })
	}
	wg.Wait()
	// The torrents are stopped, so each checkpoint is the set synced at stop.
	errs = append(errs, c.saveProgress())
	// The run loop has ended, so the saver is ours. (It also saved while
	// running: a crash loses at most DHTSaveInterval of the table.)
	if err := c.saveDHT(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.session.Close(), c.store.Close())
	return errors.Join(errs...)
}

// Events delivers what the user should hear about. The channel is buffered;
// events nobody reads in time are dropped, never blocking the client.
func (c *Client) Events() <-chan Event { return c.events }

func (c *Client) emit(ev Event) {
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	select {
	case c.events <- ev:
	default:
		c.log.Debug("event dropped: nobody is reading", "kind", ev.Kind, "message", ev.Message)
	}
}

// run refreshes the summaries, applies the queue and saves progress.
func (c *Client) run() {
	defer close(c.loopDone)
	ticker := time.NewTicker(refreshInterval)
	defer ticker.Stop()
	lastSave := time.Now()
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-ticker.C:
			c.refresh(now)
			c.saveDHTIfDue(now)
			if now.Sub(lastSave) >= c.cfg.SaveInterval {
				lastSave = now
				if err := c.saveProgress(); err != nil {
					c.log.Warn("saving progress failed", "err", err)
					c.emit(Event{Kind: EventError, Message: "saving progress failed: " + err.Error()})
				}
			}
		}
	}
}

// refresh rebuilds the summaries from the engine's snapshots, notices
// completions and failures, and applies the queue.
func (c *Client) refresh(now time.Time) {
	var (
		toResume, toPause []*torrent.Torrent
		changed           []*entry
	)
	c.mu.Lock()
	summaries := make([]Summary, 0, len(c.order))
	for _, e := range c.order {
		s := e.snapshot()
		if s != nil && s.State == torrent.Failed && e.errMsg == "" {
			e.errMsg = describeFailure(e.t.Err(), s.Err)
			e.rec.Error = e.errMsg
			changed = append(changed, e)
			c.emit(Event{Kind: EventError, ID: e.id, Name: e.name, Message: e.errMsg})
		}
		if s != nil && s.Complete && s.State != torrent.Checking && !e.completedSeen {
			e.completedSeen = true
			if e.rec.Completed.IsZero() {
				e.rec.Completed = now
			}
			// Data that was already whole on disk (added for seeding, or
			// found by a recheck) did not "finish downloading": no event,
			// so the desktop does not announce a download that never was.
			if e.totals(s).down > 0 {
				c.emit(Event{Kind: EventCompleted, ID: e.id, Name: e.name})
			}
		}
		if s != nil && s.State == torrent.Seeding && !e.lastRefresh.IsZero() {
			e.seedingTime += now.Sub(e.lastRefresh)
		}
		e.lastRefresh = now
	}
	toResume, toPause = c.applyQueueLocked()
	for _, e := range c.order {
		summaries = append(summaries, e.summary(now))
	}
	c.summaries = summaries
	c.mu.Unlock()
	for _, t := range toPause {
		t.Pause()
	}
	for _, t := range toResume {
		t.Resume()
	}
	for _, e := range changed {
		c.putRecord(e)
		// Release its files and save what it had verified.
		c.stopInBackground(e)
	}
}

// applyQueueLocked decides which torrents may be active: the first
// MaxActiveDownloads incomplete and MaxActiveSeeds complete ones in queue
// order that the user has not paused. It returns the engine calls to make
// once the lock is released.
func (c *Client) applyQueueLocked() (resume, pause []*torrent.Torrent) {
	queue := slices.Clone(c.order)
	slices.SortStableFunc(queue, func(a, b *entry) int { return a.rec.QueuePosition - b.rec.QueuePosition })
	downloads, seeds := 0, 0
	for _, e := range queue {
		s := e.snapshot()
		if s == nil || e.errMsg != "" || e.busy != 0 {
			continue
		}
		switch s.State {
		case torrent.Checking, torrent.Failed, torrent.Stopped:
			continue
		}
		want := !e.userPaused
		if want && s.Complete {
			want = c.settings.MaxActiveSeeds == 0 || seeds < c.settings.MaxActiveSeeds
			if want {
				seeds++
			}
		} else if want {
			want = c.settings.MaxActiveDownloads == 0 || downloads < c.settings.MaxActiveDownloads
			if want {
				downloads++
			}
		}
		e.queued = !e.userPaused && !want
		switch {
		case want && s.State == torrent.Paused:
			resume = append(resume, e.t)
		case !want && (s.State == torrent.Downloading || s.State == torrent.Seeding):
			pause = append(pause, e.t)
		}
	}
	return resume, pause
}

// Torrents returns the list: one immutable Summary per torrent, in the
// order they were added.
func (c *Client) Torrents() []Summary {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.summaries)
}

// Details returns everything about one torrent; false when there is no
// such torrent.
func (c *Client) Details(id ID) (Details, bool) {
	c.mu.Lock()
	e := c.entries[id]
	if e == nil {
		c.mu.Unlock()
		return Details{}, false
	}
	d := Details{Summary: e.summary(time.Now()), Snapshot: e.snapshot()}
	mi, rec := e.mi, e.rec
	c.mu.Unlock()
	if mi != nil {
		d.PieceLength, d.NumPieces, d.Private = mi.Info.PieceLength, mi.Info.NumPieces(), mi.Info.Private
		d.Comment, d.CreatedBy, d.CreationDate = mi.Comment, mi.CreatedBy, mi.CreationDate
		d.Magnet = mi.Magnet().String()
		d.Files = fileStatuses(mi.Info, rec.FilePriorities, verifiedPieces(mi.Info, d.Snapshot, rec))
	}
	return d, true
}

// Status is the status bar: total rates, the listening port, free space.
func (c *Client) Status() ClientStatus {
	c.mu.Lock()
	st := ClientStatus{ListenPort: c.session.Port(), ListenNote: c.listenNote, Recovered: c.recovered, DHTNodes: -1}
	if node := c.session.DHT(); node != nil {
		st.DHTNodes = node.Stats().Nodes
	}
	for _, s := range c.summaries {
		st.DownRate += s.DownRate
		st.UpRate += s.UpRate
	}
	dir := c.defaultDirLocked()
	c.mu.Unlock()
	st.FreeSpace = freeSpace(dir)
	return st
}

// Settings returns the current settings.
func (c *Client) Settings() persist.Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.settings
}

// SetSettings validates, saves and applies settings. Rate limits, queue
// sizes, peers per torrent and upload slots apply at once; the listening
// port and the DHT switch at the next start.
func (c *Client) SetSettings(s persist.Settings) error {
	if err := c.store.SaveSettings(s); err != nil {
		return err
	}
	c.mu.Lock()
	c.settings = s
	c.mu.Unlock()
	up, down := s.UploadLimit, s.DownloadLimit
	if s.AltLimitsEnabled {
		up, down = s.AltUploadLimit, s.AltDownloadLimit
	}
	c.session.SetRateLimits(up, down)
	c.session.SetMaxPeersPerTorrent(s.MaxPeersPerTorrent)
	c.session.SetUploadSlots(s.UploadSlots)
	return nil
}

func (c *Client) defaultDirLocked() string {
	if c.cfg.DefaultDir != "" {
		return c.cfg.DefaultDir
	}
	return c.settings.DownloadDir
}

// lookup returns the entry for id or an error naming it.
func (c *Client) lookupLocked(id ID) (*entry, error) {
	e := c.entries[id]
	if e == nil {
		return nil, fmt.Errorf("torrent %s: %w", id.Hex(), ErrNotFound)
	}
	return e, nil
}

// absDir resolves a save folder.
func absDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no save folder: set a download folder in the settings")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("save folder %q: %w", dir, err)
	}
	return abs, nil
}
