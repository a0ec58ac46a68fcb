package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmscope/swarmscope/persist"
)

func TestCheckSaveDir(t *testing.T) {
	dir := t.TempDir()
	if err := checkSaveDir(filepath.Join(dir, "new", "folder")); err != nil {
		t.Errorf("a creatable folder: %v", err)
	}
	for _, c := range []struct{ dir, words string }{
		{"", "Choose a folder"},
		{"relative/dir", "not a full path"},
	} {
		if err := checkSaveDir(c.dir); err == nil || !strings.Contains(err.Error(), c.words) {
			t.Errorf("checkSaveDir(%q) = %v, want it to say %q", c.dir, err, c.words)
		}
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := checkSaveDir(file); err == nil || !strings.Contains(err.Error(), "is a file, not a folder") {
		t.Errorf("a file: %v", err)
	}
	if os.Geteuid() != 0 { // root may write anywhere
		locked := filepath.Join(dir, "locked")
		os.Mkdir(locked, 0o555)
		if err := checkSaveDir(locked); err == nil || !strings.Contains(err.Error(), "may not write to") {
			t.Errorf("a read-only folder: %v", err)
		}
	}
}

func TestCheckMagnet(t *testing.T) {
	if _, err := checkMagnet("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"); err != nil {
		t.Errorf("valid magnet: %v", err)
	}
	for _, bad := range []string{"", "http://example.com", "magnet:?xt=urn:btih:xyz"} {
		_, err := checkMagnet(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "metainfo:") {
			t.Errorf("%q: error %q shows a package prefix", bad, err)
		}
	}
}

func TestLoadTorrentFileExplains(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.torrent")
	os.WriteFile(bad, []byte("this is not bencode"), 0o644)
	_, err := loadTorrentFile(bad)
	if err == nil || !strings.HasPrefix(err.Error(), "broken.torrent is not a torrent file Swarmscope can use: ") {
		t.Errorf("corrupt file: %v", err)
	}
	_, err = loadTorrentFile(filepath.Join(dir, "missing.torrent"))
	if err == nil || !strings.Contains(err.Error(), "cannot read missing.torrent: it does not exist") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseTrackers(t *testing.T) {
	got, err := parseTrackers("udp://127.0.0.1:6969\n\n  http://127.0.0.1/announce  \n")
	if err != nil || len(got) != 2 || got[1] != "http://127.0.0.1/announce" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := parseTrackers("udp://ok:1\nftp://nope/"); err == nil || !strings.HasPrefix(err.Error(), "Line 2") {
		t.Errorf("bad tracker: %v", err)
	}
}

func TestPieceLengthChoicesNameTheAutomaticPick(t *testing.T) {
	c := pieceLengthChoices(1 << 30)
	if !strings.HasPrefix(c[0].Label, "Automatic (") || c[0].Length != 0 {
		t.Errorf("first choice %+v", c[0])
	}
	if c[1].Length != 16<<10 || c[len(c)-1].Length != 16<<20 {
		t.Errorf("range %v … %v", c[1], c[len(c)-1])
	}
}

func TestSettingsFormRoundTripAndValidation(t *testing.T) {
	base := persist.DefaultSettings()
	base.DownloadDir = "/downloads"
	form := formFromSettings(base)
	got, err := form.apply(base)
	if err != nil || got != base {
		t.Fatalf("round trip: %v\n got  %+v\n want %+v", err, got, base)
	}
	form.DownLimit = "2 MiB/s"
	form.AltEnabled = true
	form.StartPaused = true
	got, err = form.apply(base)
	if err != nil || got.DownloadLimit != 2<<20 || !got.AltLimitsEnabled || got.OnStartup != persist.StartPaused {
		t.Errorf("edited: %+v, %v", got, err)
	}
	for _, c := range []struct {
		edit  func(*settingsForm)
		words string
	}{
		{func(f *settingsForm) { f.Port = "70000" }, "Listening port"},
		{func(f *settingsForm) { f.UpLimit = "fast" }, "Upload limit"},
		{func(f *settingsForm) { f.UploadSlots = "0" }, "Upload slots"},
		{func(f *settingsForm) { f.DownloadDir = "" }, "Download folder"},
	} {
		f := formFromSettings(base)
		c.edit(&f)
		if s, err := f.apply(base); err == nil || !strings.HasPrefix(err.Error(), c.words) || s != base {
			t.Errorf("want an error naming %q and unchanged settings, got %v", c.words, err)
		}
	}
}
