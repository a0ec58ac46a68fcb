package torrent

import (
	"context"
	"sync/atomic"

	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/wire"
	"golang.org/x/time/rate"
)

// rateLimiter is a token bucket in bytes/s whose limit can change while
// peers use it. Unlimited costs one atomic load per block: the bucket is
// not touched at all, so a fast loopback transfer pays nothing for a
// limit nobody set.
type rateLimiter struct {
	limited atomic.Bool
	bucket  *rate.Limiter
}

func newRateLimiter(bytesPerSecond int64) *rateLimiter {
	l := &rateLimiter{bucket: rate.NewLimiter(rate.Inf, 0)}
	l.set(bytesPerSecond)
	return l
}

// set changes the limit; 0 or less means unlimited. The burst is a tenth of
// a second of traffic but at least a few blocks, so whole messages pass and
// the rate stays smooth. Waiters already sleeping finish their current step
// at the old rate.
func (l *rateLimiter) set(bytesPerSecond int64) {
	if bytesPerSecond <= 0 {
		l.limited.Store(false)
		l.bucket.SetLimit(rate.Inf)
		return
	}
	l.bucket.SetBurst(max(int(bytesPerSecond/10), 4*wire.BlockSize))
	l.bucket.SetLimit(rate.Limit(bytesPerSecond))
	l.limited.Store(true)
}

// limit is the current limit in bytes/s, 0 when unlimited.
func (l *rateLimiter) limit() int64 {
	if !l.limited.Load() {
		return 0
	}
	return int64(l.bucket.Limit())
}

// wait blocks until n bytes may pass, in burst-sized steps so a bucket with
// a small burst still admits a whole block.
func (l *rateLimiter) wait(ctx context.Context, n int) error {
	for n > 0 && l.limited.Load() {
		step := min(n, l.bucket.Burst())
		if err := l.bucket.WaitN(ctx, step); err != nil {
			return err
		}
		n -= step
	}
	return nil
}

// limiterPair is what one direction of a peer's traffic waits on: its
// torrent's limit, then the session's. A block passes when both allow it.
type limiterPair struct{ torrent, session *rateLimiter }

func (lp limiterPair) wait(ctx context.Context, n int) error {
	if err := lp.torrent.wait(ctx, n); err != nil {
		return err
	}
	return lp.session.wait(ctx, n)
}

// SetRateLimits changes the session's global limits in bytes/s (0 =
// unlimited) at run time; every torrent's peers obey them at once.
func (s *Session) SetRateLimits(upload, download int64) {
	s.up.set(upload)
	s.down.set(download)
}

// SetMaxPeersPerTorrent changes the per-torrent connection cap at run time
// (0 or less: the default, 50). Torrents above a lowered cap keep their
// connections but open no new ones until they are below it.
func (s *Session) SetMaxPeersPerTorrent(n int) {
	if n <= 0 {
		n = DefaultConfig().MaxPeersPerTorrent
	}
	s.maxPeers.Store(int64(n))
}

// MaxPeersPerTorrent returns the per-torrent connection cap in force.
func (s *Session) MaxPeersPerTorrent() int { return s.maxPeersPerTorrent() }

func (s *Session) maxPeersPerTorrent() int { return int(s.maxPeers.Load()) }

// UploadSlots returns the regular upload slots torrents use.
func (s *Session) UploadSlots() int { return s.chokerConfig().RegularSlots }

func (s *Session) chokerConfig() choker.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chokerCfg
}

// SetUploadSlots changes how many peers every torrent unchokes for their
// upload rate (tit-for-tat's regular slots; 0 or less: the default, 4), from
// each torrent's next rechoke on.
func (s *Session) SetUploadSlots(n int) {
	if n <= 0 {
		n = choker.DefaultConfig().RegularSlots
	}
	s.mu.Lock()
	s.chokerCfg.RegularSlots = n
	s.mu.Unlock()
	for _, t := range s.Torrents() {
		t.do(func() {
			t.choker.SetRegularSlots(n)
			t.rechokeWanted = true
		})
	}
}

// RateLimits returns the session's global limits in bytes/s (0 = unlimited).
func (s *Session) RateLimits() (upload, download int64) {
	return s.up.limit(), s.down.limit()
}

// SetRateLimits changes this torrent's limits in bytes/s (0 = unlimited) at
// run time. Its peers wait on both these and the session's limits.
func (t *Torrent) SetRateLimits(upload, download int64) {
	t.up.set(upload)
	t.down.set(download)
}

// RateLimits returns this torrent's limits in bytes/s (0 = unlimited).
func (t *Torrent) RateLimits() (upload, download int64) {
	return t.up.limit(), t.down.limit()
}
