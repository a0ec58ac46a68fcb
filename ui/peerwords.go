package ui

import (
	"strings"

	"github.com/swarmscope/swarmscope/engine/torrent"
)

// uploadClass is where a peer stands with our choker, which decides whom we upload to. The peers
// table colours the "we → them" column by it so the unchoked set stands out at a glance.
type uploadClass int

const (
	uploadChoked     uploadClass = iota // we refuse to upload to it
	uploadRegular                       // one of the regular (tit-for-tat) unchoke slots
	uploadOptimistic                    // the optimistic unchoke slot
)

// uploadClassOf classifies p by our choke state towards it.
func uploadClassOf(p *torrent.PeerSnapshot) uploadClass {
	switch {
	case p.AmChoking:
		return uploadChoked
	case p.Optimistic:
		return uploadOptimistic
	default:
		return uploadRegular
	}
}

// uploadWords says in words whether and why we upload to p, e.g.
// "we unchoke them: 2nd fastest uploader to us (1.2 MiB/s)", "optimistic unchoke (rotates every
// 30 s)" or "we choke them: not in the top 4 (6th fastest, 0 B/s)". The choker's reason already
// starts with "regular unchoke: " or "choked: "; that part is replaced by the direction words.
func uploadWords(p *torrent.PeerSnapshot) string {
	reason := strings.TrimSpace(p.ChokeReason)
	switch uploadClassOf(p) {
	case uploadOptimistic:
		if strings.HasPrefix(reason, "optimistic unchoke") {
			return reason
		}
		return joinReason("optimistic unchoke", reason)
	case uploadRegular:
		return joinReason("we unchoke them", strings.TrimPrefix(reason, "regular unchoke: "))
	default:
		return joinReason("we choke them", strings.TrimPrefix(reason, "choked: "))
	}
}

// downloadWords says whether p uploads to us and whether we want anything from it, e.g.
// "they unchoke us; we are interested" or "they choke us; snubbed".
func downloadWords(p *torrent.PeerSnapshot) string {
	parts := []string{"they unchoke us"}
	if p.PeerChoking {
		parts[0] = "they choke us"
	}
	if p.AmInterested {
		parts = append(parts, "we are interested")
	}
	if p.Snubbed {
		parts = append(parts, "snubbed")
	}
	return strings.Join(parts, "; ")
}

// peerFlagWords spells out every letter of p.Flags() in the order the letters appear, for the
// tooltip-free teaching view: "D: we download from them; I: they connected to us".
func peerFlagWords(flags string) string {
	var parts []string
	for _, r := range flags {
		if words, ok := flagMeaning[r]; ok {
			parts = append(parts, string(r)+": "+words)
		}
	}
	return strings.Join(parts, "; ")
}

// flagMeaning is the legend for the compact letters qBittorrent and Transmission users know.
var flagMeaning = map[rune]string{
	'D': "we download from them",
	'd': "we want to download, they choke us",
	'U': "we upload to them",
	'u': "they want to download, we choke them",
	'K': "they unchoke us, we are not interested",
	'?': "we unchoke them, they are not interested",
	'O': "optimistic unchoke",
	'S': "snubbed",
	'I': "they connected to us",
}

func joinReason(head, reason string) string {
	if reason == "" {
		return head
	}
	return head + ": " + reason
}
