package peertest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/anacrolix/torrent/bencode"
)

// transferTimeout bounds each real transfer test.
const transferTimeout = 60 * time.Second

// testFileSize is small enough for a shared 2-core machine and large enough
// for many pieces.
const testFileSize = 4 << 20

// swarmFixture is a seeder folder holding one random file and its torrent.
type swarmFixture struct {
	seedDir, leechDir string
	original          string // the seeder's file
	torrent           string
	infoHash          [20]byte
}

// newFixture writes a random file and a torrent for it announcing to
// announce (may be empty).
func newFixture(t *testing.T, announce string, pieceLength int) swarmFixture {
	t.Helper()
	f := swarmFixture{seedDir: t.TempDir(), leechDir: t.TempDir()}
	f.original = RandomFile(t, f.seedDir, "payload.bin", testFileSize)
	f.torrent = MakeTorrent(t, f.original, announce, pieceLength)
	f.infoHash = InfoHash(t, f.torrent)
	return f
}

func (f swarmFixture) downloaded() string { return filepath.Join(f.leechDir, "payload.bin") }

func TestOpentrackerAnswersAnnounce(t *testing.T) {
	allowed := [20]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	tr := StartOpentracker(t, allowed)

	announce := func(infoHash [20]byte, port int) map[string]bencode.Bytes {
		t.Helper()
		q := url.Values{}
		q.Set("info_hash", string(infoHash[:]))
		q.Set("peer_id", "-PT0000-abcdefghijkl")
		q.Set("port", fmt.Sprint(port))
		q.Set("uploaded", "0")
		q.Set("downloaded", "0")
		q.Set("left", "100")
		q.Set("compact", "1")
		q.Set("event", "started")
		resp, err := http.Get(tr.HTTPURL + "?" + q.Encode())
		if err != nil {
			t.Fatalf("announce to %s: %v", tr.HTTPURL, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading announce response: %v", err)
		}
		var dict map[string]bencode.Bytes
		if err := bencode.Unmarshal(body, &dict); err != nil {
			t.Fatalf("announce response %q is not a bencoded dictionary: %v", body, err)
		}
		return dict
	}

	dict := announce(allowed, 4242)
	if reason, ok := dict["failure reason"]; ok {
		t.Fatalf("announce for a whitelisted hash failed: %s", reason)
	}
	if _, ok := dict["interval"]; !ok {
		t.Errorf("announce response has no interval: keys %v", keys(dict))
	}
	var peers []byte
	if err := bencode.Unmarshal(dict["peers"], &peers); err != nil {
		t.Fatalf("announce response peers %q: %v", dict["peers"], err)
	}
	if !hasCompactPeer(peers, [4]byte{127, 0, 0, 1}, 4242) {
		t.Errorf("compact peers %x do not contain our own announce 127.0.0.1:4242", peers)
	}

	// Not whitelisted: refused until Allow adds it.
	other := [20]byte{0xff}
	if _, ok := announce(other, 4243)["failure reason"]; !ok {
		t.Errorf("announce for a hash missing from the whitelist was accepted; Debian's opentracker should refuse it")
	}
	tr.Allow(t, other)
	if reason, ok := announce(other, 4243)["failure reason"]; ok {
		t.Errorf("announce after Allow failed: %s", reason)
	}
}

func keys(m map[string]bencode.Bytes) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func hasCompactPeer(peers []byte, ip [4]byte, port int) bool {
	for i := 0; i+6 <= len(peers); i += 6 {
		if [4]byte(peers[i:i+4]) == ip && int(binary.BigEndian.Uint16(peers[i+4:])) == port {
			return true
		}
	}
	return false
}

// waitComplete waits for p to report completion within the test's budget.
func waitComplete(t *testing.T, ctx context.Context, p *Process) {
	t.Helper()
	if err := p.WaitComplete(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLibtorrentSeedsToAria2ThroughOpentracker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	tr := StartOpentracker(t)
	f := newFixture(t, tr.HTTPURL, 64<<10)
	tr.Allow(t, f.infoHash)

	seeder := StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, seeder) // checked its data and announced
	leecher := StartAria2(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, Timeout: transferTimeout}, false)
	waitComplete(t, ctx, leecher)
	SameFile(t, f.original, f.downloaded())
}

func TestAria2SeedsToLibtorrentByDirectConnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	f := newFixture(t, "", 256<<10)

	seeder := StartAria2(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, seeder)
	leecher := StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, Peers: []string{seeder.Addr()}, Timeout: transferTimeout}, false)
	waitComplete(t, ctx, leecher)
	if err := leecher.Wait(ctx); err != nil {
		t.Fatalf("libtorrent leecher after completing: %v", err)
	}
	SameFile(t, f.original, f.downloaded())
}

func TestLibtorrentSeedsToTransmission(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	f := newFixture(t, "", 64<<10)

	leecher := StartTransmission(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, Timeout: transferTimeout}, false)
	StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, Peers: []string{leecher.Addr()}, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, leecher)
	SameFile(t, f.original, f.downloaded())
}

func TestTransmissionSeedsToLibtorrent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	f := newFixture(t, "", 256<<10)

	seeder := StartTransmission(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, seeder)
	leecher := StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, Peers: []string{seeder.Addr()}, Timeout: transferTimeout}, false)
	waitComplete(t, ctx, leecher)
	SameFile(t, f.original, f.downloaded())
}

// aria2c announces first and finds nobody; transmission-cli never dials
// loopback peers, so the transfer happens only because AnnounceInterval
// makes aria2c announce again and learn the seeder's address.
func TestTransmissionSeedsToAria2WhenAria2AnnouncesAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	tr := StartOpentracker(t)
	f := newFixture(t, tr.HTTPURL, 256<<10)
	tr.Allow(t, f.infoHash)

	leecher := StartAria2(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, AnnounceInterval: 2 * time.Second, Timeout: transferTimeout}, false)
	seeder := StartTransmission(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, seeder)
	waitComplete(t, ctx, leecher)
	SameFile(t, f.original, f.downloaded())
}

// libtorrent exempts 127.0.0.0/8 from its rate limits unless every address
// is put in the global peer class; this checks the harness does that.
func TestLibtorrentUploadLimitAppliesOnLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
	defer cancel()
	f := newFixture(t, "", 256<<10)
	const limit = 1_000_000 // bytes/s: testFileSize takes about 4.2 s

	seeder := StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.seedDir, UploadLimit: limit, Timeout: transferTimeout}, true)
	waitComplete(t, ctx, seeder)
	began := time.Now()
	leecher := StartLibtorrent(t, ClientOptions{Torrent: f.torrent, Dir: f.leechDir, Peers: []string{seeder.Addr()}, Timeout: transferTimeout}, false)
	waitComplete(t, ctx, leecher)
	elapsed := time.Since(began)
	SameFile(t, f.original, f.downloaded())
	// Allow for libtorrent's rate limiter letting a burst through at first.
	if minimum := time.Duration(float64(testFileSize) / limit * 0.6 * float64(time.Second)); elapsed < minimum {
		t.Errorf("downloaded %d bytes from a seeder limited to %d B/s in %v; the limit would need at least %v", testFileSize, limit, elapsed, minimum)
	}
}
