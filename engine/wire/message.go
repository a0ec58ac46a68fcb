package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ID is a message type.
type ID uint8

// Message IDs from BEP 3, BEP 6 and BEP 10.
const (
	Choke         ID = 0
	Unchoke       ID = 1
	Interested    ID = 2
	NotInterested ID = 3
	Have          ID = 4
	Bitfield      ID = 5
	Request       ID = 6
	Piece         ID = 7
	Cancel        ID = 8
	Port          ID = 9
	Suggest       ID = 0x0D // BEP 6
	HaveAll       ID = 0x0E // BEP 6
	HaveNone      ID = 0x0F // BEP 6
	Reject        ID = 0x10 // BEP 6
	AllowedFast   ID = 0x11 // BEP 6
	Extended      ID = 20   // BEP 10
)

var idNames = map[ID]string{
	Choke: "choke", Unchoke: "unchoke", Interested: "interested", NotInterested: "not interested",
	Have: "have", Bitfield: "bitfield", Request: "request", Piece: "piece", Cancel: "cancel",
	Port: "port", Suggest: "suggest piece", HaveAll: "have all", HaveNone: "have none",
	Reject: "reject request", AllowedFast: "allowed fast", Extended: "extended",
}

func (id ID) String() string {
	if n, ok := idNames[id]; ok {
		return n
	}
	return fmt.Sprintf("unknown message %d", uint8(id))
}

// Message is one decoded peer message. Which fields matter depends on ID:
//
//	Have, Suggest, AllowedFast:    Index
//	Request, Cancel, Reject:       Index, Begin, Length
//	Piece:                         Index, Begin, Block
//	Bitfield:                      Bitfield
//	Port:                          Port
//	Extended:                      ExtendedID, Payload
//
// KeepAlive marks the zero-length keep-alive, which has no ID.
type Message struct {
	KeepAlive  bool
	ID         ID
	Index      uint32
	Begin      uint32
	Length     uint32
	Port       uint16
	Bitfield   []byte
	Block      []byte
	ExtendedID uint8
	Payload    []byte
}

// Constructors for the common messages, so call sites read like the protocol.

// NewHave announces a verified piece.
func NewHave(piece uint32) Message { return Message{ID: Have, Index: piece} }

// NewRequest asks for a block.
func NewRequest(piece, begin, length uint32) Message {
	return Message{ID: Request, Index: piece, Begin: begin, Length: length}
}

// NewCancel withdraws a request.
func NewCancel(piece, begin, length uint32) Message {
	return Message{ID: Cancel, Index: piece, Begin: begin, Length: length}
}

// NewReject refuses a request (BEP 6).
func NewReject(piece, begin, length uint32) Message {
	return Message{ID: Reject, Index: piece, Begin: begin, Length: length}
}

// NewPiece carries a block of data.
func NewPiece(piece, begin uint32, block []byte) Message {
	return Message{ID: Piece, Index: piece, Begin: begin, Block: block}
}

// NewExtended carries a BEP 10 message; extendedID 0 is the extension handshake.
func NewExtended(extendedID uint8, payload []byte) Message {
	return Message{ID: Extended, ExtendedID: extendedID, Payload: payload}
}

// Length caps. The caller passes the cap for the biggest message it accepts
// to ReadMessage; MaxLength computes the usual one.
const (
	// PieceOverhead is the size of a piece message without its block.
	PieceOverhead = 1 + 4 + 4
	// MaxPieceMessage is the longest piece message we accept: one 16 KiB block.
	MaxPieceMessage = PieceOverhead + BlockSize
	// MaxExtendedMessage caps BEP 10 messages (handshake, metadata pieces, PEX).
	MaxExtendedMessage = 1 << 20
)

// MaxLength is the message length cap for a torrent of numPieces pieces: the
// largest of a piece message with one 16 KiB block, a full bitfield, and an
// extended message of up to 1 MiB.
func MaxLength(numPieces int) uint32 {
	m := uint32(MaxPieceMessage)
	if bf := uint32(1 + (numPieces+7)/8); bf > m {
		m = bf
	}
	if MaxExtendedMessage+2 > m {
		m = MaxExtendedMessage + 2
	}
	return m
}

// ErrTooLong is wrapped by ReadMessage errors for messages over the cap.
var ErrTooLong = errors.New("message too long")

// fixedPayload is the exact payload length (after the ID) of fixed-size
// messages; ok is false for variable-length and unknown messages.
func fixedPayload(id ID) (n int, ok bool) {
	switch id {
	case Choke, Unchoke, Interested, NotInterested, HaveAll, HaveNone:
		return 0, true
	case Have, Suggest, AllowedFast:
		return 4, true
	case Request, Cancel, Reject:
		return 12, true
	case Port:
		return 2, true
	}
	return 0, false
}

// ReadMessage reads one message. Messages longer than maxLength are rejected
// before their body is read. A piece message's block is read into buf when
// buf has the capacity (so the block aliases buf), else into a new slice;
// bitfield and extended payloads are always freshly allocated. Unknown
// message IDs are returned with their body discarded, so a caller can choose
// to ignore them.
func ReadMessage(r io.Reader, maxLength uint32, buf []byte) (Message, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Message{}, err
	}
	length := binary.BigEndian.Uint32(hdr[:])
	if length == 0 {
		return Message{KeepAlive: true}, nil
	}
	if length > maxLength {
		return Message{}, fmt.Errorf("%w: %d bytes, cap %d", ErrTooLong, length, maxLength)
	}
	var idb [1]byte
	if _, err := io.ReadFull(r, idb[:]); err != nil {
		return Message{}, unexpected(err)
	}
	m := Message{ID: ID(idb[0])}
	payload := int(length - 1)

	if want, fixed := fixedPayload(m.ID); fixed {
		if payload != want {
			return Message{}, fmt.Errorf("%v: payload %d bytes, want %d", m.ID, payload, want)
		}
		var b [12]byte
		if _, err := io.ReadFull(r, b[:payload]); err != nil {
			return Message{}, unexpected(err)
		}
		switch payload {
		case 2:
			m.Port = binary.BigEndian.Uint16(b[:])
		case 4:
			m.Index = binary.BigEndian.Uint32(b[:])
		case 12:
			m.Index = binary.BigEndian.Uint32(b[0:])
			m.Begin = binary.BigEndian.Uint32(b[4:])
			m.Length = binary.BigEndian.Uint32(b[8:])
		}
		return m, nil
	}

	switch m.ID {
	case Piece:
		if payload < 8 {
			return Message{}, fmt.Errorf("piece: payload %d bytes, want at least 8", payload)
		}
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Message{}, unexpected(err)
		}
		m.Index = binary.BigEndian.Uint32(b[0:])
		m.Begin = binary.BigEndian.Uint32(b[4:])
		n := payload - 8
		if cap(buf) >= n {
			m.Block = buf[:n]
		} else {
			m.Block = make([]byte, n)
		}
		if _, err := io.ReadFull(r, m.Block); err != nil {
			return Message{}, unexpected(err)
		}
	case Bitfield:
		m.Bitfield = make([]byte, payload)
		if _, err := io.ReadFull(r, m.Bitfield); err != nil {
			return Message{}, unexpected(err)
		}
	case Extended:
		if payload < 1 {
			return Message{}, errors.New("extended: missing extended message ID")
		}
		b := make([]byte, payload)
		if _, err := io.ReadFull(r, b); err != nil {
			return Message{}, unexpected(err)
		}
		m.ExtendedID, m.Payload = b[0], b[1:]
	default:
		// Unknown message: skip its body so the stream stays in sync.
		if _, err := io.CopyN(io.Discard, r, int64(payload)); err != nil {
			return Message{}, unexpected(err)
		}
	}
	return m, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// WireLength is the encoded size of m, including the 4-byte length prefix.
func (m Message) WireLength() int {
	if m.KeepAlive {
		return 4
	}
	return 4 + 1 + m.payloadLength()
}

func (m Message) payloadLength() int {
	if n, fixed := fixedPayload(m.ID); fixed {
		return n
	}
	switch m.ID {
	case Piece:
		return 8 + len(m.Block)
	case Bitfield:
		return len(m.Bitfield)
	case Extended:
		return 1 + len(m.Payload)
	}
	return 0
}

// Append appends the wire form of m to b.
func (m Message) Append(b []byte) []byte {
	b = m.AppendHeader(b)
	switch m.ID {
	case Piece:
		b = append(b, m.Block...)
	case Bitfield:
		b = append(b, m.Bitfield...)
	case Extended:
		b = append(b, m.Payload...)
	}
	return b
}

// AppendHeader appends everything of m except a piece block, bitfield or
// extended payload: a writer can then send a large block without copying it.
func (m Message) AppendHeader(b []byte) []byte {
	if m.KeepAlive {
		return binary.BigEndian.AppendUint32(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+m.payloadLength()))
	b = append(b, byte(m.ID))
	switch m.ID {
	case Have, Suggest, AllowedFast:
		b = binary.BigEndian.AppendUint32(b, m.Index)
	case Request, Cancel, Reject:
		b = binary.BigEndian.AppendUint32(b, m.Index)
		b = binary.BigEndian.AppendUint32(b, m.Begin)
		b = binary.BigEndian.AppendUint32(b, m.Length)
	case Piece:
		b = binary.BigEndian.AppendUint32(b, m.Index)
		b = binary.BigEndian.AppendUint32(b, m.Begin)
	case Port:
		b = binary.BigEndian.AppendUint16(b, m.Port)
	case Extended:
		b = append(b, m.ExtendedID)
	}
	return b
}

// String is a short human description, for logs.
func (m Message) String() string {
	if m.KeepAlive {
		return "keep-alive"
	}
	switch m.ID {
	case Have, Suggest, AllowedFast:
		return fmt.Sprintf("%v %d", m.ID, m.Index)
	case Request, Cancel, Reject:
		return fmt.Sprintf("%v piece %d begin %d length %d", m.ID, m.Index, m.Begin, m.Length)
	case Piece:
		return fmt.Sprintf("piece %d begin %d (%d bytes)", m.Index, m.Begin, len(m.Block))
	case Bitfield:
		return fmt.Sprintf("bitfield (%d bytes)", len(m.Bitfield))
	case Port:
		return fmt.Sprintf("port %d", m.Port)
	case Extended:
		return fmt.Sprintf("extended %d (%d bytes)", m.ExtendedID, len(m.Payload))
	}
	return m.ID.String()
}
