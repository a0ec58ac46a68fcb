package dht

import (
	"time"

	"golang.org/x/time/rate"
)

// Default query rate limits: a well-behaved node sends a handful of
// queries a second to any one other node; 50/s with a burst of 100 leaves
// room for a busy client and stops one source from using us to send a
// flood of (larger) responses somewhere.
const (
	DefaultQueriesPerSecond = 50
	DefaultQueryBurst       = 100
	maxLimiters             = 4096
)

// sourceLimiter rate-limits queries per source with a token bucket each,
// in a map bounded to maxLimiters entries. It is pure: the caller passes
// the time in.
type sourceLimiter[K comparable] struct {
	perSecond rate.Limit
	burst     int
	limiters  map[K]*rate.Limiter
}

func newSourceLimiter[K comparable](perSecond float64, burst int) *sourceLimiter[K] {
	return &sourceLimiter[K]{perSecond: rate.Limit(perSecond), burst: burst, limiters: make(map[K]*rate.Limiter)}
}

// Allow reports whether a query from source may be answered at now.
func (l *sourceLimiter[K]) Allow(source K, now time.Time) bool {
	lim, ok := l.limiters[source]
	if !ok {
		if len(l.limiters) >= maxLimiters {
			l.sweep(now)
		}
		lim = rate.NewLimiter(l.perSecond, l.burst)
		l.limiters[source] = lim
	}
	return lim.AllowN(now, 1)
}

// sweep makes room in a full map. Sources whose bucket has refilled are
// indistinguishable from new ones and go first; if that frees less than a
// quarter of the map (a flood from many sources), random entries go too,
// which at worst gives those sources a fresh burst.
func (l *sourceLimiter[K]) sweep(now time.Time) {
	for k, lim := range l.limiters {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.limiters, k)
		}
	}
	for k := range l.limiters {
		if len(l.limiters) <= maxLimiters*3/4 {
			break
		}
		delete(l.limiters, k)
	}
}

// Len returns the number of sources tracked.
func (l *sourceLimiter[K]) Len() int { return len(l.limiters) }
