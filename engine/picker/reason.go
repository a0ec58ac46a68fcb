package picker

import (
	"fmt"
	"strings"
)

type reasonKind uint8

const (
	reasonPartial reasonKind = iota + 1
	reasonRarest
	reasonRandomFirst
	reasonRandom
	reasonSequential
	reasonEndgame
	reasonAllowedFast
)

// pickReason is why one piece was chosen. It holds numbers only, so Pick
// stays allocation-light; the words are built when someone asks.
type pickReason struct {
	kind        reasonKind
	piece       int
	avail       int // rarest: peers that have the piece
	peers       int // rarest: peers we know
	ties        int // rarest: equally rare pieces chosen from; endgame: peers already asked
	verified    int // random first: pieces we had
	randomFirst int // random first: pieces wanted before rarest first
}

// PickReason explains, for teaching, why one piece was chosen.
type PickReason struct {
	Piece  int
	Reason string // e.g. "rarest: 1 of 5 peers have it"
}

func (r pickReason) String() string {
	switch r.kind {
	case reasonPartial:
		return "finishing a partial piece"
	case reasonRarest:
		s := fmt.Sprintf("rarest: %d of %d peers have it", r.avail, r.peers)
		if r.ties > 1 {
			s += fmt.Sprintf(" (random among %d equally rare)", r.ties)
		}
		return s
	case reasonRandomFirst:
		return fmt.Sprintf("random first piece (%d of %d complete pieces before rarest first)", r.verified, r.randomFirst)
	case reasonRandom:
		return "random piece (random strategy)"
	case reasonSequential:
		return "next piece in order (sequential strategy)"
	case reasonEndgame:
		return fmt.Sprintf("endgame: duplicate of a request already sent to %d peer(s)", r.ties)
	case reasonAllowedFast:
		return "allowed fast while choked"
	default:
		return "unknown"
	}
}

// LastPickReasons explains each piece the last Pick or PickAllowedFast
// took blocks from, in the order it chose them.
func (p *Picker) LastPickReasons() []PickReason {
	out := make([]PickReason, len(p.reasons))
	for i, r := range p.reasons {
		out[i] = PickReason{Piece: r.piece, Reason: r.String()}
	}
	return out
}

// LastPickReason explains the last Pick in one line, e.g.
// "piece 12: rarest: 1 of 5 peers have it; piece 40: finishing a partial piece".
// It is empty when the last Pick returned nothing.
func (p *Picker) LastPickReason() string {
	var sb strings.Builder
	for i, r := range p.reasons {
		if i > 0 {
			sb.WriteString("; ")
		}
		fmt.Fprintf(&sb, "piece %d: %s", r.piece, r)
	}
	return sb.String()
}
