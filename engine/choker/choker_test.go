package choker

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is the fake clock's start; every peer in these tests connected an
// hour before unless a test says otherwise, so none counts as new.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

const kib = 1024

func newChoker(seed uint64) *Choker {
	return New(DefaultConfig(), rand.New(rand.NewPCG(seed, seed^0x5eed)))
}

// leecher returns an interested peer that sends us rate bytes/s and sent
// a block just now.
func leecher(key PeerKey, rate float64) Peer {
	return Peer{
		Key:          key,
		Interested:   true,
		DownloadRate: rate,
		ConnectedAt:  t0.Add(-time.Hour),
		LastBlockAt:  t0,
	}
}

// fresh marks every peer as having sent a block at now, so the clock can
// advance in a test without anyone becoming snubbed.
func fresh(peers []Peer, now time.Time) []Peer {
	for i := range peers {
		peers[i].LastBlockAt = now
	}
	return peers
}

func byKey(ds []Decision) map[PeerKey]Decision {
	m := map[PeerKey]Decision{}
	for _, d := range ds {
		m[d.Key] = d
	}
	return m
}

func optimisticKey(t *testing.T, ds []Decision) PeerKey {
	t.Helper()
	var keys []PeerKey
	for _, d := range ds {
		if d.Optimistic {
			keys = append(keys, d.Key)
		}
	}
	if len(keys) != 1 {
		t.Fatalf("want exactly one optimistic unchoke, got %v", keys)
	}
	return keys[0]
}

func TestTopFourByDownloadRate(t *testing.T) {
	c := newChoker(1)
	var peers []Peer
	for k := PeerKey(1); k <= 7; k++ {
		peers = append(peers, leecher(k, float64(k)*100*kib)) // peer 7 fastest
	}
	ds := c.Rechoke(t0, peers, false)
	if len(ds) != len(peers) {
		t.Fatalf("%d decisions for %d peers", len(ds), len(peers))
	}
	for i, d := range ds {
		if d.Key != peers[i].Key {
			t.Fatalf("decision %d is for peer %d, want input order", i, d.Key)
		}
	}
	m := byKey(ds)
	want := map[PeerKey]string{
		7: "regular unchoke: 1st fastest uploader to us (700 KiB/s)",
		6: "regular unchoke: 2nd fastest uploader to us (600 KiB/s)",
		5: "regular unchoke: 3rd fastest uploader to us (500 KiB/s)",
		4: "regular unchoke: 4th fastest uploader to us (400 KiB/s)",
	}
	for k, reason := range want {
		if d := m[k]; !d.Unchoke || d.Optimistic || d.Reason != reason {
			t.Errorf("peer %d: %+v, want regular unchoke %q", k, d, reason)
		}
	}
	opt := optimisticKey(t, ds)
	if opt > 3 {
		t.Fatalf("optimistic unchoke went to regular peer %d", opt)
	}
	if r := m[opt].Reason; r != "optimistic unchoke (rotates every 30 s)" {
		t.Errorf("optimistic reason = %q", r)
	}
	for k := PeerKey(1); k <= 3; k++ {
		if k == opt {
			continue
		}
		d := m[k]
		if d.Unchoke {
			t.Errorf("peer %d unchoked: %+v", k, d)
		}
		wantReason := map[PeerKey]string{
			3: "choked: not in the top 4 (5th fastest, 300 KiB/s)",
			2: "choked: not in the top 4 (6th fastest, 200 KiB/s)",
			1: "choked: not in the top 4 (7th fastest, 100 KiB/s)",
		}[k]
		if d.Reason != wantReason {
			t.Errorf("peer %d reason = %q, want %q", k, d.Reason, wantReason)
		}
	}
}

func TestDueEveryRechokeInterval(t *testing.T) {
	c := newChoker(1)
	if !c.Due(t0) {
		t.Fatal("first call not due")
	}
	c.Rechoke(t0, nil, false)
	for _, tc := range []struct {
		after time.Duration
		due   bool
	}{
		{0, false}, {5 * time.Second, false}, {9999 * time.Millisecond, false},
		{10 * time.Second, true}, {25 * time.Second, true},
		{-time.Second, true}, // the clock went back: do not stall
	} {
		if got := c.Due(t0.Add(tc.after)); got != tc.due {
			t.Errorf("Due(t0+%v) = %v, want %v", tc.after, got, tc.due)
		}
	}
	c.Rechoke(t0.Add(12*time.Second), nil, false)
	if c.Due(t0.Add(20 * time.Second)) {
		t.Error("due 8 s after the last rechoke")
	}
	if !c.Due(t0.Add(22 * time.Second)) {
		t.Error("not due 10 s after the last rechoke")
	}
}

func TestOptimisticRotatesEvery30s(t *testing.T) {
	c := newChoker(3)
	var peers []Peer
	for k := PeerKey(1); k <= 10; k++ {
		peers = append(peers, leecher(k, float64(k)*kib))
	}
	first := optimisticKey(t, c.Rechoke(t0, peers, false))
	for _, s := range []int{10, 20, 29} {
		now := t0.Add(time.Duration(s) * time.Second)
		if got := optimisticKey(t, c.Rechoke(now, fresh(peers, now), false)); got != first {
			t.Fatalf("at +%ds optimistic changed from %d to %d before 30 s", s, first, got)
		}
	}
	now := t0.Add(30 * time.Second)
	second := optimisticKey(t, c.Rechoke(now, fresh(peers, now), false))
	if second == first {
		t.Fatalf("at +30s optimistic still %d, want a different peer", first)
	}
	now = t0.Add(40 * time.Second)
	if got := optimisticKey(t, c.Rechoke(now, fresh(peers, now), false)); got != second {
		t.Fatalf("at +40s optimistic changed from %d to %d", second, got)
	}
}

func TestOptimisticFavoursNewPeers(t *testing.T) {
	// No regular slots: every interested peer competes for the optimistic
	// slot. One new peer among three old: weights 3:1:1:1, so it should win
	// half the time, against a quarter if the draw were uniform.
	cfg := DefaultConfig()
	cfg.RegularSlots = 0
	const trials = 2000
	newWins, oldWins := 0, map[PeerKey]int{}
	for seed := range uint64(trials) {
		c := New(cfg, rand.New(rand.NewPCG(seed, 7)))
		peers := []Peer{leecher(1, 0), leecher(2, 0), leecher(3, 0), leecher(4, 0)}
		peers[2].ConnectedAt = t0.Add(-20 * time.Second)
		peers[2].LastBlockAt = time.Time{}
		ds := c.Rechoke(t0, peers, false)
		if k := optimisticKey(t, ds); k == 3 {
			newWins++
		} else {
			oldWins[k]++
		}
		if r := byKey(ds)[1].Reason; !ds[0].Optimistic && r != "choked: no regular slots" {
			t.Fatalf("reason with no regular slots = %q", r)
		}
	}
	if newWins < trials*42/100 || newWins > trials*58/100 {
		t.Fatalf("new peer won the optimistic slot %d of %d times, want about half", newWins, trials)
	}
	for k := PeerKey(1); k <= 4; k++ {
		if k != 3 && oldWins[k] < trials/10 {
			t.Fatalf("old peer %d won only %d times: %v", k, oldWins[k], oldWins)
		}
	}
}

func TestSeedingUsesUploadRate(t *testing.T) {
	c := newChoker(1)
	var peers []Peer
	for k := PeerKey(1); k <= 6; k++ {
		p := leecher(k, float64(7-k)*kib) // peer 1 sends us the most...
		p.UploadRate = float64(k) * kib   // ...but we upload fastest to peer 6
		p.LastBlockAt = time.Time{}       // a seed receives nothing: no one is snubbed
		peers = append(peers, p)
	}
	m := byKey(c.Rechoke(t0, peers, true))
	for k := PeerKey(3); k <= 6; k++ {
		if d := m[k]; !d.Unchoke || d.Optimistic || !strings.Contains(d.Reason, "fastest we upload to") || d.Snubbed {
			t.Errorf("peer %d: %+v, want a regular unchoke by upload rate", k, d)
		}
	}
	if r := m[6].Reason; r != "regular unchoke: 1st fastest we upload to (6.0 KiB/s, seeding with 4 slots)" {
		t.Errorf("peer 6 reason = %q", r)
	}
	for k := PeerKey(1); k <= 2; k++ {
		if d := m[k]; d.Unchoke && !d.Optimistic {
			t.Errorf("peer %d regular-unchoked while seeding though we upload to it slowest", k)
		}
	}
}

// A seed with SetSeedSlots above RegularSlots unchokes that many by upload
// rate; a leecher with the same setting keeps tit-for-tat's four.
func TestSeedSlots(t *testing.T) {
	c := newChoker(3)
	c.SetSeedSlots(7)
	var peers []Peer
	for k := PeerKey(1); k <= 10; k++ {
		p := leecher(k, float64(k)*kib)
		p.UploadRate = float64(k) * kib
		p.LastBlockAt = time.Time{}
		peers = append(peers, p)
	}
	regular := func(ds []Decision) (n int) {
		for _, d := range ds {
			if d.Unchoke && !d.Optimistic {
				n++
			}
		}
		return n
	}
	seeding := c.Rechoke(t0, slices.Clone(peers), true)
	if n := regular(seeding); n != 7 {
		t.Errorf("seeding with 7 seed slots: %d regular unchokes, want 7", n)
	}
	m := byKey(seeding)
	for k := PeerKey(4); k <= 10; k++ {
		if d := m[k]; !d.Unchoke || d.Optimistic {
			t.Errorf("peer %d (%d fastest): %+v, want a regular unchoke", k, 11-k, d)
		}
	}
	if r := m[10].Reason; r != "regular unchoke: 1st fastest we upload to (10 KiB/s, seeding with 7 slots)" {
		t.Errorf("peer 10 reason = %q", r)
	}
	for i := range peers {
		peers[i].LastBlockAt = t0
	}
	if n := regular(c.Rechoke(t0.Add(time.Second), slices.Clone(peers), false)); n != 4 {
		t.Errorf("leeching with 7 seed slots: %d regular unchokes, want tit-for-tat's 4", n)
	}
	c.SetSeedSlots(2) // fewer than RegularSlots: RegularSlots
	if n := regular(c.Rechoke(t0.Add(2*time.Second), slices.Clone(peers), true)); n != 4 {
		t.Errorf("seeding with 2 seed slots: %d regular unchokes, want RegularSlots (4)", n)
	}
}

func TestSnubbedPeerLosesRegularSlot(t *testing.T) {
	c := newChoker(2)
	now := t0
	peers := []Peer{
		leecher(1, 900*kib), // fastest, but its last block is 61 s old
		leecher(2, 100*kib),
		leecher(3, 100*kib),
		leecher(4, 100*kib),
		leecher(5, 100*kib),
		leecher(6, 800*kib), // never sent a block, connected 2 minutes ago
		leecher(7, 0),       // never sent a block, connected 30 s ago: not yet snubbed
	}
	peers[0].LastBlockAt = now.Add(-61 * time.Second)
	peers[5].LastBlockAt = time.Time{}
	peers[5].ConnectedAt = now.Add(-2 * time.Minute)
	peers[6].LastBlockAt = time.Time{}
	peers[6].ConnectedAt = now.Add(-30 * time.Second)

	ds := c.Rechoke(now, peers, false)
	for i, wantSnub := range []bool{true, false, false, false, false, true, false} {
		if peers[i].Snubbed != wantSnub || ds[i].Snubbed != wantSnub {
			t.Errorf("peer %d: Snubbed = %v (decision %v), want %v", peers[i].Key, peers[i].Snubbed, ds[i].Snubbed, wantSnub)
		}
	}
	for _, i := range []int{0, 5} {
		d := ds[i]
		if d.Unchoke && !d.Optimistic {
			t.Errorf("snubbed peer %d kept a regular slot: %+v", d.Key, d)
		}
		if !d.Unchoke && d.Reason != "choked: snubbed (no data for 60 s)" {
			t.Errorf("snubbed peer %d reason = %q", d.Key, d.Reason)
		}
	}
	for _, i := range []int{1, 2, 3, 4} {
		if d := ds[i]; !d.Unchoke || d.Optimistic {
			t.Errorf("peer %d should have a regular slot once the snubbed peers lost theirs: %+v", d.Key, d)
		}
	}
}

func TestSnubbedPeerCanBeOptimistic(t *testing.T) {
	c := newChoker(1)
	peers := []Peer{leecher(1, kib), leecher(2, kib), leecher(3, kib), leecher(4, kib), leecher(5, 0)}
	peers[4].LastBlockAt = t0.Add(-2 * time.Minute) // the only choked interested peer
	d := c.Rechoke(t0, peers, false)[4]
	if !d.Snubbed || !d.Unchoke || !d.Optimistic {
		t.Fatalf("snubbed peer: %+v, want snubbed but optimistically unchoked", d)
	}
}

func TestNotInterestedPeersChoked(t *testing.T) {
	c := newChoker(1)
	peers := []Peer{leecher(1, 10*kib), leecher(2, 999*kib), leecher(3, 5*kib)}
	peers[1].Interested = false // fastest, but wants nothing from us
	for range 20 {
		ds := c.Rechoke(t0, peers, false)
		if d := ds[1]; d.Unchoke || d.Reason != "choked: not interested" {
			t.Fatalf("uninterested peer: %+v", d)
		}
		if !ds[0].Unchoke || !ds[2].Unchoke {
			t.Fatalf("interested peers with free slots choked: %+v", ds)
		}
	}
}

func TestUploadToAll(t *testing.T) {
	cfg := DefaultConfig()
	cfg.UploadToAll = true
	c := New(cfg, rand.New(rand.NewPCG(1, 1)))
	peers := []Peer{leecher(1, 0), leecher(2, 0), leecher(3, 0), leecher(4, 0), leecher(5, 0), leecher(6, 0)}
	peers[3].Interested = false
	peers[4].LastBlockAt = t0.Add(-time.Hour)
	for _, d := range c.Rechoke(t0, peers, false) {
		if !d.Unchoke || d.Reason != "upload to everyone (lab mode)" {
			t.Errorf("peer %d: %+v, want unchoked in lab mode", d.Key, d)
		}
	}
}

func TestRemovedOptimisticPeerReplacedAtOnce(t *testing.T) {
	c := newChoker(5)
	var peers []Peer
	for k := PeerKey(1); k <= 8; k++ {
		peers = append(peers, leecher(k, float64(k)*kib))
	}
	opt := optimisticKey(t, c.Rechoke(t0, peers, false))
	remaining := slices.DeleteFunc(slices.Clone(peers), func(p Peer) bool { return p.Key == opt })
	now := t0.Add(10 * time.Second)
	ds := c.Rechoke(now, fresh(remaining, now), false)
	if len(ds) != len(remaining) {
		t.Fatalf("%d decisions for %d peers", len(ds), len(remaining))
	}
	next := optimisticKey(t, ds)
	if next == opt || next > 4 {
		t.Fatalf("after optimistic peer %d left, optimistic is %d; want another choked peer", opt, next)
	}
	// It came back: it is just another peer now.
	now = t0.Add(20 * time.Second)
	if got := optimisticKey(t, c.Rechoke(now, fresh(peers, now), false)); got != next {
		t.Fatalf("optimistic changed to %d before its 30 s were up", got)
	}
}

func TestOptimisticPeerPromotedIsReplacedAtOnce(t *testing.T) {
	c := newChoker(9)
	var peers []Peer
	for k := PeerKey(1); k <= 8; k++ {
		peers = append(peers, leecher(k, float64(k)*kib))
	}
	opt := optimisticKey(t, c.Rechoke(t0, peers, false))
	peers[opt-1].DownloadRate = 100 * kib // reciprocates: now the fastest of all
	now := t0.Add(10 * time.Second)
	ds := c.Rechoke(now, fresh(peers, now), false)
	m := byKey(ds)
	if d := m[opt]; !d.Unchoke || d.Optimistic || !strings.HasPrefix(d.Reason, "regular unchoke: 1st fastest") {
		t.Fatalf("promoted peer: %+v, want 1st regular unchoke", d)
	}
	if next := optimisticKey(t, ds); next == opt {
		t.Fatal("promoted peer still holds the optimistic slot")
	}
}

func TestEqualRatesTieBreakIsSeeded(t *testing.T) {
	run := func(seed uint64) []PeerKey {
		c := newChoker(seed)
		var peers []Peer
		for k := PeerKey(1); k <= 10; k++ {
			peers = append(peers, leecher(k, 50*kib))
		}
		var regular []PeerKey
		for _, d := range c.Rechoke(t0, peers, false) {
			if d.Unchoke && !d.Optimistic {
				regular = append(regular, d.Key)
			}
		}
		return regular
	}
	distinct := map[string]bool{}
	for seed := range uint64(20) {
		a, b := run(seed), run(seed)
		if !slices.Equal(a, b) {
			t.Fatalf("seed %d: %v then %v", seed, a, b)
		}
		if len(a) != 4 {
			t.Fatalf("seed %d: %d regular unchokes", seed, len(a))
		}
		distinct[fmt.Sprint(a)] = true
	}
	if len(distinct) < 5 {
		t.Fatalf("20 seeds gave only %d different regular sets among 10 equal peers", len(distinct))
	}
}

func TestHostileInputs(t *testing.T) {
	c := newChoker(1)
	if ds := c.Rechoke(t0, nil, false); len(ds) != 0 {
		t.Fatalf("no peers: %v", ds)
	}
	peers := []Peer{
		leecher(1, math.NaN()),
		leecher(2, math.Inf(1)),
		leecher(3, -5),
		leecher(1, 10),             // duplicate key
		{Key: 9, Interested: true}, // zero times everywhere
	}
	ds := c.Rechoke(t0, peers, false)
	if len(ds) != len(peers) {
		t.Fatalf("%d decisions for %d peers", len(ds), len(peers))
	}
	if d := ds[1]; !d.Unchoke || !strings.HasPrefix(d.Reason, "regular unchoke: 1st fastest") {
		t.Fatalf("infinite rate peer: %+v", d)
	}
	if ds[4].Snubbed {
		t.Fatal("peer with unknown connect time counted as snubbed")
	}
	neg := New(Config{RegularSlots: -3}, nil)
	if got := neg.Config().RegularSlots; got != 0 {
		t.Fatalf("negative slots became %d", got)
	}
	ds = neg.Rechoke(t0, peers, false)
	unchoked := 0
	for _, d := range ds {
		if d.Unchoke {
			unchoked++
		}
	}
	if unchoked != 1 {
		t.Fatalf("with no regular slots %d peers unchoked, want just the optimistic one", unchoked)
	}
}

func BenchmarkRechoke(b *testing.B) {
	c := newChoker(1)
	rng := rand.New(rand.NewPCG(3, 3))
	peers := make([]Peer, 100)
	for i := range peers {
		peers[i] = leecher(PeerKey(i), rng.Float64()*1e6)
		peers[i].Interested = i%5 != 0
		peers[i].UploadRate = rng.Float64() * 1e6
	}
	b.ReportAllocs()
	now := t0
	for b.Loop() {
		now = now.Add(10 * time.Second)
		c.Rechoke(now, fresh(peers, now), false)
	}
}
