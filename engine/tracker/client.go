package tracker

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Client holds the settings and shared state (the HTTP connection pool, the
// UDP connection-id cache) for talking to trackers. The zero value is not
// usable; make one with NewClient. A Client is safe for concurrent use.
type Client struct {
	// HTTP is the client for http(s) trackers.
	HTTP *http.Client
	// UDPTimeout is the first UDP retransmission timeout; the n-th retry
	// waits UDPTimeout·2^n (BEP 15 uses 15 s). The context bounds the total.
	UDPTimeout time.Duration
	// UDPMaxRetries is the largest n above (BEP 15: 8).
	UDPMaxRetries int

	mu     sync.Mutex
	connID map[string]udpConnection // by resolved tracker address
	now    func() time.Time
}

// DefaultClient is the client behind the package-level Announce and Scrape.
var DefaultClient = NewClient()

// UserAgent is what Swarmscope calls itself to HTTP trackers.
const UserAgent = "Swarmscope/0.1"

// maxRedirects is how many HTTP redirects one tracker request may follow.
const maxRedirects = 5

// NewClient returns a client with BEP 15 timing and an HTTP client whose
// every phase is time-limited, so a tracker that stalls cannot hold a torrent.
func NewClient() *Client {
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   15 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSHandshakeTimeout:    15 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Client{
		HTTP:          NewHTTPClient(transport, 60*time.Second),
		UDPTimeout:    15 * time.Second,
		UDPMaxRetries: 8,
		connID:        make(map[string]udpConnection),
		now:           time.Now,
	}
}

// NewHTTPClient wraps transport in an http.Client for trackers: the whole
// exchange, body included, must finish within timeout, and at most five
// redirects are followed.
func NewHTTPClient(transport http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: checkRedirect,
	}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	for _, earlier := range via {
		if earlier.URL.String() == req.URL.String() {
			return &redirectError{"redirect loop: " + req.URL.Redacted() + " redirects back to itself"}
		}
	}
	if len(via) >= maxRedirects {
		return &redirectError{"more than 5 redirects"}
	}
	return nil
}

type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }
