// Package metainfo reads and writes what describes a torrent: .torrent files
// (BEP 3, with announce-list tiers from BEP 12, web seeds from BEP 19, the
// private flag from BEP 27 and padding files from BEP 47), magnet links
// (BEP 9), and the safe on-disk paths of a torrent's files. It also creates
// new torrents from a file or folder, hashing on all cores.
//
// The info hash is SHA-1 over the info dictionary's bytes exactly as they
// appear in the file, never over a re-encoding, so torrents with unsorted keys
// or fields we do not know keep the hash their creator published.
//
// Everything here treats its input as hostile: sizes, nesting, counts and
// paths are checked, and bad input gives an error saying what and where.
package metainfo

import (
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Limits on what a torrent may claim. They are far above anything real and
// keep hostile files from costing unbounded memory or time.
const (
	// MaxTorrentSize is the largest .torrent file Load and Parse accept.
	MaxTorrentSize = 64 << 20
	// MaxPieceLength is the largest piece length Parse accepts.
	MaxPieceLength = 256 << 20
	// MaxFiles is the most files a torrent may list.
	MaxFiles = 1_000_000
)

// fileLimit is MaxFiles; tests lower it to check the limit quickly.
var fileLimit = MaxFiles

// ErrV2Only is returned for torrents that carry only BEP 52 (v2) hashes.
var ErrV2Only = errors.New("metainfo: v2-only torrents (BEP 52) are not supported yet")

// Hash is a torrent's info hash: SHA-1 of the raw info dictionary.
type Hash [20]byte

// Hex is the hash as 40 lowercase hex digits.
func (h Hash) Hex() string { return hex.EncodeToString(h[:]) }

// String is the hash as hex, the form people paste around.
func (h Hash) String() string { return h.Hex() }

// Base32 is the hash as 32 base32 characters, the older magnet-link form.
func (h Hash) Base32() string { return base32.StdEncoding.EncodeToString(h[:]) }

// File is one file of a torrent.
type File struct {
	Path    []string // components, as in the torrent (single-file: []string{Name})
	Length  int64
	Offset  int64 // byte offset of the file within the torrent's concatenated data
	Padding bool  // BEP 47 padding file (attr "p"): never written to disk
}

// Info is the info dictionary: what the info hash covers.
type Info struct {
	Name        string
	PieceLength int64
	Pieces      [][20]byte // SHA-1 of each piece
	Files       []File     // always at least one; single-file torrents have exactly one
	MultiFile   bool       // true when the info dict has "files"
	Length      int64      // total of all file lengths
	Private     bool
	Source      string
	Raw         []byte // the info dictionary exactly as it appeared (hash input)
}

// NumPieces is the number of pieces.
func (i *Info) NumPieces() int { return len(i.Pieces) }

// PieceSize is the length of piece number piece; the last piece may be
// shorter than PieceLength. Out-of-range pieces have size 0.
func (i *Info) PieceSize(piece int) int64 {
	if piece < 0 || piece >= len(i.Pieces) {
		return 0
	}
	if piece == len(i.Pieces)-1 {
		return i.Length - int64(piece)*i.PieceLength
	}
	return i.PieceLength
}

// MetaInfo is a whole .torrent file.
type MetaInfo struct {
	Info     *Info
	InfoHash Hash
	// Announce is the "announce" URL, or the first tracker of announce-list
	// when the file has no "announce".
	Announce string
	// AnnounceList holds the BEP 12 tiers; when only "announce" is present
	// it is [][]string{{Announce}}, and nil when there are no trackers.
	AnnounceList [][]string
	WebSeeds     []string // BEP 19 "url-list"
	Comment      string
	CreatedBy    string
	CreationDate time.Time // zero when absent
	Raw          []byte    // the whole .torrent
}

// Load reads and parses a .torrent file, refusing files over MaxTorrentSize
// before reading them.
func Load(path string) (*MetaInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metainfo: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("metainfo: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("metainfo: %s is not a regular file", path)
	}
	if st.Size() > MaxTorrentSize {
		return nil, fmt.Errorf("metainfo: %s is %d bytes, more than the %d a .torrent file may have", path, st.Size(), MaxTorrentSize)
	}
	// Read through a limit too: the file may grow after Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxTorrentSize+1))
	if err != nil {
		return nil, fmt.Errorf("metainfo: reading %s: %w", path, err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Parse parses a whole .torrent file. The hash is taken over the raw info
// dictionary; the file's paths are validated for the running OS.
func Parse(data []byte) (*MetaInfo, error) {
	if len(data) > MaxTorrentSize {
		return nil, fmt.Errorf("metainfo: torrent is %d bytes, more than the %d allowed", len(data), MaxTorrentSize)
	}
	root, err := parseValue(data)
	if err != nil {
		return nil, fmt.Errorf("metainfo: %w", err)
	}
	top, err := root.dict("metainfo: torrent")
	if err != nil {
		return nil, err
	}
	rawInfo, ok := top.get("info")
	if !ok {
		return nil, errors.New("metainfo: torrent has no info dictionary")
	}
	info, err := ParseInfo(rawInfo)
	if err != nil {
		return nil, err
	}
	m := &MetaInfo{Info: info, InfoHash: sha1.Sum(rawInfo), Raw: data}

	if v, ok := top.get("announce"); ok {
		if m.Announce, err = v.text("metainfo: announce"); err != nil {
			return nil, err
		}
	}
	if v, ok := top.get("announce-list"); ok {
		if m.AnnounceList, err = parseAnnounceList(v); err != nil {
			return nil, err
		}
	}
	if m.AnnounceList == nil && m.Announce != "" {
		m.AnnounceList = [][]string{{m.Announce}}
	}
	if m.Announce == "" && len(m.AnnounceList) > 0 {
		m.Announce = m.AnnounceList[0][0]
	}
	if v, ok := top.get("url-list"); ok {
		if m.WebSeeds, err = parseURLList(v); err != nil {
			return nil, err
		}
	}
	if v, ok := top.get("comment"); ok {
		if m.Comment, err = v.text("metainfo: comment"); err != nil {
			return nil, err
		}
	}
	if v, ok := top.get("created by"); ok {
		if m.CreatedBy, err = v.text("metainfo: created by"); err != nil {
			return nil, err
		}
	}
	if v, ok := top.get("creation date"); ok {
		secs, err := v.int("metainfo: creation date")
		if err != nil {
			return nil, err
		}
		m.CreationDate = time.Unix(secs, 0).UTC()
	}
	return m, nil
}

// parseAnnounceList reads BEP 12 tiers, dropping empty URLs and tiers.
func parseAnnounceList(v value) ([][]string, error) {
	var tiers [][]string
	err := v.eachItem("metainfo: announce-list", func(i int, tierVal value) error {
		field := fmt.Sprintf("metainfo: announce-list[%d]", i)
		var tier []string
		err := tierVal.eachItem(field, func(j int, urlVal value) error {
			u, err := urlVal.text(fmt.Sprintf("%s[%d]", field, j))
			if u != "" {
				tier = append(tier, u)
			}
			return err
		})
		if len(tier) > 0 {
			tiers = append(tiers, tier)
		}
		return err
	})
	return tiers, err
}

// parseURLList reads BEP 19 "url-list", which is a single string or a list.
func parseURLList(v value) ([]string, error) {
	if v.kind() == 's' {
		u, _ := v.text("")
		if u == "" {
			return nil, nil
		}
		return []string{u}, nil
	}
	if v.kind() != 'l' {
		return nil, fmt.Errorf("metainfo: url-list: want a string or a list, got %s", kindName(v.kind()))
	}
	var urls []string
	err := v.eachItem("metainfo: url-list", func(i int, item value) error {
		u, err := item.text(fmt.Sprintf("metainfo: url-list[%d]", i))
		if u != "" {
			urls = append(urls, u)
		}
		return err
	})
	return urls, err
}

// ParseInfo parses a bare info dictionary, as fetched from peers by BEP 9.
// raw is kept (not copied) as Info.Raw.
func ParseInfo(raw []byte) (*Info, error) {
	if len(raw) > MaxTorrentSize {
		return nil, fmt.Errorf("metainfo: info dictionary is %d bytes, more than the %d allowed", len(raw), MaxTorrentSize)
	}
	v, err := parseValue(raw)
	if err != nil {
		return nil, fmt.Errorf("metainfo: info: %w", err)
	}
	d, err := v.dict("metainfo: info")
	if err != nil {
		return nil, err
	}
	info := &Info{Raw: raw}

	piecesVal, hasPieces := d.get("pieces")
	if mv, ok := d.get("meta version"); ok && !hasPieces {
		if n, err := mv.int("metainfo: info.meta version"); err == nil && n == 2 {
			return nil, ErrV2Only
		}
	}
	if !hasPieces {
		return nil, errors.New("metainfo: info.pieces: missing")
	}

	nameVal, ok := d.get("name")
	if !ok {
		return nil, errors.New("metainfo: info.name: missing")
	}
	if info.Name, err = nameVal.text("metainfo: info.name"); err != nil {
		return nil, err
	}
	if err := checkComponent(info.Name); err != nil {
		return nil, fmt.Errorf("metainfo: info.name: %w", err)
	}

	plVal, ok := d.get("piece length")
	if !ok {
		return nil, errors.New("metainfo: info.piece length: missing")
	}
	if info.PieceLength, err = plVal.int("metainfo: info.piece length"); err != nil {
		return nil, err
	}
	if info.PieceLength < 1 || info.PieceLength > MaxPieceLength {
		return nil, fmt.Errorf("metainfo: info.piece length: %d is outside 1 .. %d", info.PieceLength, MaxPieceLength)
	}

	hashes, err := piecesVal.str("metainfo: info.pieces")
	if err != nil {
		return nil, err
	}
	if len(hashes)%20 != 0 {
		return nil, fmt.Errorf("metainfo: info.pieces: length %d is not a multiple of 20", len(hashes))
	}

	if v, ok := d.get("private"); ok {
		n, err := v.int("metainfo: info.private")
		if err != nil {
			return nil, err
		}
		info.Private = n == 1
	}
	if v, ok := d.get("source"); ok {
		if info.Source, err = v.text("metainfo: info.source"); err != nil {
			return nil, err
		}
	}

	lengthVal, hasLength := d.get("length")
	filesVal, hasFiles := d.get("files")
	switch {
	case hasLength && hasFiles:
		return nil, errors.New("metainfo: info: has both length and files")
	case hasLength:
		n, err := lengthVal.int("metainfo: info.length")
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, fmt.Errorf("metainfo: info.length: %d is negative", n)
		}
		info.Files = []File{{Path: []string{info.Name}, Length: n}}
		info.Length = n
	case hasFiles:
		info.MultiFile = true
		if info.Files, info.Length, err = parseFiles(filesVal); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("metainfo: info: has neither length nor files")
	}
	if info.Length == 0 {
		return nil, errors.New("metainfo: info: the torrent holds no data (total length 0)")
	}

	// The piece count must be exactly ceil(total / piece length); computed
	// without overflow since both are positive int64s.
	want := info.Length / info.PieceLength
	if info.Length%info.PieceLength != 0 {
		want++
	}
	if got := int64(len(hashes) / 20); got != want {
		return nil, fmt.Errorf("metainfo: info.pieces: has %d hashes, but %d bytes in pieces of %d need %d", got, info.Length, info.PieceLength, want)
	}
	info.Pieces = make([][20]byte, want)
	for i := range info.Pieces {
		copy(info.Pieces[i][:], hashes[i*20:])
	}

	if _, err := info.relativePaths(hostOS); err != nil {
		return nil, err
	}
	return info, nil
}

// parseFiles reads a multi-file "files" list, returning the files with their
// offsets and the total length. Field names for errors are only formatted
// when something is wrong: a torrent may list a million files.
func parseFiles(v value) ([]File, int64, error) {
	var files []File
	var total int64
	err := v.eachItem("metainfo: info.files", func(i int, item value) error {
		field := func(sub string) string { return fmt.Sprintf("metainfo: info.files[%d]%s", i, sub) }
		if i >= fileLimit {
			return fmt.Errorf("metainfo: info.files: more than %d files", fileLimit)
		}
		if item.kind() != 'd' {
			return errWrongType(field(""), 'd', item)
		}
		d, _ := item.dict("")
		lv, ok := d.get("length")
		if !ok {
			return fmt.Errorf("%s: missing", field(".length"))
		}
		if lv.kind() != 'i' {
			return errWrongType(field(".length"), 'i', lv)
		}
		n, _ := lv.int("")
		if n < 0 {
			return fmt.Errorf("%s: %d is negative", field(".length"), n)
		}
		if total > (1<<63-1)-n {
			return fmt.Errorf("%s: total length overflows 64 bits", field(".length"))
		}
		f := File{Length: n, Offset: total}
		total += n
		if av, ok := d.get("attr"); ok {
			if av.kind() != 's' {
				return errWrongType(field(".attr"), 's', av)
			}
			attr, _ := av.str("")
			f.Padding = bytes.IndexByte(attr, 'p') >= 0
		}
		pv, ok := d.get("path")
		if !ok {
			return fmt.Errorf("%s: missing", field(".path"))
		}
		if pv.kind() != 'l' {
			return errWrongType(field(".path"), 'l', pv)
		}
		err := pv.eachItem("", func(j int, comp value) error {
			if comp.kind() != 's' {
				return errWrongType(field(fmt.Sprintf(".path[%d]", j)), 's', comp)
			}
			s, _ := comp.text("")
			if !f.Padding {
				if err := checkComponent(s); err != nil {
					return fmt.Errorf("%s: %w", field(fmt.Sprintf(".path[%d]", j)), err)
				}
			}
			f.Path = append(f.Path, s)
			return nil
		})
		if err != nil {
			return err
		}
		if len(f.Path) == 0 {
			return fmt.Errorf("%s: empty", field(".path"))
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if len(files) == 0 {
		return nil, 0, errors.New("metainfo: info.files: empty list")
	}
	return files, total, nil
}
