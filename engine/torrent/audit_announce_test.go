package torrent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// onLoop runs f on tr's loop and waits for it, so a test may read and
// move loop-owned fields without a data race.
func onLoop(t *testing.T, tr *Torrent, f func()) {
	t.Helper()
	done := make(chan struct{})
	go tr.do(func() { f(); close(done) })
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the torrent's loop did not run a command within 20 s")
	}
}

// loopState is what the starving logic reads and writes on the loop.
type loopState struct {
	ticks   int
	askedAt time.Time
}

func readLoop(t *testing.T, tr *Torrent) loopState {
	t.Helper()
	var st loopState
	onLoop(t, tr, func() { st = loopState{tr.ticks, tr.announcer.askedAt} })
	return st
}

// waitCheckRound waits until tr's loop has ticked four times since st:
// askTrackersForPeers runs every fourth tick, so it has run at least once.
func waitCheckRound(t *testing.T, tr *Torrent, st loopState) {
	t.Helper()
	waitFor(t, 30*time.Second, "the torrent loop to tick", func() bool {
		return readLoop(t, tr).ticks >= st.ticks+4
	})
}

// TestStarvingTorrentAsksTrackerEarly proves the "few peers" re-announce
// (askTrackersForPeers): a downloading torrent with fewer than fewPeers
// peers and nobody left to dial announces again once needPeersGap has
// passed since the last time it asked, although the tracker's interval is
// 30 minutes; it does not ask before the gap, asks once per gap, and a
// complete torrent never asks. Instead of waiting two minutes the test
// moves the torrents' last-asked time back by needPeersGap on their loops.
func TestStarvingTorrentAsksTrackerEarly(t *testing.T) {
	var (
		mu        sync.Mutex
		announces = map[string][]string{} // info_hash -> events
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/announce" { // the announcer also scrapes
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		mu.Lock()
		announces[q.Get("info_hash")] = append(announces[q.Get("info_hash")], q.Get("event"))
		mu.Unlock()
		io.WriteString(w, "d8:intervali1800e12:min intervali1e5:peers0:e")
	}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/announce"
	events := func(tr *Torrent) []string {
		mu.Lock()
		defer mu.Unlock()
		h := tr.InfoHash()
		return append([]string(nil), announces[string(h[:])]...)
	}

	s := newTestSession(t, Config{})
	src := t.TempDir()
	_, leechMI := trackedTorrent(t, src, "leech.bin", 64<<10, []string{url})
	_, seedMI := trackedTorrent(t, src, "seed.bin", 64<<10, []string{url})
	leecher, err := s.Add(leechMI, AddOptions{Dir: t.TempDir()}) // no data: downloading, no peers
	if err != nil {
		t.Fatal(err)
	}
	seeder, err := s.Add(seedMI, AddOptions{Dir: src})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	waitTrackerWorking(t, leecher, url, 10*time.Second)
	waitTrackerWorking(t, seeder, url, 10*time.Second)
	if st := leecher.Snapshot(); st.State != Downloading || len(st.Peers) != 0 {
		t.Fatalf("leecher is %v with %d peers; want downloading with none", st.State, len(st.Peers))
	}

	// Before the gap: a round of the check, no early announce.
	before := readLoop(t, leecher)
	waitCheckRound(t, leecher, before)
	if now := readLoop(t, leecher); !now.askedAt.Equal(before.askedAt) {
		t.Errorf("the leecher asked for peers %v after it last did, before needPeersGap (%v)", now.askedAt.Sub(before.askedAt), needPeersGap)
	}
	if got := events(leecher); len(got) != 1 || got[0] != "started" {
		t.Fatalf("leecher's announces before the gap: %q, want only \"started\"", got)
	}

	// needPeersGap later, as far as the torrents know.
	var seedBefore loopState
	onLoop(t, leecher, func() { leecher.announcer.askedAt = leecher.announcer.askedAt.Add(-needPeersGap) })
	onLoop(t, seeder, func() {
		seeder.announcer.askedAt = seeder.announcer.askedAt.Add(-needPeersGap)
		seedBefore = loopState{seeder.ticks, seeder.announcer.askedAt}
	})
	waitFor(t, 20*time.Second, "the starving leecher's early re-announce", func() bool { return len(events(leecher)) >= 2 })
	if got := events(leecher); got[1] != "" {
		t.Errorf("early re-announce has event %q, want a regular one (no event)", got[1])
	}

	// Having asked, the leecher waits a full gap again: another round of
	// the check (the tracker's 1 s min interval would allow an announce)
	// brings nothing. Meanwhile the complete torrent, past the gap too,
	// has had its round of the check and did not ask.
	after := readLoop(t, leecher)
	waitCheckRound(t, leecher, after)
	waitCheckRound(t, seeder, seedBefore)
	if now := readLoop(t, leecher); !now.askedAt.Equal(after.askedAt) {
		t.Errorf("the leecher asked again %v after its early announce", now.askedAt.Sub(after.askedAt))
	}
	if got := events(leecher); len(got) != 2 {
		t.Errorf("leecher's announces: %q, want 2 (started, then one per needPeersGap)", got)
	}
	if now := readLoop(t, seeder); !now.askedAt.Equal(seedBefore.askedAt) {
		t.Error("a complete torrent asked its trackers for more peers")
	}
	if got := events(seeder); len(got) != 1 {
		t.Errorf("seeder's announces: %q, want only its \"started\"", got)
	}
}
