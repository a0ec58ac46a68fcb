package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/persist"
)

// userWords strips the package prefixes ("metainfo: ", "app: ") engine and core errors carry,
// which mean nothing to a user, and capitalises the first letter.
func userWords(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, prefix := range []string{"metainfo: ", "app: ", "persist: ", "storage: ", "torrent: "} {
		s = strings.ReplaceAll(s, prefix, "")
	}
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// newProblemLabel is the hidden, red, wrapping label a dialog or window shows a problem in.
func newProblemLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// checkSaveDir makes sure dir can hold downloads: it must be an absolute path, exist or be
// creatable, and accept a new file. The error says what is wrong in words.
func checkSaveDir(dir string) error {
	dir = strings.TrimSpace(dir)
	switch {
	case dir == "":
		return problem("Choose a folder to save the files in.")
	case !filepath.IsAbs(dir):
		return problemf("%q is not a full path; choose the folder with the Choose… button.", dir)
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return problemf("%s is a file, not a folder.", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return problemf("Swarmscope cannot create the folder %s: %s.", dir, reasonWords(err))
	}
	f, err := os.CreateTemp(dir, ".swarmscope-write-test-*")
	if err != nil {
		return problemf("Swarmscope may not write to %s: %s. Choose another folder.", dir, reasonWords(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// reasonWords names the common file-system failures in plain words.
func reasonWords(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, fs.ErrExist):
		return "something with that name is in the way"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// checkMagnet parses a magnet link, saying in words what is wrong with it.
func checkMagnet(s string) (*metainfo.Magnet, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, problem("Paste a magnet link (it starts with magnet:?xt=urn:btih:).")
	}
	m, err := metainfo.ParseMagnet(s)
	if err != nil {
		return nil, problem(userWords(err))
	}
	return m, nil
}

// loadTorrentFile reads a .torrent, explaining a failure in words.
func loadTorrentFile(path string) (*metainfo.MetaInfo, error) {
	mi, err := metainfo.Load(path)
	if err == nil {
		return mi, nil
	}
	name := filepath.Base(path)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, problemf("Swarmscope cannot read %s: %s.", name, reasonWords(err))
	}
	return nil, problemf("%s is not a torrent file Swarmscope can use: %s.", name, userWords(err))
}

// parseTrackers reads announce URLs, one per line (blank lines are skipped). Each becomes its own
// tier. Only http, https and udp trackers exist.
func parseTrackers(text string) ([]string, error) {
	var out []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		u, err := url.Parse(line)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "udp") {
			return nil, problemf("Line %d, %q, is not a tracker address; they look like udp://tracker.example.org:1337/announce or https://…/announce.", i+1, line)
		}
		out = append(out, line)
	}
	return out, nil
}

// pieceLengthChoice is one entry of the create dialog's piece size menu.
type pieceLengthChoice struct {
	Label  string
	Length int64 // 0: automatic
}

// pieceLengthChoices offers "Automatic (…)", naming what automatic picks for total bytes, then
// every power of two from 16 KiB to 16 MiB.
func pieceLengthChoices(total int64) []pieceLengthChoice {
	auto := "Automatic"
	if total > 0 {
		n := metainfo.AutoPieceLength(total)
		auto = fmt.Sprintf("Automatic (%s, %s pieces)", humanize.IBytes(uint64(n)), humanize.Comma((total+n-1)/n))
	}
	choices := []pieceLengthChoice{{Label: auto}}
	for n := int64(16 << 10); n <= 16<<20; n *= 2 {
		choices = append(choices, pieceLengthChoice{Label: humanize.IBytes(uint64(n)), Length: n})
	}
	return choices
}

// settingsForm is the settings dialog's fields as typed.
type settingsForm struct {
	DownloadDir                        string
	Port                               string
	DownLimit, UpLimit                 string // "0" or "" = unlimited; "500 KiB", "2MiB"
	AltDownLimit, AltUpLimit           string
	AltEnabled                         bool
	MaxPeers, UploadSlots              string
	MaxActiveDownloads, MaxActiveSeeds string
	StartPaused                        bool
	CloseToTray                        bool
	DHT                                bool
}

// formFromSettings fills the form from s.
func formFromSettings(s persist.Settings) settingsForm {
	return settingsForm{
		DownloadDir: s.DownloadDir, Port: strconv.Itoa(s.ListenPort),
		DownLimit: limitText(s.DownloadLimit), UpLimit: limitText(s.UploadLimit),
		AltDownLimit: limitText(s.AltDownloadLimit), AltUpLimit: limitText(s.AltUploadLimit),
		AltEnabled: s.AltLimitsEnabled,
		MaxPeers:   strconv.Itoa(s.MaxPeersPerTorrent), UploadSlots: strconv.Itoa(s.UploadSlots),
		MaxActiveDownloads: strconv.Itoa(s.MaxActiveDownloads), MaxActiveSeeds: strconv.Itoa(s.MaxActiveSeeds),
		StartPaused: s.OnStartup == persist.StartPaused, CloseToTray: s.CloseToTray, DHT: s.DHTEnabled,
	}
}

// limitText shows a rate limit the way the form accepts it back: "0" for unlimited.
func limitText(n int64) string {
	if n <= 0 {
		return "0"
	}
	return humanize.IBytes(uint64(n))
}

// apply checks the form and returns base with the form's values; the error names the field.
func (f settingsForm) apply(base persist.Settings) (persist.Settings, error) {
	s := base
	s.DownloadDir = strings.TrimSpace(f.DownloadDir)
	if s.DownloadDir == "" || !filepath.IsAbs(s.DownloadDir) {
		return base, problem("Download folder: choose a folder (a full path).")
	}
	var err error
	intField := func(name, text string, lo, hi int) int {
		if err != nil {
			return 0
		}
		n, e := strconv.Atoi(strings.TrimSpace(text))
		if e != nil || n < lo || n > hi {
			err = problemf("%s: enter a whole number from %d to %d.", name, lo, hi)
		}
		return n
	}
	rateField := func(name, text string) int64 {
		if err != nil {
			return 0
		}
		text = strings.TrimSuffix(strings.TrimSpace(text), "/s")
		if text == "" || text == "0" {
			return 0
		}
		n, e := humanize.ParseBytes(text)
		if e != nil {
			err = problemf("%s: %q is not a rate; write e.g. 500 KiB or 2 MiB (per second), or 0 for unlimited.", name, text)
		}
		return int64(n)
	}
	s.ListenPort = intField("Listening port", f.Port, 0, 65535)
	s.DownloadLimit = rateField("Download limit", f.DownLimit)
	s.UploadLimit = rateField("Upload limit", f.UpLimit)
	s.AltDownloadLimit = rateField("Alternative download limit", f.AltDownLimit)
	s.AltUploadLimit = rateField("Alternative upload limit", f.AltUpLimit)
	s.AltLimitsEnabled = f.AltEnabled
	s.MaxPeersPerTorrent = intField("Peers per torrent", f.MaxPeers, 1, 10000)
	s.UploadSlots = intField("Upload slots", f.UploadSlots, 1, 1000)
	s.MaxActiveDownloads = intField("Active downloads", f.MaxActiveDownloads, 0, 10000)
	s.MaxActiveSeeds = intField("Active seeds", f.MaxActiveSeeds, 0, 10000)
	if err != nil {
		return base, err
	}
	s.OnStartup = persist.StartTorrents
	if f.StartPaused {
		s.OnStartup = persist.StartPaused
	}
	s.CloseToTray, s.DHTEnabled = f.CloseToTray, f.DHT
	if err := s.Validate(); err != nil {
		return base, problem(userWords(err))
	}
	return s, nil
}

// problem is a message for the user: a whole sentence, capitalised and punctuated, shown as is in
// a dialog (unlike Go error strings, which get wrapped into longer ones).
type problem string

func (p problem) Error() string { return string(p) }

func problemf(format string, args ...any) error { return problem(fmt.Sprintf(format, args...)) }
