package tracker

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond for up to limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAnnouncerFailsOverAndSendsEvents(t *testing.T) {
	srv := startServer(t, ServerConfig{Interval: time.Second, MinInterval: time.Second})
	var refusals atomic.Int32
	failing := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		refusals.Add(1)
		w.Write([]byte("d14:failure reason7:go awaye"))
	})
	hash := [20]byte{0xaa}
	// Another peer is already in the swarm.
	if _, err := Announce(context.Background(), srv.HTTPAnnounceURL(), AnnounceRequest{InfoHash: hash, Port: 9999, Left: 0, Event: Started, NumWant: 0}); err != nil {
		t.Fatal(err)
	}

	peers := make(chan []netip.AddrPort, 10)
	var left atomic.Int64
	left.Store(1000)
	a := NewAnnouncer(AnnouncerConfig{
		Tiers:    [][]string{{failing.URL + "/announce"}, {srv.HTTPAnnounceURL()}},
		InfoHash: hash, Port: 7000,
		Stats:   func() Stats { return Stats{Left: left.Load()} },
		OnPeers: func(p []netip.AddrPort) { peers <- p },
	})
	copy(a.cfg.PeerID[:], "-SS0001-announcer000")
	if got := a.Statuses(); len(got) != 2 || got[0].State != NotContacted || got[1].Tier != 1 {
		t.Fatalf("before start: %+v", got)
	}
	a.Start(context.Background())
	select {
	case p := <-peers:
		if len(p) != 1 || p[0].Port() != 9999 {
			t.Fatalf("peers %v, want the seeder on port 9999", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no peers within 5 s")
	}
	waitFor(t, 5*time.Second, "next announce not scheduled", func() bool { return !a.Statuses()[1].NextAnnounce.IsZero() })
	st := a.Statuses()
	if st[0].State != Failing || !strings.Contains(st[0].LastError, "go away") {
		t.Errorf("failing tracker status %+v", st[0])
	}
	if st[1].State != Working || st[1].PeersReceived != 1 || st[1].Seeders != 1 || st[1].Leechers != 1 || st[1].NextAnnounce.IsZero() {
		t.Errorf("working tracker status %+v", st[1])
	}

	left.Store(0)
	a.Completed()
	scrape := func() TorrentStats { return srv.state.scrape([][20]byte{hash})[0] }
	waitFor(t, 5*time.Second, "completed event not counted", func() bool { return scrape().Downloaded == 1 })
	if s := scrape(); s.Seeders != 2 {
		t.Errorf("after completed: %+v, want 2 seeders", s)
	}
	waitFor(t, 5*time.Second, "downloaded count not scraped", func() bool { return a.Statuses()[1].Downloaded == 1 })

	start := time.Now()
	a.Stop()
	if time.Since(start) > 6*time.Second {
		t.Errorf("Stop took %v", time.Since(start))
	}
	if s := scrape(); s.Seeders != 1 || s.Leechers != 0 {
		t.Errorf("after stop: %+v, want only the other seeder", s)
	}
	a.Stop() // a second Stop is harmless
}

func TestAnnouncerRetriesWhenNoTrackerAnswers(t *testing.T) {
	var hits atomic.Int32
	failing := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	})
	a := NewAnnouncer(AnnouncerConfig{
		Tiers:         [][]string{{failing.URL + "/announce"}},
		RetryInterval: 50 * time.Millisecond,
	})
	a.Start(context.Background())
	waitFor(t, 3*time.Second, "no retries", func() bool { return hits.Load() >= 3 })
	a.Stop()
	st := a.Statuses()[0]
	if st.State != Failing || !strings.Contains(st.LastError, "HTTP status 502") {
		t.Errorf("status %+v", st)
	}
}

func TestAnnouncerPromotesWorkingTracker(t *testing.T) {
	a := NewAnnouncer(AnnouncerConfig{Tiers: [][]string{{"a", "b", "c"}}})
	c := a.tiers[0][2]
	a.promote(0, c)
	if a.tiers[0][0] != c || len(a.tiers[0]) != 3 {
		t.Fatalf("promotion failed: %v", a.Statuses())
	}
}
