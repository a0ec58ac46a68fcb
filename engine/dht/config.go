package dht

import "time"

// DefaultAddr is where a node listens unless told otherwise: the usual
// DHT port on every IPv4 interface.
const DefaultAddr = "0.0.0.0:6881"

// DefaultQueryTimeout is how long a query may go unanswered before it
// counts as a failure.
const DefaultQueryTimeout = 2 * time.Second

// DefaultMaxPending bounds the queries in flight at once; a query beyond
// it fails at once instead of growing the transaction table.
const DefaultMaxPending = 1024

// DefaultBootstrapNodes returns the public routers most clients start
// from. Only DefaultConfig uses them: a zero Config never contacts the
// public network, which keeps tests on loopback by construction.
func DefaultBootstrapNodes() []string {
	return []string{
		"router.bittorrent.com:6881",
		"dht.transmissionbt.com:6881",
		"router.utorrent.com:6881",
	}
}

// Config configures a Node. The zero value is usable for tests: it listens
// on a random port of every IPv4 interface unless Addr says otherwise and
// bootstraps from nothing but the nodes it is given.
type Config struct {
	// Addr is the UDP address to listen on, e.g. "127.0.0.1:0" (a random
	// port) or DefaultAddr. An IPv6 address makes an IPv6 node (BEP 32:
	// it exchanges "nodes6" and 18-byte peers). Empty means ":0".
	Addr string
	// ID is the node id; zero picks a random one. Restore a saved id with
	// SavedID so the node keeps its place in the network.
	ID ID
	// BootstrapNodes are "host:port" addresses to join the network
	// through. Nil means none (DefaultConfig fills in the public routers).
	BootstrapNodes []string
	// AllowSameIP lets the routing table hold several nodes with the same
	// IP address (different ports) and rate-limits per IP and port instead
	// of per IP. Needed on loopback, where every node is 127.0.0.1; off on
	// the real network, where one host should get one table entry.
	AllowSameIP bool
	// QueryTimeout bounds each query we send; zero means
	// DefaultQueryTimeout.
	QueryTimeout time.Duration
	// QueriesPerSecond and QueryBurst limit the queries answered per
	// source; zero means DefaultQueriesPerSecond and DefaultQueryBurst.
	QueriesPerSecond float64
	QueryBurst       int
	// MaxPending bounds the queries in flight; zero means
	// DefaultMaxPending.
	MaxPending int
	// Logf, when set, receives a line for each notable event (a packet
	// that could not be sent, a failed bootstrap). Nil discards them.
	Logf func(format string, args ...any)
}

// DefaultConfig is the configuration for the real network: DefaultAddr,
// the public bootstrap routers, one table entry per IP.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, BootstrapNodes: DefaultBootstrapNodes()}
}

func (c *Config) fillDefaults() {
	if c.Addr == "" {
		c.Addr = ":0"
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	if c.QueriesPerSecond <= 0 {
		c.QueriesPerSecond = DefaultQueriesPerSecond
	}
	if c.QueryBurst <= 0 {
		c.QueryBurst = DefaultQueryBurst
	}
	if c.MaxPending <= 0 {
		c.MaxPending = DefaultMaxPending
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}
