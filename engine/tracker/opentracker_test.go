package tracker_test

import (
	"context"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/peertest"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// TestInteropOpentracker announces two peers to a real opentracker over
// HTTP and over UDP and checks that the second is told about the first.
func TestInteropOpentracker(t *testing.T) {
	httpHash, udpHash := [20]byte{0x51, 1}, [20]byte{0x51, 2}
	ot := peertest.StartOpentracker(t, httpHash, udpHash)
	c := tracker.NewClient()
	c.UDPTimeout = 500 * time.Millisecond
	for _, tc := range []struct {
		url  string
		hash [20]byte
	}{{ot.HTTPURL, httpHash}, {ot.UDPURL, udpHash}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		first := tracker.AnnounceRequest{InfoHash: tc.hash, Port: 40001, Left: 0, Event: tracker.Started, NumWant: 50, Key: 1}
		copy(first.PeerID[:], "-SS0001-aaaaaaaaaaaa")
		if _, err := c.Announce(ctx, tc.url, first); err != nil {
			t.Fatal(err)
		}
		second := tracker.AnnounceRequest{InfoHash: tc.hash, Port: 40002, Left: 100, Event: tracker.Started, NumWant: 50, Key: 2}
		copy(second.PeerID[:], "-SS0001-bbbbbbbbbbbb")
		resp, err := c.Announce(ctx, tc.url, second)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range resp.Peers {
			found = found || p.String() == "127.0.0.1:40001"
		}
		if !found || resp.Interval <= 0 || resp.Seeders != 1 {
			t.Errorf("%s: answer %+v, want peer 127.0.0.1:40001, 1 seeder and an interval", tc.url, resp)
		}
		stats, err := c.Scrape(context.Background(), tc.url, [][20]byte{tc.hash})
		if err != nil {
			t.Fatal(err)
		}
		if st := stats[tc.hash]; st.Seeders != 1 || st.Leechers != 1 {
			t.Errorf("%s: scrape %+v, want 1 seeder and 1 leecher", tc.url, st)
		}
	}
}

// BenchmarkAnnounce measures announces per second on loopback, one client
// at a time, against our server and against opentracker, over UDP and
// HTTP. The same client code drives both, so the ratio compares servers.
// Run: go test -run NONE -bench Announce -benchtime 2s ./engine/tracker/
func BenchmarkAnnounce(b *testing.B) {
	hash := [20]byte{0xbe, 0x4c}
	ours, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{MaxPeersPerIP: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	defer ours.Close()
	ot := peertest.StartOpentracker(b, hash)
	for _, tc := range []struct{ name, url string }{
		{"swarmscope-udp", ours.UDPAnnounceURL()},
		{"opentracker-udp", ot.UDPURL},
		{"swarmscope-http", ours.HTTPAnnounceURL()},
		{"opentracker-http", ot.HTTPURL},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := tracker.NewClient()
			c.UDPTimeout = time.Second
			req := tracker.AnnounceRequest{InfoHash: hash, Left: 1, NumWant: 50}
			copy(req.PeerID[:], "-SS0001-benchmark000")
			ctx := context.Background()
			i := 0
			for b.Loop() {
				// 1000 distinct peers, so answers carry a full peer list.
				req.Port = uint16(10000 + i%1000)
				i++
				if _, err := c.Announce(ctx, tc.url, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "announces/s")
		})
	}
}
