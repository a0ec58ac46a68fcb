package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/engine/picker"
)

// The lab form's choices, in the words the window shows.
var (
	labModeNames    = []string{"Peer-to-peer", "Client-server"}
	labPickerNames  = []string{"Rarest first", "Random", "Sequential"}
	labChokingNames = []string{"Tit-for-tat", "Upload to everyone"}
	labChunkNames   = []string{"16 KiB", "32 KiB", "64 KiB", "128 KiB", "256 KiB", "512 KiB", "1 MiB", "2 MiB", "4 MiB"}
	labPickers      = []picker.Strategy{picker.RarestFirst, picker.Random, picker.Sequential}
)

// labForm is what the lab window's fields hold, as typed.
type labForm struct {
	Peers        string
	FileSize     string
	Chunk        string // one of labChunkNames
	PeerUpload   string // u, per second; a comma-separated list gives the peers their own u_i in turn
	SeedUpload   string // u_s
	PeerDownload string // d; 0 = unlimited; a list like PeerUpload
	Mode         string // one of labModeNames
	Picker       string // one of labPickerNames
	Choking      string // one of labChokingNames
	FreeRiders   string // percent of the peers
	LeaveOnDone  bool
	SeedLeaves   bool
}

// defaultLabForm is lab.DefaultConfig in the form's words: the textbook example, N = 10.
func defaultLabForm() labForm {
	c := lab.DefaultConfig()
	return labForm{
		Peers:        strconv.Itoa(c.Peers),
		FileSize:     exactSize(c.FileSize),
		Chunk:        exactSize(c.PieceLength),
		PeerUpload:   exactSize(c.PeerUpload),
		SeedUpload:   exactSize(c.SeedUpload),
		PeerDownload: exactSize(c.PeerDownload),
		Mode:         labModeNames[0],
		Picker:       labPickerNames[0],
		Choking:      labChokingNames[0],
		FreeRiders:   "0",
	}
}

// exactSize writes n in the largest binary unit that divides it, so that reading it back gives n
// exactly ("8000 KiB", not the rounded "7.8 MiB").
func exactSize(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// labGUITimeout bounds a run started from the window: the lab's own timeout (30 s plus four
// times the bound) but never more than ten minutes.
const labGUITimeout = 10 * time.Minute

// config checks the form and returns the run it describes; the error names the field in words.
func (f labForm) config() (lab.Config, error) {
	c := lab.DefaultConfig()
	var err error
	fail := func(format string, args ...any) {
		if err == nil {
			err = problemf(format, args...)
		}
	}
	n, e := strconv.Atoi(strings.TrimSpace(f.Peers))
	if e != nil || n < 1 || n > lab.MaxPeers {
		fail("Peers (N): enter a whole number from 1 to %d.", lab.MaxPeers)
	}
	c.Peers = n
	size := func(name, text string, zeroOK bool) int64 {
		text = strings.TrimSuffix(strings.TrimSpace(text), "/s")
		if zeroOK && (text == "0" || text == "") {
			return 0
		}
		v, e := humanize.ParseBytes(text)
		if e != nil || v == 0 {
			fail("%s: %q is not a size; write e.g. 800 KiB or 8 MiB.", name, text)
		}
		return int64(v)
	}
	c.FileSize = size("File size (F)", f.FileSize, false)
	if c.FileSize > 1<<30 {
		fail("File size (F): at most 1 GiB; every peer writes its own copy to disk.")
	}
	c.PieceLength = size("Chunk size", f.Chunk, false)
	rates := func(name, text string) (int64, []int64) {
		text = strings.TrimSpace(text)
		if text == "" {
			return 0, nil
		}
		list, e := lab.ParseRates(text)
		if e != nil {
			bad := text
			for part := range strings.SplitSeq(text, ",") {
				if _, e := lab.ParseRates(part); e != nil {
					bad = strings.TrimSpace(part)
					break
				}
			}
			fail("%s: %q is not a rate; write one rate, e.g. 800 KiB, or one per peer in turn, e.g. 512 KiB, 1 MiB, 2 MiB.", name, bad)
			return 0, nil
		}
		if len(list) == 1 {
			return list[0], nil
		}
		return list[0], list
	}
	c.PeerUpload, c.PeerUploads = rates("Peer upload (u)", f.PeerUpload)
	c.SeedUpload = size("Server upload (u_s)", f.SeedUpload, false)
	c.PeerDownload, c.PeerDownloads = rates("Peer download (d)", f.PeerDownload)
	c.Mode = lab.PeerToPeer
	if f.Mode == labModeNames[1] {
		c.Mode = lab.ClientServer
	}
	c.Picker = picker.RarestFirst
	for i, name := range labPickerNames {
		if f.Picker == name {
			c.Picker = labPickers[i]
		}
	}
	c.Choking = lab.TitForTat
	if f.Choking == labChokingNames[1] {
		c.Choking = lab.UploadToAll
	}
	pct, e := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.FreeRiders), "%")), 64)
	if e != nil || pct < 0 || pct > 100 {
		fail("Free riders: enter a percentage from 0 to 100.")
	}
	c.FreeRiders = pct / 100
	c.LeaveOnComplete = f.LeaveOnDone
	c.SeedLeaves = f.SeedLeaves
	if err != nil {
		return c, err
	}
	if c.Mode == lab.PeerToPeer && c.FreeRiders < 1 && slices.Contains(c.UploadPattern(), 0) {
		if len(c.PeerUploads) > 1 {
			return c, problem("Peer upload (u): in peer-to-peer every rate in the list must be above 0; use free riders for peers that upload nothing.")
		}
		return c, problem("Peer upload (u): peer-to-peer needs a rate; use 100 % free riders for peers that upload nothing.")
	}
	if e := c.Validate(); e != nil {
		return c, problem(userWords(e))
	}
	if t := 30*time.Second + 4*c.Bound().Time; t > labGUITimeout {
		return c, problemf("These rates make the bound %s; a run from the window may take at most %s. Raise the rates or shrink the file.",
			c.Bound().Time.Round(time.Second), labGUITimeout)
	}
	return c, nil
}
