package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Event is what happened to the torrent since the last announce.
type Event int

// The announce events of BEP 3. None is a regular re-announce.
const (
	None Event = iota
	Started
	Completed
	Stopped
)

// String returns the event as it is spelled in an HTTP announce ("" for None).
func (e Event) String() string {
	switch e {
	case Started:
		return "started"
	case Completed:
		return "completed"
	case Stopped:
		return "stopped"
	}
	return ""
}

// udpEvent maps the event onto the numbering of BEP 15, which differs from
// the order above.
func (e Event) udpEvent() uint32 {
	switch e {
	case Completed:
		return 1
	case Started:
		return 2
	case Stopped:
		return 3
	}
	return 0
}

func eventFromUDP(v uint32) Event {
	switch v {
	case 1:
		return Completed
	case 2:
		return Started
	case 3:
		return Stopped
	}
	return None
}

// AnnounceRequest is what we tell a tracker about ourselves.
type AnnounceRequest struct {
	InfoHash, PeerID [20]byte
	Port             uint16
	// Uploaded, Downloaded and Left are byte counts for this torrent.
	Uploaded, Downloaded, Left int64
	Event                      Event
	// NumWant is how many peers we ask for; negative leaves it to the
	// tracker. 0 asks for none (what a stopping client sends).
	NumWant int
	// Key identifies us to the tracker across IP changes; one random value
	// per torrent.
	Key uint32
	// TrackerID echoes the "tracker id" a tracker gave in an earlier answer.
	TrackerID string
}

// AnnounceResponse is what a tracker answered.
type AnnounceResponse struct {
	// Interval is how long to wait before the next regular announce;
	// MinInterval the least the tracker allows. Zero when not given.
	Interval, MinInterval time.Duration
	// Peers is at most MaxPeersPerAnswer addresses, none with port 0.
	Peers []netip.AddrPort
	// Seeders and Leechers are the swarm sizes the tracker reported (-1 when
	// an HTTP tracker left them out).
	Seeders, Leechers  int
	TrackerID, Warning string
}

// ScrapeStats is a tracker's count for one torrent.
type ScrapeStats struct {
	Seeders, Leechers int
	// Downloaded is how many times the tracker saw the torrent completed.
	Downloaded int
}

// FailureError is a tracker refusing a request in words: the HTTP
// "failure reason" or a BEP 15 error action.
type FailureError struct {
	Reason string
}

func (e *FailureError) Error() string { return "tracker said: " + e.Reason }

// Limits on what one tracker answer may make us hold.
const (
	// MaxPeersPerAnswer caps the peers accepted from one answer; more are
	// dropped silently.
	MaxPeersPerAnswer = 2000
	// MaxHTTPBody caps an HTTP tracker answer; a longer body is an error.
	MaxHTTPBody = 2 << 20
	// maxIntervalSeconds bounds the intervals a tracker can ask for (a week)
	// so that time arithmetic cannot overflow.
	maxIntervalSeconds = 7 * 24 * 3600
)

// Announce tells the tracker at announceURL about us and returns its answer,
// using DefaultClient. The URL's scheme picks the protocol: http, https or udp.
func Announce(ctx context.Context, announceURL string, req AnnounceRequest) (*AnnounceResponse, error) {
	return DefaultClient.Announce(ctx, announceURL, req)
}

// Scrape asks the tracker for the swarm sizes of the given torrents, using
// DefaultClient. Torrents the tracker does not know are missing from the map.
func Scrape(ctx context.Context, announceURL string, infoHashes [][20]byte) (map[[20]byte]ScrapeStats, error) {
	return DefaultClient.Scrape(ctx, announceURL, infoHashes)
}

// Announce is the package-level [Announce] with this client's settings.
func (c *Client) Announce(ctx context.Context, announceURL string, req AnnounceRequest) (*AnnounceResponse, error) {
	u, err := parseTrackerURL(announceURL)
	if err != nil {
		return nil, trackerError(announceURL, "announce", err)
	}
	var resp *AnnounceResponse
	if u.Scheme == "udp" {
		resp, err = c.udpAnnounce(ctx, u, req)
	} else {
		resp, err = c.httpAnnounce(ctx, u, req)
	}
	if err != nil {
		return nil, trackerError(announceURL, "announce", err)
	}
	return resp, nil
}

// Scrape is the package-level [Scrape] with this client's settings.
func (c *Client) Scrape(ctx context.Context, announceURL string, infoHashes [][20]byte) (map[[20]byte]ScrapeStats, error) {
	u, err := parseTrackerURL(announceURL)
	if err != nil {
		return nil, trackerError(announceURL, "scrape", err)
	}
	if len(infoHashes) == 0 {
		return map[[20]byte]ScrapeStats{}, nil
	}
	var stats map[[20]byte]ScrapeStats
	if u.Scheme == "udp" {
		stats, err = c.udpScrape(ctx, u, infoHashes)
	} else {
		stats, err = c.httpScrape(ctx, u, infoHashes)
	}
	if err != nil {
		return nil, trackerError(announceURL, "scrape", err)
	}
	return stats, nil
}

func trackerError(rawURL, op string, err error) error {
	return fmt.Errorf("tracker: %s: %s: %w", rawURL, op, err)
}

func parseTrackerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad tracker URL: %w", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https", "udp":
	default:
		return nil, fmt.Errorf("unsupported tracker URL scheme %q (want http, https or udp)", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("tracker URL has no host")
	}
	if u.Scheme == "udp" && u.Port() == "" {
		return nil, errors.New("udp tracker URL has no port")
	}
	return u, nil
}

// clampSeconds turns a tracker-supplied number of seconds into a duration,
// treating negative values as absent and bounding huge ones.
func clampSeconds(s int64) time.Duration {
	if s <= 0 {
		return 0
	}
	if s > maxIntervalSeconds {
		s = maxIntervalSeconds
	}
	return time.Duration(s) * time.Second
}
