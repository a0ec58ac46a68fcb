package persist

import (
	"errors"
	"fmt"
	"time"
)

// TorrentRecord is everything Swarmscope remembers about one torrent between runs.
type TorrentRecord struct {
	InfoHash [20]byte

	// MetaInfo is the raw .torrent file. It is empty for a torrent added by magnet link whose
	// metadata has not arrived yet; Magnet then says how to find it.
	MetaInfo []byte
	Magnet   string

	SavePath  string    // the folder the torrent's files are written under
	Added     time.Time // when the user added it
	Completed time.Time // when the last wanted piece was verified; zero while incomplete
	Paused    bool

	// QueuePosition orders torrents waiting for a download or seed slot; lower goes first.
	QueuePosition int
	// FilePriorities holds one priority per file (0 skip, 1 normal, 2 high); empty means all normal.
	FilePriorities []int8

	// Bitfield holds the verified pieces in wire order (engine bitfield Bytes()); it is either
	// empty (nothing recorded yet) or exactly (NumPieces+7)/8 bytes long.
	Bitfield  []byte
	NumPieces int
	// FileStamps records each file's size and modification time when Bitfield was saved, one per
	// file in torrent order, so resume can re-hash only the pieces of files changed since.
	FileStamps []FileStamp

	Uploaded    int64         // payload bytes sent, all sessions
	Downloaded  int64         // payload bytes received, all sessions
	Wasted      int64         // bytes received but discarded (failed hashes, duplicates)
	SeedingTime time.Duration // time spent seeding, all sessions

	Label string // a user-chosen category
	Error string // the last error that stopped the torrent, shown again after a restart

	// UploadLimit and DownloadLimit are this torrent's own rate limits in bytes/s (0 = none);
	// the global limits in Settings apply on top.
	UploadLimit, DownloadLimit int64
}

// FileStamp is what a file looked like on disk when its pieces were last recorded as verified.
type FileStamp struct {
	Size    int64
	ModTime time.Time
}

// ProgressUpdate is the part of a TorrentRecord that changes while a torrent runs. SaveProgress
// writes many of them in one transaction.
type ProgressUpdate struct {
	InfoHash   [20]byte
	Bitfield   []byte // verified pieces, wire order; see TorrentRecord.Bitfield
	NumPieces  int
	FileStamps []FileStamp

	Uploaded    int64
	Downloaded  int64
	Wasted      int64
	SeedingTime time.Duration

	// Completed is recorded when non-zero; a zero value keeps the stored completion time.
	Completed time.Time
}

// checkBitfield enforces the one shape rule the engine relies on when it rebuilds a bitfield with
// bitfield.FromBytes(b, n).
func checkBitfield(bits []byte, numPieces int) error {
	if numPieces < 0 {
		return fmt.Errorf("negative piece count %d", numPieces)
	}
	if len(bits) != 0 && len(bits) != (numPieces+7)/8 {
		return fmt.Errorf("bitfield is %d bytes but %d pieces need %d", len(bits), numPieces, (numPieces+7)/8)
	}
	return nil
}

func (r *TorrentRecord) validate() error {
	if r.InfoHash == ([20]byte{}) {
		return errors.New("info hash is all zeros")
	}
	if len(r.MetaInfo) == 0 && r.Magnet == "" {
		return errors.New("record has neither metainfo nor a magnet link")
	}
	return checkBitfield(r.Bitfield, r.NumPieces)
}

func (u *ProgressUpdate) apply(r *TorrentRecord) {
	r.Bitfield = u.Bitfield
	r.NumPieces = u.NumPieces
	r.FileStamps = u.FileStamps
	r.Uploaded = u.Uploaded
	r.Downloaded = u.Downloaded
	r.Wasted = u.Wasted
	r.SeedingTime = u.SeedingTime
	if !u.Completed.IsZero() {
		r.Completed = u.Completed
	}
}
