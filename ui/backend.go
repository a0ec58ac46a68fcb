package ui

import (
	"context"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// backend is everything the window asks of the application core. clientBackend adapts
// *app.Client to it; tests script it. It speaks in the UI's own types so the widgets do not
// depend on how the core spells things, and every method may be called from any goroutine.
type backend interface {
	Torrents() []listRow
	Details(id metainfo.Hash) (torrentDetails, bool)
	Status() statusInfo
	Events() <-chan uiEvent

	AddTorrentFile(path string, opts addOptions) (metainfo.Hash, error)
	AddMagnet(uri string, opts addOptions) (metainfo.Hash, error)
	CreateAndSeed(ctx context.Context, path string, opts metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error)

	Start(id metainfo.Hash) error
	Pause(id metainfo.Hash) error
	Recheck(id metainfo.Hash) error
	// SetSaveDir moves the torrent's files to dir in the background and continues there.
	SetSaveDir(id metainfo.Hash, dir string) error
	Remove(id metainfo.Hash, deleteData bool) error
	// SetFilePriorities gives the files (fileRow.Index) one priority.
	SetFilePriorities(id metainfo.Hash, files []int, p filePriority) error
	// CanMergeTrackers says whether MergeTrackers is available; the duplicate dialog offers
	// merging only then.
	CanMergeTrackers() bool
	MergeTrackers(id metainfo.Hash, tiers [][]string) error

	Settings() persist.Settings
	SetSettings(persist.Settings) error

	// DHT is the DHT node and its routing table for the DHT window; false when the DHT is off.
	DHT() (dhtInfo, bool)
	// DHTLookup starts a lookup of target (an info hash, a magnet link, or "" for a random id)
	// in the background; DHTLastLookup shows it as it fills in.
	DHTLookup(target string) error
	// DHTLastLookup is the most recent lookup started with DHTLookup, as far as it got; false
	// when there was none.
	DHTLastLookup() (dhtLookupInfo, bool)
}

// duplicateError says a torrent being added is already in the list.
type duplicateError struct{ ID metainfo.Hash }

func (e *duplicateError) Error() string { return "this torrent is already in the list" }

// addOptions are the choices of the add dialogs.
type addOptions struct {
	SaveDir    string
	Paused     bool
	Priorities []filePriority // per file; nil = all normal
}

// filePriority is a file's download priority as the Files tab offers it.
type filePriority int

const (
	prioritySkip filePriority = iota
	priorityNormal
	priorityHigh
)

var priorityNames = []string{"skip", "normal", "high"}

func (p filePriority) String() string {
	if p < 0 || int(p) >= len(priorityNames) {
		return "normal"
	}
	return priorityNames[p]
}

// torrentDetails is what the details pane shows for the selected torrent.
type torrentDetails struct {
	Snap      *torrent.Snapshot // never nil
	SavePath  string
	Comment   string
	CreatedBy string
	Created   time.Time
	Added     time.Time
	Magnet    string
	Private   bool
	// Totals over every session (the snapshot only counts this one).
	TotalDown, TotalUp int64
	Ratio              float64
	Trackers           []trackerRow
	Files              []fileRow
}

// trackerRow is one tracker of the Trackers tab.
type trackerRow struct {
	Tier            int
	URL             string
	Status          string // e.g. "working", "not contacted yet", "error"
	Message         string // the tracker's warning or our error, in words
	Seeds, Leechers int    // -1: unknown
	NextAnnounce    time.Time
}

// fileRow is one file of the Files tab.
type fileRow struct {
	Index    int // the file's position in the torrent (padding files are not listed)
	Path     string
	Size     int64
	Progress float64
	Priority filePriority
}

// statusInfo is the status bar's content.
type statusInfo struct {
	DownRate, UpRate float64
	Port             int
	PortProblem      string // "" when listening fine
	FreeDisk         int64  // bytes free in the download folder; < 0 unknown
	DHTNodes         int    // -1 when DHT is off or unknown
}

// eventKind is what happened to a torrent.
type eventKind int

const (
	eventAdded eventKind = iota
	eventCompleted
	eventError
	eventRemoved
	eventRecovered  // the database was damaged and replaced; Err says where the old one went
	eventHandedOver // a second Swarmscope passed us its arguments: come to the front
)

// uiEvent is one notification from the core.
type uiEvent struct {
	Kind eventKind
	ID   metainfo.Hash
	Name string
	Err  string
}

// dhtInfo is what the DHT window shows of our node and its routing table.
type dhtInfo struct {
	ID                             [20]byte
	Addr                           string
	Nodes, Good, Questionable, Bad int
	QueriesIn, QueriesOut          int64
	Responses, Timeouts            int64
	Buckets                        []dhtBucket // the far half of the id space first
}

// dhtBucket is one bucket of the routing table: the ids starting with Prefix.
type dhtBucket struct {
	Index        int
	Prefix       string // the bits every id in the bucket starts with
	ContainsSelf bool   // the bucket our own id falls in
	LastChanged  time.Time
	Replacements int
	Nodes        []dhtNode
}

// dhtNode is one routing-table node.
type dhtNode struct {
	ID       [20]byte
	Addr     string
	State    widgets.DHTRingNodeState
	LastSeen time.Time
}

// dhtLookupInfo is one lookup as far as it got.
type dhtLookupInfo struct {
	Target   [20]byte
	Random   bool   // the target was a random id
	Method   string // "get_peers" or "find_node"
	Done     bool
	Err      string // why it failed, once done
	Steps    int
	Peers    int // distinct peers found
	Duration time.Duration
	Hops     []dhtHop // in the order the queries were sent
}

// dhtHop is one query of a lookup.
type dhtHop struct {
	Step int
	Node [20]byte
	Addr string
	// Via and ViaAddr are the node whose answer named this one; ViaAddr is "" for the nodes that
	// came from our own routing table (step 1).
	Via     [20]byte
	ViaAddr string
	Prefix  int // leading bits the asked node's id shares with the target
	Outcome widgets.DHTRingOutcome
	RTT     time.Duration
	// BestPrefix is the longest prefix any node of the answer shares with the target (-1: none).
	BestPrefix    int
	NodesReturned int
	PeersReturned int
}
