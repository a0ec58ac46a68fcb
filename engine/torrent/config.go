package torrent

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/picker"
)

// Config holds a Session's settings. The zero value of every field means
// "the default" (see DefaultConfig), except ListenAddr, which is required.
type Config struct {
	// ListenAddr is where the session accepts peers, e.g. "0.0.0.0:6881";
	// tests use "127.0.0.1:0".
	ListenAddr string
	// PeerID is our peer ID; zero means wire.NewPeerID().
	PeerID [20]byte
	// MaxConnections caps peer connections over all torrents (default 200).
	MaxConnections int
	// MaxPeersPerTorrent caps connections per torrent (default 50).
	MaxPeersPerTorrent int
	// UploadLimit and DownloadLimit are global rates in bytes/s; 0 = unlimited.
	UploadLimit, DownloadLimit int64
	// Choker configures tit-for-tat; the zero value means choker.DefaultConfig().
	Choker choker.Config
	// NoUpload makes the session a pure downloader: it never unchokes
	// anyone, so it serves no request. The Swarm Lab uses it for its
	// client-server mode (peers do not upload to each other) and for free
	// riders.
	NoUpload bool
	// NoAllowedFast stops the session offering BEP 6 allowed fast sets.
	// The set comes from the peer's /24, so peers sharing an address all
	// get the same pieces: the Swarm Lab, where every peer is 127.0.0.1,
	// would see the server upload those pieces once to every peer.
	NoAllowedFast bool
	// PickerStrategy is how new pieces are chosen (default rarest first);
	// the Swarm Lab compares the strategies.
	PickerStrategy picker.Strategy
	// DiskWorkers run block writes, block reads and piece verification
	// (default: number of CPUs, at least 2).
	DiskWorkers int
	// DialTimeout bounds connecting to a peer (default 5 s).
	DialTimeout time.Duration
	// HandshakeTimeout bounds the BitTorrent handshake (default 10 s).
	HandshakeTimeout time.Duration
	// RequestTimeout is how long a block request may stay unanswered before
	// it goes back to the pool and the peer counts as snubbed. Zero means
	// adaptive: three times the time the peer's queue should take at its
	// current rate, between 30 and 60 s.
	RequestTimeout time.Duration
	// AnnounceInterval, when not zero, makes each torrent announce this
	// often instead of at the interval trackers ask for, though never
	// sooner than a tracker's min interval allows; failing trackers are
	// retried at this pace too (tests use a few seconds so peers find each
	// other quickly).
	AnnounceInterval time.Duration
	// KeepAliveInterval: we send a keep-alive after this long without
	// sending anything (default 2 min, as BEP 3 suggests).
	KeepAliveInterval time.Duration
	// IdleTimeout: a peer that sent nothing at all, not even a keep-alive,
	// for this long is dropped (default 3 min).
	IdleTimeout time.Duration
	// StopAnnounceTimeout bounds the "stopped" announce on Stop (default 5 s).
	StopAnnounceTimeout time.Duration
	// DHT, when not nil, makes the session run a DHT node (BEP 5) with
	// this configuration: on the UDP port of the same number as the TCP
	// listener unless DHT.Addr says otherwise. Non-private torrents
	// announce themselves there and look for peers; nil means no DHT.
	// dht.DefaultConfig() joins the public network; tests give loopback
	// bootstrap nodes only.
	DHT *dht.Config
	// Logger receives debug and warning logs; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultConfig returns the defaults with ListenAddr "0.0.0.0:6881".
func DefaultConfig() Config {
	c := Config{ListenAddr: "0.0.0.0:6881"}
	c.fillDefaults()
	return c
}

func (c *Config) fillDefaults() {
	if c.MaxConnections <= 0 {
		c.MaxConnections = 200
	}
	if c.MaxPeersPerTorrent <= 0 {
		c.MaxPeersPerTorrent = 50
	}
	if c.Choker == (choker.Config{}) {
		c.Choker = choker.DefaultConfig()
	}
	if c.DiskWorkers <= 0 {
		c.DiskWorkers = max(2, runtime.NumCPU())
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 10 * time.Second
	}
	if c.KeepAliveInterval <= 0 {
		c.KeepAliveInterval = defaultKeepAliveInterval
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = defaultIdleTimeout
	}
	if c.StopAnnounceTimeout <= 0 {
		c.StopAnnounceTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Tuning constants of the loop. They trade memory for throughput; the
// figures in the package tests and the bench/ notes come from these values.
const (
	// defaultKeepAliveInterval and defaultIdleTimeout: see
	// Config.KeepAliveInterval and Config.IdleTimeout.
	defaultKeepAliveInterval = 2 * time.Minute
	defaultIdleTimeout       = 3 * time.Minute
	// tickInterval: snapshots, rates and early rechokes run this often.
	tickInterval = 250 * time.Millisecond
	// minRequestDepth and maxRequestDepth bound the pipeline of outstanding
	// block requests per peer; in between it follows the peer's rate so the
	// queue holds about requestQueueTime of data.
	minRequestDepth  = 16
	maxRequestDepth  = 1024
	requestQueueTime = time.Second
	// defaultPeerReqq is what we assume a peer queues when it does not say.
	defaultPeerReqq = 250
	// ourReqq is how many requests we queue per peer (sent as "reqq").
	ourReqq = 2048
	// uploadReadAhead bounds blocks read from disk but not yet sent, per peer.
	uploadReadAhead = 32
	// maxWriteBacklog bounds received blocks waiting to be written; past it
	// we stop requesting until the disk catches up (bounded memory).
	maxWriteBacklog = 512
	// peerMessageQueue is the capacity of the reader → loop channel.
	peerMessageQueue = 512
	// maxAllowedFast is the most allowed-fast pieces we remember per peer.
	maxAllowedFast = 64
	// allowedFastOffered is how many pieces we let each fast peer fetch
	// while choked (BEP 6's allowed fast set; its example k is 10).
	allowedFastOffered = 10
	// allowedFastRounds is how many times over a peer may fetch each
	// allowed-fast piece while choked: once, plus a retry after a failed
	// hash, before it has to earn an unchoke like everyone else.
	allowedFastRounds = 2
	// droppedPeersKept is how many recent drops the snapshot lists.
	droppedPeersKept = 64
)
