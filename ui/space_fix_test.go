package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

func TestSpaceShortageDecides(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		free, needed int64
		refuse       bool
	}{
		{10 * gib, 4 * gib, false},
		{4 * gib, 4 * gib, false}, // exactly fits
		{4*gib - 1, 4 * gib, true},
		{1 * gib, 3 * gib, true},
		{-1, 3 * gib, false}, // free space unknown
		{1 * gib, 0, false},  // size unknown: a magnet link before its metadata
		{0, 1, true},
	} {
		err := spaceShortage("/data", tc.free, tc.needed)
		if (err != nil) != tc.refuse {
			t.Errorf("spaceShortage(free %d, needed %d) = %v, refuse %v", tc.free, tc.needed, err, tc.refuse)
		}
	}
	err := spaceShortage("/data", 1*gib+512<<20, 3*gib)
	if err == nil {
		t.Fatal("no refusal")
	}
	for _, words := range []string{"/data", "needs 3.0 GiB", "only 1.5 GiB is free", "1.5 GiB short"} {
		if !strings.Contains(err.Error(), words) {
			t.Errorf("refusal %q lacks %q", err, words)
		}
	}
}

func TestStillNeededCountsWantedFilesNotOnDiskYet(t *testing.T) {
	dir := t.TempDir()
	info := &metainfo.Info{Name: "set", MultiFile: true, Files: []metainfo.File{
		{Path: []string{"a.bin"}, Length: 1000},
		{Path: []string{".pad", "24"}, Length: 24, Padding: true},
		{Path: []string{"b.bin"}, Length: 2000},
		{Path: []string{"c.bin"}, Length: 4000},
	}}
	if got := stillNeeded(info, []bool{true, true, true}, dir); got != 7000 {
		t.Errorf("nothing on disk: %d, want 7000", got)
	}
	if got := stillNeeded(info, []bool{true, false, true}, dir); got != 5000 {
		t.Errorf("b.bin skipped: %d, want 5000", got)
	}
	// Part of c.bin and more than all of a.bin are there already.
	if err := os.MkdirAll(filepath.Join(dir, "set"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "set", "c.bin"), make([]byte, 1500), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "set", "a.bin"), make([]byte, 1200), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := stillNeeded(info, []bool{true, true, true}, dir); got != 2000+2500 {
		t.Errorf("with data on disk: %d, want 4500", got)
	}
}

// TestAddRefusesWhenTheFolderLacksSpace clicks Add in the add-torrent dialog for a torrent
// larger than the free space of the chosen folder: a dialog says how much is needed and free,
// and nothing changes (nothing added, the folder not created, the default folder not saved).
func TestAddRefusesWhenTheFolderLacksSpace(t *testing.T) {
	w, be := newDropWindow(t)
	base := t.TempDir()
	free := freeSpace(base)
	if free <= 0 {
		t.Fatalf("free space of %s unknown (%d)", base, free)
	}
	path := writeBigTorrent(t, 2*free+1<<30)
	w.showAddTorrent(path)
	dir := filepath.Join(base, "not", "yet")
	var add *widget.Button
	for _, o := range topOverlay(t, w) {
		switch v := o.(type) {
		case *widget.Entry:
			if !v.MultiLine {
				v.SetText(dir)
			}
		case *widget.Button:
			if v.Text == "Add" {
				add = v
			}
		}
	}
	if add == nil {
		t.Fatal("no Add button in the add-torrent dialog")
	}
	test.Tap(add)
	w.asyncRunning.Wait()
	text := labelsText(topOverlay(t, w))
	if !strings.Contains(text, "needs "+sizeText(2*free+1<<30)) || !strings.Contains(text, "is free") {
		t.Errorf("top dialog says %q, want how much is needed and free", text)
	}
	if _, files, settings := be.added(); len(files) != 0 || settings != 0 {
		t.Errorf("added %q, saved settings %d times; want nothing changed", files, settings)
	}
	if _, err := os.Stat(filepath.Join(base, "not")); !os.IsNotExist(err) {
		t.Errorf("the save folder was created (%v)", err)
	}

	// With room (a small torrent), the same click adds it.
	w2, be2 := newDropWindow(t)
	w2.list = newTorrentList(newListModel())
	w2.showAddTorrent(writeBigTorrent(t, 1<<20))
	for _, o := range topOverlay(t, w2) {
		switch v := o.(type) {
		case *widget.Entry:
			v.SetText(dir)
		case *widget.Button:
			if v.Text == "Add" {
				add = v
			}
		}
	}
	test.Tap(add)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, files, _ := be2.added(); len(files) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a torrent that fits was not added")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
