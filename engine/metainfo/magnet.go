package metainfo

import (
	"cmp"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxMagnetLength bounds the magnet links ParseMagnet reads; real ones with
// dozens of trackers stay well under this.
const maxMagnetLength = 64 << 10

// Magnet is what a magnet link (BEP 9) says about a torrent: enough to find
// peers and fetch the info dictionary from them.
type Magnet struct {
	InfoHash    Hash
	DisplayName string   // dn
	Trackers    []string // tr
	Peers       []string // x.pe: "host:port" of peers to try directly
	WebSeeds    []string // ws
}

// Magnet is the magnet link for m: its info hash, name, every tracker (tier
// by tier) and its web seeds.
func (m *MetaInfo) Magnet() Magnet {
	mg := Magnet{InfoHash: m.InfoHash, WebSeeds: append([]string(nil), m.WebSeeds...)}
	if m.Info != nil {
		mg.DisplayName = m.Info.Name
	}
	for _, tier := range m.AnnounceList {
		mg.Trackers = append(mg.Trackers, tier...)
	}
	return mg
}

// ParseMagnet reads a "magnet:?xt=urn:btih:…" link. The info hash may be 40
// hex digits or 32 base32 characters. Trackers may be given as tr or tr.N.
func ParseMagnet(s string) (*Magnet, error) {
	if len(s) > maxMagnetLength {
		return nil, fmt.Errorf("metainfo: magnet link is %d bytes, more than the %d allowed", len(s), maxMagnetLength)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "magnet") {
		return nil, fmt.Errorf("metainfo: %q is not a magnet link (want magnet:?xt=urn:btih:…)", shorten(s))
	}
	rest = strings.TrimPrefix(rest, "?")
	q, err := url.ParseQuery(rest)
	if err != nil {
		return nil, fmt.Errorf("metainfo: magnet link: bad query: %w", err)
	}
	m := &Magnet{}
	found, sawV2 := false, false
	for _, xt := range q["xt"] {
		lower := strings.ToLower(xt)
		switch {
		case strings.HasPrefix(lower, "urn:btih:"):
			if found {
				continue
			}
			if m.InfoHash, err = parseBTIH(xt[len("urn:btih:"):]); err != nil {
				return nil, err
			}
			found = true
		case strings.HasPrefix(lower, "urn:btmh:"):
			sawV2 = true
		}
	}
	if !found {
		if sawV2 {
			return nil, errors.New("metainfo: magnet link has only a v2 (urn:btmh) hash; v2-only torrents (BEP 52) are not supported yet")
		}
		return nil, errors.New("metainfo: magnet link has no xt=urn:btih: info hash")
	}
	m.DisplayName = q.Get("dn")
	m.Trackers = collect(q, "tr")
	m.Peers = collect(q, "x.pe")
	m.WebSeeds = collect(q, "ws")
	return m, nil
}

// collect returns the non-empty values of key, then of key.1, key.2, … (the
// numbered form some clients write), without duplicates.
func collect(q url.Values, key string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(vs []string) {
		for _, v := range vs {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	add(q[key])
	// Numbered keys, in numeric order; only the ones actually present.
	type numberedKey struct {
		n   int
		key string
	}
	var numbered []numberedKey
	for k := range q {
		if rest, ok := strings.CutPrefix(k, key+"."); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				numbered = append(numbered, numberedKey{n, k})
			}
		}
	}
	slices.SortFunc(numbered, func(a, b numberedKey) int {
		return cmp.Or(cmp.Compare(a.n, b.n), strings.Compare(a.key, b.key))
	})
	for _, nk := range numbered {
		add(q[nk.key])
	}
	return out
}

// parseBTIH decodes a btih value: 40 hex digits or 32 base32 characters.
func parseBTIH(s string) (Hash, error) {
	var h Hash
	switch len(s) {
	case 40:
		if _, err := hex.Decode(h[:], []byte(s)); err != nil {
			return h, fmt.Errorf("metainfo: magnet info hash %q is not valid hex", s)
		}
	case 32:
		b, err := base32.StdEncoding.DecodeString(strings.ToUpper(s))
		if err != nil || len(b) != 20 {
			return h, fmt.Errorf("metainfo: magnet info hash %q is not valid base32", s)
		}
		copy(h[:], b)
	default:
		return h, fmt.Errorf("metainfo: magnet info hash %q has %d characters; want 40 (hex) or 32 (base32)", shorten(s), len(s))
	}
	return h, nil
}

// String formats the link with a hex info hash, then dn, tr, ws and x.pe.
func (m Magnet) String() string {
	var b strings.Builder
	b.WriteString("magnet:?xt=urn:btih:")
	b.WriteString(m.InfoHash.Hex())
	if m.DisplayName != "" {
		b.WriteString("&dn=")
		b.WriteString(url.QueryEscape(m.DisplayName))
	}
	for _, t := range m.Trackers {
		b.WriteString("&tr=")
		b.WriteString(url.QueryEscape(t))
	}
	for _, w := range m.WebSeeds {
		b.WriteString("&ws=")
		b.WriteString(url.QueryEscape(w))
	}
	for _, p := range m.Peers {
		b.WriteString("&x.pe=")
		b.WriteString(url.QueryEscape(p))
	}
	return b.String()
}

// shorten keeps error messages about hostile input readable.
func shorten(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
