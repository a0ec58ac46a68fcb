package dht

import (
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Routing-table constants from BEP 5.
const (
	// K is the bucket size and the number of closest nodes a lookup
	// converges on.
	K = 8
	// GoodWindow is how long a node stays good after it last answered us
	// (or queried us, once it has answered before); then it becomes
	// questionable.
	GoodWindow = 15 * time.Minute
	// BadAfterFailures is how many queries in a row a node may leave
	// unanswered before it is bad and may be replaced.
	BadAfterFailures = 3
	// BucketRefreshInterval is how long a bucket may go without any change
	// before it is refreshed by a lookup of a random id in its range.
	BucketRefreshInterval = 15 * time.Minute
)

// NodeState is the liveness of a node in the routing table (BEP 5).
type NodeState int

const (
	// Good nodes answered one of our queries within GoodWindow, or have
	// answered before and queried us within GoodWindow.
	Good NodeState = iota
	// Questionable nodes have been quiet for GoodWindow; they are pinged
	// before they are trusted or replaced.
	Questionable
	// Bad nodes failed BadAfterFailures queries in a row; they are
	// replaced first and never handed out.
	Bad
)

func (s NodeState) String() string {
	switch s {
	case Good:
		return "good"
	case Questionable:
		return "questionable"
	case Bad:
		return "bad"
	}
	return "unknown"
}

// tableNode is one routing table entry.
type tableNode struct {
	NodeAddr
	added        time.Time
	lastResponse time.Time // it answered one of our queries
	lastQuery    time.Time // it sent us a query
	failures     int       // consecutive unanswered queries
}

func (n *tableNode) state(now time.Time) NodeState {
	switch {
	case n.failures >= BadAfterFailures:
		return Bad
	case now.Sub(n.lastResponse) < GoodWindow:
		return Good
	case !n.lastResponse.IsZero() && now.Sub(n.lastQuery) < GoodWindow:
		return Good
	}
	return Questionable
}

// lastSeen is the latest sign of life from the node.
func (n *tableNode) lastSeen() time.Time {
	if n.lastQuery.After(n.lastResponse) {
		return n.lastQuery
	}
	return n.lastResponse
}

// bucket holds up to K nodes sharing the same prefix with our id, and up
// to K replacement candidates that answered us while the bucket was full.
type bucket struct {
	nodes        []*tableNode
	replacements []*tableNode // most recent last
	lastChanged  time.Time
}

// Table is the Kademlia routing table. It is pure: no I/O, no clock, no
// goroutines; callers pass the time in and act on what it returns (for
// example pinging the questionable nodes a full bucket names). It is not
// safe for concurrent use.
//
// Bucket i (except the last) holds nodes whose id shares exactly i leading
// bits with ours; the last bucket holds every node sharing at least that
// many bits, which includes our own id. Only the last bucket splits, so
// the table keeps many nodes close to us and a few far away.
type Table struct {
	self        ID
	allowSameIP bool
	buckets     []*bucket
	byID        map[ID]*tableNode
	byIP        map[netip.Addr]ID // only when !allowSameIP: the one node per IP
}

// NewTable returns an empty table for a node with id self. allowSameIP
// lets several nodes share an IP address (different ports), as on a
// loopback test network; otherwise the table keeps one node per IP, which
// makes it harder for one host to fill it with sybils.
func NewTable(self ID, allowSameIP bool, now time.Time) *Table {
	return &Table{
		self:        self,
		allowSameIP: allowSameIP,
		buckets:     []*bucket{{lastChanged: now}},
		byID:        make(map[ID]*tableNode),
		byIP:        make(map[netip.Addr]ID),
	}
}

// Self returns the id the table is organised around.
func (t *Table) Self() ID { return t.self }

// Len returns the number of nodes in the table (not counting replacement
// candidates).
func (t *Table) Len() int {
	n := 0
	for _, b := range t.buckets {
		n += len(b.nodes)
	}
	return n
}

// NumBuckets returns the current number of buckets.
func (t *Table) NumBuckets() int { return len(t.buckets) }

func (t *Table) bucketIndex(id ID) int {
	return min(t.self.CommonPrefixLen(id), len(t.buckets)-1)
}

// Contains reports whether the table holds a node with this id.
func (t *Table) Contains(id ID) bool {
	_, ok := t.byID[id]
	return ok
}

// InsertResult says what Insert did.
type InsertResult struct {
	// Added is true when the node is now in the table (newly or already).
	Added bool
	// Ping lists questionable nodes of a full bucket: ping them, and call
	// Failed for those that do not answer, so the candidate can take the
	// place of one that turns bad.
	Ping []NodeAddr
}

// Insert records that node n answered one of our queries at now: it
// refreshes an existing entry or adds a new one, splitting our own bucket
// or replacing a bad node when the bucket is full. A node of a full bucket
// of good and questionable nodes becomes a replacement candidate.
func (t *Table) Insert(n NodeAddr, now time.Time) InsertResult {
	if n.ID == t.self || !validPeerAddr(n.Addr) {
		return InsertResult{}
	}
	if existing, ok := t.byID[n.ID]; ok {
		if existing.Addr != n.Addr {
			if existing.state(now) != Bad {
				// A second address for a live id: keep the one we know,
				// so nobody can take over an entry by claiming its id.
				return InsertResult{}
			}
			t.forgetIP(existing)
			existing.Addr = n.Addr
			t.rememberIP(existing)
		}
		existing.lastResponse = now
		existing.failures = 0
		t.buckets[t.bucketIndex(n.ID)].lastChanged = now
		return InsertResult{Added: true}
	}
	if !t.allowSameIP {
		if other, ok := t.byIP[n.Addr.Addr()]; ok && other != n.ID {
			if old := t.byID[other]; old.state(now) != Bad {
				return InsertResult{}
			}
			t.remove(other)
		}
	}
	entry := &tableNode{NodeAddr: n, added: now, lastResponse: now}
	for {
		i := t.bucketIndex(n.ID)
		b := t.buckets[i]
		if len(b.nodes) < K {
			t.add(b, entry, now)
			return InsertResult{Added: true}
		}
		if bad := b.worst(now); bad >= 0 && b.nodes[bad].state(now) == Bad {
			t.forget(b.nodes[bad])
			b.nodes = slices.Delete(b.nodes, bad, bad+1)
			t.add(b, entry, now)
			return InsertResult{Added: true}
		}
		if i == len(t.buckets)-1 && len(t.buckets) < IDBits {
			t.split()
			continue
		}
		b.addReplacement(entry)
		return InsertResult{Ping: b.questionable(now)}
	}
}

// QueriedBy records a query from node n at now. It returns false when the
// node is not in the table; the caller may then ping it and Insert it on
// an answer, since only nodes that answered us are trusted.
func (t *Table) QueriedBy(n NodeAddr, now time.Time) bool {
	existing, ok := t.byID[n.ID]
	if !ok || existing.Addr != n.Addr {
		return false
	}
	existing.lastQuery = now
	return true
}

// WantsNode reports whether inserting id at addr could succeed: the id is
// new and its bucket has room, can split, or has a node that is not good.
// The node uses it to decide whether an unknown querier is worth a ping.
func (t *Table) WantsNode(id ID, addr netip.AddrPort, now time.Time) bool {
	if id == t.self || !validPeerAddr(addr) {
		return false
	}
	if _, ok := t.byID[id]; ok {
		return false
	}
	if !t.allowSameIP {
		if _, ok := t.byIP[addr.Addr()]; ok {
			return false
		}
	}
	i := t.bucketIndex(id)
	b := t.buckets[i]
	if len(b.nodes) < K || (i == len(t.buckets)-1 && len(t.buckets) < IDBits) {
		return true
	}
	w := b.worst(now)
	return w >= 0 && b.nodes[w].state(now) != Good
}

// Failed records that node id did not answer a query. After
// BadAfterFailures failures in a row it is bad; if its bucket has a
// replacement candidate, the newest candidate takes its place.
func (t *Table) Failed(id ID, now time.Time) {
	b := t.buckets[t.bucketIndex(id)]
	n, ok := t.byID[id]
	if !ok {
		// A replacement candidate that stopped answering is dropped.
		b.dropReplacement(id)
		return
	}
	i := slices.Index(b.nodes, n)
	n.failures++
	if n.state(now) != Bad || len(b.replacements) == 0 {
		return
	}
	t.forget(n)
	b.nodes = slices.Delete(b.nodes, i, i+1)
	candidate := b.replacements[len(b.replacements)-1]
	b.replacements = b.replacements[:len(b.replacements)-1]
	if !t.allowSameIP {
		if _, taken := t.byIP[candidate.Addr.Addr()]; taken {
			return
		}
	}
	t.add(b, candidate, now)
}

// Remove deletes node id from the table and from the replacement
// candidates.
func (t *Table) Remove(id ID) { t.remove(id) }

func (t *Table) remove(id ID) {
	b := t.buckets[t.bucketIndex(id)]
	b.dropReplacement(id)
	n, ok := t.byID[id]
	if !ok {
		return
	}
	if i := slices.Index(b.nodes, n); i >= 0 {
		b.nodes = slices.Delete(b.nodes, i, i+1)
	}
	t.forget(n)
}

func (t *Table) add(b *bucket, n *tableNode, now time.Time) {
	b.dropReplacement(n.ID)
	b.nodes = append(b.nodes, n)
	b.lastChanged = now
	t.byID[n.ID] = n
	t.rememberIP(n)
}

func (t *Table) forget(n *tableNode) {
	delete(t.byID, n.ID)
	t.forgetIP(n)
}

func (t *Table) rememberIP(n *tableNode) {
	if !t.allowSameIP {
		t.byIP[n.Addr.Addr()] = n.ID
	}
}

func (t *Table) forgetIP(n *tableNode) {
	if !t.allowSameIP && t.byIP[n.Addr.Addr()] == n.ID {
		delete(t.byIP, n.Addr.Addr())
	}
}

// split divides the last bucket (the one holding our id) in two: nodes
// sharing exactly len(buckets)-1 bits with us stay, the closer ones move
// to the new last bucket.
func (t *Table) split() {
	last := len(t.buckets) - 1
	old := t.buckets[last]
	near := &bucket{lastChanged: old.lastChanged}
	far := &bucket{lastChanged: old.lastChanged}
	t.buckets = append(t.buckets[:last], far, near)
	for _, n := range old.nodes {
		if t.self.CommonPrefixLen(n.ID) > last {
			near.nodes = append(near.nodes, n)
		} else {
			far.nodes = append(far.nodes, n)
		}
	}
	for _, n := range old.replacements {
		if t.self.CommonPrefixLen(n.ID) > last {
			near.replacements = append(near.replacements, n)
		} else {
			far.replacements = append(far.replacements, n)
		}
	}
}

// worst returns the index of the node to replace first: a bad one, else
// the questionable one seen least recently, else -1 when all are good.
func (b *bucket) worst(now time.Time) int {
	best, bestState := -1, Good
	for i, n := range b.nodes {
		s := n.state(now)
		if s > bestState || (s == bestState && s != Good && best >= 0 && n.lastSeen().Before(b.nodes[best].lastSeen())) {
			best, bestState = i, s
		}
	}
	return best
}

// questionable lists the bucket's questionable nodes, least recently seen
// first.
func (b *bucket) questionable(now time.Time) []NodeAddr {
	var q []*tableNode
	for _, n := range b.nodes {
		if n.state(now) == Questionable {
			q = append(q, n)
		}
	}
	slices.SortFunc(q, func(a, b *tableNode) int { return a.lastSeen().Compare(b.lastSeen()) })
	out := make([]NodeAddr, len(q))
	for i, n := range q {
		out[i] = n.NodeAddr
	}
	return out
}

// addReplacement keeps n as a candidate, dropping the oldest beyond K.
// Candidates are not in byID: they are not part of the table yet.
func (b *bucket) addReplacement(n *tableNode) {
	b.dropReplacement(n.ID)
	b.replacements = append(b.replacements, n)
	if len(b.replacements) > K {
		b.replacements = slices.Delete(b.replacements, 0, 1)
	}
}

func (b *bucket) dropReplacement(id ID) {
	b.replacements = slices.DeleteFunc(b.replacements, func(r *tableNode) bool { return r.ID == id })
}

// Closest returns up to count nodes that are not bad, closest to target
// first.
func (t *Table) Closest(target ID, count int, now time.Time) []NodeAddr {
	var all []NodeAddr
	for _, b := range t.buckets {
		for _, n := range b.nodes {
			if n.state(now) != Bad {
				all = append(all, n.NodeAddr)
			}
		}
	}
	slices.SortFunc(all, func(a, b NodeAddr) int {
		switch {
		case closer(target, a.ID, b.ID):
			return -1
		case closer(target, b.ID, a.ID):
			return 1
		}
		return 0
	})
	return all[:min(count, len(all))]
}

// Nodes returns every node in the table, good ones first (for saving).
func (t *Table) Nodes(now time.Time) []NodeAddr {
	var good, rest []NodeAddr
	for _, b := range t.buckets {
		for _, n := range b.nodes {
			switch n.state(now) {
			case Good:
				good = append(good, n.NodeAddr)
			case Questionable:
				rest = append(rest, n.NodeAddr)
			}
		}
	}
	return append(good, rest...)
}

// Questionable returns every questionable node, least recently seen first;
// the node pings them to learn whether they are still there.
func (t *Table) Questionable(now time.Time) []NodeAddr {
	var out []NodeAddr
	for _, b := range t.buckets {
		out = append(out, b.questionable(now)...)
	}
	return out
}

// StaleBuckets returns the indexes of buckets that have not changed for
// BucketRefreshInterval.
func (t *Table) StaleBuckets(now time.Time) []int {
	var out []int
	for i, b := range t.buckets {
		if now.Sub(b.lastChanged) >= BucketRefreshInterval {
			out = append(out, i)
		}
	}
	return out
}

// RefreshTarget returns a random id in bucket i's range, to look up when
// the bucket is stale.
func (t *Table) RefreshTarget(i int) ID {
	if i == len(t.buckets)-1 {
		return randomIDWithPrefix(t.self, i, false)
	}
	return randomIDWithPrefix(t.self, i, true)
}

// MarkRefreshed records that a lookup for target ran at now, which counts
// as activity in target's bucket.
func (t *Table) MarkRefreshed(target ID, now time.Time) {
	t.buckets[t.bucketIndex(target)].lastChanged = now
}

// NodeInfo describes one routing-table node for display.
type NodeInfo struct {
	ID       ID
	Addr     netip.AddrPort
	State    NodeState
	LastSeen time.Time
	Failures int
	// CommonPrefix is the number of leading bits the node's id shares with
	// ours: the leading zero bits of the XOR distance. Larger is closer.
	CommonPrefix int
}

// BucketInfo describes one bucket for display: which part of the id space
// it covers and the nodes in it.
type BucketInfo struct {
	Index int
	// Prefix is the bit string every id in the bucket starts with; the
	// bucket covers the ids from Low to High, a 1/2^len(Prefix) slice of
	// the id space.
	Prefix    string
	Low, High ID
	// ContainsSelf is true for the last bucket, the one our own id falls
	// in (the only one that splits).
	ContainsSelf bool
	LastChanged  time.Time
	Nodes        []NodeInfo
	Replacements int
}

// Buckets returns a snapshot of the table, bucket 0 (farthest half of the
// id space) first.
func (t *Table) Buckets(now time.Time) []BucketInfo {
	out := make([]BucketInfo, len(t.buckets))
	for i, b := range t.buckets {
		last := i == len(t.buckets)-1
		prefix := t.self
		bitsShared := i
		if !last {
			setBit(&prefix, i, 1-t.self.Bit(i))
			bitsShared = i + 1
		}
		info := BucketInfo{
			Index:        i,
			ContainsSelf: last,
			LastChanged:  b.lastChanged,
			Replacements: len(b.replacements),
		}
		var sb strings.Builder
		for j := range IDBits {
			bit := 1
			if j < bitsShared {
				bit = prefix.Bit(j)
				sb.WriteByte(byte('0' + bit))
				setBit(&info.Low, j, bit)
			} else {
				setBit(&info.Low, j, 0)
			}
			setBit(&info.High, j, bit)
		}
		info.Prefix = sb.String()
		for _, n := range b.nodes {
			info.Nodes = append(info.Nodes, NodeInfo{
				ID:           n.ID,
				Addr:         n.Addr,
				State:        n.state(now),
				LastSeen:     n.lastSeen(),
				Failures:     n.failures,
				CommonPrefix: t.self.CommonPrefixLen(n.ID),
			})
		}
		out[i] = info
	}
	return out
}

// Counts returns the number of nodes in each state.
func (t *Table) Counts(now time.Time) (good, questionable, bad int) {
	for _, b := range t.buckets {
		for _, n := range b.nodes {
			switch n.state(now) {
			case Good:
				good++
			case Questionable:
				questionable++
			case Bad:
				bad++
			}
		}
	}
	return good, questionable, bad
}
