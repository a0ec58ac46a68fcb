package tracker

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func startServer(t *testing.T, cfg ServerConfig) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func peerRequest(hash byte, port uint16, left int64, ev Event) AnnounceRequest {
	req := AnnounceRequest{Port: port, Left: left, Event: ev, NumWant: 50}
	req.InfoHash[0] = hash
	copy(req.PeerID[:], fmt.Sprintf("-SS0001-%012d", port))
	return req
}

func TestServerAnnounceAndScrapeOverHTTPAndUDP(t *testing.T) {
	s := startServer(t, ServerConfig{Interval: 90 * time.Second})
	if s.Addr().Addr().String() != "127.0.0.1" || s.Addr().Port() == 0 {
		t.Fatalf("Addr %v", s.Addr())
	}
	c := fastUDPClient()
	ctx := context.Background()
	for _, url := range []string{s.HTTPAnnounceURL(), s.UDPAnnounceURL()} {
		hash := byte(len(url)) // a different torrent per protocol
		if _, err := c.Announce(ctx, url, peerRequest(hash, 1001, 0, Started)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Announce(ctx, url, peerRequest(hash, 1002, 100, Started)); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Announce(ctx, url, peerRequest(hash, 1003, 100, Started))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Peers) != 2 || resp.Seeders != 1 || resp.Leechers != 2 || resp.Interval != 90*time.Second {
			t.Fatalf("%s: answer %+v", url, resp)
		}
		for _, p := range resp.Peers {
			if p.Port() == 1003 {
				t.Errorf("%s: the announcing peer got itself back", url)
			}
			if p.Addr().String() != "127.0.0.1" {
				t.Errorf("%s: peer address %v", url, p)
			}
		}
		// The leecher completes: counted once even if it says so twice.
		for range 2 {
			if _, err := c.Announce(ctx, url, peerRequest(hash, 1002, 0, Completed)); err != nil {
				t.Fatal(err)
			}
		}
		// And one leaves.
		if _, err := c.Announce(ctx, url, peerRequest(hash, 1003, 100, Stopped)); err != nil {
			t.Fatal(err)
		}
		var h [20]byte
		h[0] = hash
		stats, err := c.Scrape(ctx, url, [][20]byte{h, {0xee}})
		if err != nil {
			t.Fatal(err)
		}
		if got := stats[h]; got != (ScrapeStats{Seeders: 2, Leechers: 0, Downloaded: 1}) {
			t.Errorf("%s: scrape %+v, want 2 seeders, 0 leechers, 1 completed", url, got)
		}
	}
}

func TestServerHTTPNonCompactAndPeers6(t *testing.T) {
	s := startServer(t, ServerConfig{})
	h := s.httpHandler()
	announce := func(remote, query string) *AnnounceResponse {
		t.Helper()
		r := httptest.NewRequest("GET", "/announce?"+query, nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		resp, err := ParseHTTPAnnounce(w.Body.Bytes())
		if err != nil {
			t.Fatalf("%s: %v (body %q)", query, err, w.Body.String())
		}
		return resp
	}
	hash := escapeBytes(make([]byte, 20))
	announce("[2001:db8::5]:40000", "info_hash="+hash+"&peer_id=AAAAAAAAAAAAAAAAAAAA&port=7000&left=0")
	announce("10.0.0.5:40000", "info_hash="+hash+"&peer_id=BBBBBBBBBBBBBBBBBBBB&port=7001&left=0")
	resp := announce("10.0.0.6:1", "info_hash="+hash+"&peer_id=CCCCCCCCCCCCCCCCCCCC&port=7002&left=5")
	want := map[string]bool{"[2001:db8::5]:7000": true, "10.0.0.5:7001": true}
	if len(resp.Peers) != 2 || !want[resp.Peers[0].String()] || !want[resp.Peers[1].String()] {
		t.Errorf("compact answer peers %v, want %v", resp.Peers, want)
	}

	r := httptest.NewRequest("GET", "/announce?info_hash="+hash+"&peer_id=DDDDDDDDDDDDDDDDDDDD&port=7003&compact=0", nil)
	r.RemoteAddr = "10.0.0.7:1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	for _, s := range []string{"7:peer id20:AAAAAAAAAAAAAAAAAAAA", "2:ip11:2001:db8::5", "2:ip8:10.0.0.5"} {
		if !strings.Contains(body, s) {
			t.Errorf("non-compact answer %q lacks %q", body, s)
		}
	}
	resp, err := ParseHTTPAnnounce(w.Body.Bytes())
	if err != nil || len(resp.Peers) != 3 {
		t.Errorf("non-compact answer: %v, %v", resp, err)
	}
}

func TestServerRefusesBadAnnounces(t *testing.T) {
	allowed := [20]byte{1}
	s := startServer(t, ServerConfig{Whitelist: [][20]byte{allowed}, MaxPeersPerIP: 2})
	c := fastUDPClient()
	ctx := context.Background()
	for _, url := range []string{s.HTTPAnnounceURL(), s.UDPAnnounceURL()} {
		if _, err := c.Announce(ctx, url, peerRequest(2, 1000, 0, Started)); err == nil || !strings.Contains(err.Error(), "not registered") {
			t.Errorf("%s: unlisted torrent: %v", url, err)
		}
		if _, err := c.Announce(ctx, url, peerRequest(1, 0, 0, Started)); err == nil || !strings.Contains(err.Error(), "port 0") {
			t.Errorf("%s: port 0: %v", url, err)
		}
	}
	for port := uint16(1); port <= 3; port++ {
		_, err := c.Announce(ctx, s.HTTPAnnounceURL(), peerRequest(1, port, 0, Started))
		if port <= 2 && err != nil {
			t.Fatal(err)
		}
		if port == 3 && (err == nil || !strings.Contains(err.Error(), "too many announces from your address")) {
			t.Errorf("third peer from one IP: %v", err)
		}
	}
	for _, q := range []string{"", "info_hash=abc", "info_hash=%zz", "info_hash=" + escapeBytes(allowed[:]) + "&peer_id=12345678901234567890&port=x"} {
		resp, err := http.Get(s.HTTPAnnounceURL()[:len(s.HTTPAnnounceURL())] + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(body), "d14:failure reason") {
			t.Errorf("query %q: answer %q, want a failure reason", q, body)
		}
	}
}

func TestServerUDPRejectsForgedConnectionID(t *testing.T) {
	s := startServer(t, ServerConfig{})
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(putAnnounceRequest(nil, 12345, 77, peerRequest(1, 1000, 0, Started)))
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ParseUDPResponse(buf[:n], actionAnnounce, false)
	if err == nil || !strings.Contains(err.Error(), "connection id invalid") || binary.BigEndian.Uint32(buf[4:]) != 77 {
		t.Fatalf("answer to a forged id: %v", err)
	}
}

func TestServerConnectionIDExpires(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_000_000, 0)}
	st := newTrackerState(ServerConfig{Now: clock.Now})
	from := netip.MustParseAddrPort("127.0.0.1:5000")
	id := st.connectionID(from, st.window())
	clock.Advance(61 * time.Second)
	if !st.validConnectionID(from, id) {
		t.Error("id refused 61 s after issue; BEP 15 servers accept ids for 2 minutes")
	}
	if st.validConnectionID(netip.MustParseAddrPort("127.0.0.2:5000"), id) {
		t.Error("id accepted from another address")
	}
	clock.Advance(2 * time.Minute)
	if st.validConnectionID(from, id) {
		t.Error("id accepted 3 minutes after issue")
	}
}

func TestServerNumWantCapAndRandomSubset(t *testing.T) {
	st := newTrackerState(ServerConfig{MaxPeersPerIP: 1000})
	from := netip.MustParseAddr("127.0.0.1")
	for port := range uint16(300) {
		if _, err := st.announce(from, peerRequest(1, port+1, 1, Started), familyAny); err != nil {
			t.Fatal(err)
		}
	}
	req := peerRequest(1, 1, 1, None)
	req.NumWant = 1000
	ans, _ := st.announce(from, req, familyAny)
	if len(ans.Peers) != 200 {
		t.Errorf("numwant 1000 gave %d peers, want the cap 200", len(ans.Peers))
	}
	req.NumWant = -1
	ans, _ = st.announce(from, req, familyAny)
	if len(ans.Peers) != 50 {
		t.Errorf("no numwant gave %d peers, want the default 50", len(ans.Peers))
	}
	// Random subsets: 20 draws of 10 from 299 cover far more than 10 peers,
	// and no draw contains a duplicate or the announcer.
	req.NumWant = 10
	seen := map[netip.AddrPort]bool{}
	for range 20 {
		ans, _ := st.announce(from, req, familyAny)
		draw := map[netip.AddrPort]bool{}
		for _, p := range ans.Peers {
			if draw[p.addr] || p.addr.Port() == 1 {
				t.Fatalf("draw %v has a duplicate or self", ans.Peers)
			}
			draw[p.addr] = true
			seen[p.addr] = true
		}
	}
	if len(seen) < 100 {
		t.Errorf("20 draws of 10 covered only %d distinct peers; not random", len(seen))
	}
}

func TestServerExpiresSilentPeers(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_000_000, 0)}
	st := newTrackerState(ServerConfig{Interval: time.Minute, Now: clock.Now})
	from := netip.MustParseAddr("127.0.0.1")
	st.announce(from, peerRequest(1, 1, 0, Started), familyAny)
	st.announce(from, peerRequest(1, 2, 5, Started), familyAny)
	clock.Advance(90 * time.Second)
	st.announce(from, peerRequest(1, 2, 5, None), familyAny) // peer 2 keeps announcing
	if n := st.expire(); n != 0 {
		t.Fatalf("expired %d peers after 90 s, want none (timeout is 2 min)", n)
	}
	clock.Advance(60 * time.Second)
	if n := st.expire(); n != 1 {
		t.Fatalf("expired %d peers, want the silent one", n)
	}
	got := st.scrape([][20]byte{{1}})[0]
	if got.Seeders != 0 || got.Leechers != 1 {
		t.Errorf("after expiry: %+v", got)
	}
	if len(st.perIP) != 1 || st.perIP[from] != 1 {
		t.Errorf("per-IP count %v, want 1", st.perIP)
	}
	clock.Advance(5 * time.Minute)
	st.expire()
	if len(st.torrents) != 0 || len(st.perIP) != 0 {
		t.Errorf("empty swarm kept: %d torrents, perIP %v", len(st.torrents), st.perIP)
	}
}

func TestServerStatusPage(t *testing.T) {
	s := startServer(t, ServerConfig{})
	if _, err := Announce(context.Background(), s.HTTPAnnounceURL(), peerRequest(0xab, 1, 0, Completed)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{`<meta http-equiv="refresh"`, "ab00000000000000000000000000000000000000", "1 torrents, 1 seeders, 0 leechers, 1 completed", "text/html"} {
		if !strings.Contains(page+resp.Header.Get("Content-Type"), want) {
			t.Errorf("status page lacks %q:\n%s", want, page)
		}
	}
	var sb strings.Builder
	statusPage.Execute(&sb, statusData{HTTPURL: `<script>alert(1)</script>`, Rows: []statusRow{{Hash: `"><b>x`}}})
	if strings.Contains(sb.String(), "<script>alert") || strings.Contains(sb.String(), `"><b>`) {
		t.Errorf("status page does not escape: %s", sb.String())
	}
	if resp, err := http.Get("http://" + s.Addr().String() + "/nothing"); err != nil || resp.StatusCode != 404 {
		t.Errorf("unknown path: %v %v", resp.Status, err)
	}
}
