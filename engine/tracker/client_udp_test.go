package tracker

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeUDPTracker answers datagrams on 127.0.0.1 with a scripted handler. It
// stops when the test ends.
type fakeUDPTracker struct {
	conn     *net.UDPConn
	received atomic.Int32
}

func startFakeUDP(t *testing.T, handle func(pkt []byte, reply func([]byte))) *fakeUDPTracker {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeUDPTracker{conn: conn}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 4096)
		for {
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			f.received.Add(1)
			pkt := append([]byte(nil), buf[:n]...)
			handle(pkt, func(b []byte) { conn.WriteToUDP(b, from) })
		}
	}()
	t.Cleanup(func() { conn.Close(); wg.Wait() })
	return f
}

func (f *fakeUDPTracker) url() string { return "udp://" + f.conn.LocalAddr().String() + "/announce" }

func fastUDPClient() *Client {
	c := NewClient()
	c.UDPTimeout = 20 * time.Millisecond
	return c
}

// scriptedTracker answers connect with id 42 and announces with the given
// peers; before the real answer it sends a decoy with a wrong transaction id.
func scriptedTracker(peers []byte, decoy bool) func(pkt []byte, reply func([]byte)) {
	return func(pkt []byte, reply func([]byte)) {
		action := binary.BigEndian.Uint32(pkt[8:])
		tx := binary.BigEndian.Uint32(pkt[12:])
		var out []byte
		switch action {
		case actionConnect:
			out = binary.BigEndian.AppendUint32(out, actionConnect)
			out = binary.BigEndian.AppendUint32(out, tx)
			out = binary.BigEndian.AppendUint64(out, 42)
		case actionAnnounce:
			if binary.BigEndian.Uint64(pkt) != 42 {
				reply(putErrorResponse(nil, tx, "bad connection id"))
				return
			}
			out = binary.BigEndian.AppendUint32(out, actionAnnounce)
			out = binary.BigEndian.AppendUint32(out, tx)
			out = binary.BigEndian.AppendUint32(out, 120) // interval
			out = binary.BigEndian.AppendUint32(out, 7)   // leechers
			out = binary.BigEndian.AppendUint32(out, 3)   // seeders
			out = append(out, peers...)
		case actionScrape:
			out = binary.BigEndian.AppendUint32(out, actionScrape)
			out = binary.BigEndian.AppendUint32(out, tx)
			for range (len(pkt) - 16) / 20 {
				out = binary.BigEndian.AppendUint32(out, 1)
				out = binary.BigEndian.AppendUint32(out, 2)
				out = binary.BigEndian.AppendUint32(out, 3)
			}
		}
		if decoy {
			bad := append([]byte(nil), out...)
			binary.BigEndian.PutUint32(bad[4:], tx+1)
			reply(bad)
			reply([]byte{1, 2, 3}) // too short to be anything
		}
		reply(out)
	}
}

func TestUDPAnnounceIgnoresWrongTransactionID(t *testing.T) {
	peers := []byte{10, 0, 0, 9, 0x1a, 0xe1, 10, 0, 0, 8, 0, 0}
	f := startFakeUDP(t, scriptedTracker(peers, true))
	c := fastUDPClient()
	c.UDPTimeout = time.Second // the answer must be accepted, not retransmitted for
	resp, err := c.Announce(context.Background(), f.url(), testRequest())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Interval != 2*time.Minute || resp.Leechers != 7 || resp.Seeders != 3 ||
		len(resp.Peers) != 1 || resp.Peers[0].String() != "10.0.0.9:6881" {
		t.Fatalf("response %+v", resp)
	}
	if got := f.received.Load(); got != 2 {
		t.Errorf("tracker got %d datagrams, want connect + announce", got)
	}
	// The connection id is cached: a second announce needs no connect.
	if _, err := c.Announce(context.Background(), f.url(), testRequest()); err != nil {
		t.Fatal(err)
	}
	if got := f.received.Load(); got != 3 {
		t.Errorf("tracker got %d datagrams after re-announce, want 3 (id reused)", got)
	}
	// After 60 s the id is stale and the client connects again.
	c.now = func() time.Time { return time.Now().Add(61 * time.Second) }
	if _, err := c.Announce(context.Background(), f.url(), testRequest()); err != nil {
		t.Fatal(err)
	}
	if got := f.received.Load(); got != 5 {
		t.Errorf("tracker got %d datagrams after expiry, want 5 (new connect)", got)
	}
}

func TestUDPAnnounceCapsPeers(t *testing.T) {
	peers := make([]byte, 0, 5000*6)
	for i := range 5000 {
		peers = append(peers, 10, 1, byte(i>>8), byte(i), 0x1a, 0xe1)
	}
	// 5000 entries do not fit a datagram; send 2100 (12.6 kB, fine on loopback).
	f := startFakeUDP(t, scriptedTracker(peers[:2100*6], false))
	resp, err := fastUDPClient().Announce(context.Background(), f.url(), testRequest())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Peers) != MaxPeersPerAnswer {
		t.Fatalf("got %d peers, want the cap %d", len(resp.Peers), MaxPeersPerAnswer)
	}
}

func TestUDPNoAnswerRetransmitsUntilDeadline(t *testing.T) {
	f := startFakeUDP(t, func([]byte, func([]byte)) {})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := fastUDPClient().Announce(ctx, f.url(), testRequest())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer after") {
		t.Fatalf("error %v, want no answer + deadline exceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("gave up after %v, the context allowed 400ms", elapsed)
	}
	// 20, 40, 80, 160 ms fit in 400 ms: the first send and at least 3 retries.
	if got := f.received.Load(); got < 4 || got > 6 {
		t.Errorf("tracker got %d connect attempts, want 4-5 with exponential back-off", got)
	}
}

func TestUDPNoAnswerGivesUpAfterMaxRetries(t *testing.T) {
	f := startFakeUDP(t, func([]byte, func([]byte)) {})
	c := fastUDPClient()
	c.UDPTimeout = 5 * time.Millisecond
	c.UDPMaxRetries = 2
	_, err := c.Announce(context.Background(), f.url(), testRequest())
	if err == nil || !strings.Contains(err.Error(), "no answer after 3 tries") {
		t.Fatalf("error %v", err)
	}
}

func TestUDPErrorAction(t *testing.T) {
	f := startFakeUDP(t, func(pkt []byte, reply func([]byte)) {
		reply(putErrorResponse(nil, binary.BigEndian.Uint32(pkt[12:]), "torrent not registered"))
	})
	_, err := fastUDPClient().Announce(context.Background(), f.url(), testRequest())
	var fe *FailureError
	if !errors.As(err, &fe) || fe.Reason != "torrent not registered" {
		t.Fatalf("error %v, want the tracker's message", err)
	}
	if !strings.HasPrefix(err.Error(), "tracker: "+f.url()+": announce: connect: tracker said: torrent not registered") {
		t.Errorf("error text %q", err)
	}
}

func TestUDPScrape(t *testing.T) {
	f := startFakeUDP(t, scriptedTracker(nil, true))
	hashes := make([][20]byte, 100) // more than one datagram's worth
	for i := range hashes {
		hashes[i][0] = byte(i)
	}
	stats, err := fastUDPClient().Scrape(context.Background(), f.url(), hashes)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 100 || stats[hashes[99]] != (ScrapeStats{Seeders: 1, Downloaded: 2, Leechers: 3}) {
		t.Fatalf("stats %d entries, last %+v", len(stats), stats[hashes[99]])
	}
}

func TestUDPIPv6TrackerUses18BytePeers(t *testing.T) {
	b := binary.BigEndian.AppendUint32(nil, actionAnnounce)
	b = binary.BigEndian.AppendUint32(b, 9)
	b = append(b, make([]byte, 12)...)
	b = append(b, []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1, 16: 0x1a, 17: 0xe1}...)
	_, resp, err := ParseUDPResponse(b, actionAnnounce, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Peers) != 1 || resp.Peers[0].String() != "[2001:db8::1]:6881" {
		t.Fatalf("peers %v", resp.Peers)
	}
}
