package pex

import (
	"net/netip"
	"time"
)

// Receiving limits.
const (
	// MinReceiveInterval is the least time between two messages we take
	// from one peer. Senders should wait a minute; a little slack
	// tolerates timer jitter on their side.
	MinReceiveInterval = 45 * time.Second
	// DefaultMaxCandidates is a sensible cap on PEX-learned candidates
	// held at once.
	DefaultMaxCandidates = 500
)

// Source is the tag on every candidate the Receiver returns, for the peer
// table ("where did we hear of this peer").
const Source = "pex"

// Candidate is a peer address learned by PEX that the loop may connect to.
type Candidate struct {
	Addr   netip.AddrPort
	Flags  Flags
	Source string // always Source
}

// Receiver is the policy for PEX messages we receive, shared by all of a
// torrent's connections. It takes at most one message per peer every
// MinReceiveInterval and holds at most a fixed number of learned
// candidates; the loop frees room with Forget once it is done with one.
// "dropped" entries are hints only (the sender lost the peer, not us) and
// change nothing here.
type Receiver struct {
	maxCandidates int
	lastFrom      map[PeerKey]time.Time
	learned       map[netip.AddrPort]bool
}

// NewReceiver returns a Receiver holding at most maxCandidates learned
// addresses (DefaultMaxCandidates when maxCandidates <= 0).
func NewReceiver(maxCandidates int) *Receiver {
	if maxCandidates <= 0 {
		maxCandidates = DefaultMaxCandidates
	}
	return &Receiver{
		maxCandidates: maxCandidates,
		lastFrom:      make(map[PeerKey]time.Time),
		learned:       make(map[netip.AddrPort]bool),
	}
}

// Accept takes a decoded message from peer from. It returns false, and
// learns nothing, when the previous accepted message from that peer came
// less than MinReceiveInterval ago. Otherwise it returns the added peers
// not learned before, with their flags, leaving out addresses nobody can
// connect to (port 0, unspecified, multicast, broadcast) and anything past
// the cap on held candidates or past MaxPeersPerMessage.
func (r *Receiver) Accept(from PeerKey, msg Message, now time.Time) ([]Candidate, bool) {
	if last, ok := r.lastFrom[from]; ok && now.Sub(last) < MinReceiveInterval {
		return nil, false
	}
	r.lastFrom[from] = now
	var fresh []Candidate
	for i, p := range msg.Added {
		if i >= MaxPeersPerMessage || len(r.learned) >= r.maxCandidates {
			break
		}
		addr := canonical(p.Addr)
		if !connectable(addr) || r.learned[addr] {
			continue
		}
		r.learned[addr] = true
		fresh = append(fresh, Candidate{Addr: addr, Flags: p.Flags, Source: Source})
	}
	return fresh, true
}

// Forget frees the room a learned candidate takes (the loop connected to
// it, gave up on it, or dropped it); PEX may teach it again later.
func (r *Receiver) Forget(addr netip.AddrPort) {
	delete(r.learned, canonical(addr))
}

// PeerGone forgets a sender whose connection closed.
func (r *Receiver) PeerGone(from PeerKey) {
	delete(r.lastFrom, from)
}

// Held returns how many learned candidates are held.
func (r *Receiver) Held() int { return len(r.learned) }

// connectable reports whether addr could be a peer at all.
func connectable(addr netip.AddrPort) bool {
	a := addr.Addr()
	return addr.IsValid() && addr.Port() != 0 && !a.IsUnspecified() && !a.IsMulticast() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}
