package metainfo

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// FromInfo wraps a bare info dictionary (BEP 9 metadata, e.g. fetched for a
// magnet link) in a complete .torrent: "announce" is the first tracker,
// "announce-list" puts each tracker in its own tier, "url-list" holds the
// web seeds. The info bytes are copied verbatim, so the result hashes to
// the same info hash. Empty tracker and web seed strings are left out.
func FromInfo(info []byte, trackers, webSeeds []string) (*MetaInfo, error) {
	if len(info) == 0 {
		return nil, errors.New("metainfo from info dictionary: empty info dictionary")
	}
	if _, err := ParseInfo(info); err != nil {
		return nil, fmt.Errorf("metainfo from info dictionary: %w", err)
	}
	trackers = nonEmpty(trackers)
	webSeeds = nonEmpty(webSeeds)
	var b bytes.Buffer
	b.Grow(len(info) + 256)
	// Keys in sorted order, as bencode requires.
	b.WriteByte('d')
	if len(trackers) > 0 {
		writeString(&b, "announce")
		writeString(&b, trackers[0])
		writeString(&b, "announce-list")
		b.WriteByte('l')
		for _, tr := range trackers {
			b.WriteByte('l')
			writeString(&b, tr)
			b.WriteByte('e')
		}
		b.WriteByte('e')
	}
	writeString(&b, "info")
	b.Write(info)
	if len(webSeeds) > 0 {
		writeString(&b, "url-list")
		b.WriteByte('l')
		for _, ws := range webSeeds {
			writeString(&b, ws)
		}
		b.WriteByte('e')
	}
	b.WriteByte('e')
	mi, err := Parse(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("metainfo from info dictionary: %w", err)
	}
	return mi, nil
}

func writeString(b *bytes.Buffer, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
