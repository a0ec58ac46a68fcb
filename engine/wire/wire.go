// Package wire is the BitTorrent peer wire protocol: the handshake and the
// length-prefixed messages of BEP 3, the fast extension of BEP 6 (have all,
// have none, reject, allowed fast, suggest), the extension protocol handshake
// of BEP 10, and peer IDs as described in BEP 20.
//
// The package only encodes and decodes; it keeps no connection state. Every
// decoder treats its input as hostile: lengths are checked against caps
// before anything is allocated, and each error says which field was wrong.
package wire

// BlockSize is the request size every modern client uses and the most we
// serve or accept in one piece message (BEP 3 recommends 2^14).
const BlockSize = 16 * 1024

// Protocol is the protocol string sent in every handshake.
const Protocol = "BitTorrent protocol"

// HandshakeLength is the size of a BitTorrent handshake on the wire.
const HandshakeLength = 1 + len(Protocol) + 8 + 20 + 20
