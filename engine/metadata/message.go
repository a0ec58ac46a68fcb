package metadata

import (
	"errors"
	"fmt"
	"strconv"
)

// MessageType is the "msg_type" of a ut_metadata message.
type MessageType int

// The three message types of BEP 9.
const (
	Request MessageType = 0 // asks for one piece
	Data    MessageType = 1 // carries one piece after the dictionary
	Reject  MessageType = 2 // refuses a request
)

func (t MessageType) String() string {
	switch t {
	case Request:
		return "request"
	case Data:
		return "data"
	case Reject:
		return "reject"
	}
	return "msg_type " + strconv.Itoa(int(t))
}

// Message is one ut_metadata message.
type Message struct {
	Type  MessageType
	Piece int
	// TotalSize is the whole metadata size; only data messages carry it.
	TotalSize int
	// Data is the piece itself, for data messages. After DecodeMessage it
	// aliases the payload, so copy it before reusing the read buffer.
	Data []byte
}

// ErrUnknownType is returned (wrapped) for a well-formed message with a
// msg_type this package does not know. BEP 9 says such messages must be
// ignored, so the loop should drop the message, not the peer.
var ErrUnknownType = errors.New("unknown msg_type")

// Encode returns the message payload: the bencoded dictionary and, for a
// data message, the piece bytes after it.
func (m Message) Encode() []byte {
	b := make([]byte, 0, 64+len(m.Data))
	// Keys in sorted order, as bencode requires.
	b = append(b, "d8:msg_typei"...)
	b = strconv.AppendInt(b, int64(m.Type), 10)
	b = append(b, "e5:piecei"...)
	b = strconv.AppendInt(b, int64(m.Piece), 10)
	b = append(b, 'e')
	if m.Type == Data {
		b = append(b, "10:total_sizei"...)
		b = strconv.AppendInt(b, int64(m.TotalSize), 10)
		b = append(b, 'e')
	}
	b = append(b, 'e')
	if m.Type == Data {
		b = append(b, m.Data...)
	}
	return b
}

// DecodeMessage parses a ut_metadata payload. The bencoded dictionary is
// scanned to find where it ends; for a data message the rest is the piece,
// and for the other types nothing may follow the dictionary.
//
// It checks everything it can without knowing which metadata is meant:
// piece indices within MaxSize, total_size within MaxSize, and for data a
// piece of exactly the length that piece of total_size must have.
func DecodeMessage(payload []byte) (Message, error) {
	var m Message
	fields, end, err := scanDict(payload)
	if err != nil {
		return m, fmt.Errorf("ut_metadata message: %w", err)
	}
	if !fields.hasType {
		return m, errors.New("ut_metadata message: no msg_type")
	}
	m.Type = MessageType(fields.msgType)
	switch m.Type {
	case Request, Data, Reject:
	default:
		return m, fmt.Errorf("ut_metadata message: %w %d", ErrUnknownType, fields.msgType)
	}
	if !fields.hasPiece {
		return m, fmt.Errorf("ut_metadata %v: no piece", m.Type)
	}
	if fields.piece < 0 || fields.piece >= maxPieces {
		return m, fmt.Errorf("ut_metadata %v: piece %d out of range [0, %d)", m.Type, fields.piece, maxPieces)
	}
	m.Piece = int(fields.piece)
	rest := payload[end:]
	if m.Type != Data {
		if len(rest) != 0 {
			return m, fmt.Errorf("ut_metadata %v: %d bytes of trailing data after the dictionary", m.Type, len(rest))
		}
		return m, nil
	}
	if !fields.hasTotalSize {
		return m, errors.New("ut_metadata data: no total_size")
	}
	if fields.totalSize <= 0 || fields.totalSize > MaxSize {
		return m, fmt.Errorf("ut_metadata data: total_size %d out of range [1, %d]", fields.totalSize, MaxSize)
	}
	m.TotalSize = int(fields.totalSize)
	if n := NumPieces(m.TotalSize); m.Piece >= n {
		return m, fmt.Errorf("ut_metadata data: piece %d out of range for total_size %d (%d pieces)", m.Piece, m.TotalSize, n)
	}
	if len(rest) > PieceSize {
		return m, fmt.Errorf("ut_metadata data: piece %d carries %d bytes, more than the %d-byte piece size", m.Piece, len(rest), PieceSize)
	}
	if want := pieceLength(m.TotalSize, m.Piece); len(rest) != want {
		return m, fmt.Errorf("ut_metadata data: piece %d carries %d bytes, want %d for total_size %d", m.Piece, len(rest), want, m.TotalSize)
	}
	m.Data = rest
	return m, nil
}

// dictFields are the keys of a ut_metadata dictionary we understand.
type dictFields struct {
	msgType, piece, totalSize       int64
	hasType, hasPiece, hasTotalSize bool
}

// maxSkipDepth caps the nesting of values under keys we do not know, so a
// hostile message cannot make the scanner recurse without bound.
const maxSkipDepth = 16

// scanDict reads the bencoded dictionary at the start of data and returns
// its known fields and the offset just past its closing 'e'. The scan is
// strict (canonical integers, length-checked strings, no duplicate known
// keys) and allocates nothing.
func scanDict(data []byte) (dictFields, int, error) {
	var f dictFields
	if len(data) == 0 {
		return f, 0, errors.New("empty payload")
	}
	if data[0] != 'd' {
		return f, 0, fmt.Errorf("payload starts with %q, not a bencoded dictionary", data[0])
	}
	pos := 1
	for {
		if pos >= len(data) {
			return f, 0, fmt.Errorf("dictionary not closed at byte %d", pos)
		}
		if data[pos] == 'e' {
			return f, pos + 1, nil
		}
		keyStart := pos
		key, next, err := scanString(data, pos)
		if err != nil {
			return f, 0, fmt.Errorf("dictionary key at byte %d: %w", keyStart, err)
		}
		pos = next
		var dst *int64
		var seen *bool
		switch string(key) {
		case "msg_type":
			dst, seen = &f.msgType, &f.hasType
		case "piece":
			dst, seen = &f.piece, &f.hasPiece
		case "total_size":
			dst, seen = &f.totalSize, &f.hasTotalSize
		default:
			if pos, err = skipValue(data, pos, 0); err != nil {
				return f, 0, fmt.Errorf("value of key %q: %w", key, err)
			}
			continue
		}
		if *seen {
			return f, 0, fmt.Errorf("duplicate key %q at byte %d", key, keyStart)
		}
		if pos >= len(data) || data[pos] != 'i' {
			return f, 0, fmt.Errorf("value of key %q at byte %d is not an integer", key, pos)
		}
		if *dst, pos, err = scanInt(data, pos); err != nil {
			return f, 0, fmt.Errorf("value of key %q: %w", key, err)
		}
		*seen = true
	}
}

// scanString reads the byte string at data[pos] ("<len>:<bytes>") and
// returns it (aliasing data) and the offset just past it.
func scanString(data []byte, pos int) ([]byte, int, error) {
	start := pos
	n := 0
	for pos < len(data) && data[pos] >= '0' && data[pos] <= '9' {
		if pos-start >= 9 { // longer than any payload we could be handed
			return nil, 0, fmt.Errorf("string length at byte %d has too many digits", start)
		}
		n = n*10 + int(data[pos]-'0')
		pos++
	}
	switch {
	case pos == start:
		return nil, 0, fmt.Errorf("byte %d: want a string length, got %q", start, byteAt(data, pos))
	case data[start] == '0' && pos-start > 1:
		return nil, 0, fmt.Errorf("string length at byte %d has a leading zero", start)
	case pos >= len(data) || data[pos] != ':':
		return nil, 0, fmt.Errorf("string length at byte %d not followed by ':'", start)
	}
	pos++
	if n > len(data)-pos {
		return nil, 0, fmt.Errorf("string at byte %d claims %d bytes, only %d left", start, n, len(data)-pos)
	}
	return data[pos : pos+n], pos + n, nil
}

// scanInt reads the integer at data[pos] ("i<digits>e") in canonical form
// (no leading zeros, no "-0", no '+') and returns it and the offset just
// past it.
func scanInt(data []byte, pos int) (int64, int, error) {
	start := pos
	pos++ // 'i'
	end := pos
	for end < len(data) && data[end] != 'e' {
		end++
	}
	if end >= len(data) {
		return 0, 0, fmt.Errorf("integer at byte %d not terminated", start)
	}
	digits := data[pos:end]
	neg := len(digits) > 0 && digits[0] == '-'
	body := digits
	if neg {
		body = digits[1:]
	}
	if len(body) == 0 || len(body) > 18 {
		return 0, 0, fmt.Errorf("integer at byte %d has %d digits, want 1 to 18", start, len(body))
	}
	for _, c := range body {
		if c < '0' || c > '9' {
			return 0, 0, fmt.Errorf("integer at byte %d contains %q", start, c)
		}
	}
	if body[0] == '0' && (len(body) > 1 || neg) {
		return 0, 0, fmt.Errorf("integer at byte %d is not canonical: %q", start, digits)
	}
	var v int64
	for _, c := range body {
		v = v*10 + int64(c-'0') // 18 digits cannot overflow int64
	}
	if neg {
		v = -v
	}
	return v, end + 1, nil
}

// skipValue validates the value at data[pos] and returns the offset just
// past it.
func skipValue(data []byte, pos, depth int) (int, error) {
	if pos >= len(data) {
		return 0, fmt.Errorf("value missing at byte %d", pos)
	}
	switch c := data[pos]; {
	case c == 'i':
		_, end, err := scanInt(data, pos)
		return end, err
	case c == 'l' || c == 'd':
		if depth >= maxSkipDepth {
			return 0, fmt.Errorf("nesting deeper than %d at byte %d", maxSkipDepth, pos)
		}
		kind := "list"
		if c == 'd' {
			kind = "dictionary"
		}
		pos++
		for {
			if pos >= len(data) {
				return 0, fmt.Errorf("%s not closed at byte %d", kind, pos)
			}
			if data[pos] == 'e' {
				return pos + 1, nil
			}
			var err error
			if c == 'd' {
				if _, pos, err = scanString(data, pos); err != nil {
					return 0, err
				}
			}
			if pos, err = skipValue(data, pos, depth+1); err != nil {
				return 0, err
			}
		}
	default:
		_, end, err := scanString(data, pos)
		return end, err
	}
}

// byteAt describes data[pos] for an error message.
func byteAt(data []byte, pos int) string {
	if pos >= len(data) {
		return "end of input"
	}
	return string(data[pos : pos+1])
}
