package lab

import (
	"strings"

	"github.com/swarmscope/swarmscope/engine/torrent"
)

// LiveView is the swarm at one sample, node by node: what a window needs to
// draw who has which piece, who uploads to whom and how fast. Config.Live
// receives one per sample. It is built fresh each time and never changed
// afterwards, so the receiver may keep it and read it from any goroutine.
type LiveView struct {
	Sample Sample
	Pieces int // chunks in the file
	// Nodes holds the server first, then peer 1 to N, joined or not.
	Nodes []LiveNode
	// Paused is set while the run is paused (Config.Control): the view is
	// the swarm as it stopped, and Sample.At the lab's clock, which stands
	// still. A paused run sends one such view when it pauses and one just
	// before it resumes, and none in between.
	Paused bool
}

// LiveNode is one participant at the sample.
type LiveNode struct {
	Name       string // "server", "peer 1", ...
	Server     bool
	FreeRider  bool
	LateJoiner bool
	Joined     bool // its torrent has started (late joiners: after the delay)
	Left       bool // it left the swarm (Have is what it had then)
	Complete   bool
	// Have says, per piece, whether the node holds it verified; nil until
	// it joins.
	Have []bool
	// UpRate is its upload rate now, bytes/s; UploadRate the configured
	// limit (0: it never uploads).
	UpRate     float64
	UploadRate int64
	Uploaded   int64 // payload bytes so far
	Downloaded int64 // payload bytes so far
	// Unchokes are the nodes it uploads to at the sample (empty once it
	// left), in the order its engine lists its connections.
	Unchokes []LiveUnchoke
}

// LiveUnchoke is one "node uploads to Target" edge of the choke graph.
type LiveUnchoke struct {
	Target int // index into LiveView.Nodes
	// Why is the reason in one word: "tit-for-tat", "optimistic",
	// "seeding" or "everyone"; Optimistic repeats whether it is the
	// optimistic slot.
	Why        string
	Optimistic bool
}

// unchokeWhy names the reason observer's choker gave for serving p, in the
// four kinds UnchokeCounts counts.
func unchokeWhy(p *torrent.PeerSnapshot, observerComplete bool) string {
	switch {
	case p.Optimistic:
		return "optimistic"
	case strings.HasPrefix(p.ChokeReason, "upload to everyone"):
		return "everyone"
	case observerComplete:
		return "seeding"
	}
	return "tit-for-tat"
}

// liveView builds the view from the snapshots sample just read (n.last).
func (r *run) liveView(s Sample) *LiveView {
	v := &LiveView{Sample: s, Pieces: r.res.Pieces, Nodes: make([]LiveNode, len(r.nodes)), Paused: r.clock.paused()}
	for i, n := range r.nodes {
		ln := LiveNode{
			Name: n.Name, Server: n.Server, FreeRider: n.FreeRider, LateJoiner: n.LateJoiner,
			Joined: n.t != nil, Left: n.Left, Complete: n.Complete || n.Server, UploadRate: n.UploadRate,
		}
		if snap := n.last; snap != nil {
			ln.Have = make([]bool, r.res.Pieces)
			for p, st := range snap.Pieces {
				if p < len(ln.Have) {
					ln.Have[p] = st == torrent.PieceHave
				}
			}
			ln.Uploaded, ln.Downloaded = snap.Uploaded, snap.Downloaded
			if n.inSwarm() {
				ln.UpRate = snap.UpRate
				for j := range snap.Peers {
					p := &snap.Peers[j]
					target, ok := r.byID[p.PeerID]
					if !ok || p.AmChoking {
						continue
					}
					ln.Unchokes = append(ln.Unchokes, LiveUnchoke{Target: target, Why: unchokeWhy(p, snap.Complete), Optimistic: p.Optimistic})
				}
			}
		}
		if ln.Complete && ln.Have != nil {
			// The engine republishes its snapshot a few times a second, so
			// the last one may predate the final piece; a node known to be
			// complete has them all.
			for p := range ln.Have {
				ln.Have[p] = true
			}
		}
		v.Nodes[i] = ln
	}
	return v
}
