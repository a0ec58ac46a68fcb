package torrent

import (
	"hash/crc32"

	"github.com/swarmscope/swarmscope/engine/wire"
)

type jobKind int

const (
	jobWrite  jobKind = iota // write a received block
	jobRead                  // read a block to upload
	jobVerify                // hash a completed piece
)

// diskJob is work for the disk workers, so the loop never waits on the disk
// or on SHA-1.
type diskJob struct {
	kind      jobKind
	piece     int
	begin     uint32
	buf       *[]byte // write: the block (returned to the pool); read: the destination
	peer      *peer   // read: who asked
	blockCRCs bool    // verify: also checksum each block, to find who sent bad data
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
		}
		select {
		case t.diskResults <- r:
		case <-t.ctx.Done():
			putBlockBuffer(r.job.buf)
		}
	}
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
	}
}
