package lab

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/picker"
)

// Mode says whether the peers help each other.
type Mode int

// The two architectures the textbook compares.
const (
	PeerToPeer   Mode = iota // peers upload to each other (BitTorrent)
	ClientServer             // only the server uploads; peers never serve
)

func (m Mode) String() string {
	if m == ClientServer {
		return "cs"
	}
	return "p2p"
}

// ParseMode reads "p2p" or "cs" (also "client-server", "peer-to-peer").
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "p2p", "peer-to-peer":
		return PeerToPeer, nil
	case "cs", "client-server":
		return ClientServer, nil
	}
	return 0, fmt.Errorf("unknown mode %q: want p2p or cs", s)
}

// Choking says how peers choose whom to upload to.
type Choking int

// Choking policies.
const (
	TitForTat   Choking = iota // 4 fastest uploaders to us + 1 optimistic unchoke
	UploadToAll                // no choking: every interested peer is served
)

func (c Choking) String() string {
	if c == UploadToAll {
		return "all"
	}
	return "tft"
}

// ParseChoking reads "tft" or "all".
func ParseChoking(s string) (Choking, error) {
	switch strings.ToLower(s) {
	case "tft", "tit-for-tat":
		return TitForTat, nil
	case "all", "everyone", "upload-to-all":
		return UploadToAll, nil
	}
	return 0, fmt.Errorf("unknown choking %q: want tft or all", s)
}

// ParseStrategy reads "rarest", "random" or "sequential".
func ParseStrategy(s string) (picker.Strategy, error) {
	switch strings.ToLower(s) {
	case "rarest", "rarest-first":
		return picker.RarestFirst, nil
	case "random":
		return picker.Random, nil
	case "sequential", "seq":
		return picker.Sequential, nil
	}
	return 0, fmt.Errorf("unknown piece picker %q: want rarest, random or sequential", s)
}

// StrategyName is the short name ParseStrategy reads.
func StrategyName(s picker.Strategy) string {
	switch s {
	case picker.Random:
		return "random"
	case picker.Sequential:
		return "sequential"
	}
	return "rarest"
}

// Config describes one lab run. DefaultConfig gives the textbook's example
// scaled from hours to seconds.
type Config struct {
	// Peers is N, the number of downloading peers (the server not counted).
	Peers int
	// FileSize is F in bytes; PieceLength the chunk size (a power of two,
	// 16 KiB to 16 MiB).
	FileSize, PieceLength int64
	// PeerUpload is every peer's upload rate u_i, SeedUpload the server's
	// u_s and PeerDownload every peer's download rate d_i, in bytes/s. The
	// server's download is not limited (it downloads nothing).
	PeerUpload, SeedUpload, PeerDownload int64
	// PeerUploads and PeerDownloads, when not empty, give the peers their
	// own rates instead of PeerUpload and PeerDownload: peer i (1-based)
	// gets element (i-1) mod len, so {512 KiB/s, 1 MiB/s} alternates slow
	// and fast peers whatever N is. See PeerUploadRate, PeerDownloadRate.
	PeerUploads, PeerDownloads []int64
	// Mode: peer-to-peer, or client-server (peers never upload).
	Mode Mode
	// Picker chooses the next pieces (rarest first, random, sequential).
	Picker picker.Strategy
	// Choking: tit-for-tat, or upload to every interested peer.
	Choking Choking
	// FreeRiders is the fraction of peers that upload nothing (0 to 1).
	FreeRiders float64
	// LeaveOnComplete: peers leave as soon as they have the file, instead
	// of staying to seed until the last peer is done.
	LeaveOnComplete bool
	// SeedLeaves: the server leaves once the peers that upload (not the
	// free riders) together hold at least one copy of every piece, so it
	// has uploaded at least one full copy and the file survives it.
	SeedLeaves bool
	// LateJoiners is the fraction of peers that join LateJoinDelay after
	// the others.
	LateJoiners   float64
	LateJoinDelay time.Duration
	// RechokeInterval, OptimisticInterval and SnubTimeout are tit-for-tat's
	// timings. The textbook's 10 s, 30 s and 60 s are for downloads that
	// take an hour; a lab run takes seconds, so the defaults are a tenth.
	RechokeInterval, OptimisticInterval, SnubTimeout time.Duration
	// AnnounceInterval is how often peers ask the tracker for others.
	AnnounceInterval time.Duration
	// SampleInterval is how often the lab reads every peer's snapshot.
	SampleInterval time.Duration
	// Timeout ends a run that has not finished; 0 means 30 s plus 4 times
	// the bound.
	Timeout time.Duration
	// Dir is where the lab writes its files; "" means a new temporary
	// folder, removed afterwards.
	Dir string
	// Logger receives the engine's logs; nil means slog.Default().
	Logger *slog.Logger
	// Live, when not nil, receives a LiveView of every node with every
	// sample (and once more at the end), on Run's goroutine: it should
	// hand the view over and return, since the run waits for it.
	Live func(*LiveView)
	// Control, when not nil, pauses and resumes the run from another
	// goroutine (see Control); Sweep and Compare pass it to every run.
	Control *Control
}

// The defaults: the textbook's example (F/u = 1 hour, u_s = 10u, d ≥ u_s)
// with hours scaled to seconds, F/u = 10 s. The sizes are chosen so that
// N = 10 moves at most u_s + N·u ≈ 16 MB/s through loopback, disk and
// SHA-1, which two busy cores sustain with room to spare (the lab measures
// and reports its own CPU use).
const (
	DefaultPeers        = 10
	DefaultFileSize     = 8000 << 10 // F = 8000 KiB
	DefaultPieceLength  = 256 << 10  // the text's 256 KB chunks
	DefaultPeerUpload   = 800 << 10  // u = F/10 s
	DefaultSeedUpload   = 8000 << 10 // u_s = 10u
	DefaultPeerDownload = 8000 << 10 // d = u_s, so downloads never bind
)

// DefaultConfig returns the textbook example scaled to seconds: N = 10,
// F = 8000 KiB in 256 KiB chunks, u = 800 KiB/s (F/u = 10 s), u_s = 10u,
// d = u_s, peer to peer, rarest first, tit-for-tat.
func DefaultConfig() Config {
	c := Config{
		Peers:        DefaultPeers,
		FileSize:     DefaultFileSize,
		PieceLength:  DefaultPieceLength,
		PeerUpload:   DefaultPeerUpload,
		SeedUpload:   DefaultSeedUpload,
		PeerDownload: DefaultPeerDownload,
	}
	c.fillDefaults()
	return c
}

func (c *Config) fillDefaults() {
	if c.RechokeInterval <= 0 {
		c.RechokeInterval = time.Second
	}
	if c.OptimisticInterval <= 0 {
		c.OptimisticInterval = 3 * time.Second
	}
	if c.SnubTimeout <= 0 {
		c.SnubTimeout = 6 * time.Second
	}
	if c.AnnounceInterval <= 0 {
		c.AnnounceInterval = time.Second
	}
	if c.SampleInterval <= 0 {
		c.SampleInterval = 250 * time.Millisecond
	}
	if c.LateJoinDelay <= 0 {
		c.LateJoinDelay = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// MaxPeers bounds N: every peer is a real engine with its own listener,
// files and goroutines in this one process.
const MaxPeers = 500

// Validate says in words what is wrong with c, if anything.
func (c *Config) Validate() error {
	var errs []error
	if c.Peers < 1 || c.Peers > MaxPeers {
		errs = append(errs, fmt.Errorf("peers: %d, want 1 to %d", c.Peers, MaxPeers))
	}
	if c.FileSize < 1 {
		errs = append(errs, fmt.Errorf("file size: %d bytes, want at least 1", c.FileSize))
	}
	if c.PieceLength < 16<<10 || c.PieceLength > 16<<20 || c.PieceLength&(c.PieceLength-1) != 0 {
		errs = append(errs, fmt.Errorf("chunk size: %d bytes, want a power of two from 16 KiB to 16 MiB", c.PieceLength))
	}
	if c.SeedUpload <= 0 {
		errs = append(errs, errors.New("server upload rate: must be set (an unlimited server has no bound to compare with)"))
	}
	if c.Mode == PeerToPeer && c.FreeRiders < 1 && slices.ContainsFunc(c.UploadPattern(), func(u int64) bool { return u <= 0 }) {
		errs = append(errs, errors.New("peer upload rate: must be set (above 0) for every peer in p2p mode (use -freeriders 1 for peers that upload nothing)"))
	}
	if slices.ContainsFunc(c.UploadPattern(), func(u int64) bool { return u < 0 }) || slices.ContainsFunc(c.DownloadPattern(), func(d int64) bool { return d < 0 }) {
		errs = append(errs, errors.New("rates: must not be negative (0 download means unlimited)"))
	}
	if c.FreeRiders < 0 || c.FreeRiders > 1 {
		errs = append(errs, fmt.Errorf("free riders: %g, want a fraction from 0 to 1", c.FreeRiders))
	}
	if c.LateJoiners < 0 || c.LateJoiners > 1 {
		errs = append(errs, fmt.Errorf("late joiners: %g, want a fraction from 0 to 1", c.LateJoiners))
	}
	return errors.Join(errs...)
}

// Bound is the textbook lower bound for this configuration, from the
// configured rates: free riders count as u_i = 0, and in client-server mode
// the peers' uploads do not count at all.
func (c *Config) Bound() Bound {
	if c.Mode == ClientServer {
		return ClientServerBound(c.FileSize, c.Peers, float64(c.SeedUpload), float64(c.MinDownload()))
	}
	return PeerToPeerBound(c.FileSize, float64(c.SeedUpload), float64(c.MinDownload()), c.peerUploads())
}

// Floor is the bound with the rate limiters' initial allowance taken off:
// each token bucket starts full, so in any span T a link may carry its
// burst plus rate·T. No correct run can finish sooner than this; one that
// does means the rate limiting is broken.
func (c *Config) Floor() time.Duration { return c.FloorAfterPauses(0) }

// FloorAfterPauses is Floor for a run that was paused and resumed pauses
// times. The engine's token buckets go on filling while a run is paused
// (engine/torrent offers no way to empty them), so after each resume every
// link may carry one more burst at once: in the running time T a link
// carries at most (pauses+1)·burst + rate·T, and the floor takes that much
// more credit off. With the defaults a burst is a tenth of a second of the
// link's rate, so each pause lowers the floor by about 0.1 s.
func (c *Config) FloorAfterPauses(pauses int) time.Duration {
	bursts := float64(1 + max(pauses, 0))
	credit := func(rate float64) float64 { return bursts * limiterBurst(rate) }
	f := float64(c.FileSize)
	seed := float64(c.SeedUpload)
	down := float64(c.MinDownload())
	floor := (f - credit(down)) / down
	if down <= 0 {
		floor = 0
	}
	if c.Mode == ClientServer {
		floor = max(floor, (float64(c.Peers)*f-credit(seed))/seed)
		return seconds(max(floor, 0))
	}
	floor = max(floor, (f-credit(seed))/seed)
	capacity, total := seed, credit(seed)
	for _, u := range c.peerUploads() {
		capacity += u
		total += credit(u)
	}
	floor = max(floor, (float64(c.Peers)*f-total)/capacity)
	return seconds(max(floor, 0))
}

// limiterBurst is the size of a session's token bucket for a rate: a tenth
// of a second of traffic, at least four 16 KiB blocks. It mirrors
// engine/torrent's rateLimiter.set; change both together. Assuming the
// bucket starts full keeps the floor a true lower bound either way.
func limiterBurst(rate float64) float64 {
	if rate <= 0 {
		return 0
	}
	return max(rate/10, 4*16<<10)
}

// UploadPattern is the peers' upload rates as configured: PeerUploads when
// set, else PeerUpload alone. Peers take them in turn.
func (c *Config) UploadPattern() []int64 {
	if len(c.PeerUploads) > 0 {
		return c.PeerUploads
	}
	return []int64{c.PeerUpload}
}

// DownloadPattern is the peers' download rates as configured, like
// UploadPattern (0 = unlimited).
func (c *Config) DownloadPattern() []int64 {
	if len(c.PeerDownloads) > 0 {
		return c.PeerDownloads
	}
	return []int64{c.PeerDownload}
}

// PeerUploadRate is the configured upload rate u_i of peer i (0-based),
// before free riders and client-server mode take it away.
func (c *Config) PeerUploadRate(i int) int64 {
	p := c.UploadPattern()
	return p[i%len(p)]
}

// PeerDownloadRate is the download rate d_i of peer i (0-based); 0 means
// unlimited.
func (c *Config) PeerDownloadRate(i int) int64 {
	p := c.DownloadPattern()
	return p[i%len(p)]
}

// MinDownload is d_min, the slowest limited download among the N peers;
// 0 when none is limited.
func (c *Config) MinDownload() int64 {
	var m int64
	for i := range max(c.Peers, 1) {
		if d := c.PeerDownloadRate(i); d > 0 && (m == 0 || d < m) {
			m = d
		}
	}
	return m
}

// peerUploads is u_i for every peer: 0 for free riders.
func (c *Config) peerUploads() []float64 {
	out := make([]float64, c.Peers)
	for i := range out {
		if !c.isFreeRider(i) {
			out[i] = float64(c.PeerUploadRate(i))
		}
	}
	return out
}

// isFreeRider reports whether peer i (0-based) uploads nothing. Free riders
// are spread evenly over the peer numbers: peer i is one when the running
// count round(FreeRiders·(i+1)) steps up at i.
func (c *Config) isFreeRider(i int) bool {
	return spread(c.FreeRiders, i)
}

// isLateJoiner reports whether peer i joins late. Late joiners are the
// last peers, so that with free riders spread evenly the two overlap only
// as much as chance would have them.
func (c *Config) isLateJoiner(i int) bool {
	late := int(c.LateJoiners*float64(c.Peers) + 0.5)
	return i >= c.Peers-late
}

func spread(fraction float64, i int) bool {
	count := func(n int) int { return int(fraction*float64(n) + 0.5) }
	return count(i+1) > count(i)
}

// TransferBudgetPerCore is how many bytes a second of swarm traffic (all
// uploads together) one core carries while the lab still measures the
// protocol rather than the machine: 20 peers at the default rates, about
// 23 MiB/s in all, keep D/bound near 1.1 on two cores with the lab using a
// third of them, while 100 peers at the default rates (86 MiB/s) made every
// run machine-limited.
const TransferBudgetPerCore = 12 << 20

// FitToMachine scales every rate (u_s, each u_i and d_i) by one factor when
// the server's and the largest swarm's (peers) uploads together exceed
// cores × TransferBudgetPerCore, so that a large N still measures the
// protocol; the bound grows by the same factor. It returns c unchanged and
// "" when the rates fit, else the scaled config and a sentence saying so.
// The lab applies it only to rates the user did not choose.
func (c Config) FitToMachine(peers, cores int) (Config, string) {
	budget := float64(max(cores, 1)) * TransferBudgetPerCore
	total := float64(c.SeedUpload)
	for i := range peers {
		total += float64(c.PeerUploadRate(i))
	}
	if total <= budget {
		return c, ""
	}
	f := budget / total
	scale := func(r int64) int64 {
		if r <= 0 {
			return r // 0 = unlimited download stays unlimited
		}
		return max(int64(float64(r)*f)/1024*1024, 1024) // whole KiB/s, at least 1
	}
	c.SeedUpload, c.PeerUpload, c.PeerDownload = scale(c.SeedUpload), scale(c.PeerUpload), scale(c.PeerDownload)
	c.PeerUploads = slices.Clone(c.PeerUploads)
	for i := range c.PeerUploads {
		c.PeerUploads[i] = scale(c.PeerUploads[i])
	}
	c.PeerDownloads = slices.Clone(c.PeerDownloads)
	for i := range c.PeerDownloads {
		c.PeerDownloads[i] = scale(c.PeerDownloads[i])
	}
	return c, fmt.Sprintf("%d peers at these rates would move %s/s, more than %d cores carry honestly (%s/s each): every rate is scaled by %.2f (u_s = %s/s, u = %s/s); give -u, -us or -d to choose the rates yourself",
		peers, humanize.IBytes(uint64(total)), max(cores, 1), humanize.IBytes(TransferBudgetPerCore), f,
		humanize.IBytes(uint64(c.SeedUpload)), humanize.IBytes(uint64(c.PeerUpload)))
}
