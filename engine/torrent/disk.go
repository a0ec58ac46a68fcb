package torrent

import (
	"crypto/sha1"
	"hash/crc32"
	"slices"

	"github.com/swarmscope/swarmscope/engine/wire"
)

type jobKind int

const (
	jobWrite  jobKind = iota // write a received block
	jobRead                  // read a block to upload
	jobVerify                // hash a completed piece, reading it back
	// jobHashWrite hashes a piece whose blocks are all still in memory and
	// writes it only if the hash matches: no read-back, and bad data never
	// reaches the disk.
	jobHashWrite
)

// diskJob is work for the disk workers, so the loop never waits on the disk
// or on SHA-1.
type diskJob struct {
	kind      jobKind
	piece     int
	begin     uint32
	buf       *[]byte     // write: the block (returned to the pool); read: the destination
	peer      *peer       // read: who asked
	blockCRCs bool        // verify: also checksum each block, to find who sent bad data
	blocks    []heldBlock // hash-write: every block of the piece, in order
}

// heldBlock is a received block kept in memory until its piece is complete.
type heldBlock struct {
	begin uint32
	buf   *[]byte
}

type diskResult struct {
	job  diskJob
	err  error
	ok   bool     // verify: the hash matched
	crc  uint32   // write: checksum of the block
	crcs []uint32 // verify with blockCRCs: checksum of each block
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// queueDisk hands a job to the workers without blocking the loop: jobs wait
// in diskQueue until a worker is free.
func (t *Torrent) queueDisk(j diskJob) {
	t.diskQueue = append(t.diskQueue, j)
	t.flushDiskQueue()
}

func (t *Torrent) flushDiskQueue() {
	for len(t.diskQueue) > 0 {
		select {
		case t.diskJobs <- t.diskQueue[0]:
			t.diskQueue[0] = diskJob{}
			t.diskQueue = t.diskQueue[1:]
		default:
			return
		}
	}
}

func (t *Torrent) diskWorker() {
	defer t.diskWG.Done()
	for j := range t.diskJobs {
		r := diskResult{job: j}
		switch j.kind {
		case jobWrite:
			r.crc = crc32.Checksum(*j.buf, castagnoli)
			r.err = t.storage.WriteBlock(j.piece, int64(j.begin), *j.buf)
			putBlockBuffer(j.buf)
			r.job.buf = nil
		case jobRead:
			r.err = t.storage.ReadBlock(j.piece, int64(j.begin), *j.buf)
		case jobVerify:
			r.ok, r.err = t.storage.VerifyPiece(j.piece)
			if r.ok && r.err == nil && j.blockCRCs {
				r.crcs, r.err = t.blockChecksums(j.piece)
			}
		case jobHashWrite:
			r.ok, r.crcs, r.err = t.hashAndWrite(j)
			r.job.blocks = nil
		}
		select {
		case t.diskResults <- r:
		case <-t.ctx.Done():
			putBlockBuffer(r.job.buf)
		}
	}
}

// writebackEvery is how many bytes of verified pieces are written between
// two calls to Storage.StartWriteback; Torrent.writtenBytes counts them
// over all disk workers. Large enough for the disk to merge the writes,
// small enough that the sync at stop has little left to do.
const writebackEvery = 32 << 20

// hashAndWrite checks a piece held in memory against its hash and, when it
// matches, writes it. It returns the blocks' buffers to the pool. Block
// checksums are computed only when needed to blame someone: for a piece
// that fails, and for a good piece that failed before (j.blockCRCs).
func (t *Torrent) hashAndWrite(j diskJob) (ok bool, crcs []uint32, err error) {
	defer func() {
		for _, b := range j.blocks {
			putBlockBuffer(b.buf)
		}
	}()
	h := sha1.New()
	for _, b := range j.blocks {
		h.Write(*b.buf)
	}
	var sum [sha1.Size]byte
	ok = [sha1.Size]byte(h.Sum(sum[:0])) == t.info.Pieces[j.piece]
	if !ok || j.blockCRCs {
		crcs = make([]uint32, len(j.blocks))
		for i, b := range j.blocks {
			crcs[i] = crc32.Checksum(*b.buf, castagnoli)
		}
	}
	if !ok {
		return false, crcs, nil
	}
	// One vectored write from the blocks' own buffers: no copy into a
	// piece-sized buffer first.
	bufs := make([][]byte, len(j.blocks))
	for i, b := range j.blocks {
		bufs[i] = *b.buf
	}
	if err := t.storage.WriteBlocks(j.piece, 0, bufs); err != nil {
		return true, crcs, err
	}
	// Every writebackEvery bytes, start writing the data out while the
	// download goes on: left dirty, the whole download would be written by
	// the sync at stop (or at the next checkpoint), in the user's wait.
	size := t.info.PieceSize(j.piece)
	if n := t.writtenBytes.Add(size); n/writebackEvery != (n-size)/writebackEvery {
		if err := t.storage.StartWriteback(); err != nil {
			return true, crcs, err
		}
	}
	return true, crcs, nil
}

// sortHeld puts a piece's held blocks in offset order for hashing.
func sortHeld(blocks []heldBlock) {
	slices.SortFunc(blocks, func(a, b heldBlock) int { return int(a.begin) - int(b.begin) })
}

// blockChecksums reads a piece back block by block and checksums each.
func (t *Torrent) blockChecksums(piece int) ([]uint32, error) {
	size := t.info.PieceSize(piece)
	buf := getBlockBuffer()
	defer putBlockBuffer(buf)
	var crcs []uint32
	for begin := int64(0); begin < size; begin += wire.BlockSize {
		b := (*buf)[:min(wire.BlockSize, size-begin)]
		if err := t.storage.ReadBlock(piece, begin, b); err != nil {
			return nil, err
		}
		crcs = append(crcs, crc32.Checksum(b, castagnoli))
	}
	return crcs, nil
}

func (t *Torrent) handleDiskResult(r diskResult) {
	switch r.job.kind {
	case jobWrite:
		t.onWritten(r.job, r.crc, r.err)
	case jobRead:
		t.onRead(r.job, r.err)
	case jobVerify:
		t.onVerified(r.job, r.ok, r.crcs, r.err)
	case jobHashWrite:
		t.onHashWritten(r.job, r.ok, r.crcs, r.err)
	}
}
