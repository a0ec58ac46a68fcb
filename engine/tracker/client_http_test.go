package tracker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anacrolix/torrent/bencode"
)

// newLoopbackHTTP starts an httptest server on 127.0.0.1 (httptest's default).
func newLoopbackHTTP(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func testRequest() AnnounceRequest {
	var req AnnounceRequest
	copy(req.InfoHash[:], "\x00\x01 &?=+%\xff\x80abcdefghijkl")
	copy(req.PeerID[:], "-SS0001-\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b")
	req.Port = 6881
	req.Uploaded, req.Downloaded, req.Left = 1, 2, 3
	req.Event = Started
	req.NumWant = 50
	req.Key = 0xdeadbeef
	req.TrackerID = "tid 1"
	return req
}

func bencodeBytes(t testing.TB, v any) []byte {
	t.Helper()
	b, err := bencode.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHTTPAnnounceQueryKeepsExistingQueryAndEncodesBytes(t *testing.T) {
	var got url.Values
	var rawQuery, agent string
	srv := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		rawQuery = r.URL.RawQuery
		got = r.URL.Query()
		agent = r.UserAgent()
		w.Write(bencodeBytes(t, map[string]any{"interval": 900, "peers": ""}))
	})
	req := testRequest()
	if _, err := Announce(context.Background(), srv.URL+"/announce?passkey=abc", req); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"passkey": "abc", "info_hash": string(req.InfoHash[:]), "peer_id": string(req.PeerID[:]),
		"port": "6881", "uploaded": "1", "downloaded": "2", "left": "3", "compact": "1",
		"no_peer_id": "1", "event": "started", "numwant": "50", "key": "deadbeef", "trackerid": "tid 1",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("query %s = %q, want %q (raw query %s)", k, got.Get(k), v, rawQuery)
		}
	}
	if strings.Contains(rawQuery, "+") {
		t.Errorf("raw query uses '+' escapes some trackers misread: %s", rawQuery)
	}
	if agent != UserAgent {
		t.Errorf("User-Agent %q, want %q", agent, UserAgent)
	}
}

func TestParseHTTPAnnounceCompactDictAndPeers6(t *testing.T) {
	compact := []byte{10, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 0} // second has port 0
	peers6 := append(netip.MustParseAddr("2001:db8::1").AsSlice(), 0x1a, 0xe2)
	body := bencodeBytes(t, map[string]any{
		"interval": 1800, "min interval": 60, "complete": 3, "incomplete": 4,
		"tracker id": "xyz", "warning message": "be nice",
		"peers": string(compact), "peers6": string(peers6),
	})
	resp, err := ParseHTTPAnnounce(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.AddrPort{netip.MustParseAddrPort("10.0.0.1:6881"), netip.MustParseAddrPort("[2001:db8::1]:6882")}
	if fmt.Sprint(resp.Peers) != fmt.Sprint(want) {
		t.Errorf("peers %v, want %v", resp.Peers, want)
	}
	if resp.Interval != 30*time.Minute || resp.MinInterval != time.Minute || resp.Seeders != 3 || resp.Leechers != 4 ||
		resp.TrackerID != "xyz" || resp.Warning != "be nice" {
		t.Errorf("response %+v", resp)
	}

	dict := bencodeBytes(t, map[string]any{
		"interval": 10,
		"peers": []map[string]any{
			{"ip": "192.168.1.5", "port": 51413, "peer id": "01234567890123456789"},
			{"ip": "::1", "port": 7000},
			{"ip": "tracker.example.org", "port": 1}, // host names are not resolved
			{"ip": "1.2.3.4", "port": 0},
			{"ip": "1.2.3.4", "port": 70000},
		},
	})
	resp, err = ParseHTTPAnnounce(dict)
	if err != nil {
		t.Fatal(err)
	}
	want = []netip.AddrPort{netip.MustParseAddrPort("192.168.1.5:51413"), netip.MustParseAddrPort("[::1]:7000")}
	if fmt.Sprint(resp.Peers) != fmt.Sprint(want) {
		t.Errorf("dict peers %v, want %v", resp.Peers, want)
	}
	if resp.Seeders != -1 || resp.Leechers != -1 {
		t.Errorf("absent counts should be -1, got %d/%d", resp.Seeders, resp.Leechers)
	}
}

func TestParseHTTPAnnounceRejectsGarbage(t *testing.T) {
	for name, body := range map[string]string{
		"html":             "<html>502 Bad Gateway</html>",
		"empty":            "",
		"truncated":        "d8:intervali1800e5:peers",
		"not a dict":       "i42e",
		"odd compact":      "d5:peers5:abcdee",
		"peers wrong type": "d5:peersi3ee",
		"deep":             strings.Repeat("d1:a", 100) + strings.Repeat("e", 100),
	} {
		if _, err := ParseHTTPAnnounce([]byte(body)); err == nil {
			t.Errorf("%s: no error for %q", name, body)
		}
	}
}

func TestHTTPAnnounceHostileTrackers(t *testing.T) {
	fast := NewClient()
	fast.HTTP = NewHTTPClient(http.DefaultTransport, 500*time.Millisecond)
	manyPeers := bytes.Repeat([]byte{127, 0, 0, 1, 0x1a, 0xe1}, 5000)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string // "" means success expected
		check   func(*AnnounceResponse) error
	}{
		{"garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello, I am not bencode")) }, "not a bencoded dictionary", nil},
		{"oversized", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("d5:peers"))
			w.Write(bytes.Repeat([]byte("x"), MaxHTTPBody+10))
		}, "larger than", nil},
		{"endless slow body", func(w http.ResponseWriter, r *http.Request) {
			for r.Context().Err() == nil {
				w.Write([]byte("d"))
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
		}, "deadline exceeded", nil},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.String(), http.StatusFound)
		}, "redirect loop", nil},
		{"endless redirects", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x?"+r.URL.RawQuery, http.StatusFound)
		}, "more than 5 redirects", nil},
		{"failure reason", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bencodeBytes(t, map[string]any{"failure reason": "unregistered torrent"}))
		}, "tracker said: unregistered torrent", nil},
		{"error status page", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "nope", http.StatusServiceUnavailable)
		}, "HTTP status 503", nil},
		{"5000 peers capped", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bencodeBytes(t, map[string]any{"interval": 60, "peers": string(manyPeers)}))
		}, "", func(resp *AnnounceResponse) error {
			if len(resp.Peers) != MaxPeersPerAnswer {
				return fmt.Errorf("got %d peers, want the cap %d", len(resp.Peers), MaxPeersPerAnswer)
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newLoopbackHTTP(t, tc.handler)
			announceURL := srv.URL + "/announce"
			start := time.Now()
			resp, err := fast.Announce(context.Background(), announceURL, testRequest())
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.check(resp); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "tracker: "+announceURL+": announce: ") {
				t.Fatalf("error %q, want prefix %q and %q", err, "tracker: "+announceURL+": announce: ", tc.wantErr)
			}
			if tc.name == "failure reason" {
				var fe *FailureError
				if !errors.As(err, &fe) {
					t.Fatalf("error %v is not a *FailureError", err)
				}
			}
		})
	}
}

func TestHTTPScrape(t *testing.T) {
	h1, h2 := [20]byte{1}, [20]byte{2}
	var gotPath string
	var gotHashes []string
	srv := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotHashes = r.URL.Query()["info_hash"]
		w.Write(bencodeBytes(t, map[string]any{"files": map[string]any{
			string(h1[:]): map[string]any{"complete": 5, "incomplete": 6, "downloaded": 7},
		}}))
	})
	stats, err := Scrape(context.Background(), srv.URL+"/x/announce.php?k=1", [][20]byte{h1, h2})
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/x/scrape.php" || len(gotHashes) != 2 || gotHashes[1] != string(h2[:]) {
		t.Errorf("scrape request path %q hashes %q", gotPath, gotHashes)
	}
	if stats[h1] != (ScrapeStats{Seeders: 5, Leechers: 6, Downloaded: 7}) || len(stats) != 1 {
		t.Errorf("stats %v", stats)
	}
	if _, err := Scrape(context.Background(), srv.URL+"/tracker", [][20]byte{h1}); err == nil || !strings.Contains(err.Error(), "no scrape URL") {
		t.Errorf("scrape of a non-/announce URL: %v", err)
	}
}
