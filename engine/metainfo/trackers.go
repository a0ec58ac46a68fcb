package metainfo

import (
	"fmt"
	"slices"

	"github.com/anacrolix/torrent/bencode"
)

// MergeTiers returns base with the trackers of extra added: a URL already
// in any tier of base is skipped, the rest keep their tier number from extra
// (appended to base's tier of the same index, or as new tiers). Empty URLs
// are dropped. Neither input is modified.
func MergeTiers(base, extra [][]string) [][]string {
	seen := map[string]bool{}
	out := make([][]string, len(base))
	for i, tier := range base {
		out[i] = slices.Clone(tier)
		for _, u := range tier {
			seen[u] = true
		}
	}
	for i, tier := range extra {
		for _, u := range tier {
			if u == "" || seen[u] {
				continue
			}
			seen[u] = true
			for len(out) <= i {
				out = append(out, nil)
			}
			out[i] = append(out[i], u)
		}
	}
	return slices.DeleteFunc(out, func(t []string) bool { return len(t) == 0 })
}

// WithTrackers returns a copy of m whose .torrent lists exactly the given
// tracker tiers (BEP 12: "announce" becomes the first URL, "announce-list"
// the tiers). Every other key of the file, the info dictionary above all,
// is kept byte for byte, so the info hash does not change.
func WithTrackers(m *MetaInfo, tiers [][]string) (*MetaInfo, error) {
	if len(m.Raw) == 0 {
		return nil, fmt.Errorf("metainfo: %s: no .torrent bytes to rewrite", m.InfoHash)
	}
	var top map[string]bencode.Bytes
	if err := bencode.Unmarshal(m.Raw, &top); err != nil {
		return nil, fmt.Errorf("metainfo: rewriting trackers of %s: %w", m.InfoHash, err)
	}
	delete(top, "announce")
	delete(top, "announce-list")
	var first string
	for _, tier := range tiers {
		if len(tier) > 0 {
			first = tier[0]
			break
		}
	}
	if first != "" {
		raw, err := bencode.Marshal(first)
		if err != nil {
			return nil, fmt.Errorf("metainfo: encoding announce: %w", err)
		}
		top["announce"] = raw
		list, err := bencode.Marshal(tiers)
		if err != nil {
			return nil, fmt.Errorf("metainfo: encoding announce-list: %w", err)
		}
		top["announce-list"] = list
	}
	data, err := bencode.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("metainfo: encoding %s: %w", m.InfoHash, err)
	}
	out, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("metainfo: the rewritten .torrent does not parse: %w", err)
	}
	if out.InfoHash != m.InfoHash {
		return nil, fmt.Errorf("metainfo: rewriting trackers changed the info hash %s to %s", m.InfoHash, out.InfoHash)
	}
	return out, nil
}
