package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// ID identifies a torrent: its info hash.
type ID = metainfo.Hash

// State is where a torrent is, as the list shows it.
type State int

// The states of a torrent in the list.
const (
	Queued      State = iota // waiting for a download or seed slot (Settings.MaxActive…)
	Checking                 // hashing data already on disk
	Downloading              // some wanted pieces are missing
	Seeding                  // every wanted piece is verified
	Paused                   // paused by the user
	Moving                   // its files are being moved to a new folder
	Error                    // stopped by an error; Summary.Message says which
	// FetchingMetadata: a magnet link waiting for peers to send the info
	// dictionary; it downloads like any torrent after.
	FetchingMetadata
)

func (s State) String() string {
	switch s {
	case Queued:
		return "queued"
	case Checking:
		return "checking"
	case Downloading:
		return "downloading"
	case Seeding:
		return "seeding"
	case Paused:
		return "paused"
	case Moving:
		return "moving"
	case Error:
		return "error"
	case FetchingMetadata:
		return "fetching metadata"
	}
	return "unknown"
}

// FilePriority is how much the user wants one file of a torrent.
type FilePriority int8

// File priorities. Their values are what persist stores.
const (
	Skip   FilePriority = 0 // not downloaded (beyond pieces shared with wanted files)
	Normal FilePriority = 1
	High   FilePriority = 2 // its pieces are picked first
)

func (p FilePriority) String() string {
	switch p {
	case Skip:
		return "skip"
	case Normal:
		return "normal"
	case High:
		return "high"
	}
	return fmt.Sprintf("priority(%d)", int8(p))
}

func (p FilePriority) valid() bool { return p >= Skip && p <= High }

func (p FilePriority) piece() picker.Priority {
	switch p {
	case Skip:
		return picker.Skip
	case High:
		return picker.High
	}
	return picker.Normal
}

// AddOptions say how to add a torrent.
type AddOptions struct {
	// SaveDir is the folder the torrent's files go under; "" means
	// Settings.DownloadDir (or Config.DefaultDir).
	SaveDir string
	// Paused adds the torrent without starting it.
	Paused bool
	// FilePriorities holds one priority per file in torrent order; nil means
	// all Normal.
	FilePriorities []FilePriority
	// Peers are "host:port" addresses to connect to besides the trackers'
	// (the command line's -peer, tests). They are not saved.
	Peers []string
}

// ErrDuplicate matches (errors.Is) the error adding a torrent that is
// already in the list returns; errors.As with *DuplicateError gives its ID.
var ErrDuplicate = errors.New("the torrent is already in the list")

// DuplicateError says which torrent was added twice.
type DuplicateError struct {
	ID   ID
	Name string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%q (%s) is already in the list", e.Name, e.ID.Hex())
}

// Is lets errors.Is(err, ErrDuplicate) succeed.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// ErrNotFound matches the error operations on an unknown ID return.
var ErrNotFound = errors.New("no such torrent")

// Summary is one row of the torrent list: an immutable value, refreshed a
// few times a second.
type Summary struct {
	ID       ID
	Name     string
	Size     int64   // all files
	Wanted   int64   // bytes in pieces not skipped
	Progress float64 // verified fraction of Size, 0 to 1
	State    State
	Message  string // why it is in the Error state, in words; other notes otherwise

	DownRate, UpRate float64 // bytes/s
	// Seeds and Peers are the connected peers that have everything, and
	// the others.
	Seeds, Peers int
	// SwarmSeeds and SwarmPeers are the trackers' counts; -1 when no
	// tracker has told us.
	SwarmSeeds, SwarmPeers int
	// ETA is the time to finish at the current rate; -1 when unknown or
	// not downloading.
	ETA time.Duration
	// Downloaded and Uploaded are payload bytes over all sessions.
	Downloaded, Uploaded int64
	// Ratio is Uploaded over Downloaded (over the verified bytes for a
	// torrent we had all along); 0 when neither moved.
	Ratio       float64
	SeedingTime time.Duration

	Added, Completed time.Time // Completed is zero while incomplete
	SaveDir          string
	QueuePosition    int

	// RestoredPieces and HashedPieces describe the last start: pieces
	// taken from resume data without hashing, and pieces hashed.
	RestoredPieces, HashedPieces int
}

// FileStatus is one file of a torrent in Details.
type FileStatus struct {
	Index    int    // position in the torrent; SetFilePriority takes it
	Path     string // inside the torrent, "/"-separated
	Size     int64
	Done     int64 // bytes in verified pieces
	Progress float64
	Priority FilePriority
}

// Details is everything about the selected torrent.
type Details struct {
	Summary
	// Snapshot is the engine's picture: pieces, availability, peers,
	// trackers. Nil while the torrent has no engine (error before start,
	// moving).
	Snapshot     *torrent.Snapshot
	Files        []FileStatus
	PieceLength  int64
	NumPieces    int
	Private      bool
	Comment      string
	CreatedBy    string
	CreationDate time.Time
	Magnet       string
}

// EventKind says what an Event is about.
type EventKind int

// Event kinds.
const (
	EventAdded     EventKind = iota // a torrent joined the list
	EventCompleted                  // a torrent finished downloading
	EventError                      // a torrent (or the client) hit an error; Message says what
	EventRemoved                    // a torrent left the list (and its data, if asked, is gone)
	// EventRecovered: the database was damaged and replaced; Message says
	// where the old one went.
	EventRecovered
	// EventHandedOver: a second Swarmscope passed its arguments to us; the
	// UI should come to the front.
	EventHandedOver
)

func (k EventKind) String() string {
	switch k {
	case EventAdded:
		return "added"
	case EventCompleted:
		return "completed"
	case EventError:
		return "error"
	case EventRemoved:
		return "removed"
	case EventRecovered:
		return "recovered"
	case EventHandedOver:
		return "handed over"
	}
	return "unknown"
}

// Event is something the UI may want to tell the user.
type Event struct {
	Kind    EventKind
	ID      ID // zero for client-wide events
	Name    string
	Message string
	At      time.Time
}

// ClientStatus is the status bar.
type ClientStatus struct {
	DownRate, UpRate float64 // all torrents, bytes/s
	ListenPort       int
	// ListenNote is set when the configured port could not be used.
	ListenNote string
	// FreeSpace is the free space in the default download folder (-1 when
	// unknown).
	FreeSpace int64
	// Recovered is Recovered.Message() when the database was replaced at
	// start.
	Recovered string
	// DHTNodes is the DHT routing table's size; -1 when the DHT is off.
	DHTNodes int
}
