package torrent

import (
	"net/netip"
	"strings"
	"time"

	"github.com/swarmscope/swarmscope/engine/tracker"
)

// The torrent's side of announcing. The BEP 12 logic — tiers, shuffling,
// failover and promotion, the started/completed/stopped events, intervals,
// trackerid, scrape, per-tracker status — lives in tracker.Announcer; this
// file only connects it to the loop: statistics in, peers out, "completed"
// and "we need peers" signals, and a bounded stop.
//
// Private torrents (BEP 27) may only use their trackers' peers: the DHT
// (dht.go) and PEX (extensions.go) stay off when t.info.Private is set.

const (
	// fewPeers: below this many connected peers, with no address left to
	// try, a downloading torrent asks its trackers for more.
	fewPeers = 10
	// needPeersGap is the least time between two such requests, so a small
	// swarm does not make us announce every second to a tracker without a
	// min interval (UDP trackers have none).
	needPeersGap = 2 * time.Minute
)

// TrackerStatus is one tracker as the torrent's announcer last saw it: URL,
// tier, state (working, updating, error, not contacted), last error in
// words, warning, the tracker's counts, peers received and announce times.
type TrackerStatus = tracker.TrackerStatus

// announcer is the loop's handle on the torrent's tracker.Announcer.
type announcer struct {
	trackers *tracker.Announcer
	stopped  bool          // stop was called; statuses stay readable
	stopDone chan struct{} // closed when the "stopped" announces are over
	askedAt  time.Time     // start, or the last NeedPeers; loop-owned
}

// startAnnouncer begins announcing ("started" at once) unless trackers are
// off, absent, or already being announced to. It runs on the loop.
func (t *Torrent) startAnnouncer() {
	if t.opts.NoTrackers || (t.announcer != nil && !t.announcer.stopped) {
		return
	}
	tiers := t.trackerTiers()
	if len(tiers) == 0 {
		return
	}
	// The first announce reads its statistics from the snapshot: publish
	// now so a seeder whose recheck just ended does not report the whole
	// torrent as left.
	t.publish(time.Now())
	cfg := tracker.AnnouncerConfig{
		Tiers:       tiers,
		InfoHash:    t.infoHash,
		PeerID:      t.s.peerID,
		Port:        uint16(t.s.port),
		Stats:       t.announceStats,
		OnPeers:     t.deliverTrackerPeers,
		StopTimeout: t.s.cfg.StopAnnounceTimeout,
	}
	if t.s.cfg.AnnounceInterval > 0 {
		// Tests: also retry failing trackers at their pace.
		cfg.RetryInterval = t.s.cfg.AnnounceInterval
	}
	a := &announcer{trackers: tracker.NewAnnouncer(cfg), stopDone: make(chan struct{}), askedAt: time.Now()}
	previous := t.announcer
	t.announcer = a
	// Not derived from the torrent's context: "stopped" must still go out
	// after that is cancelled. stopAnnouncer ends it.
	if previous == nil {
		a.trackers.Start(t.s.ctx)
		return
	}
	// Resume right after Pause: our "started" must not reach a tracker
	// before the pause's "stopped", or the tracker would forget us. A Stop
	// before this Start makes the Start a no-op.
	go func() {
		<-previous.stopDone
		a.trackers.Start(t.s.ctx)
	}()
}

// stopAnnouncer sends "stopped" to the trackers that know us. With wait it
// blocks until they answered or Config.StopAnnounceTimeout (plus a second
// for an announce in flight) passed; without, it returns at once.
func (t *Torrent) stopAnnouncer(wait bool) {
	a := t.announcer
	if a == nil || a.stopped {
		return
	}
	a.stopped = true
	go func() {
		a.trackers.Stop()
		close(a.stopDone)
	}()
	if !wait {
		return
	}
	timer := time.NewTimer(t.s.cfg.StopAnnounceTimeout + time.Second)
	defer timer.Stop()
	select {
	case <-a.stopDone:
	case <-timer.C:
		t.log.Warn("trackers did not answer the stopped announce in time",
			"timeout", t.s.cfg.StopAnnounceTimeout)
	}
}

// announceCompleted tells the trackers, once, that the download finished.
// A torrent complete before it first announces sends no "completed".
func (t *Torrent) announceCompleted() {
	if a := t.announcer; a != nil && !a.stopped {
		a.trackers.Completed()
	}
}

// askTrackersForPeers runs from the loop's tick. It asks for an early
// announce when a downloading torrent has few peers and nothing left to
// dial, and, with Config.AnnounceInterval set, every AnnounceInterval
// whatever the peer count. The tracker's min interval still applies.
func (t *Torrent) askTrackersForPeers(now time.Time) {
	a := t.announcer
	if a == nil || a.stopped || !t.active() {
		return
	}
	override := t.s.cfg.AnnounceInterval
	starving := !t.complete && len(t.peers) < fewPeers && len(t.candidates) == 0 && len(t.dialing) == 0
	switch {
	case override > 0 && now.Sub(a.askedAt) >= override:
	case starving && now.Sub(a.askedAt) >= needPeersGap:
	default:
		return
	}
	a.askedAt = now
	a.trackers.NeedPeers()
}

// trackerStatuses is what the snapshot shows: the announcer's view, or,
// before the first announce, every tracker as not contacted. Nil when
// trackers are off.
func (t *Torrent) trackerStatuses() []TrackerStatus {
	if t.opts.NoTrackers {
		return nil
	}
	if t.announcer != nil {
		out := t.announcer.trackers.Statuses()
		for i := range out {
			out[i].LastError = trackerErrorInWords(out[i].URL, out[i].LastError)
		}
		return out
	}
	var out []TrackerStatus
	for tier, urls := range t.trackerTiers() {
		for _, u := range urls {
			out = append(out, TrackerStatus{URL: u, Tier: tier, State: tracker.NotContacted,
				Seeders: -1, Leechers: -1, Downloaded: -1})
		}
	}
	return out
}

// trackerTiers are the torrent's BEP 12 tiers without empty URLs or tiers;
// a torrent with only "announce" has that as its one tier.
func (t *Torrent) trackerTiers() [][]string {
	if t.mi == nil {
		// A magnet link before its metadata: each "tr" is its own tier,
		// as in the .torrent metainfo.FromInfo later builds.
		var tiers [][]string
		for _, u := range t.magnet.Trackers {
			if u != "" {
				tiers = append(tiers, []string{u})
			}
		}
		return tiers
	}
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

// announceStats is what we report in each announce; it runs on the
// announcer's goroutine, so it reads the published snapshot.
func (t *Torrent) announceStats() tracker.Stats {
	s := t.snapshot.Load()
	if s == nil {
		return tracker.Stats{}
	}
	st := tracker.Stats{Uploaded: s.Uploaded, Downloaded: s.Downloaded, Left: s.TotalSize - s.VerifiedBytes}
	if s.NumPieces == 0 && s.TotalSize == 0 && t.MetaInfo() == nil {
		// The size is unknown until a magnet link's metadata arrives;
		// "left 0" would make trackers take us for a seed and leave the
		// seeds out of their answer.
		st.Left = 1
	}
	if s.Complete {
		st.Left = 0 // skipped pieces are not "left": we will not fetch them
	}
	return st
}

// deliverTrackerPeers hands a tracker's peers to the loop, leaving out
// ourselves (trackers such as opentracker list the announcing peer too). It
// runs on the announcer's goroutine and gives up when the torrent stops,
// because the loop no longer reads then.
func (t *Torrent) deliverTrackerPeers(peers []netip.AddrPort) {
	addrs := make([]string, 0, len(peers))
	for _, ap := range peers {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if ap.Port() == 0 || t.isOurAddress(ap) {
			continue
		}
		addrs = append(addrs, ap.String())
	}
	if len(addrs) == 0 {
		return
	}
	select {
	case t.trackerPeers <- addrs:
	case <-t.ctx.Done():
	}
}

// isOurAddress reports whether ap is our own listener as a tracker on this
// machine would see it.
func (t *Torrent) isOurAddress(ap netip.AddrPort) bool {
	return int(ap.Port()) == t.s.port && (ap.Addr().IsLoopback() || ap.Addr().IsUnspecified())
}

// networkCauses are the socket errors people know by name, with the words
// the snapshot uses for them.
var networkCauses = []struct{ needle, words string }{
	{"connection refused", "connection refused"},
	{"no such host", "host not found"},
	{"network is unreachable", "network unreachable"},
	{"no route to host", "no route to host"},
	{"connection reset by peer", "connection reset"},
	{"i/o timeout", "timed out"},
}

// trackerErrorInWords shortens an announce error for the Trackers tab and
// the command line, which show the tracker's URL beside it: the
// "tracker: <url>: announce:" prefix goes, and a refused, unreachable or
// silent tracker is said as such instead of as a chain of socket calls
// ("announce: connect: receive: read udp …: connection refused"). What the
// tracker itself said, and anything unrecognised, is kept.
func trackerErrorInWords(url, msg string) string {
	timedOut := strings.HasPrefix(msg, "timed out: ")
	msg = strings.TrimPrefix(msg, "timed out: ")
	msg = strings.TrimPrefix(msg, "tracker: "+url+": ")
	msg = strings.TrimPrefix(msg, "announce: ")
	if strings.HasPrefix(msg, "tracker said: ") {
		return msg
	}
	for _, c := range networkCauses {
		if strings.Contains(msg, c.needle) {
			return c.words
		}
	}
	if timedOut || strings.HasSuffix(msg, "context deadline exceeded") {
		return "timed out: " + strings.TrimSuffix(strings.TrimSuffix(msg, "context deadline exceeded"), ": ")
	}
	return msg
}
