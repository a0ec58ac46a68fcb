package lab

import (
	"fmt"
	"math"
	"time"
)

// Bound is a lower bound on the distribution time and the term that sets
// it, named for the reader ("the server's upload", ...).
type Bound struct {
	Time    time.Duration
	Limited string // which term is the largest, in words
}

// Seconds is the bound in seconds.
func (b Bound) Seconds() float64 { return b.Time.Seconds() }

func (b Bound) String() string {
	return fmt.Sprintf("%s (set by %s)", formatSeconds(b.Time), b.Limited)
}

// The terms of the bounds, in the words the table prints.
const (
	termServer      = "the server's upload: N·F/u_s"
	termServerOnce  = "the server's upload of one copy: F/u_s"
	termDownload    = "the slowest download: F/d_min"
	termTotalUpload = "the total upload capacity: N·F/(u_s + Σu_i)"
)

// ClientServerBound is the textbook's lower bound on the time a server
// needs to send a file of fileSize bytes to every one of the peers, when it
// alone uploads (at serverUpload bytes/s) and the slowest peer downloads at
// minDownload bytes/s (0 = unlimited):
//
//	D_cs ≥ max{ N·F/u_s , F/d_min }
//
// The server must push N copies through its own link, and the slowest peer
// must take in one.
func ClientServerBound(fileSize int64, peers int, serverUpload, minDownload float64) Bound {
	b := Bound{Time: seconds(float64(peers) * float64(fileSize) / serverUpload), Limited: termServer}
	if d := seconds(float64(fileSize) / minDownload); minDownload > 0 && d > b.Time {
		b = Bound{Time: d, Limited: termDownload}
	}
	return b
}

// PeerToPeerBound is the textbook's lower bound when the peers upload too
// (peerUploads holds each peer's upload rate u_i in bytes/s, 0 for a free
// rider):
//
//	D_p2p ≥ max{ F/u_s , F/d_min , N·F/(u_s + Σu_i) }
//
// The server must send at least one copy (nobody else has the file), the
// slowest peer must take one in, and N copies must cross the swarm's total
// upload capacity.
func PeerToPeerBound(fileSize int64, serverUpload, minDownload float64, peerUploads []float64) Bound {
	total := serverUpload
	for _, u := range peerUploads {
		total += u
	}
	f := float64(fileSize)
	b := Bound{Time: seconds(f / serverUpload), Limited: termServerOnce}
	if d := seconds(f / minDownload); minDownload > 0 && d > b.Time {
		b = Bound{Time: d, Limited: termDownload}
	}
	if d := seconds(float64(len(peerUploads)) * f / total); d > b.Time {
		b = Bound{Time: d, Limited: termTotalUpload}
	}
	return b
}

// seconds turns a float number of seconds into a Duration, saturating
// instead of overflowing (a zero rate gives an infinite bound).
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || s*float64(time.Second) >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

func formatSeconds(d time.Duration) string {
	if d == time.Duration(math.MaxInt64) {
		return "∞"
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
