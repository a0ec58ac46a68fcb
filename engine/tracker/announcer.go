package tracker

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"
)

// Stats is what a torrent reports in each announce.
type Stats struct {
	Uploaded, Downloaded, Left int64
}

// AnnouncerConfig describes one torrent to its trackers.
type AnnouncerConfig struct {
	// Tiers are the BEP 12 tiers of announce URLs ("announce-list", or the
	// single "announce" as one tier).
	Tiers            [][]string
	InfoHash, PeerID [20]byte
	Port             uint16
	// Stats is called before each announce, from the announcer goroutine.
	Stats func() Stats
	// OnPeers receives the peers of each successful announce, from the
	// announcer goroutine; it should hand them off quickly (e.g. over a
	// channel to the torrent loop).
	OnPeers func([]netip.AddrPort)
	// Client talks to trackers (DefaultClient).
	Client *Client
	// NumWant is how many peers to ask for (50).
	NumWant int
	// DefaultInterval is used when a tracker names none (30 min);
	// MinGap is the least time between announces whatever a tracker says (1 s).
	DefaultInterval, MinGap time.Duration
	// RetryInterval is the wait after a round in which no tracker answered
	// (15 s); it doubles per failed round up to DefaultInterval.
	RetryInterval time.Duration
	// AttemptTimeout bounds one announce to one tracker (30 s).
	AttemptTimeout time.Duration
	// StopTimeout bounds the "stopped" announces on Stop (5 s).
	StopTimeout time.Duration
}

// TrackerState is how a tracker is doing, for the UI.
type TrackerState int

// The tracker states.
const (
	NotContacted TrackerState = iota
	Updating
	Working
	Failing
)

func (s TrackerState) String() string {
	switch s {
	case Updating:
		return "updating"
	case Working:
		return "working"
	case Failing:
		return "error"
	}
	return "not contacted"
}

// TrackerStatus is one tracker as the announcer last saw it.
type TrackerStatus struct {
	URL   string
	Tier  int // 0-based
	State TrackerState
	// LastError is the last failure in words ("" after a success).
	LastError, Warning string
	// Seeders, Leechers and Downloaded are the tracker's counts; -1 when
	// unknown (Downloaded needs a scrape, which not every tracker offers).
	Seeders, Leechers, Downloaded int
	// PeersReceived is how many peers the last answer held.
	PeersReceived int
	LastAnnounce  time.Time
	NextAnnounce  time.Time
}

// Announcer keeps one torrent announced to its trackers. It runs in its own
// goroutine between Start and Stop; the torrent talks to it through
// Completed and NeedPeers (both non-blocking) and reads Statuses. Peers
// arrive through AnnouncerConfig.OnPeers.
//
// It follows BEP 12: trackers are shuffled within each tier once, tried in
// order, tier after tier, until one answers; that one moves to the front of
// its tier. The answering tracker's interval (at least its min interval)
// sets the next announce.
type Announcer struct {
	cfg    AnnouncerConfig
	client *Client
	key    uint32

	mu    sync.Mutex
	tiers [][]*trackerEntry

	completed chan struct{}
	needPeers chan struct{}
	cancel    context.CancelFunc
	done      chan struct{}
	startOnce sync.Once
	stopOnce  sync.Once
}

type trackerEntry struct {
	status    TrackerStatus
	started   bool   // it accepted our "started"
	trackerID string // echoed back as trackerid
	// unanswered: an announce went out and we stopped before its answer,
	// so the tracker may have listed us: it gets "stopped" too.
	unanswered bool
}

// NewAnnouncer prepares an announcer; nothing is sent before Start.
func NewAnnouncer(cfg AnnouncerConfig) *Announcer {
	if cfg.Client == nil {
		cfg.Client = DefaultClient
	}
	if cfg.NumWant <= 0 {
		cfg.NumWant = 50
	}
	if cfg.DefaultInterval <= 0 {
		cfg.DefaultInterval = 30 * time.Minute
	}
	if cfg.MinGap <= 0 {
		cfg.MinGap = time.Second
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 15 * time.Second
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	if cfg.Stats == nil {
		cfg.Stats = func() Stats { return Stats{} }
	}
	if cfg.OnPeers == nil {
		cfg.OnPeers = func([]netip.AddrPort) {}
	}
	a := &Announcer{
		cfg:       cfg,
		client:    cfg.Client,
		key:       rand.Uint32(),
		completed: make(chan struct{}, 1),
		needPeers: make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	for tier, urls := range cfg.Tiers {
		entries := make([]*trackerEntry, 0, len(urls))
		for _, u := range urls {
			entries = append(entries, &trackerEntry{status: TrackerStatus{
				URL: u, Tier: tier, Seeders: -1, Leechers: -1, Downloaded: -1,
			}})
		}
		rand.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
		if len(entries) > 0 {
			a.tiers = append(a.tiers, entries)
		}
	}
	return a
}

// Start begins announcing ("started" at once). Cancelling ctx has the same
// effect as Stop, without waiting.
func (a *Announcer) Start(ctx context.Context) {
	a.startOnce.Do(func() {
		ctx, a.cancel = context.WithCancel(ctx)
		go a.run(ctx)
	})
}

// Stop sends "stopped" to the trackers that know us and returns when done,
// after at most StopTimeout (plus the end of an announce in flight, which
// Stop cancels).
func (a *Announcer) Stop() {
	a.stopOnce.Do(func() {
		a.startOnce.Do(func() { close(a.done) }) // never started: nothing to stop
		if a.cancel != nil {
			a.cancel()
		}
	})
	<-a.done
}

// Completed tells the trackers, once, that the download finished.
func (a *Announcer) Completed() {
	select {
	case a.completed <- struct{}{}:
	default:
	}
}

// NeedPeers asks for an announce as soon as the tracker's min interval
// allows, e.g. when the torrent has few peers.
func (a *Announcer) NeedPeers() {
	select {
	case a.needPeers <- struct{}{}:
	default:
	}
}

// Statuses returns every tracker, in tier order; safe from any goroutine.
func (a *Announcer) Statuses() []TrackerStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []TrackerStatus
	for _, tier := range a.tiers {
		for _, e := range tier {
			out = append(out, e.status)
		}
	}
	return out
}

func (a *Announcer) run(ctx context.Context) {
	defer close(a.done)
	var (
		next             = time.Now()
		lastSuccess      time.Time
		minInterval      time.Duration
		completedPending bool
		completedSent    bool
		failedRounds     int
	)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		timer.Reset(max(time.Until(next), 0))
		select {
		case <-ctx.Done():
			a.sendStopped()
			return
		case <-a.completed:
			if !completedSent {
				// "min interval" paces routine re-announces; an event is
				// news the tracker should get now (as libtorrent and
				// Transmission send it), or it may never come if we stop.
				completedPending = true
				next = time.Now()
			}
			continue
		case <-a.needPeers:
			if allowed := earliestAllowed(lastSuccess, minInterval); allowed.Before(next) {
				next = allowed
			}
			continue
		case <-timer.C:
		}
		interval, minInt, ok := a.round(ctx, completedPending)
		now := time.Now()
		if ok {
			if completedPending {
				completedPending, completedSent = false, true
			}
			failedRounds = 0
			lastSuccess, minInterval = now, minInt
			next = now.Add(interval)
		} else {
			if ctx.Err() != nil {
				continue // the loop top sends "stopped"
			}
			wait := min(a.cfg.RetryInterval<<min(failedRounds, 16), a.cfg.DefaultInterval)
			failedRounds++
			next = now.Add(wait)
		}
		a.setNextAnnounce(next)
	}
}

// round announces to the first tracker, in BEP 12 order, that answers.
func (a *Announcer) round(ctx context.Context, completed bool) (interval, minInterval time.Duration, ok bool) {
	a.mu.Lock()
	tiers := make([][]*trackerEntry, len(a.tiers))
	for i, t := range a.tiers {
		tiers[i] = append([]*trackerEntry(nil), t...)
	}
	a.mu.Unlock()

	for tierIndex, tier := range tiers {
		for _, e := range tier {
			if ctx.Err() != nil {
				return 0, 0, false
			}
			a.mu.Lock()
			req := a.request(e, completed)
			e.status.State = Updating
			a.mu.Unlock()

			actx, cancel := context.WithTimeout(ctx, a.cfg.AttemptTimeout)
			resp, err := a.client.Announce(actx, e.status.URL, req)
			cancel()

			a.mu.Lock()
			e.status.LastAnnounce = time.Now()
			e.unanswered = err != nil && ctx.Err() != nil
			if err != nil {
				e.status.State = Failing
				e.status.LastError = errorInWords(err)
				a.mu.Unlock()
				continue
			}
			e.started = true
			if resp.TrackerID != "" {
				e.trackerID = resp.TrackerID
			}
			e.status.State, e.status.LastError, e.status.Warning = Working, "", resp.Warning
			e.status.Seeders, e.status.Leechers = resp.Seeders, resp.Leechers
			e.status.PeersReceived = len(resp.Peers)
			a.promote(tierIndex, e)
			a.mu.Unlock()

			if len(resp.Peers) > 0 {
				a.cfg.OnPeers(resp.Peers)
			}
			a.scrapeDownloaded(ctx, e)
			minInterval = max(resp.MinInterval, a.cfg.MinGap)
			interval = resp.Interval
			if interval <= 0 {
				interval = a.cfg.DefaultInterval
			}
			return max(interval, minInterval), minInterval, true
		}
	}
	return 0, 0, false
}

// request builds the announce for e; the caller holds mu.
func (a *Announcer) request(e *trackerEntry, completed bool) AnnounceRequest {
	st := a.cfg.Stats()
	req := AnnounceRequest{
		InfoHash: a.cfg.InfoHash, PeerID: a.cfg.PeerID, Port: a.cfg.Port,
		Uploaded: st.Uploaded, Downloaded: st.Downloaded, Left: st.Left,
		NumWant: a.cfg.NumWant, Key: a.key, TrackerID: e.trackerID,
	}
	switch {
	case !e.started:
		req.Event = Started
	case completed:
		req.Event = Completed
	}
	return req
}

// promote moves e to the front of its tier (BEP 12); the caller holds mu.
func (a *Announcer) promote(tier int, e *trackerEntry) {
	t := a.tiers[tier]
	for i, x := range t {
		if x == e {
			copy(t[1:i+1], t[:i])
			t[0] = e
			return
		}
	}
}

// scrapeDownloaded fills in the completed-download count when the tracker
// offers scrape; failures only leave it unknown.
func (a *Announcer) scrapeDownloaded(ctx context.Context, e *trackerEntry) {
	sctx, cancel := context.WithTimeout(ctx, min(a.cfg.AttemptTimeout, 5*time.Second))
	defer cancel()
	stats, err := a.client.Scrape(sctx, e.status.URL, [][20]byte{a.cfg.InfoHash})
	if err != nil {
		return
	}
	if st, ok := stats[a.cfg.InfoHash]; ok {
		a.mu.Lock()
		e.status.Downloaded = st.Downloaded
		a.mu.Unlock()
	}
}

func (a *Announcer) setNextAnnounce(next time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, tier := range a.tiers {
		for _, e := range tier {
			if e.status.State == Working || e.status.State == Failing {
				e.status.NextAnnounce = next
			}
		}
	}
}

// sendStopped tells every tracker that accepted "started" that we leave,
// in parallel, within StopTimeout.
func (a *Announcer) sendStopped() {
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.StopTimeout)
	defer cancel()
	var wg sync.WaitGroup
	a.mu.Lock()
	for _, tier := range a.tiers {
		for _, e := range tier {
			if !e.started && !e.unanswered {
				continue
			}
			req := a.request(e, false)
			req.Event, req.NumWant = Stopped, 0
			wg.Add(1)
			go func(url string) {
				defer wg.Done()
				a.client.Announce(ctx, url, req)
			}(e.status.URL)
			e.started, e.unanswered = false, false
			e.status.State = NotContacted
			e.status.NextAnnounce = time.Time{}
		}
	}
	a.mu.Unlock()
	wg.Wait()
}

// errorInWords turns an announce error into a short phrase for the UI.
func errorInWords(err error) string {
	var fe *FailureError
	switch {
	case errors.As(err, &fe):
		return fe.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// earliestAllowed is the soonest the tracker's min interval lets us announce.
func earliestAllowed(lastSuccess time.Time, minInterval time.Duration) time.Time {
	t := lastSuccess.Add(minInterval)
	if now := time.Now(); t.Before(now) {
		return now
	}
	return t
}
