package pex

import (
	"net/netip"
	"slices"
	"time"
)

// Sending limits agreed between the clients that speak ut_pex.
const (
	// SendInterval is the least time between two messages to one peer.
	SendInterval = time.Minute
	// MaxAddedPerSend and MaxDroppedPerSend cap one message; what does not
	// fit waits for the next.
	MaxAddedPerSend   = 50
	MaxDroppedPerSend = 50
)

// State is what we tell one connected peer about the swarm. The loop calls
// SetPeers whenever the torrent's set of connected peers changes and
// Message on its tick; Message returns the difference between the set and
// what the peer has been told.
type State struct {
	self      []netip.AddrPort
	connected map[netip.AddrPort]Flags // the torrent's connected peers, as last set
	told      map[netip.AddrPort]bool  // peers the remote peer was told are connected
	sentAt    time.Time
	sentAny   bool
}

// NewState returns the state for the connection to a peer known by the
// given addresses: the one it connected from and, when its extension
// handshake said, the one it listens on. A peer is never told about
// itself.
func NewState(self ...netip.AddrPort) *State {
	return &State{
		self:      slices.Clone(self),
		connected: make(map[netip.AddrPort]Flags),
		told:      make(map[netip.AddrPort]bool),
	}
}

// SetPeers replaces the set of peers the torrent is connected to, each
// with the flags to announce it with. Invalid addresses are ignored.
func (s *State) SetPeers(peers []Peer) {
	clear(s.connected)
	for _, p := range peers {
		if p.Addr.IsValid() {
			s.connected[canonical(p.Addr)] = p.Flags
		}
	}
}

// Message returns the payload to send now, and false when nothing should
// be sent: nothing changed since the last message, or the last one went
// out less than SendInterval ago. The first message may go at once.
// Peers connected since the last message are "added", peers gone are
// "dropped", at most MaxAddedPerSend and MaxDroppedPerSend of each (in
// address order); the rest wait for the next message.
func (s *State) Message(now time.Time) ([]byte, bool) {
	if s.sentAny && now.Sub(s.sentAt) < SendInterval {
		return nil, false
	}
	var msg Message
	for addr, flags := range s.connected {
		if !s.told[addr] && !s.isSelf(addr) {
			msg.Added = append(msg.Added, Peer{Addr: addr, Flags: flags})
		}
	}
	for addr := range s.told {
		if _, ok := s.connected[addr]; !ok {
			msg.Dropped = append(msg.Dropped, addr)
		}
	}
	if len(msg.Added) == 0 && len(msg.Dropped) == 0 {
		return nil, false
	}
	slices.SortFunc(msg.Added, func(a, b Peer) int { return a.Addr.Compare(b.Addr) })
	slices.SortFunc(msg.Dropped, netip.AddrPort.Compare)
	msg.Added = msg.Added[:min(len(msg.Added), MaxAddedPerSend)]
	msg.Dropped = msg.Dropped[:min(len(msg.Dropped), MaxDroppedPerSend)]
	for _, p := range msg.Added {
		s.told[p.Addr] = true
	}
	for _, addr := range msg.Dropped {
		delete(s.told, addr)
	}
	s.sentAt, s.sentAny = now, true
	return msg.Encode(), true
}

func (s *State) isSelf(addr netip.AddrPort) bool {
	for _, self := range s.self {
		if canonical(self) == addr {
			return true
		}
	}
	return false
}

// canonical unmaps IPv4-mapped IPv6 addresses so one peer has one key.
func canonical(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
