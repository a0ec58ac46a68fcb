// Package pex is peer exchange over the ut_pex extension (BEP 11): peers
// tell each other which peers they are connected to, so a swarm keeps
// finding itself without asking trackers or the DHT again.
//
// Three parts:
//
//   - Decode and Message.Encode: the ut_pex message, i.e. the payload after
//     the extended message ID, with its compact IPv4 (6-byte) and IPv6
//     (18-byte) peer lists and per-peer flags.
//   - State: what we tell one connected peer. The loop keeps it up to date
//     with the torrent's connected peers and sends the difference since
//     the last message, at most once a minute and 50 added and 50 dropped
//     at a time, as the clients that use ut_pex agreed.
//   - Receiver: what we take from others. It ignores a peer that sends
//     more often than every MinReceiveInterval, caps how many PEX-learned
//     candidates are held, and hands back new addresses tagged "pex".
//
// Like the picker and the choker these are pure: no I/O, no goroutines, no
// clock (the caller passes now), no locks; one goroutine owns them.
//
// Private torrents (BEP 27) must not use PEX: their peers must come from
// the private tracker alone. The loop enforces that by not advertising
// ut_pex for them, and by creating no State or Receiver.
package pex

import "strings"

// Flags describe an added peer, one byte per peer in "added.f" and
// "added6.f".
type Flags byte

// The flag bits of BEP 11.
const (
	FlagPrefersEncryption Flags = 0x01 // prefers encrypted connections
	FlagSeed              Flags = 0x02 // a seed, or upload-only
	FlagUTP               Flags = 0x04 // supports uTP
	FlagHolepunch         Flags = 0x08 // supports the ut_holepunch extension
	FlagReachable         Flags = 0x10 // accepts incoming connections
)

// String spells the flags out in words, for the peer table.
func (f Flags) String() string {
	names := []struct {
		flag Flags
		name string
	}{
		{FlagPrefersEncryption, "prefers encryption"},
		{FlagSeed, "seed"},
		{FlagUTP, "uTP"},
		{FlagHolepunch, "holepunch"},
		{FlagReachable, "reachable"},
	}
	var words []string
	for _, n := range names {
		if f&n.flag != 0 {
			words = append(words, n.name)
		}
	}
	if len(words) == 0 {
		return "none"
	}
	return strings.Join(words, ", ")
}

// PeerKey identifies a peer connection; the torrent loop chooses the values.
type PeerKey uint64
