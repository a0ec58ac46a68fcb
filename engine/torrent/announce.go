package torrent

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/swarmscope/swarmscope/engine/tracker"
)

// announcer tells the torrent's trackers about us and feeds the peers they
// return to the loop: "started" first, then at the interval each tracker
// asks for, "completed" when the download finishes, and "stopped" (bounded
// by Config.StopAnnounceTimeout) when the torrent stops or pauses. Within a
// BEP 12 tier the first tracker that answers is used.
type announcer struct {
	t      *Torrent
	key    uint32
	cancel context.CancelFunc
	done   chan struct{}
}

const (
	defaultAnnounceInterval = 30 * time.Minute
	minAnnounceInterval     = time.Second
	announceTimeout         = 30 * time.Second
	announceRetry           = 30 * time.Second
	numWant                 = 50
)

func (t *Torrent) startAnnouncer() {
	if t.opts.NoTrackers || t.announcer != nil || len(t.trackerTiers()) == 0 {
		return
	}
	// Its context is not derived from the torrent's: "stopped" must still
	// be sent after the torrent's context is cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	a := &announcer{t: t, key: rand.Uint32(), cancel: cancel, done: make(chan struct{})}
	t.announcer = a
	go a.run(ctx)
}

func (t *Torrent) trackerTiers() [][]string {
	var tiers [][]string
	for _, tier := range t.mi.AnnounceList {
		var urls []string
		for _, u := range tier {
			if u != "" {
				urls = append(urls, u)
			}
		}
		if len(urls) > 0 {
			tiers = append(tiers, urls)
		}
	}
	if len(tiers) == 0 && t.mi.Announce != "" {
		tiers = [][]string{{t.mi.Announce}}
	}
	return tiers
}

// stop ends the announcer after its "stopped" announces (bounded wait).
func (a *announcer) stop() {
	a.cancel()
	select {
	case <-a.done:
	case <-time.After(a.t.s.cfg.StopAnnounceTimeout + time.Second):
		a.t.log.Warn("trackers did not answer the stopped announce in time")
	}
}

func (a *announcer) run(ctx context.Context) {
	defer close(a.done)
	t := a.t
	tiers := t.trackerTiers()
	started := map[string]bool{} // trackers that know us, for "stopped"
	completed := t.completedCh
	select {
	case <-completed:
		completed = nil // already complete when started: no "completed" event
	default:
	}
	event := tracker.Started
	sentCompleted := false
	for {
		interval := time.Duration(0)
		for _, tier := range tiers {
			for _, url := range tier {
				resp, err := a.announce(ctx, url, event)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					t.log.Warn("announce failed", "tracker", url, "event", event, "err", err)
					continue
				}
				started[url] = true
				if event == tracker.Completed {
					sentCompleted = true
				}
				if interval == 0 || resp.Interval < interval {
					interval = resp.Interval
				}
				a.deliver(ctx, resp)
				break // first working tracker of the tier
			}
		}
		event = tracker.None
		switch {
		case interval == 0:
			interval = announceRetry // nobody answered
		case interval <= 0:
			interval = defaultAnnounceInterval
		}
		if t.s.cfg.AnnounceInterval > 0 {
			interval = t.s.cfg.AnnounceInterval
		}
		interval = max(interval, minAnnounceInterval)
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			// A download that finished just before the stop still tells
			// the trackers it completed.
			finishedUnsent := false
			if completed != nil {
				select {
				case <-completed:
					finishedUnsent = true
				default:
				}
			} else if event == tracker.Completed && !sentCompleted {
				finishedUnsent = true
			}
			a.sendStopped(started, finishedUnsent)
			return
		case <-timer.C:
		case <-completed:
			timer.Stop()
			completed = nil
			event = tracker.Completed
		}
	}
}

func (a *announcer) sendStopped(started map[string]bool, completed bool) {
	ctx, cancel := context.WithTimeout(context.Background(), a.t.s.cfg.StopAnnounceTimeout)
	defer cancel()
	for url := range started {
		if completed {
			if _, err := a.announce(ctx, url, tracker.Completed); err != nil {
				a.t.log.Debug("completed announce failed", "tracker", url, "err", err)
			}
		}
		if _, err := a.announce(ctx, url, tracker.Stopped); err != nil {
			a.t.log.Debug("stopped announce failed", "tracker", url, "err", err)
		}
	}
}

func (a *announcer) announce(ctx context.Context, url string, event tracker.Event) (*tracker.AnnounceResponse, error) {
	t := a.t
	req := tracker.AnnounceRequest{
		InfoHash: t.infoHash,
		PeerID:   t.s.peerID,
		Port:     uint16(t.s.port),
		Event:    event,
		NumWant:  numWant,
		Key:      a.key,
	}
	if s := t.snapshot.Load(); s != nil {
		req.Uploaded, req.Downloaded = s.Uploaded, s.Downloaded
		req.Left = s.TotalSize - s.VerifiedBytes
	}
	if event == tracker.Stopped {
		req.NumWant = 0
	}
	ctx, cancel := context.WithTimeout(ctx, announceTimeout)
	defer cancel()
	return tracker.Announce(ctx, url, req)
}

// deliver hands the tracker's peers to the loop, leaving out ourselves.
func (a *announcer) deliver(ctx context.Context, resp *tracker.AnnounceResponse) {
	var addrs []string
	for _, ap := range resp.Peers {
		if int(ap.Port()) == a.t.s.port && (ap.Addr().IsLoopback() || ap.Addr().IsUnspecified()) {
			continue
		}
		addrs = append(addrs, ap.String())
	}
	if len(addrs) == 0 {
		return
	}
	select {
	case a.t.trackerPeers <- addrs:
	case <-ctx.Done():
	}
}
