package app

import (
	"strings"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// entry is one torrent of the list. Its fields are guarded by Client.mu.
type entry struct {
	id    ID
	name  string
	mi    *metainfo.MetaInfo // nil when the stored .torrent is unusable
	paths []string           // mi.Info.FilePaths(rec.SavePath)
	// rec mirrors the stored record; slices in it are replaced, never
	// modified in place, so copies of rec may be read without the lock.
	rec   persist.TorrentRecord
	t     *torrent.Torrent // the engine's torrent; nil while stopped
	peers []string         // AddOptions.Peers, not saved

	userPaused bool
	queued     bool   // waiting for a slot (set by the queue)
	errMsg     string // why it is in the Error state
	busy       State  // Moving or Checking while a background operation owns it; 0 otherwise
	removed    bool

	// base holds the totals of earlier sessions and earlier engine runs of
	// this one; the running engine's counters add to it.
	base          totals
	seedingTime   time.Duration
	completedSeen bool
	lastRefresh   time.Time

	restored int // pieces the last start took from resume data unhashed
}

type totals struct{ up, down, wasted int64 }

// snapshot is the engine's latest picture, or nil.
func (e *entry) snapshot() *torrent.Snapshot {
	if e.t == nil {
		return nil
	}
	return e.t.Snapshot()
}

// totals adds the engine's counters of this run to the base.
func (e *entry) totals(s *torrent.Snapshot) totals {
	t := e.base
	if s != nil {
		t.up += s.Uploaded
		t.down += s.Downloaded
		t.wasted += s.Wasted
	}
	return t
}

func (e *entry) state(s *torrent.Snapshot) State {
	switch {
	case e.busy != 0:
		return e.busy
	case e.errMsg != "":
		return Error
	case s == nil:
		return Paused
	case s.State == torrent.Checking:
		return Checking
	case s.State == torrent.Failed:
		return Error
	case e.userPaused:
		return Paused
	case e.queued, s.State == torrent.Paused, s.State == torrent.Stopped:
		// Paused by the engine and not by the user: waiting for the queue.
		return Queued
	case s.State == torrent.Seeding:
		return Seeding
	case s.State == torrent.FetchingMetadata:
		return FetchingMetadata
	}
	return Downloading
}

// summary builds the list row.
func (e *entry) summary(now time.Time) Summary {
	s := e.snapshot()
	sum := Summary{
		ID:             e.id,
		Name:           e.name,
		State:          e.state(s),
		Message:        e.errMsg,
		SwarmSeeds:     -1,
		SwarmPeers:     -1,
		ETA:            -1,
		Added:          e.rec.Added,
		Completed:      e.rec.Completed,
		SaveDir:        e.rec.SavePath,
		QueuePosition:  e.rec.QueuePosition,
		SeedingTime:    e.seedingTime,
		RestoredPieces: e.restored,
	}
	var verified int64
	if e.mi != nil {
		info := e.mi.Info
		sum.Size = info.Length
		sum.Wanted = wantedBytes(info, e.rec.FilePriorities)
		if s != nil && s.State != torrent.Checking {
			verified = s.VerifiedBytes
		} else if have := recordBitfield(info, e.rec); have != nil {
			for _, p := range have.Indexes() {
				verified += info.PieceSize(p)
			}
		}
		if info.Length > 0 {
			sum.Progress = float64(verified) / float64(info.Length)
		} else {
			sum.Progress = 1
		}
	}
	tot := e.totals(s)
	sum.Downloaded, sum.Uploaded = tot.down, tot.up
	switch {
	case tot.down > 0:
		sum.Ratio = float64(tot.up) / float64(tot.down)
	case verified > 0:
		sum.Ratio = float64(tot.up) / float64(verified) // we had the data all along
	}
	if s == nil {
		return sum
	}
	sum.HashedPieces = s.HashedPieces
	if sum.State == Checking && s.NumPieces > 0 {
		sum.Message = "checking data on disk"
	}
	sum.DownRate, sum.UpRate = s.DownRate, s.UpRate
	for _, p := range s.Peers {
		if p.Progress >= 1 {
			sum.Seeds++
		} else {
			sum.Peers++
		}
	}
	for _, tr := range s.Trackers {
		sum.SwarmSeeds = max(sum.SwarmSeeds, tr.Seeders)
		sum.SwarmPeers = max(sum.SwarmPeers, tr.Leechers)
	}
	if sum.State == Downloading && s.DownRate > 0 {
		left := max(sum.Wanted-verified, 0)
		sum.ETA = time.Duration(float64(left) / s.DownRate * float64(time.Second))
	}
	return sum
}

// recordBitfield is the stored verified set, or nil when none is stored.
func recordBitfield(info *metainfo.Info, rec persist.TorrentRecord) *bitfield.Bitfield {
	n := info.NumPieces()
	if len(rec.Bitfield) == 0 || rec.NumPieces != n {
		return nil
	}
	b, err := bitfield.FromBytes(rec.Bitfield, n)
	if err != nil {
		return nil
	}
	return b
}

// verifiedPieces is the engine's verified set, else the stored one.
func verifiedPieces(info *metainfo.Info, s *torrent.Snapshot, rec persist.TorrentRecord) *bitfield.Bitfield {
	if s == nil || len(s.Pieces) != info.NumPieces() {
		if b := recordBitfield(info, rec); b != nil {
			return b
		}
		return bitfield.New(info.NumPieces())
	}
	b := bitfield.New(len(s.Pieces))
	for i, st := range s.Pieces {
		if st == torrent.PieceHave {
			b.Set(i)
		}
	}
	return b
}

// filePriority is file i's priority from a stored list (Normal when absent).
func filePriority(prios []int8, i int) FilePriority {
	if i < len(prios) && FilePriority(prios[i]).valid() {
		return FilePriority(prios[i])
	}
	return Normal
}

// piecePriorities maps file priorities to piece priorities: a piece gets
// the highest priority of the files it touches, so a piece shared by a
// skipped file and a wanted one is still downloaded. Nil when every file is
// Normal (the engine's default).
func piecePriorities(info *metainfo.Info, prios []int8) []picker.Priority {
	for i := range info.Files {
		if filePriority(prios, i) != Normal {
			return piecePrioritiesFull(info, prios)
		}
	}
	return nil
}

// piecePrioritiesFull is piecePriorities with one entry per piece always.
func piecePrioritiesFull(info *metainfo.Info, prios []int8) []picker.Priority {
	n := info.NumPieces()
	out := make([]picker.Priority, n)
	touched := make([]bool, n)
	for i, f := range info.Files {
		if f.Padding || f.Length == 0 {
			continue
		}
		first, last := pieceSpan(info, f)
		p := filePriority(prios, i).piece()
		for k := first; k <= last; k++ {
			out[k] = max(out[k], p)
			touched[k] = true
		}
	}
	for k := range out {
		if !touched[k] {
			out[k] = picker.Normal // only padding: zeros, verified for free
		}
	}
	return out
}

// pieceSpan is the first and last piece holding bytes of f (Length > 0).
func pieceSpan(info *metainfo.Info, f metainfo.File) (first, last int) {
	return int(f.Offset / info.PieceLength), int((f.Offset + f.Length - 1) / info.PieceLength)
}

// wantedBytes is the size of the files not skipped.
func wantedBytes(info *metainfo.Info, prios []int8) int64 {
	var n int64
	for i, f := range info.Files {
		if !f.Padding && filePriority(prios, i) != Skip {
			n += f.Length
		}
	}
	return n
}

// fileStatuses lists the torrent's files (padding left out) with the bytes
// of each that lie in verified pieces.
func fileStatuses(info *metainfo.Info, prios []int8, have *bitfield.Bitfield) []FileStatus {
	var out []FileStatus
	for i, f := range info.Files {
		if f.Padding {
			continue
		}
		fs := FileStatus{Index: i, Path: strings.Join(f.Path, "/"), Size: f.Length, Priority: filePriority(prios, i)}
		if f.Length > 0 {
			first, last := pieceSpan(info, f)
			for k := first; k <= last; k++ {
				if !have.Has(k) {
					continue
				}
				lo := max(int64(k)*info.PieceLength, f.Offset)
				hi := min(int64(k)*info.PieceLength+info.PieceSize(k), f.Offset+f.Length)
				fs.Done += hi - lo
			}
			fs.Progress = float64(fs.Done) / float64(f.Length)
		} else {
			fs.Progress = 1
		}
		out = append(out, fs)
	}
	return out
}
