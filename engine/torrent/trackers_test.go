package torrent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/peertest"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// These tests prove that the engine finds peers through trackers only: no
// test here gives a peer address directly. Every tracker, client and
// session listens on 127.0.0.1; the real clients run with DHT, LSD, UPnP
// and PEX off (engine/peertest).

// startEmbeddedTracker runs our tracker on 127.0.0.1 with test timing: a
// short interval so clients that announced before the others learn about
// them, and a per-IP cap far above the number of loopback peers.
func startEmbeddedTracker(t *testing.T) *tracker.Server {
	t.Helper()
	srv, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{
		Interval:      2 * time.Second,
		MinInterval:   time.Second,
		MaxPeersPerIP: 1000,
		Log:           testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// trackedTorrent writes size random bytes to dir/name and returns the file's
// path and a metainfo whose tiers are the given ones.
func trackedTorrent(t *testing.T, dir, name string, size int64, tiers ...[]string) (string, *metainfo.MetaInfo) {
	t.Helper()
	mi := makeTorrent(t, dir, name, size, 32<<10)
	mi.AnnounceList = tiers
	if len(tiers) > 0 && len(tiers[0]) > 0 {
		mi.Announce = tiers[0][0]
	}
	return filepath.Join(dir, name), mi
}

// trackerState returns the snapshot's status of the tracker with url.
func trackerState(t *testing.T, tr *Torrent, url string) TrackerStatus {
	t.Helper()
	for _, st := range tr.Snapshot().Trackers {
		if st.URL == url {
			return st
		}
	}
	t.Fatalf("tracker %s not in the snapshot: %+v", url, tr.Snapshot().Trackers)
	return TrackerStatus{}
}

// waitTrackerWorking waits until the torrent's announce to url succeeded.
func waitTrackerWorking(t *testing.T, tr *Torrent, url string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, "a successful announce to "+url, func() bool {
		return trackerState(t, tr, url).State == tracker.Working
	})
}

// swarmSize is how many peers the embedded tracker lists for hash.
func swarmSize(srv *tracker.Server, hash metainfo.Hash) int {
	for _, st := range srv.Torrents() {
		if st.InfoHash == hash {
			return st.Seeders + st.Leechers
		}
	}
	return 0
}

// checkMetThroughTracker fails unless tr's trackers handed it peers and
// every peer it is connected to came from a tracker or dialled us (no
// address was given directly).
func checkMetThroughTracker(t *testing.T, tr *Torrent, url string) {
	t.Helper()
	snap := tr.Snapshot()
	if st := trackerState(t, tr, url); st.PeersReceived == 0 && len(snap.Peers) > 0 && snap.Peers[0].Source != SourceIncoming {
		t.Errorf("%s: connected to peers but %s reported none: %+v", snap.Name, url, st)
	}
	for _, p := range snap.Peers {
		if p.Source == SourceManual {
			t.Errorf("%s: peer %s was given directly, not found through the tracker", snap.Name, p.Addr)
		}
	}
}

// TestTwoSessionsMeetThroughTracker: a seeder and a leecher of our own
// announce to one tracker and nothing else; the leecher must complete. Over
// opentracker (HTTP and UDP) and our embedded tracker (HTTP and UDP).
func TestTwoSessionsMeetThroughTracker(t *testing.T) {
	ot := peertest.StartOpentracker(t)
	ours := startEmbeddedTracker(t)
	for _, tc := range []struct {
		name, url string
		whitelist bool
		// promptCompleted: the tracker's min interval lets "completed" go
		// out at once. opentracker's HTTP min interval (15 minutes) holds it
		// back, as the announcer keeps to min intervals for every event.
		promptCompleted bool
	}{
		{"opentracker-http", ot.HTTPURL, true, false},
		{"opentracker-udp", ot.UDPURL, true, true},
		{"embedded-http", ours.HTTPAnnounceURL(), false, true},
		{"embedded-udp", ours.UDPAnnounceURL(), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seedDir, leechDir := t.TempDir(), t.TempDir()
			dataPath, mi := trackedTorrent(t, seedDir, "payload.bin", 1<<20+333, []string{tc.url})
			if tc.whitelist {
				ot.Allow(t, [20]byte(mi.InfoHash))
			}
			seedSession := newTestSession(t, Config{})
			seeder, err := seedSession.Add(mi, AddOptions{Dir: seedDir})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, seeder, 10*time.Second)
			// opentracker asks for announces every 30 minutes: the seeder
			// must be listed before the leecher's first announce.
			waitTrackerWorking(t, seeder, tc.url, 10*time.Second)

			leechSession := newTestSession(t, Config{})
			leecher, err := leechSession.Add(mi, AddOptions{Dir: leechDir})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, leecher, 30*time.Second)
			sameFile(t, dataPath, filepath.Join(leechDir, "payload.bin"))
			checkMetThroughTracker(t, leecher, tc.url)
			st := trackerState(t, leecher, tc.url)
			if st.PeersReceived < 1 || st.Seeders < 1 || st.LastError != "" || st.NextAnnounce.IsZero() {
				t.Errorf("leecher's view of %s: %+v, want a working tracker that listed the seeder", tc.url, st)
			}
			if tc.promptCompleted {
				hash := [20]byte(mi.InfoHash)
				waitFor(t, 10*time.Second, "the tracker to count the completed download", func() bool {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					stats, err := tracker.Scrape(ctx, tc.url, [][20]byte{hash})
					return err == nil && stats[hash].Downloaded >= 1 && stats[hash].Seeders == 2
				})
			}
		})
	}
}

// TestRealLeechersFindOurSeederThroughOurTracker: our seeder and aria2c,
// transmission-cli and libtorrent leechers meet only through our embedded
// tracker. transmission-cli 3.00 never dials 127.0.0.1, so our seeder must
// dial the address our tracker gives it.
func TestRealLeechersFindOurSeederThroughOurTracker(t *testing.T) {
	srv := startEmbeddedTracker(t)
	seedDir := t.TempDir()
	data := peertest.RandomFile(t, seedDir, "payload.bin", 2<<20+555)
	torrentPath := peertest.MakeTorrent(t, data, srv.HTTPAnnounceURL(), 64<<10)

	s := newTestSession(t, Config{AnnounceInterval: time.Second})
	seeder, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: seedDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 10*time.Second)
	waitTrackerWorking(t, seeder, srv.HTTPAnnounceURL(), 10*time.Second)

	type leecher struct {
		name string
		dir  string
		proc *peertest.Process
	}
	var leechers []leecher
	for _, name := range []string{"transmission", "aria2", "libtorrent"} {
		dir := t.TempDir()
		var proc *peertest.Process
		switch name {
		case "transmission": // it cannot re-announce faster; our tracker's 2 s interval applies
			proc = peertest.StartTransmission(t, peertest.ClientOptions{Torrent: torrentPath, Dir: dir}, false)
		case "aria2":
			proc = peertest.StartAria2(t, peertest.ClientOptions{Torrent: torrentPath, Dir: dir, AnnounceInterval: 2 * time.Second}, false)
		case "libtorrent":
			proc = peertest.StartLibtorrent(t, peertest.ClientOptions{Torrent: torrentPath, Dir: dir, AnnounceInterval: 2 * time.Second}, false)
		}
		leechers = append(leechers, leecher{name, dir, proc})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(leechers))
	for i, l := range leechers {
		wg.Go(func() { errs[i] = l.proc.WaitComplete(ctx) })
	}
	wg.Wait()
	for i, l := range leechers {
		if errs[i] != nil {
			t.Errorf("%s leecher: %v", l.name, errs[i])
			continue
		}
		peertest.SameFile(t, data, filepath.Join(l.dir, "payload.bin"))
	}
	// transmission-cli only accepts connections: if our seeder talked to
	// it, the seeder dialled an address it got from our tracker.
	checkClientSeen(t, seeder, "Transmission")
	checkMetThroughTracker(t, seeder, srv.HTTPAnnounceURL())
}

// TestOurLeecherFindsRealSeedersThroughOpentracker: libtorrent and aria2c
// seed; our leecher learns about both from opentracker only.
func TestOurLeecherFindsRealSeedersThroughOpentracker(t *testing.T) {
	ot := peertest.StartOpentracker(t)
	libtorrentDir, aria2Dir, leechDir := t.TempDir(), t.TempDir(), t.TempDir()
	data := peertest.RandomFile(t, libtorrentDir, "payload.bin", 4<<20+777)
	copyFile(t, data, filepath.Join(aria2Dir, "payload.bin"))
	torrentPath := peertest.MakeTorrent(t, data, ot.HTTPURL, 64<<10)
	hash := peertest.InfoHash(t, torrentPath)
	ot.Allow(t, hash)

	// Upload limits stretch the download to a few seconds, long enough for
	// us to connect to both seeders (unlimited, one would serve it all in
	// milliseconds).
	const limit = 1 << 20
	libtorrentSeeder := peertest.StartLibtorrent(t, peertest.ClientOptions{Torrent: torrentPath, Dir: libtorrentDir, UploadLimit: limit}, true)
	aria2Seeder := peertest.StartAria2(t, peertest.ClientOptions{Torrent: torrentPath, Dir: aria2Dir, UploadLimit: limit}, true)
	waitClient(t, libtorrentSeeder, 30*time.Second)
	waitClient(t, aria2Seeder, 30*time.Second)
	// Both must be listed before our one announce (opentracker's interval is
	// 30 minutes, its min interval 15).
	waitFor(t, 20*time.Second, "opentracker to list both seeders", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		stats, err := tracker.Scrape(ctx, ot.HTTPURL, [][20]byte{hash})
		return err == nil && stats[hash].Seeders >= 2
	})

	s := newTestSession(t, Config{})
	leecher, err := s.Add(loadTorrent(t, torrentPath), AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 45*time.Second)
	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
	checkClientSeen(t, leecher, "libtorrent")
	checkClientSeen(t, leecher, "aria2")
	checkMetThroughTracker(t, leecher, ot.HTTPURL)
	if st := trackerState(t, leecher, ot.HTTPURL); st.PeersReceived < 2 || st.Seeders < 2 {
		t.Errorf("opentracker status %+v, want both seeders listed", st)
	}
}

// TestDeadFirstTierFailsOver: tier 0 holds an HTTP and a UDP tracker on
// closed 127.0.0.1 ports, tier 1 our tracker. Peers still come through
// tier 1, and the snapshot shows both dead trackers in the error state with
// the reason in words.
func TestDeadFirstTierFailsOver(t *testing.T) {
	srv := startEmbeddedTracker(t)
	deadHTTP := fmt.Sprintf("http://127.0.0.1:%d/announce", peertest.FreePort(t))
	deadUDP := fmt.Sprintf("udp://127.0.0.1:%d/announce", peertest.FreePort(t))
	working := srv.HTTPAnnounceURL()
	seedDir, leechDir := t.TempDir(), t.TempDir()
	dataPath, mi := trackedTorrent(t, seedDir, "payload.bin", 512<<10+9, []string{deadHTTP, deadUDP}, []string{working})

	seeder, err := newTestSession(t, Config{}).Add(mi, AddOptions{Dir: seedDir})
	if err != nil {
		t.Fatal(err)
	}
	before := trackerState(t, seeder, deadHTTP)
	if before.Tier != 0 || trackerState(t, seeder, working).Tier != 1 {
		t.Errorf("tiers in the snapshot: %+v", seeder.Snapshot().Trackers)
	}
	waitDone(t, seeder, 10*time.Second)
	waitTrackerWorking(t, seeder, working, 10*time.Second)

	leecher, err := newTestSession(t, Config{}).Add(mi, AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, leecher, 30*time.Second)
	sameFile(t, dataPath, filepath.Join(leechDir, "payload.bin"))
	checkMetThroughTracker(t, leecher, working)
	// Completing sends "completed" at once: let that announce round (dead
	// tiers first, then ours) finish before reading the states.
	// (settled = no tracker updating in several polls in a row).
	for deadline, settled := time.Now().Add(5*time.Second), 0; settled < 4 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		settled++
		for _, st := range leecher.Snapshot().Trackers {
			if st.State == tracker.Updating {
				settled = 0
			}
		}
	}
	for _, url := range []string{deadHTTP, deadUDP} {
		st := trackerState(t, leecher, url)
		if st.State != tracker.Failing || st.State.String() != "error" || st.LastError != "connection refused" {
			t.Errorf("dead tracker %s: state %q, error %q; want state error, \"connection refused\"", url, st.State, st.LastError)
		}
	}
	if st := trackerState(t, leecher, working); st.State != tracker.Working || st.PeersReceived < 1 {
		t.Errorf("tier-1 tracker: %+v, want working with the seeder listed", st)
	}
}

// TestStoppedAnnounced: Pause and Stop tell the tracker we left (it
// forgets us), Resume tells it we are back, and Stop returns within the
// bound.
func TestStoppedAnnounced(t *testing.T) {
	srv := startEmbeddedTracker(t)
	dir := t.TempDir()
	_, mi := trackedTorrent(t, dir, "payload.bin", 64<<10, []string{srv.UDPAnnounceURL()})
	const bound = 2 * time.Second
	tr, err := newTestSession(t, Config{StopAnnounceTimeout: bound}).Add(mi, AddOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	listed := func() bool { return swarmSize(srv, mi.InfoHash) == 1 }
	forgotten := func() bool { return swarmSize(srv, mi.InfoHash) == 0 }

	waitFor(t, 10*time.Second, "the tracker to list us", listed)
	tr.Pause()
	waitFor(t, bound+time.Second, "the tracker to forget us after Pause", forgotten)
	tr.Resume()
	waitFor(t, 10*time.Second, "the tracker to list us again after Resume", listed)

	start := time.Now()
	if err := tr.Stop(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !forgotten() {
		t.Errorf("the tracker still lists us after Stop returned: %+v", srv.Torrents())
	}
	if took > bound+time.Second {
		t.Errorf("Stop took %v, bound %v", took, bound)
	}
	t.Logf("Stop with the stopped announce took %v", took)
}

// TestStopIsBoundedWhenTrackerStalls: a tracker that accepted "started"
// but never answers "stopped" cannot hold Stop past
// Config.StopAnnounceTimeout (plus the grace second).
func TestStopIsBoundedWhenTrackerStalls(t *testing.T) {
	var stoppedSeen atomic.Bool
	release := make(chan struct{})
	stalling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("event") == "stopped" {
			stoppedSeen.Store(true)
			select { // never answer; give up when the client does
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		io.WriteString(w, "d8:intervali60e5:peers0:e")
	}))
	t.Cleanup(stalling.Close)
	t.Cleanup(func() { close(release) }) // runs first: unblocks the handler
	url := stalling.URL + "/announce"
	dir := t.TempDir()
	_, mi := trackedTorrent(t, dir, "payload.bin", 64<<10, []string{url})
	const bound = time.Second
	tr, err := newTestSession(t, Config{StopAnnounceTimeout: bound}).Add(mi, AddOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitTrackerWorking(t, tr, url, 10*time.Second)
	start := time.Now()
	if err := tr.Stop(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if !stoppedSeen.Load() {
		t.Error("the tracker never got the stopped announce")
	}
	if took < bound/2 || took > bound+time.Second {
		t.Errorf("Stop took %v with a stalling tracker, want about the %v bound", took, bound)
	}
}

// copyFile copies a test payload so two real seeders do not share a folder.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTrackerErrorInWords(t *testing.T) {
	const url = "udp://127.0.0.1:9/announce"
	for _, tc := range []struct{ in, want string }{
		{"tracker: " + url + ": announce: connect: receive: read udp 127.0.0.1:46156->127.0.0.1:9: read: connection refused", "connection refused"},
		{"tracker: " + url + ": announce: dial tcp: lookup nowhere.invalid: no such host", "host not found"},
		{"tracker said: Requested download is not authorized for use with this tracker.", "tracker said: Requested download is not authorized for use with this tracker."},
		{"timed out: tracker: " + url + ": announce: no answer after 3 tries: context deadline exceeded", "timed out: no answer after 3 tries"},
		{"tracker: " + url + ": announce: HTTP status 502 Bad Gateway", "HTTP status 502 Bad Gateway"},
		{"", ""},
	} {
		if got := trackerErrorInWords(url, tc.in); got != tc.want {
			t.Errorf("trackerErrorInWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAnnounceIntervalOverride: Config.AnnounceInterval makes a torrent
// announce far more often than the tracker's hour-long interval, yet never
// sooner than the tracker's min interval.
func TestAnnounceIntervalOverride(t *testing.T) {
	var mu sync.Mutex
	var events []string
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/announce" { // the announcer also scrapes
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		events = append(events, r.URL.Query().Get("event"))
		mu.Unlock()
		io.WriteString(w, "d8:intervali3600e12:min intervali2e5:peers0:e")
	}))
	t.Cleanup(counting.Close)
	url := counting.URL + "/announce"
	dir := t.TempDir()
	_, mi := trackedTorrent(t, dir, "payload.bin", 64<<10, []string{url})
	tr, err := newTestSession(t, Config{AnnounceInterval: 500 * time.Millisecond}).Add(mi, AddOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitTrackerWorking(t, tr, url, 5*time.Second)
	time.Sleep(4500 * time.Millisecond)
	mu.Lock()
	got := append([]string(nil), events...)
	mu.Unlock()
	// Started at 0 s, then at about 2 s and 4 s: the 2 s min interval wins
	// over the 0.5 s override.
	if len(got) < 2 || len(got) > 4 || got[0] != "started" {
		t.Errorf("announces in 4.5 s: %q; want \"started\" then one every ~2 s", got)
	}
}
