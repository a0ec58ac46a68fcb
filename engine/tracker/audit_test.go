package tracker

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServerCapsPeersPerTorrent proves MaxPeersPerTorrent over HTTP and
// UDP: a new peer beyond the cap is refused with "swarm is full", a peer
// already in the swarm may still re-announce, other swarms are not
// affected, and a peer leaving makes room.
func TestServerCapsPeersPerTorrent(t *testing.T) {
	s := startServer(t, ServerConfig{MaxPeersPerTorrent: 2})
	c := fastUDPClient()
	ctx := context.Background()
	for i, u := range []string{s.HTTPAnnounceURL(), s.UDPAnnounceURL()} {
		full, other := byte(10+2*i), byte(11+2*i) // fresh swarms per protocol
		for port := uint16(1001); port <= 1002; port++ {
			if _, err := c.Announce(ctx, u, peerRequest(full, port, 100, Started)); err != nil {
				t.Fatalf("%s: peer %d of 2: %v", u, port-1000, err)
			}
		}
		if _, err := c.Announce(ctx, u, peerRequest(full, 1003, 100, Started)); err == nil || !strings.Contains(err.Error(), "swarm is full") {
			t.Errorf("%s: third peer in a swarm capped at 2: %v, want \"swarm is full\"", u, err)
		}
		// A member of the full swarm is not a new peer.
		resp, err := c.Announce(ctx, u, peerRequest(full, 1001, 0, Completed))
		if err != nil {
			t.Fatalf("%s: re-announce of a peer already in the full swarm: %v", u, err)
		}
		if resp.Seeders != 1 || resp.Leechers != 1 || len(resp.Peers) != 1 {
			t.Errorf("%s: re-announce answer %+v, want 1 seeder, 1 leecher, the other peer", u, resp)
		}
		// The cap is per swarm, not per tracker.
		if _, err := c.Announce(ctx, u, peerRequest(other, 1003, 100, Started)); err != nil {
			t.Errorf("%s: the refused peer in another swarm: %v", u, err)
		}
		// One leaves; now there is room.
		if _, err := c.Announce(ctx, u, peerRequest(full, 1002, 100, Stopped)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Announce(ctx, u, peerRequest(full, 1003, 100, Started)); err != nil {
			t.Errorf("%s: a new peer after one left the full swarm: %v", u, err)
		}
		var h [20]byte
		h[0] = full
		if got := s.state.scrape([][20]byte{h})[0]; got.Seeders+got.Leechers != 2 {
			t.Errorf("%s: swarm holds %d peers, want the cap of 2", u, got.Seeders+got.Leechers)
		}
	}
}

// TestServerCapsTorrents proves MaxTorrents: an announce for a new torrent
// when the tracker already tracks the maximum is refused ("too many
// torrents") and creates nothing; known swarms keep working; a "stopped"
// for an unknown torrent is still answered; a swarm that empties frees
// its place.
func TestServerCapsTorrents(t *testing.T) {
	s := startServer(t, ServerConfig{MaxTorrents: 2})
	c := fastUDPClient()
	ctx := context.Background()
	for _, hash := range []byte{1, 2} {
		if _, err := c.Announce(ctx, s.HTTPAnnounceURL(), peerRequest(hash, 1000, 100, Started)); err != nil {
			t.Fatalf("torrent %d of 2: %v", hash, err)
		}
	}
	for _, u := range []string{s.HTTPAnnounceURL(), s.UDPAnnounceURL()} {
		if _, err := c.Announce(ctx, u, peerRequest(3, 1000, 100, Started)); err == nil || !strings.Contains(err.Error(), "too many torrents") {
			t.Errorf("%s: a third torrent on a tracker capped at 2: %v, want \"too many torrents\"", u, err)
		}
		if _, err := c.Announce(ctx, u, peerRequest(4, 1000, 100, Stopped)); err != nil {
			t.Errorf("%s: \"stopped\" for an unknown torrent on a full tracker: %v", u, err)
		}
		// A new peer in a tracked swarm is not a new torrent.
		if _, err := c.Announce(ctx, u, peerRequest(1, 1001, 100, Started)); err != nil {
			t.Errorf("%s: a new peer in a tracked swarm on a full tracker: %v", u, err)
		}
	}
	if _, n := s.state.torrentStats(10); n != 2 {
		t.Fatalf("tracker holds %d swarms after refusals, want 2", n)
	}
	// Torrent 2's only peer leaves: its swarm goes and torrent 3 fits.
	if _, err := c.Announce(ctx, s.UDPAnnounceURL(), peerRequest(2, 1000, 100, Stopped)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Announce(ctx, s.HTTPAnnounceURL(), peerRequest(3, 1000, 100, Started)); err != nil {
		t.Errorf("a new torrent after a swarm emptied: %v", err)
	}
	if _, n := s.state.torrentStats(10); n != 2 {
		t.Errorf("tracker holds %d swarms, want 2", n)
	}
}

// TestAnnouncerEchoesTrackerID proves the Announcer sends a tracker's
// "tracker id" back as trackerid on its later announces to that tracker,
// stopped included, keeps it when an answer carries none, and sends none
// before the tracker gave one.
func TestAnnouncerEchoesTrackerID(t *testing.T) {
	const id = "tid/ 7&x=y" // needs escaping in a query
	var (
		mu       sync.Mutex
		requests []url.Values
	)
	srv := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/announce" { // the announcer also scrapes
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		requests = append(requests, r.URL.Query())
		first := len(requests) == 1
		mu.Unlock()
		if first {
			io.WriteString(w, "d8:intervali1e12:min intervali1e10:tracker id"+
				strconv.Itoa(len(id))+":"+id+"5:peers0:e")
			return
		}
		io.WriteString(w, "d8:intervali1e12:min intervali1e5:peers0:e")
	})
	a := NewAnnouncer(AnnouncerConfig{
		Tiers:    [][]string{{srv.URL + "/announce"}},
		InfoHash: [20]byte{0x7a}, Port: 7000,
		Stats: func() Stats { return Stats{Left: 10} },
	})
	a.Start(context.Background())
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(requests)
	}
	waitFor(t, 20*time.Second, "three announces (the tracker asks for one a second)", func() bool { return count() >= 3 })
	a.Stop()

	mu.Lock()
	got := append([]url.Values(nil), requests...)
	mu.Unlock()
	if _, sent := got[0]["trackerid"]; sent || got[0].Get("event") != "started" {
		t.Errorf("first announce: event %q, trackerid %q; want started and no trackerid", got[0].Get("event"), got[0].Get("trackerid"))
	}
	// Request 2 follows the answer that gave the id, request 3 one that
	// gave none; Stop sent a "stopped" after them.
	stopped := false
	for i, q := range got[1:] {
		if q.Get("trackerid") != id {
			t.Errorf("announce %d (event %q): trackerid %q, want %q", i+2, q.Get("event"), q.Get("trackerid"), id)
		}
		stopped = stopped || q.Get("event") == "stopped"
	}
	if !stopped {
		t.Errorf("no \"stopped\" announce among %v", got)
	}
}

// TestNewAnnouncerShufflesWithinTiers proves BEP 12's shuffle: over many
// announcers for the same tiers, every tracker of a five-tracker tier comes
// first sometimes, yet no tracker leaves its tier. (A fixed order fails
// for sure; a fair shuffle misses a given tracker 200 times in a row with
// probability (4/5)^200 < 1e-19.)
func TestNewAnnouncerShufflesWithinTiers(t *testing.T) {
	tier0 := []string{"http://a/announce", "http://b/announce", "http://c/announce", "http://d/announce", "http://e/announce"}
	tier1 := []string{"udp://f:1/announce", "udp://g:1/announce"}
	firsts := map[string]int{}
	orders := map[string]bool{}
	for range 200 {
		st := NewAnnouncer(AnnouncerConfig{Tiers: [][]string{tier0, tier1}}).Statuses()
		if len(st) != 7 {
			t.Fatalf("%d trackers, want 7: %+v", len(st), st)
		}
		var order []string
		seen := map[string]bool{}
		for i, s := range st {
			wantTier, in := 0, tier0
			if i >= 5 {
				wantTier, in = 1, tier1
			}
			if s.Tier != wantTier || !slices.Contains(in, s.URL) || seen[s.URL] {
				t.Fatalf("position %d holds %s (tier %d); the shuffle left its tier or repeated it: %+v", i, s.URL, s.Tier, st)
			}
			seen[s.URL] = true
			order = append(order, s.URL)
		}
		firsts[st[0].URL]++
		orders[strings.Join(order[:5], " ")] = true
	}
	for _, u := range tier0 {
		if firsts[u] == 0 {
			t.Errorf("%s never came first in 200 announcers: %v", u, firsts)
		}
	}
	if len(orders) < 2 {
		t.Errorf("one order of the tier in 200 announcers: %v", orders)
	}
}
