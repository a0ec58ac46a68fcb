package torrent

import (
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// State is where a torrent is in its life.
type State int

// The states a torrent goes through.
const (
	Checking    State = iota // verifying existing data
	Downloading              // some wanted pieces are missing
	Seeding                  // every wanted piece is verified
	Paused                   // no peers, no announces, until Resume
	Stopped                  // Stop was called; the torrent is gone
	Failed                   // an error stopped it (see Snapshot.Err)
	// FetchingMetadata: a magnet link whose info dictionary is being
	// fetched from peers (BEP 9); the download starts once it arrives.
	FetchingMetadata
)

func (s State) String() string {
	switch s {
	case Checking:
		return "checking"
	case Downloading:
		return "downloading"
	case Seeding:
		return "seeding"
	case Paused:
		return "paused"
	case Stopped:
		return "stopped"
	case Failed:
		return "error"
	case FetchingMetadata:
		return "fetching metadata"
	}
	return "unknown"
}

// PieceState is what we know of one piece.
type PieceState uint8

// Piece states for the piece bar.
const (
	PieceMissing     PieceState = iota // not started
	PieceDownloading                   // some blocks requested or received
	PieceHave                          // verified
)

// Source says how we met a peer.
type Source int

// Peer sources.
const (
	SourceTracker  Source = iota // a tracker gave us its address
	SourceIncoming               // it connected to us
	SourceManual                 // AddPeer (e.g. -peer on the command line, a magnet's x.pe)
	SourceDHT                    // a DHT get_peers lookup found it
	SourcePEX                    // another peer told us of it (ut_pex)
)

func (s Source) String() string {
	switch s {
	case SourceTracker:
		return "tracker"
	case SourceIncoming:
		return "incoming"
	case SourceManual:
		return "manual"
	case SourceDHT:
		return "DHT"
	case SourcePEX:
		return "PEX"
	}
	return "unknown"
}

// Snapshot is an immutable picture of a torrent, published by its loop a
// few times a second. Slices and bitfields in it are copies: readers may keep
// them.
type Snapshot struct {
	At       time.Time
	Name     string
	InfoHash metainfo.Hash
	State    State
	Err      string // why the torrent is in the Failed state

	TotalSize     int64
	PieceLength   int64
	NumPieces     int
	HaveCount     int   // verified pieces
	VerifiedBytes int64 // bytes in verified pieces
	CheckedPieces int   // while Checking: pieces rechecked so far
	// HashedPieces counts the pieces hashed while checking data already on
	// disk: all of them on a full recheck, only those resume data could not
	// vouch for on a resumed start. Downloaded pieces are not counted.
	HashedPieces int

	Pieces       []PieceState // per piece
	Availability []int        // per piece: how many connected peers have it

	DownRate, UpRate             float64 // bytes/s over the last few seconds
	Downloaded, Uploaded, Wasted int64   // payload bytes this session
	HashFailures, BannedPeers    int
	Peers                        []PeerSnapshot
	DroppedPeers                 []DroppedPeer // most recent last
	ListenPort                   int
	Complete                     bool // every wanted piece verified

	// MetadataHave and MetadataPieces: while FetchingMetadata, how many
	// pieces of the info dictionary are in, out of how many (0 of 0 until
	// a peer offers it).
	MetadataHave, MetadataPieces int
	// Private is the info dictionary's private flag (BEP 27): no DHT, no
	// PEX, no metadata served.
	Private bool

	// Trackers are the torrent's trackers in tier order, as its announcer
	// last saw them (all "not contacted" before the first announce); nil
	// when AddOptions.NoTrackers is set.
	Trackers []TrackerStatus
}

// Progress is the verified fraction, 0 to 1.
func (s *Snapshot) Progress() float64 {
	if s.TotalSize == 0 {
		return 1
	}
	return float64(s.VerifiedBytes) / float64(s.TotalSize)
}

// PeerSnapshot is one connected peer.
type PeerSnapshot struct {
	Addr   string
	Client string // from the extension handshake "v", else decoded from the peer ID
	PeerID [20]byte
	Source Source

	Incoming       bool // it connected to us
	AmChoking      bool // we refuse to upload to it
	AmInterested   bool // it has pieces we want
	PeerChoking    bool // it refuses to upload to us
	PeerInterested bool // it wants pieces we have
	Snubbed        bool // it sent us nothing for too long
	Optimistic     bool // unchoked by the optimistic slot
	Fast           bool // speaks BEP 6
	Extended       bool // speaks BEP 10
	ChokeReason    string

	HaveCount   int
	Progress    float64 // its fraction of pieces
	Bitfield    *bitfield.Bitfield
	Outstanding int // our requests waiting for its answer
	Queued      int // its requests waiting for our answer

	DownRate, UpRate     float64
	Downloaded, Uploaded int64
	ConnectedAt          time.Time
}

// Flags is the compact peer-flag string qBittorrent and Transmission users
// know: D/d we download / would download, U/u we upload / would upload,
// K/? it / we unchoke without interest, O optimistic, S snubbed, I incoming,
// X from PEX, H from DHT, E encrypted (unused).
func (p *PeerSnapshot) Flags() string {
	var b []byte
	switch {
	case p.AmInterested && !p.PeerChoking:
		b = append(b, 'D')
	case p.AmInterested:
		b = append(b, 'd')
	}
	switch {
	case p.PeerInterested && !p.AmChoking:
		b = append(b, 'U')
	case p.PeerInterested:
		b = append(b, 'u')
	}
	if !p.PeerChoking && !p.AmInterested {
		b = append(b, 'K')
	}
	if !p.AmChoking && !p.PeerInterested {
		b = append(b, '?')
	}
	if p.Optimistic {
		b = append(b, 'O')
	}
	if p.Snubbed {
		b = append(b, 'S')
	}
	if p.Incoming {
		b = append(b, 'I')
	}
	switch p.Source {
	case SourcePEX:
		b = append(b, 'X')
	case SourceDHT:
		b = append(b, 'H')
	}
	return string(b)
}

// DroppedPeer records why we disconnected a peer.
type DroppedPeer struct {
	At     time.Time
	Addr   string
	Client string // empty when the handshake never completed
	Reason string
}
