package torrent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// Issue 8, DHT interop with libtorrent in both directions: torrents with no
// tracker, magnet links with no tracker and no peer address, so the DHT is
// the only way the two clients can meet. Every node is on 127.0.0.1 and
// bootstraps only to nodes the test started.

// dhtInteropTimeout bounds each DHT interop test.
const dhtInteropTimeout = 60 * time.Second

// libtorrentDHTNetwork starts count libtorrent sessions with a DHT node
// each, introduces every node to every other once all listen, and waits
// until every routing table holds the others.
func libtorrentDHTNetwork(t *testing.T, ctx context.Context, count int, opts ltOptions) []*ltSession {
	t.Helper()
	opts.DHT = true
	lts := make([]*ltSession, count)
	for i := range lts {
		lts[i] = startLibtorrentSession(t, fmt.Sprintf("dht node %d", i), opts)
	}
	for _, l := range lts {
		for _, other := range lts {
			if other != l {
				l.command(t, "add_node 127.0.0.1 %d", other.port)
			}
		}
	}
	for _, l := range lts {
		l.waitLine(ctx, t, fmt.Sprintf("a routing table of %d nodes", count-1), func(string) bool { return l.dhtNodes() >= count-1 })
	}
	return lts
}

// writeTorrentFile writes mi's .torrent into a fresh folder.
func writeTorrentFile(t *testing.T, mi *metainfo.MetaInfo) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), mi.Info.Name+".torrent")
	if err := os.WriteFile(path, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// trackerlessMagnet is mi's magnet link with no tracker and no peer: only
// the DHT can find anyone for it.
func trackerlessMagnet(t *testing.T, mi *metainfo.MetaInfo) metainfo.Magnet {
	t.Helper()
	if mi.Announce != "" || len(mi.AnnounceList) != 0 {
		t.Fatalf("the test torrent has trackers: %q %v", mi.Announce, mi.AnnounceList)
	}
	link := mi.Magnet()
	link.Trackers, link.Peers, link.WebSeeds = nil, nil, nil
	if s := link.String(); strings.Contains(s, "tr=") || strings.Contains(s, "x.pe=") {
		t.Fatalf("magnet link names a tracker or a peer: %s", s)
	}
	return link
}

// TestMagnetFromLibtorrentSeederThroughDHT: three libtorrent sessions form
// a DHT; one of them seeds a tracker-less torrent and announces it there
// (it accepts connections but never dials, so only our lookup can bring the
// two together). Our session, whose DHT knows only another libtorrent
// node, is given nothing but the magnet link: it finds the seeder with
// get_peers, fetches the metadata from it (ut_metadata), downloads and
// verifies the data byte for byte.
func TestMagnetFromLibtorrentSeederThroughDHT(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), dhtInteropTimeout)
	defer cancel()
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "lt-dht-seed.bin", 1<<20+333, 32<<10)
	link := trackerlessMagnet(t, mi)
	ih := mi.InfoHash.Hex()

	lts := libtorrentDHTNetwork(t, ctx, 3, ltOptions{NoSeedDial: true})
	seeder := lts[0]
	seeder.command(t, "add_torrent %s %s", writeTorrentFile(t, mi), seedDir)
	seeder.waitLine(ctx, t, "the seeder to check its data", func(line string) bool { return line == "complete "+ih })

	session := newTestSession(t, Config{
		DHT: &dht.Config{
			AllowSameIP:    true,
			BootstrapNodes: []string{lts[1].addr().String()},
			QueryTimeout:   2 * time.Second,
		},
		AnnounceInterval: 2 * time.Second,
	})
	start := time.Now()
	leecher, err := session.AddMagnet(&link, AddOptions{Dir: leechDir})
	if err != nil {
		t.Fatal(err)
	}
	var fromDHT *PeerSnapshot
	for fromDHT == nil {
		for _, p := range leecher.Snapshot().Peers {
			if p.Source == SourceDHT && p.Addr == seeder.addr().String() && !p.Incoming {
				fromDHT = &p
			}
		}
		select {
		case <-ctx.Done():
			s := leecher.Snapshot()
			t.Fatalf("the libtorrent seeder %v never showed up as a DHT peer: state %v, peers %+v, dropped %+v, our DHT %+v",
				seeder.addr(), s.State, s.Peers, s.DroppedPeers, session.DHT().Stats())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Logf("found the libtorrent seeder through the DHT after %v: %s (%q)", time.Since(start).Round(time.Millisecond), fromDHT.Addr, fromDHT.Client)
	if !strings.Contains(fromDHT.Client, "libtorrent") {
		t.Errorf("peer from the DHT says it is %q, want the libtorrent seeder", fromDHT.Client)
	}
	select {
	case <-leecher.MetadataReady():
	case <-ctx.Done():
		t.Fatalf("no metadata from the libtorrent seeder: %+v", leecher.Snapshot())
	}
	if got := leecher.MetaInfo(); got == nil || got.InfoHash != mi.InfoHash || string(got.Info.Raw) != string(mi.Info.Raw) {
		t.Fatal("the metadata fetched from libtorrent is not the torrent's info dictionary")
	}
	waitDone(t, leecher, time.Until(deadlineOf(ctx)))
	t.Logf("downloaded through the DHT in %v", time.Since(start).Round(time.Millisecond))
	sameFile(t, filepath.Join(seedDir, "lt-dht-seed.bin"), filepath.Join(leechDir, "lt-dht-seed.bin"))
}

// TestLibtorrentFetchesOurMagnetThroughDHT: the reverse. Two libtorrent
// sessions form a DHT; our session joins it through one of them and seeds
// a tracker-less torrent, announcing it to the DHT. A third libtorrent
// session that knows only our DHT node is given the magnet link: it finds
// us through the DHT, fetches the metadata from us and downloads the data,
// byte for byte.
func TestLibtorrentFetchesOurMagnetThroughDHT(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), dhtInteropTimeout)
	defer cancel()
	seedDir, leechDir := t.TempDir(), t.TempDir()
	mi := makeTorrent(t, seedDir, "our-dht-seed.bin", 1<<20+555, 32<<10)
	link := trackerlessMagnet(t, mi)
	ih := mi.InfoHash.Hex()

	lts := libtorrentDHTNetwork(t, ctx, 2, ltOptions{})
	session := newTestSession(t, Config{
		DHT: &dht.Config{
			AllowSameIP:    true,
			BootstrapNodes: []string{lts[0].addr().String()},
			QueryTimeout:   2 * time.Second,
		},
		AnnounceInterval: 2 * time.Second,
	})
	seeder, err := session.Add(mi, AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, seeder, 20*time.Second)
	ourNode := session.DHT().Addr()

	leecher := startLibtorrentSession(t, "magnet leecher", ltOptions{DHT: true})
	leecher.command(t, "add_node %s %d", ourNode.Addr(), ourNode.Port())
	leecher.waitLine(ctx, t, "our DHT node in its routing table", func(string) bool { return leecher.dhtNodes() >= 1 })
	start := time.Now()
	leecher.command(t, "add_magnet %s %s", link.String(), leechDir)
	leecher.waitLine(ctx, t, "the metadata from us", func(line string) bool { return line == "metadata "+ih })
	leecher.waitLine(ctx, t, "the download to complete", func(line string) bool { return line == "complete "+ih })
	leecher.waitLine(ctx, t, "the torrent's files to close", func(line string) bool { return line == "closed "+ih })
	t.Logf("libtorrent downloaded our magnet link through the DHT in %v", time.Since(start).Round(time.Millisecond))
	sameFile(t, filepath.Join(seedDir, "our-dht-seed.bin"), filepath.Join(leechDir, "our-dht-seed.bin"))

	// It dialled us at our listen port, and says it found us in the DHT.
	ourPeer := fmt.Sprintf("peer %s 127.0.0.1:%d pid=%x ", ih, session.Port(), session.PeerID())
	line := leecher.waitLine(ctx, t, "us among its peers", func(line string) bool { return strings.HasPrefix(line, ourPeer) })
	if !strings.Contains(line, "source=dht") || !strings.HasSuffix(line, "dir=out") {
		t.Fatalf("libtorrent met us otherwise than by dialling a peer from the DHT: %s", line)
	}
	waitFor(t, 5*time.Second, "our seeder's snapshot to count the upload", func() bool {
		return seeder.Snapshot().Uploaded >= mi.Info.Length
	})
}

// deadlineOf is ctx's deadline (now when it has none).
func deadlineOf(ctx context.Context) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Now()
	}
	return d
}
