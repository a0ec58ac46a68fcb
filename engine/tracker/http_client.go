package tracker

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/anacrolix/torrent/bencode"
)

func (c *Client) httpAnnounce(ctx context.Context, u *url.URL, req AnnounceRequest) (*AnnounceResponse, error) {
	target := *u
	target.RawQuery = joinQuery(u.RawQuery, announceQuery(req))
	body, status, err := c.httpGet(ctx, &target)
	if err != nil {
		return nil, err
	}
	resp, err := ParseHTTPAnnounce(body)
	if err != nil {
		if status != http.StatusOK {
			// A proxy or web server error page, not a tracker answer.
			return nil, fmt.Errorf("HTTP status %d %s", status, http.StatusText(status))
		}
		return nil, err
	}
	return resp, nil
}

func (c *Client) httpScrape(ctx context.Context, u *url.URL, infoHashes [][20]byte) (map[[20]byte]ScrapeStats, error) {
	target, err := ScrapeURL(u)
	if err != nil {
		return nil, err
	}
	var q strings.Builder
	for i, h := range infoHashes {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString("info_hash=")
		q.WriteString(escapeBytes(h[:]))
	}
	target.RawQuery = joinQuery(target.RawQuery, q.String())
	body, status, err := c.httpGet(ctx, target)
	if err != nil {
		return nil, err
	}
	stats, err := ParseHTTPScrape(body)
	if err != nil {
		if status != http.StatusOK {
			return nil, fmt.Errorf("HTTP status %d %s", status, http.StatusText(status))
		}
		return nil, err
	}
	return stats, nil
}

// httpGet fetches u and returns at most MaxHTTPBody bytes of its body.
func (c *Client) httpGet(ctx context.Context, u *url.URL) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", UserAgent)
	// Some trackers gzip by default; net/http undoes that transparently.
	resp, err := c.HTTP.Do(req)
	if err != nil {
		var re *redirectError
		if errors.As(err, &re) {
			return nil, 0, re
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the whole URL with our query; keep the cause.
			return nil, 0, ue.Err
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("reading answer: %w", err)
	}
	if len(body) > MaxHTTPBody {
		return nil, resp.StatusCode, fmt.Errorf("answer larger than %d bytes", MaxHTTPBody)
	}
	return body, resp.StatusCode, nil
}

// announceQuery builds the BEP 3 query parameters. Binary fields are
// percent-encoded byte by byte, as trackers expect.
func announceQuery(req AnnounceRequest) string {
	var b strings.Builder
	b.WriteString("info_hash=")
	b.WriteString(escapeBytes(req.InfoHash[:]))
	b.WriteString("&peer_id=")
	b.WriteString(escapeBytes(req.PeerID[:]))
	b.WriteString("&port=")
	b.WriteString(strconv.Itoa(int(req.Port)))
	b.WriteString("&uploaded=")
	b.WriteString(strconv.FormatInt(max(req.Uploaded, 0), 10))
	b.WriteString("&downloaded=")
	b.WriteString(strconv.FormatInt(max(req.Downloaded, 0), 10))
	b.WriteString("&left=")
	b.WriteString(strconv.FormatInt(max(req.Left, 0), 10))
	b.WriteString("&compact=1&no_peer_id=1")
	if ev := req.Event.String(); ev != "" {
		b.WriteString("&event=")
		b.WriteString(ev)
	}
	if req.NumWant >= 0 {
		b.WriteString("&numwant=")
		b.WriteString(strconv.Itoa(req.NumWant))
	}
	fmt.Fprintf(&b, "&key=%08x", req.Key)
	if req.TrackerID != "" {
		b.WriteString("&trackerid=")
		b.WriteString(escapeBytes([]byte(req.TrackerID)))
	}
	return b.String()
}

// joinQuery appends our parameters to a query already in the announce URL
// (private trackers put passkeys there).
func joinQuery(existing, ours string) string {
	existing = strings.TrimRight(existing, "&")
	if existing == "" {
		return ours
	}
	return existing + "&" + ours
}

// escapeBytes percent-encodes every byte except RFC 3986 unreserved ones.
func escapeBytes(b []byte) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(b) * 3)
	for _, c := range b {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	return sb.String()
}

// ScrapeURL turns an announce URL into its scrape URL by the usual
// convention: the last path element must start with "announce", which is
// replaced by "scrape" (…/announce.php → …/scrape.php). Other URLs have no
// scrape URL, and the error says so.
func ScrapeURL(announce *url.URL) (*url.URL, error) {
	slash := strings.LastIndexByte(announce.Path, '/')
	last := announce.Path[slash+1:]
	if !strings.HasPrefix(last, "announce") {
		return nil, fmt.Errorf("no scrape URL: the announce path %q does not end in /announce", announce.Path)
	}
	u := *announce
	u.Path = announce.Path[:slash+1] + "scrape" + strings.TrimPrefix(last, "announce")
	u.RawPath = ""
	return &u, nil
}

// httpAnnounceBody is the dictionary an HTTP tracker answers with. The peer
// lists are kept raw because they come as a string (compact) or a list.
type httpAnnounceBody struct {
	FailureReason string        `bencode:"failure reason"`
	Warning       string        `bencode:"warning message"`
	Interval      int64         `bencode:"interval"`
	MinInterval   int64         `bencode:"min interval"`
	TrackerID     string        `bencode:"tracker id"`
	Complete      *int64        `bencode:"complete"`
	Incomplete    *int64        `bencode:"incomplete"`
	Peers         bencode.Bytes `bencode:"peers"`
	Peers6        bencode.Bytes `bencode:"peers6"`
}

type httpDictPeer struct {
	IP   string `bencode:"ip"`
	Port int64  `bencode:"port"`
}

// ParseHTTPAnnounce decodes an HTTP tracker's announce answer. A "failure
// reason" is returned as a *FailureError.
func ParseHTTPAnnounce(body []byte) (*AnnounceResponse, error) {
	var raw httpAnnounceBody
	if err := decodeBencode(body, &raw); err != nil {
		return nil, err
	}
	if raw.FailureReason != "" {
		return nil, &FailureError{Reason: limitText(raw.FailureReason)}
	}
	resp := &AnnounceResponse{
		Interval:    clampSeconds(raw.Interval),
		MinInterval: clampSeconds(raw.MinInterval),
		Seeders:     clampCount(raw.Complete),
		Leechers:    clampCount(raw.Incomplete),
		TrackerID:   limitText(raw.TrackerID),
		Warning:     limitText(raw.Warning),
	}
	var err error
	if resp.Peers, err = appendHTTPPeers(resp.Peers, raw.Peers, 6); err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	if resp.Peers, err = appendHTTPPeers(resp.Peers, raw.Peers6, 18); err != nil {
		return nil, fmt.Errorf("peers6: %w", err)
	}
	return resp, nil
}

// appendHTTPPeers decodes a "peers" or "peers6" value: a compact string of
// entrySize-byte entries, or a list of {ip, port} dictionaries.
func appendHTTPPeers(peers []netip.AddrPort, raw bencode.Bytes, entrySize int) ([]netip.AddrPort, error) {
	if len(raw) == 0 {
		return peers, nil
	}
	switch {
	case raw[0] >= '0' && raw[0] <= '9':
		var compact []byte
		if err := bencode.Unmarshal(raw, &compact); err != nil {
			return peers, fmt.Errorf("bad compact peer string: %w", err)
		}
		return appendCompactPeers(peers, compact, entrySize)
	case raw[0] == 'l':
		var list []httpDictPeer
		if err := bencode.Unmarshal(raw, &list); err != nil {
			return peers, fmt.Errorf("bad peer list: %w", err)
		}
		for _, p := range list {
			if len(peers) >= MaxPeersPerAnswer {
				break
			}
			// Host names are allowed by BEP 3 but we do not resolve what a
			// tracker hands us; such entries are skipped.
			addr, err := netip.ParseAddr(p.IP)
			if err != nil || p.Port <= 0 || p.Port > 65535 {
				continue
			}
			peers = append(peers, netip.AddrPortFrom(addr.Unmap(), uint16(p.Port)))
		}
		return peers, nil
	}
	return peers, errors.New("neither a compact string nor a list")
}

// appendCompactPeers decodes BEP 23 / BEP 7 compact entries: 4 or 16 address
// bytes then a big-endian port. Port 0 entries and entries beyond
// MaxPeersPerAnswer are dropped.
func appendCompactPeers(peers []netip.AddrPort, b []byte, entrySize int) ([]netip.AddrPort, error) {
	if len(b)%entrySize != 0 {
		return peers, fmt.Errorf("compact peer list of %d bytes is not a multiple of %d", len(b), entrySize)
	}
	for ; len(b) > 0 && len(peers) < MaxPeersPerAnswer; b = b[entrySize:] {
		var addr netip.Addr
		if entrySize == 6 {
			addr = netip.AddrFrom4([4]byte(b[:4]))
		} else {
			addr = netip.AddrFrom16([16]byte(b[:16])).Unmap()
		}
		port := binary.BigEndian.Uint16(b[entrySize-2:])
		if port == 0 {
			continue
		}
		peers = append(peers, netip.AddrPortFrom(addr, port))
	}
	return peers, nil
}

type httpScrapeBody struct {
	FailureReason string                    `bencode:"failure reason"`
	Files         map[string]httpScrapeFile `bencode:"files"`
}

type httpScrapeFile struct {
	Complete   int64 `bencode:"complete"`
	Incomplete int64 `bencode:"incomplete"`
	Downloaded int64 `bencode:"downloaded"`
}

// ParseHTTPScrape decodes an HTTP tracker's scrape answer.
func ParseHTTPScrape(body []byte) (map[[20]byte]ScrapeStats, error) {
	var raw httpScrapeBody
	if err := decodeBencode(body, &raw); err != nil {
		return nil, err
	}
	if raw.FailureReason != "" {
		return nil, &FailureError{Reason: limitText(raw.FailureReason)}
	}
	stats := make(map[[20]byte]ScrapeStats, len(raw.Files))
	for hash, f := range raw.Files {
		if len(hash) != 20 {
			continue
		}
		stats[[20]byte([]byte(hash))] = ScrapeStats{
			Seeders:    clampCount(&f.Complete),
			Leechers:   clampCount(&f.Incomplete),
			Downloaded: clampCount(&f.Downloaded),
		}
	}
	return stats, nil
}

// decodeBencode decodes one bencoded dictionary, and says "not bencode"
// rather than leaking decoder internals when the body is an HTML page.
func decodeBencode(body []byte, v any) (err error) {
	if len(body) == 0 {
		return errors.New("empty answer")
	}
	if body[0] != 'd' {
		return fmt.Errorf("answer is not a bencoded dictionary (starts %q)", limitText(string(body[:min(len(body), 16)])))
	}
	dec := bencode.NewDecoder(strings.NewReader(string(body)))
	dec.MaxStrLen = MaxHTTPBody
	dec.MaxDepth = 8
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad bencode: %w", err)
	}
	return nil
}

// clampCount turns an optional tracker count into an int: -1 when absent,
// and never negative or absurd otherwise.
func clampCount(v *int64) int {
	if v == nil {
		return -1
	}
	return int(min(max(*v, 0), 1<<31-1))
}

// limitText shortens tracker-supplied text shown to users and makes it
// printable.
func limitText(s string) string {
	const maxLen = 512
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s), "?")
}
