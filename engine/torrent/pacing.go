package torrent

import "github.com/swarmscope/swarmscope/engine/wire"

// limited reports whether either limit of the pair is set.
func (lp limiterPair) limited() bool {
	return lp.torrent.limited.Load() || lp.session.limited.Load()
}

// limit is the tighter of the pair's limits in bytes/s, 0 when neither is
// set.
func (lp limiterPair) limit() int64 {
	t, s := lp.torrent.limit(), lp.session.limit()
	switch {
	case t == 0:
		return s
	case s == 0:
		return t
	}
	return min(t, s)
}

// uploadReadAheadTime is how much sending, at the upload limit, the blocks
// read for one peer but not yet sent may hold. Past the limiter they can
// only wait, and in endgame a waiting block is often cancelled.
const uploadReadAheadTime = 0.1 // seconds

// minUploadReadAhead keeps a block ready while the next one is being read.
const minUploadReadAhead = 2

// uploadReadAheadBlocks bounds blocks read from disk but not yet sent, per
// peer: uploadReadAhead when nothing limits uploads, else about
// uploadReadAheadTime of traffic at the limit.
func (t *Torrent) uploadReadAheadBlocks() int {
	limit := limiterPair{t.up, t.s.up}.limit()
	if limit == 0 {
		return uploadReadAhead
	}
	blocks := int(float64(limit) * uploadReadAheadTime / wire.BlockSize)
	return min(max(blocks, minUploadReadAhead), uploadReadAhead)
}
