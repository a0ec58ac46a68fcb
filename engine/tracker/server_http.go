package tracker

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"

	"github.com/anacrolix/torrent/bencode"
)

// maxScrapeHashes caps the info hashes one HTTP scrape may ask about.
const maxScrapeHashes = 100

func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /announce", s.serveAnnounce)
	mux.HandleFunc("GET /scrape", s.serveScrape)
	mux.HandleFunc("GET /{$}", s.serveStatus)
	return mux
}

// httpAnnounceQuery is an announce as a tracker parses it from the URL.
type httpAnnounceQuery struct {
	AnnounceRequest
	Compact  bool
	NoPeerID bool
}

// parseAnnounceQuery decodes the BEP 3 query string of an announce.
func parseAnnounceQuery(rawQuery string) (httpAnnounceQuery, error) {
	var q httpAnnounceQuery
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		return q, fmt.Errorf("bad query string: %w", err)
	}
	hash, id := v.Get("info_hash"), v.Get("peer_id")
	if len(hash) != 20 {
		return q, fmt.Errorf("info_hash is %d bytes, want 20", len(hash))
	}
	if len(id) != 20 {
		return q, fmt.Errorf("peer_id is %d bytes, want 20", len(id))
	}
	copy(q.InfoHash[:], hash)
	copy(q.PeerID[:], id)
	port, err := strconv.ParseUint(v.Get("port"), 10, 16)
	if err != nil {
		return q, errors.New("port is missing or not a number 0-65535")
	}
	q.Port = uint16(port)
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"uploaded", &q.Uploaded}, {"downloaded", &q.Downloaded}, {"left", &q.Left}} {
		s := v.Get(f.name)
		if s == "" {
			continue // lenient: some clients omit counters they do not track
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return q, fmt.Errorf("%s is not a byte count", f.name)
		}
		*f.dst = n
	}
	if _, ok := v["left"]; !ok {
		q.Left = 1 // unknown: count as a leecher, not a seeder
	}
	switch v.Get("event") {
	case "", "empty":
		q.Event = None
	case "started":
		q.Event = Started
	case "completed":
		q.Event = Completed
	case "stopped":
		q.Event = Stopped
	default:
		return q, errors.New("event is not started, completed, stopped or empty")
	}
	q.NumWant = -1
	if s := v.Get("numwant"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, errors.New("numwant is not a number")
		}
		q.NumWant = n
	}
	if s := v.Get("key"); s != "" {
		if k, err := strconv.ParseUint(s, 16, 32); err == nil {
			q.Key = uint32(k)
		}
	}
	q.TrackerID = v.Get("trackerid")
	q.Compact = v.Get("compact") != "0"
	q.NoPeerID = v.Get("no_peer_id") == "1"
	return q, nil
}

// parseScrapeQuery returns the info hashes of a scrape query.
func parseScrapeQuery(rawQuery string) ([][20]byte, error) {
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("bad query string: %w", err)
	}
	raw := v["info_hash"]
	if len(raw) == 0 {
		return nil, errors.New("no info_hash given (full scrapes are not served)")
	}
	if len(raw) > maxScrapeHashes {
		return nil, fmt.Errorf("more than %d info_hash values", maxScrapeHashes)
	}
	hashes := make([][20]byte, len(raw))
	for i, h := range raw {
		if len(h) != 20 {
			return nil, fmt.Errorf("info_hash is %d bytes, want 20", len(h))
		}
		hashes[i] = [20]byte([]byte(h))
	}
	return hashes, nil
}

type httpAnnounceAnswer struct {
	Interval    int64  `bencode:"interval"`
	MinInterval int64  `bencode:"min interval"`
	Complete    int64  `bencode:"complete"`
	Incomplete  int64  `bencode:"incomplete"`
	Peers       any    `bencode:"peers"`
	Peers6      []byte `bencode:"peers6,omitempty"`
}

type httpAnswerPeer struct {
	IP     string `bencode:"ip"`
	PeerID []byte `bencode:"peer id,omitempty"`
	Port   uint16 `bencode:"port"`
}

func (s *Server) serveAnnounce(w http.ResponseWriter, r *http.Request) {
	from, ok := remoteAddr(r)
	if !ok {
		writeHTTPFailure(w, "cannot tell your address")
		return
	}
	q, err := parseAnnounceQuery(r.URL.RawQuery)
	if err != nil {
		writeHTTPFailure(w, err.Error())
		return
	}
	ans, err := s.state.announce(from, q.AnnounceRequest, familyAny)
	if err != nil {
		s.state.cfg.Log.Debug("tracker: refused HTTP announce", "from", from, "err", err)
		writeHTTPFailure(w, err.Error())
		return
	}
	out := httpAnnounceAnswer{
		Interval:    int64(ans.Interval.Seconds()),
		MinInterval: int64(ans.MinInterval.Seconds()),
		Complete:    int64(ans.Seeders),
		Incomplete:  int64(ans.Leechers),
	}
	if q.Compact {
		var v4, v6 []byte
		for _, p := range ans.Peers {
			if p.addr.Addr().Is4() {
				v4 = appendCompactAddr(v4, p.addr, false)
			} else {
				v6 = appendCompactAddr(v6, p.addr, true)
			}
		}
		out.Peers, out.Peers6 = string(v4), v6
	} else {
		list := make([]httpAnswerPeer, 0, len(ans.Peers))
		for _, p := range ans.Peers {
			e := httpAnswerPeer{IP: p.addr.Addr().String(), Port: p.addr.Port()}
			if !q.NoPeerID {
				e.PeerID = p.id[:]
			}
			list = append(list, e)
		}
		out.Peers = list
	}
	writeBencode(w, out)
}

type httpScrapeAnswer struct {
	Files map[string]httpScrapeFile `bencode:"files"`
}

func (s *Server) serveScrape(w http.ResponseWriter, r *http.Request) {
	hashes, err := parseScrapeQuery(r.URL.RawQuery)
	if err != nil {
		writeHTTPFailure(w, err.Error())
		return
	}
	out := httpScrapeAnswer{Files: make(map[string]httpScrapeFile, len(hashes))}
	for _, t := range s.state.scrape(hashes) {
		out.Files[string(t.InfoHash[:])] = httpScrapeFile{
			Complete: int64(t.Seeders), Incomplete: int64(t.Leechers), Downloaded: int64(t.Downloaded),
		}
	}
	writeBencode(w, out)
}

func remoteAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap(), true
}

// writeHTTPFailure answers with a BEP 3 "failure reason". The status stays
// 200 because many clients only read the body of a 200 answer.
func writeHTTPFailure(w http.ResponseWriter, reason string) {
	writeBencode(w, map[string]string{"failure reason": reason})
}

func writeBencode(w http.ResponseWriter, v any) {
	b, err := bencode.Marshal(v)
	if err != nil {
		http.Error(w, "tracker: encoding answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
