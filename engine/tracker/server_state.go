package tracker

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"log/slog"
	mathrand "math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// ServerConfig tunes the embedded tracker. Zero fields take the defaults
// noted beside them.
type ServerConfig struct {
	// Interval is the re-announce interval handed to clients (30 min);
	// MinInterval the least they may use (1 min, or Interval if shorter).
	// The Swarm Lab sets both to seconds.
	Interval, MinInterval time.Duration
	// PeerTimeout drops peers that have not announced for this long
	// (2 × Interval).
	PeerTimeout time.Duration
	// NumWant is how many peers an announce gets when it does not say (50);
	// MaxNumWant caps what it may ask for (200).
	NumWant, MaxNumWant int
	// MaxTorrents caps the swarms tracked (100 000); MaxPeersPerTorrent the
	// peers in one swarm (10 000); MaxPeersPerIP the entries one IP address
	// may hold across all swarms (1 000).
	MaxTorrents, MaxPeersPerTorrent, MaxPeersPerIP int
	// Whitelist, when not nil, is the only info hashes tracked.
	Whitelist [][20]byte
	// Now is the clock (time.Now); tests move it forward.
	Now func() time.Time
	// Log gets one line per refused request at debug level (slog.Default()).
	Log *slog.Logger
}

func (c ServerConfig) withDefaults() ServerConfig {
	if c.Interval <= 0 {
		c.Interval = 30 * time.Minute
	}
	if c.MinInterval <= 0 {
		c.MinInterval = min(time.Minute, c.Interval)
	}
	if c.PeerTimeout <= 0 {
		c.PeerTimeout = 2 * c.Interval
	}
	if c.NumWant <= 0 {
		c.NumWant = 50
	}
	if c.MaxNumWant <= 0 {
		c.MaxNumWant = 200
	}
	c.NumWant = min(c.NumWant, c.MaxNumWant)
	if c.MaxTorrents <= 0 {
		c.MaxTorrents = 100_000
	}
	if c.MaxPeersPerTorrent <= 0 {
		c.MaxPeersPerTorrent = 10_000
	}
	if c.MaxPeersPerIP <= 0 {
		c.MaxPeersPerIP = 1_000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// trackerState is the tracker's memory: swarms by info hash. One mutex
// guards it; every operation is short and bounded by the configured caps.
type trackerState struct {
	cfg       ServerConfig
	whitelist map[[20]byte]bool // nil: every torrent allowed
	secret    [32]byte          // keys UDP connection ids

	mu       sync.Mutex
	torrents map[[20]byte]*swarm
	perIP    map[netip.Addr]int
	rng      *mathrand.Rand
}

type swarm struct {
	peers      []*swarmPeer // dense, for uniform random sampling
	index      map[netip.AddrPort]int
	seeders    int
	downloaded int
}

type swarmPeer struct {
	addr      netip.AddrPort
	id        [20]byte
	seeding   bool
	completed bool // its "completed" event was counted
	lastSeen  time.Time
}

func newTrackerState(cfg ServerConfig) *trackerState {
	cfg = cfg.withDefaults()
	st := &trackerState{
		cfg:      cfg,
		torrents: make(map[[20]byte]*swarm),
		perIP:    make(map[netip.Addr]int),
	}
	var seed [32]byte
	rand.Read(seed[:])
	rand.Read(st.secret[:])
	st.rng = mathrand.New(mathrand.NewChaCha8(seed))
	if cfg.Whitelist != nil {
		st.whitelist = make(map[[20]byte]bool, len(cfg.Whitelist))
		for _, h := range cfg.Whitelist {
			st.whitelist[h] = true
		}
	}
	return st
}

// peerFamily selects which address families an answer may carry.
type peerFamily int

const (
	familyAny peerFamily = iota
	familyIPv4
	familyIPv6
)

// announceAnswer is the tracker's decision, before encoding.
type announceAnswer struct {
	Interval, MinInterval time.Duration
	Seeders, Leechers     int
	Peers                 []*swarmPeer // copies, safe outside the lock
}

// Refusals a client sees as a failure reason.
var (
	errNotWhitelisted = errors.New("torrent not registered with this tracker")
	errPortZero       = errors.New("port 0 is not a valid listening port")
	errTooManyTorrent = errors.New("tracker is full: too many torrents")
	errSwarmFull      = errors.New("swarm is full on this tracker")
	errTooManyFromIP  = errors.New("too many announces from your address")
)

// announce records what the peer at from says and picks peers for it.
func (st *trackerState) announce(from netip.Addr, req AnnounceRequest, family peerFamily) (announceAnswer, error) {
	if st.whitelist != nil && !st.whitelist[req.InfoHash] {
		return announceAnswer{}, errNotWhitelisted
	}
	if req.Port == 0 {
		return announceAnswer{}, errPortZero
	}
	addr := netip.AddrPortFrom(from.Unmap(), req.Port)
	now := st.cfg.Now()

	st.mu.Lock()
	defer st.mu.Unlock()
	sw := st.torrents[req.InfoHash]
	ans := announceAnswer{Interval: st.cfg.Interval, MinInterval: st.cfg.MinInterval}
	if req.Event == Stopped {
		if sw != nil {
			st.removePeer(req.InfoHash, sw, addr)
			ans.Seeders, ans.Leechers = sw.seeders, len(sw.peers)-sw.seeders
		}
		return ans, nil
	}
	if sw == nil {
		if len(st.torrents) >= st.cfg.MaxTorrents {
			return announceAnswer{}, errTooManyTorrent
		}
		sw = &swarm{index: make(map[netip.AddrPort]int)}
		st.torrents[req.InfoHash] = sw
	}
	seeding := req.Left == 0
	i, known := sw.index[addr]
	if !known {
		switch {
		case len(sw.peers) >= st.cfg.MaxPeersPerTorrent:
			st.dropIfEmpty(req.InfoHash, sw)
			return announceAnswer{}, errSwarmFull
		case st.perIP[addr.Addr()] >= st.cfg.MaxPeersPerIP:
			st.dropIfEmpty(req.InfoHash, sw)
			return announceAnswer{}, errTooManyFromIP
		}
		i = len(sw.peers)
		sw.peers = append(sw.peers, &swarmPeer{addr: addr})
		sw.index[addr] = i
		st.perIP[addr.Addr()]++
	}
	p := sw.peers[i]
	if p.seeding != seeding || !known {
		if seeding {
			sw.seeders++
		} else if known {
			sw.seeders--
		}
	}
	p.seeding, p.id, p.lastSeen = seeding, req.PeerID, now
	if req.Event == Completed && !p.completed {
		p.completed = true
		sw.downloaded++
	}
	ans.Seeders, ans.Leechers = sw.seeders, len(sw.peers)-sw.seeders

	numWant := req.NumWant
	if numWant < 0 {
		numWant = st.cfg.NumWant
	}
	numWant = min(numWant, st.cfg.MaxNumWant)
	ans.Peers = st.samplePeers(sw, numWant, addr, family)
	return ans, nil
}

// samplePeers picks up to k peers uniformly at random, never self, only of
// the wanted family. It shuffles lazily (a partial Fisher-Yates over a
// virtual permutation), so the cost grows with k, not with the swarm, unless
// most peers are of the other family.
func (st *trackerState) samplePeers(sw *swarm, k int, self netip.AddrPort, family peerFamily) []*swarmPeer {
	n := len(sw.peers)
	if k <= 0 || n == 0 {
		return nil
	}
	out := make([]*swarmPeer, 0, min(k, n))
	moved := make(map[int]int, 2*min(k, n))
	at := func(i int) int {
		if v, ok := moved[i]; ok {
			return v
		}
		return i
	}
	for i := 0; i < n && len(out) < k; i++ {
		j := i + st.rng.IntN(n-i)
		picked := at(j)
		moved[j] = at(i)
		p := sw.peers[picked]
		if p.addr == self {
			continue
		}
		is6 := p.addr.Addr().Is6()
		if family == familyIPv4 && is6 || family == familyIPv6 && !is6 {
			continue
		}
		cp := *p
		out = append(out, &cp)
	}
	return out
}

// removePeer drops addr from sw; the caller holds mu.
func (st *trackerState) removePeer(hash [20]byte, sw *swarm, addr netip.AddrPort) {
	i, ok := sw.index[addr]
	if !ok {
		return
	}
	st.removeAt(sw, i)
	st.dropIfEmpty(hash, sw)
}

func (st *trackerState) removeAt(sw *swarm, i int) {
	p := sw.peers[i]
	if p.seeding {
		sw.seeders--
	}
	if n := st.perIP[p.addr.Addr()]; n <= 1 {
		delete(st.perIP, p.addr.Addr())
	} else {
		st.perIP[p.addr.Addr()] = n - 1
	}
	delete(sw.index, p.addr)
	last := len(sw.peers) - 1
	if i != last {
		sw.peers[i] = sw.peers[last]
		sw.index[sw.peers[i].addr] = i
	}
	sw.peers[last] = nil
	sw.peers = sw.peers[:last]
}

// dropIfEmpty forgets a swarm with no peers and no history worth keeping.
func (st *trackerState) dropIfEmpty(hash [20]byte, sw *swarm) {
	if len(sw.peers) == 0 && sw.downloaded == 0 {
		delete(st.torrents, hash)
	}
}

// expire drops peers not heard from within PeerTimeout and returns how many.
func (st *trackerState) expire() int {
	cutoff := st.cfg.Now().Add(-st.cfg.PeerTimeout)
	st.mu.Lock()
	defer st.mu.Unlock()
	dropped := 0
	for hash, sw := range st.torrents {
		for i := len(sw.peers) - 1; i >= 0; i-- {
			if sw.peers[i].lastSeen.Before(cutoff) {
				st.removeAt(sw, i)
				dropped++
			}
		}
		st.dropIfEmpty(hash, sw)
	}
	return dropped
}

// TorrentStats is the tracker's view of one swarm.
type TorrentStats struct {
	InfoHash          [20]byte
	Seeders, Leechers int
	Downloaded        int
}

func (st *trackerState) scrape(hashes [][20]byte) []TorrentStats {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]TorrentStats, len(hashes))
	for i, h := range hashes {
		out[i].InfoHash = h
		if sw := st.torrents[h]; sw != nil {
			out[i].Seeders, out[i].Leechers, out[i].Downloaded = sw.seeders, len(sw.peers)-sw.seeders, sw.downloaded
		}
	}
	return out
}

// torrentStats returns every swarm, most peers first, at most limit of them,
// and the number of swarms in all.
func (st *trackerState) torrentStats(limit int) ([]TorrentStats, int) {
	st.mu.Lock()
	out := make([]TorrentStats, 0, len(st.torrents))
	for h, sw := range st.torrents {
		out = append(out, TorrentStats{InfoHash: h, Seeders: sw.seeders, Leechers: len(sw.peers) - sw.seeders, Downloaded: sw.downloaded})
	}
	st.mu.Unlock()
	slices.SortFunc(out, func(a, b TorrentStats) int {
		if d := (b.Seeders + b.Leechers) - (a.Seeders + a.Leechers); d != 0 {
			return d
		}
		return slices.Compare(a.InfoHash[:], b.InfoHash[:])
	})
	total := len(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, total
}

// connectionWindow is the lifetime granularity of UDP connection ids: an id
// is valid in the minute it was issued and the next (BEP 15 asks servers to
// accept ids for 2 minutes).
const connectionWindow = time.Minute

// connectionID derives a UDP connection id from the client's IP address and
// the time window, so the server keeps no state per connection and a spoofed
// source address cannot obtain a valid id. The port is left out, like
// opentracker does, because clients may reuse an id from another socket.
func (st *trackerState) connectionID(from netip.AddrPort, window int64) uint64 {
	mac := hmac.New(sha256.New, st.secret[:])
	a := from.Addr().As16()
	var buf [16 + 8]byte
	copy(buf[:], a[:])
	binary.BigEndian.PutUint64(buf[16:], uint64(window))
	mac.Write(buf[:])
	return binary.BigEndian.Uint64(mac.Sum(nil))
}

func (st *trackerState) window() int64 {
	return st.cfg.Now().UnixNano() / int64(connectionWindow)
}

func (st *trackerState) validConnectionID(from netip.AddrPort, id uint64) bool {
	w := st.window()
	return hmac.Equal(u64(st.connectionID(from, w)), u64(id)) || hmac.Equal(u64(st.connectionID(from, w-1)), u64(id))
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
