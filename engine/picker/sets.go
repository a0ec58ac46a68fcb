package picker

// indexedSet is a set of piece indexes with O(1) add, remove and
// membership, and a dense item slice to iterate.
type indexedSet struct {
	items []int32
	pos   []int32 // pos[piece] is the index in items, or -1
}

func newIndexedSet(numPieces int) indexedSet {
	s := indexedSet{pos: make([]int32, numPieces)}
	for i := range s.pos {
		s.pos[i] = -1
	}
	return s
}

func (s *indexedSet) len() int { return len(s.items) }

func (s *indexedSet) has(piece int) bool { return s.pos[piece] >= 0 }

// set adds piece when in is true and removes it otherwise.
func (s *indexedSet) set(piece int, in bool) {
	switch {
	case in && s.pos[piece] < 0:
		s.pos[piece] = int32(len(s.items))
		s.items = append(s.items, int32(piece))
	case !in && s.pos[piece] >= 0:
		i := s.pos[piece]
		last := s.items[len(s.items)-1]
		s.items[i] = last
		s.pos[last] = i
		s.items = s.items[:len(s.items)-1]
		s.pos[piece] = -1
	}
}

// bucketSet holds the unstarted candidate pieces grouped by priority tier
// and availability, so rarest-first reads the rarest bucket first instead
// of scanning every piece. Order within a bucket is arbitrary (swap
// removal); selection within a bucket is random anyway.
type bucketSet struct {
	buckets [numTiers][][]int32 // [tier][availability] -> pieces
	where   []bucketPos         // per piece
	n       int
}

type bucketPos struct {
	tier  int8
	avail int32
	pos   int32 // index within the bucket, or -1 when not a candidate
}

func newBucketSet(numPieces int) bucketSet {
	s := bucketSet{where: make([]bucketPos, numPieces)}
	for i := range s.where {
		s.where[i].pos = -1
	}
	return s
}

func (s *bucketSet) len() int { return s.n }

func (s *bucketSet) has(piece int) bool { return s.where[piece].pos >= 0 }

// add puts piece into the bucket for (t, avail); the piece must not be in
// the set already.
func (s *bucketSet) add(piece, t, avail int) {
	if t < 0 || t >= numTiers || s.has(piece) {
		return
	}
	avail = max(avail, 0)
	for len(s.buckets[t]) <= avail {
		s.buckets[t] = append(s.buckets[t], nil)
	}
	b := s.buckets[t][avail]
	s.where[piece] = bucketPos{tier: int8(t), avail: int32(avail), pos: int32(len(b))}
	s.buckets[t][avail] = append(b, int32(piece))
	s.n++
}

// remove takes piece out of whichever bucket holds it, if any.
func (s *bucketSet) remove(piece int) {
	w := s.where[piece]
	if w.pos < 0 {
		return
	}
	b := s.buckets[w.tier][w.avail]
	last := b[len(b)-1]
	b[w.pos] = last
	s.where[last].pos = w.pos
	s.buckets[w.tier][w.avail] = b[:len(b)-1]
	s.where[piece].pos = -1
	s.n--
}

// tierLen counts the candidates in tier t.
func (s *bucketSet) tierLen(t int) int {
	n := 0
	for _, b := range s.buckets[t] {
		n += len(b)
	}
	return n
}
