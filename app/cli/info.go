package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// maxListedFiles is how many files the text listing shows before it says
// "… and N more"; -json always lists them all.
const maxListedFiles = 100

// torrentJSON is the JSON object `swarmscope info -json` prints for a
// .torrent file. Field names and meanings are stable; new fields may be
// added. Lists are never null, and absent strings are "".
type torrentJSON struct {
	Kind           string     `json:"kind"`             // always "torrent"
	Name           string     `json:"name"`             // info.name
	InfoHash       string     `json:"info_hash"`        // SHA-1 of the raw info dict, 40 lowercase hex digits
	InfoHashBase32 string     `json:"info_hash_base32"` // the same hash in base32
	TotalSize      int64      `json:"total_size"`       // bytes, padding files included
	PieceLength    int64      `json:"piece_length"`     // bytes
	PieceCount     int        `json:"piece_count"`
	MultiFile      bool       `json:"multi_file"` // the info dict has "files" (files live in a folder named Name)
	Files          []fileJSON `json:"files"`      // in torrent order
	Trackers       [][]string `json:"trackers"`   // BEP 12 tiers, tried in order
	WebSeeds       []string   `json:"web_seeds"`  // BEP 19 url-list
	Private        bool       `json:"private"`    // BEP 27: no DHT, no PEX
	Source         string     `json:"source"`
	Comment        string     `json:"comment"`
	CreatedBy      string     `json:"created_by"`
	CreationDate   string     `json:"creation_date"` // RFC 3339 in UTC, "" when absent
	Magnet         string     `json:"magnet"`
}

// fileJSON is one file of torrentJSON.Files.
type fileJSON struct {
	Path    string `json:"path"`    // components joined with "/", relative to the torrent's folder (single file: its name)
	Size    int64  `json:"size"`    // bytes
	Offset  int64  `json:"offset"`  // where the file starts in the torrent's concatenated data
	Padding bool   `json:"padding"` // BEP 47 padding file, never written to disk
}

// magnetJSON is the JSON object `swarmscope info -json` prints for a magnet
// link: only what the link itself holds.
type magnetJSON struct {
	Kind           string   `json:"kind"` // always "magnet"
	Name           string   `json:"name"` // dn, "" when absent
	InfoHash       string   `json:"info_hash"`
	InfoHashBase32 string   `json:"info_hash_base32"`
	Trackers       []string `json:"trackers"`  // tr
	WebSeeds       []string `json:"web_seeds"` // ws
	Peers          []string `json:"peers"`     // x.pe
	Magnet         string   `json:"magnet"`    // the link in canonical form (hex hash)
}

// Info prints what a .torrent file or magnet link (arg) holds to w, as text
// or, with jsonOut, as one JSON object (torrentJSON or magnetJSON).
func Info(w io.Writer, arg string, jsonOut bool) error {
	if len(arg) >= 7 && strings.EqualFold(arg[:7], "magnet:") {
		m, err := metainfo.ParseMagnet(arg)
		if err != nil {
			return err
		}
		if jsonOut {
			return writeJSON(w, magnetToJSON(m))
		}
		return writeMagnetText(w, m)
	}
	m, err := metainfo.Load(arg)
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(w, torrentToJSON(m))
	}
	return writeTorrentText(w, m)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func torrentToJSON(m *metainfo.MetaInfo) torrentJSON {
	i := m.Info
	j := torrentJSON{
		Kind:           "torrent",
		Name:           i.Name,
		InfoHash:       m.InfoHash.Hex(),
		InfoHashBase32: m.InfoHash.Base32(),
		TotalSize:      i.Length,
		PieceLength:    i.PieceLength,
		PieceCount:     i.NumPieces(),
		MultiFile:      i.MultiFile,
		Files:          make([]fileJSON, 0, len(i.Files)),
		Trackers:       [][]string{},
		WebSeeds:       []string{},
		Private:        i.Private,
		Source:         i.Source,
		Comment:        m.Comment,
		CreatedBy:      m.CreatedBy,
		Magnet:         m.Magnet().String(),
	}
	for _, f := range i.Files {
		j.Files = append(j.Files, fileJSON{Path: strings.Join(f.Path, "/"), Size: f.Length, Offset: f.Offset, Padding: f.Padding})
	}
	if m.AnnounceList != nil {
		j.Trackers = m.AnnounceList
	}
	if m.WebSeeds != nil {
		j.WebSeeds = m.WebSeeds
	}
	if !m.CreationDate.IsZero() {
		j.CreationDate = m.CreationDate.UTC().Format(time.RFC3339)
	}
	return j
}

func magnetToJSON(m *metainfo.Magnet) magnetJSON {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return magnetJSON{
		Kind:           "magnet",
		Name:           m.DisplayName,
		InfoHash:       m.InfoHash.Hex(),
		InfoHashBase32: m.InfoHash.Base32(),
		Trackers:       orEmpty(m.Trackers),
		WebSeeds:       orEmpty(m.WebSeeds),
		Peers:          orEmpty(m.Peers),
		Magnet:         m.String(),
	}
}

// printable makes text from a torrent safe to print on a terminal: a hostile
// name could otherwise carry escape sequences. Such text is shown quoted.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}

// sizeText is "1.5 GiB (1,610,612,736 bytes)".
func sizeText(n int64) string {
	return fmt.Sprintf("%s (%s bytes)", humanize.IBytes(uint64(n)), humanize.Comma(n))
}

func writeTorrentText(w io.Writer, m *metainfo.MetaInfo) error {
	i := m.Info
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("Name", printable(i.Name))
	row("Info hash", m.InfoHash.Hex())
	row("Size", sizeText(i.Length))
	row("Pieces", fmt.Sprintf("%d × %s (%s bytes)", i.NumPieces(), humanize.IBytes(uint64(i.PieceLength)), humanize.Comma(i.PieceLength)))
	row("Private", yesNo(i.Private))
	if i.Source != "" {
		row("Source", printable(i.Source))
	}
	if m.Comment != "" {
		row("Comment", printable(m.Comment))
	}
	if m.CreatedBy != "" {
		row("Created by", printable(m.CreatedBy))
	}
	if !m.CreationDate.IsZero() {
		row("Created on", m.CreationDate.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	if len(m.AnnounceList) == 0 {
		fmt.Fprintln(w, "Trackers: none")
	} else {
		fmt.Fprintln(w, "Trackers:")
		for t, tier := range m.AnnounceList {
			for k, url := range tier {
				label := ""
				if k == 0 {
					label = fmt.Sprintf("tier %d:", t+1)
				}
				fmt.Fprintf(w, "  %-9s %s\n", label, printable(url))
			}
		}
	}
	if len(m.WebSeeds) > 0 {
		fmt.Fprintln(w, "Web seeds:")
		for _, u := range m.WebSeeds {
			fmt.Fprintf(w, "  %s\n", printable(u))
		}
	}

	fmt.Fprintln(w)
	var real, padding int
	for _, f := range i.Files {
		if f.Padding {
			padding++
		} else {
			real++
		}
	}
	header := fmt.Sprintf("Files (%d", real)
	if padding > 0 {
		header += fmt.Sprintf(", plus %d padding", padding)
	}
	fmt.Fprintln(w, header+"):")
	// Sizes right-aligned in their column, paths after them.
	type fileRow struct{ size, path string }
	var rows []fileRow
	width := 0
	for _, f := range i.Files {
		if f.Padding {
			continue
		}
		if len(rows) == maxListedFiles {
			break
		}
		p := i.Name
		if i.MultiFile {
			p = strings.Join(f.Path, "/")
		}
		r := fileRow{humanize.IBytes(uint64(f.Length)), printable(p)}
		width = max(width, len(r.size))
		rows = append(rows, r)
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %*s  %s\n", width, r.size, r.path)
	}
	listed := len(rows)
	if real > listed {
		fmt.Fprintf(w, "  … and %d more\n", real-listed)
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintf(w, "Magnet: %s\n", m.Magnet())
	return err
}

func writeMagnetText(w io.Writer, m *metainfo.Magnet) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	name := "(not given)"
	if m.DisplayName != "" {
		name = printable(m.DisplayName)
	}
	fmt.Fprintf(tw, "Name:\t%s\n", name)
	fmt.Fprintf(tw, "Info hash:\t%s\n", m.InfoHash.Hex())
	if err := tw.Flush(); err != nil {
		return err
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			fmt.Fprintf(w, "%s: none\n", title)
			return
		}
		fmt.Fprintf(w, "%s:\n", title)
		for _, it := range items {
			fmt.Fprintf(w, "  %s\n", printable(it))
		}
	}
	list("Trackers", m.Trackers)
	list("Web seeds", m.WebSeeds)
	list("Peers", m.Peers)
	fmt.Fprintln(w, "Size and files: unknown until the info dictionary is fetched from peers (BEP 9)")
	_, err := fmt.Fprintf(w, "Magnet: %s\n", m)
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes (BEP 27: trackers only, no DHT or PEX)"
	}
	return "no"
}
