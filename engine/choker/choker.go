// Package choker decides which peers we upload to: BitTorrent's
// tit-for-tat, as the course text tells it.
//
//   - Regular slots: every RechokeInterval (10 s) we unchoke the
//     RegularSlots (4) interested peers that currently send to us fastest;
//     when seeding, nobody sends to us, so the ones we upload to fastest.
//   - A seed has no trade to protect, only pieces to spread: it may use
//     more regular slots (SetSeedSlots), so that each slot still carries
//     about one piece a second. Four slots would feed four peers full
//     copies while the rest wait for their first piece; with one slot per
//     piece-a-second of upload, every peer soon has something to trade.
//   - Optimistic unchoke: one more interested peer, picked at random
//     among the choked ones and kept for OptimisticInterval (30 s), so new
//     peers get something to trade and we discover better partners. Peers
//     connected in the last NewPeerWindow are NewPeerWeight times as likely
//     to be picked, as mainline does.
//   - Anti-snubbing: while downloading, a peer that has sent us no block
//     for SnubTimeout (60 s) is "snubbed" and loses its regular slot; it
//     can still be the optimistic unchoke.
//   - Peers not interested in us are choked: they would not request
//     anything. (Mainline also unchokes fast uninterested peers so they
//     can start at once when they become interested; we do not, and
//     instead the torrent loop may rechoke early when interest changes.)
//
// Every decision carries a reason in words, for the peer table and the
// Swarm Lab. The Choker is a pure policy: no I/O, no goroutines, no clock
// (the caller passes now), no locks; one goroutine owns it. Randomness
// comes only from the *rand.Rand given to New.
package choker

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dustin/go-humanize"
)

// PeerKey identifies a peer connection; the torrent loop chooses the values.
type PeerKey uint64

// Config holds the choking settings. DefaultConfig gives the textbook values.
type Config struct {
	RegularSlots       int           // peers unchoked for their rate: 4
	RechokeInterval    time.Duration // how often Due reports a rechoke: 10s
	OptimisticInterval time.Duration // how long an optimistic unchoke lasts: 30s
	SnubTimeout        time.Duration // no block for this long while leeching = snubbed: 60s; 0 disables
	UploadToAll        bool          // Swarm Lab: no choking at all
}

// DefaultConfig returns the settings from the text: 4 regular slots,
// rechoke every 10 s, optimistic unchoke every 30 s, snubbed after 60 s.
func DefaultConfig() Config {
	return Config{
		RegularSlots:       4,
		RechokeInterval:    10 * time.Second,
		OptimisticInterval: 30 * time.Second,
		SnubTimeout:        60 * time.Second,
	}
}

// A peer connected within NewPeerWindow is NewPeerWeight times as likely
// as an older one to get the optimistic unchoke: it has nothing to trade
// yet, and this is how it gets its first pieces.
const (
	NewPeerWindow = time.Minute
	NewPeerWeight = 3
)

// Peer is what the choker needs to know about one connected peer.
type Peer struct {
	Key          PeerKey
	Interested   bool      // the peer is interested in us
	DownloadRate float64   // bytes/s it sends us
	UploadRate   float64   // bytes/s we send it
	ConnectedAt  time.Time // zero: unknown (never counted as new or snubbed)
	LastBlockAt  time.Time // last block it sent us (zero: never)
	Snubbed      bool      // computed by Rechoke, which sets it in the caller's slice; read only
}

// Decision is the choker's verdict on one peer.
type Decision struct {
	Key        PeerKey
	Unchoke    bool
	Optimistic bool   // unchoked by the optimistic slot, not for its rate
	Reason     string // in words, e.g. "regular unchoke: 2nd fastest uploader to us (123 KiB/s)"
	Snubbed    bool   // the peer counts as snubbing us (see Peer.Snubbed)
}

// Choker holds the state that outlives one rechoke: when the last one
// ran and which peer holds the optimistic slot since when.
type Choker struct {
	cfg Config
	rng *rand.Rand

	rechoked    bool
	lastRechoke time.Time

	optimistic      PeerKey
	hasOptimistic   bool
	optimisticSince time.Time

	seedSlots int // regular slots while seeding, when more than RegularSlots
}

// New returns a choker with cfg (negative slot counts count as 0). A nil
// rng gets a fixed seed.
func New(cfg Config, rng *rand.Rand) *Choker {
	cfg.RegularSlots = max(cfg.RegularSlots, 0)
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	return &Choker{cfg: cfg, rng: rng}
}

// SetRegularSlots changes how many peers are unchoked for their rate
// (negative counts as 0); the next rechoke uses it.
func (c *Choker) SetRegularSlots(n int) { c.cfg.RegularSlots = max(n, 0) }

// SetSeedSlots sets how many regular slots the choker uses while seeding;
// fewer than Config.RegularSlots means RegularSlots. The torrent sets it
// from its upload capacity before each rechoke (see the package doc).
func (c *Choker) SetSeedSlots(n int) { c.seedSlots = n }

// slots is the number of regular slots for this rechoke.
func (c *Choker) slots(seeding bool) int {
	if seeding && c.seedSlots > c.cfg.RegularSlots {
		return c.seedSlots
	}
	return c.cfg.RegularSlots
}

// Config returns the settings in use.
func (c *Choker) Config() Config { return c.cfg }

// Optimistic reports the peer holding the optimistic slot, if any.
func (c *Choker) Optimistic() (PeerKey, bool) { return c.optimistic, c.hasOptimistic }

// Due reports whether a rechoke is due: always before the first one, then
// once RechokeInterval has passed since the last (or the clock went back).
func (c *Choker) Due(now time.Time) bool {
	if !c.rechoked {
		return true
	}
	elapsed := now.Sub(c.lastRechoke)
	return elapsed < 0 || elapsed >= c.cfg.RechokeInterval
}

// IsSnubbed reports whether p counts as snubbing us at now: while we are
// downloading, no block from it for longer than SnubTimeout (or none ever,
// and connected for longer than that).
func (c *Choker) IsSnubbed(now time.Time, p Peer, seeding bool) bool {
	if seeding || c.cfg.SnubTimeout <= 0 {
		return false
	}
	since := p.LastBlockAt
	if since.IsZero() {
		since = p.ConnectedAt
	}
	return !since.IsZero() && now.Sub(since) > c.cfg.SnubTimeout
}

func isNew(now time.Time, p Peer) bool {
	return !p.ConnectedAt.IsZero() && now.Sub(p.ConnectedAt) < NewPeerWindow
}

// Rechoke decides who is unchoked, returning one Decision per peer in
// input order, and sets peers[i].Snubbed. Call it when Due, and whenever
// the peer set or interest changes if a quicker reaction is wanted; each
// call restarts the RechokeInterval.
//
// If the optimistic peer earns a regular slot by its rate, a new
// optimistic peer is chosen at once rather than at the next rotation, so
// the extra slot is never wasted. A peer that disconnected or lost
// interest also loses the optimistic slot at once.
func (c *Choker) Rechoke(now time.Time, peers []Peer, seeding bool) []Decision {
	c.rechoked = true
	c.lastRechoke = now
	out := make([]Decision, len(peers))
	for i := range peers {
		out[i].Key = peers[i].Key
		peers[i].Snubbed = c.IsSnubbed(now, peers[i], seeding)
		out[i].Snubbed = peers[i].Snubbed
	}
	if c.cfg.UploadToAll {
		c.hasOptimistic = false
		for i := range out {
			out[i].Unchoke = true
			out[i].Reason = "upload to everyone (lab mode)"
		}
		return out
	}

	rank := c.rankByRate(peers, seeding)
	slots := c.slots(seeding)
	for pos, r := range rank {
		if pos < slots {
			out[r.index].Unchoke = true
			out[r.index].Reason = regularReason(pos, r.rate, seeding, slots)
		} else {
			out[r.index].Reason = notTopReason(slots, pos, r.rate)
		}
	}
	for i := range peers {
		switch {
		case !peers[i].Interested:
			out[i].Reason = "choked: not interested"
		case peers[i].Snubbed:
			out[i].Reason = fmt.Sprintf("choked: snubbed (no data for %s)", seconds(c.cfg.SnubTimeout))
		}
	}

	if i := c.chooseOptimistic(now, peers, out); i >= 0 {
		out[i].Unchoke = true
		out[i].Optimistic = true
		out[i].Reason = fmt.Sprintf("optimistic unchoke (rotates every %s)", seconds(c.cfg.OptimisticInterval))
	}
	return out
}

// ranked is one peer competing for a regular slot.
type ranked struct {
	index int
	rate  float64
	tie   uint64
}

// rankByRate orders the interested, non-snubbed peers fastest first, by
// the rate that matters: what they send us, or when seeding what we send
// them. Equal rates are ordered at random (from the seeded rng).
func (c *Choker) rankByRate(peers []Peer, seeding bool) []ranked {
	var rank []ranked
	for i, p := range peers {
		if !p.Interested || p.Snubbed {
			continue
		}
		rate := p.DownloadRate
		if seeding {
			rate = p.UploadRate
		}
		rank = append(rank, ranked{index: i, rate: sanitizeRate(rate), tie: c.rng.Uint64()})
	}
	slices.SortFunc(rank, func(a, b ranked) int {
		if byRate := cmp.Compare(b.rate, a.rate); byRate != 0 {
			return byRate
		}
		return cmp.Compare(a.tie, b.tie)
	})
	return rank
}

// chooseOptimistic keeps the current optimistic peer while its time lasts
// and it still qualifies, otherwise picks a new one, weighted towards new
// peers and away from the one just rotated out. It returns the index in
// peers, or -1 when no choked interested peer is left.
func (c *Choker) chooseOptimistic(now time.Time, peers []Peer, out []Decision) int {
	current := -1
	if c.hasOptimistic {
		for i := range peers {
			if peers[i].Key == c.optimistic {
				current = i
				break
			}
		}
	}
	if current >= 0 && peers[current].Interested && !out[current].Unchoke {
		elapsed := now.Sub(c.optimisticSince)
		if elapsed >= 0 && elapsed < c.cfg.OptimisticInterval {
			return current
		}
	}

	var cands []int
	total := 0
	for i := range peers {
		if peers[i].Interested && !out[i].Unchoke && i != current {
			cands = append(cands, i)
			total += weight(now, peers[i])
		}
	}
	if len(cands) == 0 && current >= 0 && peers[current].Interested && !out[current].Unchoke {
		// Nobody else to rotate to: the same peer starts a new period.
		cands = []int{current}
		total = weight(now, peers[current])
	}
	if len(cands) == 0 {
		c.hasOptimistic = false
		return -1
	}
	pick := c.rng.IntN(total)
	chosen := cands[len(cands)-1]
	for _, i := range cands {
		if pick -= weight(now, peers[i]); pick < 0 {
			chosen = i
			break
		}
	}
	c.optimistic = peers[chosen].Key
	c.hasOptimistic = true
	c.optimisticSince = now
	return chosen
}

func weight(now time.Time, p Peer) int {
	if isNew(now, p) {
		return NewPeerWeight
	}
	return 1
}

// sanitizeRate turns what a buggy rate meter might report (NaN,
// negative, infinite) into something that sorts and prints.
func sanitizeRate(r float64) float64 {
	switch {
	case math.IsNaN(r) || r < 0:
		return 0
	case r > math.MaxInt64:
		return math.MaxInt64
	default:
		return r
	}
}

func regularReason(pos int, rate float64, seeding bool, slots int) string {
	if seeding {
		return fmt.Sprintf("regular unchoke: %s fastest we upload to (%s, seeding with %d slots)", humanize.Ordinal(pos+1), formatRate(rate), slots)
	}
	return fmt.Sprintf("regular unchoke: %s fastest uploader to us (%s)", humanize.Ordinal(pos+1), formatRate(rate))
}

func notTopReason(slots, pos int, rate float64) string {
	if slots == 0 {
		return "choked: no regular slots"
	}
	return fmt.Sprintf("choked: not in the top %d (%s fastest, %s)", slots, humanize.Ordinal(pos+1), formatRate(rate))
}

// formatRate prints bytes/s in binary units, e.g. "123 KiB/s".
func formatRate(r float64) string { return humanize.IBytes(uint64(r)) + "/s" }

// seconds prints a duration as "30 s" when it is whole seconds.
func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", int64(d/time.Second))
	}
	return d.String()
}
