package metadata

import "fmt"

// Server answers other peers' ut_metadata requests from a torrent's raw
// info dictionary. It keeps no per-peer state: rate limiting requests, if
// wanted, is the loop's. Do not create one for a private torrent (BEP 27).
type Server struct {
	info []byte
}

// NewServer returns a Server for info, the info dictionary exactly as it
// hashes to the info hash (metainfo.Info.Raw). The Server keeps info and
// hands out slices of it, so it must not be modified afterwards.
func NewServer(info []byte) (*Server, error) {
	if len(info) == 0 {
		return nil, fmt.Errorf("metadata server: empty info dictionary")
	}
	if len(info) > MaxSize {
		return nil, fmt.Errorf("metadata server: info dictionary of %d bytes is above the %d-byte cap", len(info), MaxSize)
	}
	return &Server{info: info}, nil
}

// Size is the metadata size to announce as metadata_size in our extension
// handshake.
func (s *Server) Size() int { return len(s.info) }

// Answer returns the reply to a request for piece: the data message, or a
// reject when the piece is out of range. The data aliases the info
// dictionary given to NewServer.
func (s *Server) Answer(piece int) Message {
	if piece < 0 || piece >= NumPieces(len(s.info)) {
		return Message{Type: Reject, Piece: piece}
	}
	start := piece * PieceSize
	end := start + pieceLength(len(s.info), piece)
	return Message{Type: Data, Piece: piece, TotalSize: len(s.info), Data: s.info[start:end]}
}
