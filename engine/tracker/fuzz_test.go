package tracker

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func FuzzParseHTTPAnnounce(f *testing.F) {
	f.Add([]byte("d8:intervali1800e5:peers6:\x7f\x00\x00\x01\x1a\xe1e"))
	f.Add([]byte("d14:failure reason6:denied"))
	f.Add([]byte("d5:peersld2:ip9:127.0.0.14:porti6881eeee"))
	f.Add([]byte("d6:peers618:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1a\xe1e"))
	f.Add([]byte("d8:completei-5e10:incompletei99999999999999999999e8:intervali-1ee"))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := ParseHTTPAnnounce(body)
		if err != nil {
			return
		}
		if len(resp.Peers) > MaxPeersPerAnswer {
			t.Fatalf("%d peers accepted", len(resp.Peers))
		}
		for _, p := range resp.Peers {
			if p.Port() == 0 || !p.Addr().IsValid() {
				t.Fatalf("bad peer %v accepted", p)
			}
		}
		if resp.Interval < 0 || resp.MinInterval < 0 {
			t.Fatalf("negative interval %v", resp.Interval)
		}
		ParseHTTPScrape(body)
	})
}

func FuzzParseUDPResponse(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x01\x00\x00\x00\x07\x00\x00\x00\x78\x00\x00\x00\x01\x00\x00\x00\x02\x7f\x00\x00\x01\x1a\xe1"), false)
	f.Add([]byte("\x00\x00\x00\x03\x00\x00\x00\x07no such torrent"), false)
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x07\x01\x02\x03\x04\x05\x06\x07\x08"), true)
	f.Fuzz(func(t *testing.T, b []byte, ipv6 bool) {
		for _, action := range []uint32{actionConnect, actionAnnounce, actionScrape} {
			r, resp, err := ParseUDPResponse(b, action, ipv6)
			if err != nil {
				continue
			}
			if resp != nil && len(resp.Peers) > MaxPeersPerAnswer {
				t.Fatalf("%d peers accepted", len(resp.Peers))
			}
			if action == actionScrape {
				parseUDPScrapeBody(r.Body, make([][20]byte, 3))
			}
		}
	})
}

func FuzzServerUDPRequest(f *testing.F) {
	st := newTrackerState(ServerConfig{})
	s := &Server{state: st}
	from := netip.MustParseAddrPort("127.0.0.1:5000")
	id := st.connectionID(from, st.window())
	f.Add(putConnectRequest(nil, 1))
	f.Add(putAnnounceRequest(nil, id, 2, AnnounceRequest{Port: 1, NumWant: -1, Event: Started}))
	f.Add(putScrapeRequest(nil, id, 3, [][20]byte{{1}, {2}}))
	f.Add([]byte("\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x09\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		// A valid connection id lets the fuzzer reach announce and scrape.
		if len(pkt) >= 8 && pkt[0] == 0xff {
			binary.BigEndian.PutUint64(pkt, id)
		}
		out := s.handleUDP(nil, pkt, from)
		if len(out) > udpMaxPacket*4 {
			t.Fatalf("answer of %d bytes", len(out))
		}
		if len(pkt) >= 16 && len(out) < 8 {
			t.Fatalf("no answer to a %d-byte request", len(pkt))
		}
	})
}

func FuzzServerHTTPQuery(f *testing.F) {
	f.Add("info_hash=%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13&peer_id=-SS0001-000000000000&port=6881&left=0&event=started&numwant=5&compact=1&key=abc")
	f.Add("info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=bbbbbbbbbbbbbbbbbbbb")
	f.Add("info_hash=%zz&port=-1")
	f.Fuzz(func(t *testing.T, q string) {
		if a, err := parseAnnounceQuery(q); err == nil {
			if a.Uploaded < 0 || a.Downloaded < 0 || a.Left < 0 {
				t.Fatalf("negative counter accepted: %+v", a)
			}
		}
		if hashes, err := parseScrapeQuery(q); err == nil && len(hashes) > maxScrapeHashes {
			t.Fatalf("%d hashes accepted", len(hashes))
		}
	})
}
