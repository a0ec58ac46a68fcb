package dht

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/anacrolix/torrent/bencode"
)

// MaxPacketSize is the largest datagram the node accepts. Real KRPC
// packets fit in one Ethernet frame (< 1500 bytes); anything much larger
// is hostile or broken and is dropped before it is decoded.
const MaxPacketSize = 4096

// clientVersion is sent as "v" in every message: "SS" for Swarmscope and
// a two-byte version.
const clientVersion = "SS01"

// maxTransactionIDLen bounds the "t" value we echo back; real clients use
// 2 to 8 bytes.
const maxTransactionIDLen = 64

// KRPC method names (BEP 5).
const (
	methodPing         = "ping"
	methodFindNode     = "find_node"
	methodGetPeers     = "get_peers"
	methodAnnouncePeer = "announce_peer"
)

// KRPC error codes (BEP 5).
const (
	errCodeGeneric  = 201
	errCodeServer   = 202
	errCodeProtocol = 203
	errCodeMethod   = 204
)

// message is one KRPC message: a query (y "q"), a response ("r") or an
// error ("e").
type message struct {
	T  string      `bencode:"t"`
	Y  string      `bencode:"y"`
	Q  string      `bencode:"q,omitempty"`
	A  *queryArgs  `bencode:"a,omitempty"`
	R  *returnArgs `bencode:"r,omitempty"`
	E  *krpcError  `bencode:"e,omitempty"`
	V  string      `bencode:"v,omitempty"`
	RO int         `bencode:"ro,omitempty"` // BEP 43: the sender is read-only, do not query it
}

// queryArgs is the "a" dictionary of a query.
type queryArgs struct {
	ID          string   `bencode:"id"`
	Target      string   `bencode:"target,omitempty"`
	InfoHash    string   `bencode:"info_hash,omitempty"`
	Port        *int     `bencode:"port,omitempty"`
	ImpliedPort int      `bencode:"implied_port,omitempty"`
	Token       string   `bencode:"token,omitempty"`
	Want        []string `bencode:"want,omitempty"` // BEP 32: "n4", "n6"
}

// returnArgs is the "r" dictionary of a response.
type returnArgs struct {
	ID     string   `bencode:"id"`
	Nodes  string   `bencode:"nodes,omitempty"`
	Nodes6 string   `bencode:"nodes6,omitempty"`
	Token  string   `bencode:"token,omitempty"`
	Values []string `bencode:"values,omitempty"`
}

// krpcError is the "e" list of an error message: [code, message].
type krpcError struct {
	Code    int
	Message string
}

func (e *krpcError) Error() string {
	return fmt.Sprintf("KRPC error %d: %s", e.Code, e.Message)
}

// MarshalBencode encodes the error as the two-element list BEP 5 wants.
func (e krpcError) MarshalBencode() ([]byte, error) {
	return bencode.Marshal([]any{e.Code, e.Message})
}

// UnmarshalBencode decodes [code, message]; extra elements are ignored.
func (e *krpcError) UnmarshalBencode(b []byte) error {
	var list []bencode.Bytes
	if err := bencode.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("error list: %w", err)
	}
	if len(list) < 2 {
		return fmt.Errorf("error list has %d elements, want 2", len(list))
	}
	if err := bencode.Unmarshal(list[0], &e.Code); err != nil {
		return fmt.Errorf("error code: %w", err)
	}
	if err := bencode.Unmarshal(list[1], &e.Message); err != nil {
		return fmt.Errorf("error message: %w", err)
	}
	return nil
}

var errNotKRPC = errors.New("dht: not a KRPC message")

// decodeMessage parses and validates one datagram. Everything that a
// handler relies on is checked here: the message kind, a non-empty bounded
// transaction id, a method for queries and a 20-byte sender id for queries
// and responses.
func decodeMessage(b []byte) (*message, error) {
	if len(b) > MaxPacketSize {
		return nil, fmt.Errorf("dht: packet of %d bytes exceeds %d", len(b), MaxPacketSize)
	}
	if len(b) == 0 || b[0] != 'd' {
		return nil, errNotKRPC
	}
	d := bencode.NewDecoder(bytes.NewReader(b))
	d.MaxStrLen = MaxPacketSize
	d.MaxDepth = 8
	var m message
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("dht: decoding KRPC: %w", err)
	}
	if d.Offset != int64(len(b)) {
		return nil, fmt.Errorf("dht: %d bytes after the KRPC dictionary", int64(len(b))-d.Offset)
	}
	if m.T == "" || len(m.T) > maxTransactionIDLen {
		return nil, fmt.Errorf("dht: transaction id of %d bytes", len(m.T))
	}
	switch m.Y {
	case "q":
		if m.Q == "" {
			return nil, errors.New("dht: query without a method")
		}
		if m.A == nil {
			return nil, fmt.Errorf("dht: %s query without arguments", m.Q)
		}
		if len(m.A.ID) != IDLen {
			return nil, fmt.Errorf("dht: %s query with a %d-byte node id", m.Q, len(m.A.ID))
		}
	case "r":
		if m.R == nil {
			return nil, errors.New("dht: response without return values")
		}
		if len(m.R.ID) != IDLen {
			return nil, fmt.Errorf("dht: response with a %d-byte node id", len(m.R.ID))
		}
	case "e":
		if m.E == nil {
			return nil, errors.New("dht: error message without an error")
		}
	default:
		return nil, fmt.Errorf("dht: message kind %q", m.Y)
	}
	return &m, nil
}

// encodeMessage bencodes m, stamping our client version.
func encodeMessage(m *message) ([]byte, error) {
	m.V = clientVersion
	b, err := bencode.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("dht: encoding %s %q: %w", m.Y, m.Q, err)
	}
	return b, nil
}
