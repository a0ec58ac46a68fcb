package lab

import (
	"fmt"
	"time"
)

// Result is what one lab run measured.
type Result struct {
	Config Config
	Pieces int // chunks in the file

	// Bound is the textbook lower bound from the configured rates; Floor is
	// the same bound less the rate limiters' initial burst (see
	// Config.Floor). D can never be below Floor.
	Bound Bound
	Floor time.Duration
	// D is the distribution time: from the moment the server is ready and
	// the peers start, until the last peer has every piece verified, in
	// running time (pauses left out, see Pauses). It is only meaningful
	// when Finished.
	D        time.Duration
	Finished bool    // every peer completed before the timeout
	Ratio    float64 // D / Bound

	// Nodes holds the server first, then peer 1 to N.
	Nodes []NodeResult
	// Timeline has one sample per Config.SampleInterval of running time
	// (none while paused; one as each pause begins).
	Timeline []Sample
	// Pauses are the stretches the run spent paused (Config.Control), in
	// order. Every time in the result (D, the nodes' times, the timeline)
	// leaves them out, and so do the utilisation and the CPU figures;
	// Floor allows the rate limiters one more burst per pause.
	Pauses []Pause

	CPU CPUUse
	// MachineLimited is set when the cores, not the protocol, may have set
	// the pace (see Notes for why).
	MachineLimited bool
	// Notes are warnings in words: machine limits, timeouts, lost pieces.
	Notes []string
}

// NodeResult is one participant: the server or a peer.
type NodeResult struct {
	Name       string // "server", "peer 1", ...
	Server     bool
	FreeRider  bool // uploads nothing on purpose
	LateJoiner bool
	// UploadRate and DownloadRate are the configured limits in bytes/s
	// (0 download: unlimited; 0 upload: never uploads).
	UploadRate, DownloadRate int64

	JoinedAt    time.Duration // running time since the start (pauses left out)
	Complete    bool
	CompletedAt time.Duration // since the start (when Complete)
	Left        bool
	LeftAt      time.Duration // since the start (when Left)

	Uploaded, Downloaded int64 // payload bytes
	// Wasted is payload received that was of no use: duplicate blocks from
	// endgame mode, blocks of pieces that failed their hash check.
	Wasted int64
	// Utilisation is Uploaded over UploadRate × the time it could upload
	// (from joining until it left or the distribution ended); -1 when it
	// was not meant to upload.
	Utilisation float64
	// ShareRatio is Uploaded / Downloaded (-1 for the server, which
	// downloads nothing).
	ShareRatio float64
	// Unchoked counts how many times another node started uploading to this
	// one, by the reason that node's choker gave.
	Unchoked UnchokeCounts
}

// PausedTime is the wall-clock time the run spent paused.
func (r *Result) PausedTime() time.Duration {
	var d time.Duration
	for _, p := range r.Pauses {
		d += p.Length
	}
	return d
}

// DownloadTime is how long the node took from joining to completing.
func (n NodeResult) DownloadTime() time.Duration { return n.CompletedAt - n.JoinedAt }

// UnchokeCounts splits unchoke events by their reason.
type UnchokeCounts struct {
	Reciprocal int // a regular slot: it uploads to that peer fast (tit-for-tat)
	Optimistic int // the optimistic slot, rotated at random
	BySeeder   int // a regular slot of a node that has the whole file
	Everyone   int // upload-to-everyone mode: no choking at all
}

// Total is every unchoke event.
func (u UnchokeCounts) Total() int { return u.Reciprocal + u.Optimistic + u.BySeeder + u.Everyone }

// Sample is the swarm at one moment.
type Sample struct {
	At       time.Duration // running time since the start (pauses left out)
	Complete int           // peers that have the whole file (those that left included)
	// RarestCopies is how many nodes in the swarm (the server included,
	// while it stays) hold the rarest piece; MeanCopies the average over
	// all pieces. A piece with 0 copies is lost until a node returns.
	RarestCopies int
	MeanCopies   float64
	// UploadRate is the sum of every node's upload rate, bytes/s.
	UploadRate float64
	// Nodes is how many nodes are in the swarm.
	Nodes int
}

// WastedShare is the share of all uploaded bytes that arrived as duplicates
// (endgame copies) and were thrown away; 0 when nothing was uploaded.
func (r *Result) WastedShare() float64 {
	var up, wasted int64
	for _, n := range r.Nodes {
		up += n.Uploaded
		wasted += n.Wasted
	}
	if up == 0 {
		return 0
	}
	return float64(wasted) / float64(up)
}

// Summary is the result in one line.
func (r *Result) Summary() string {
	if !r.Finished {
		return fmt.Sprintf("%s N=%d: not finished; bound %s", r.Config.Mode, r.Config.Peers, r.Bound)
	}
	return fmt.Sprintf("%s N=%d: D = %s, bound %s, D/bound = %.2f", r.Config.Mode, r.Config.Peers, formatSeconds(r.D), r.Bound, r.Ratio)
}
