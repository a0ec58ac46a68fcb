package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// writeTorrentFile makes a .torrent of a small file named name in dir.
func writeTorrentFile(t *testing.T, dir, name string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, []byte(strings.Repeat(name, 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), src, metainfo.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".torrent")
	if err := os.WriteFile(path, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A folder's .torrent files are found in name order; other files are
// ignored and a damaged one is named as a problem, not a stop.
func TestTorrentsInFolder(t *testing.T) {
	dir := t.TempDir()
	writeTorrentFile(t, dir, "b")
	writeTorrentFile(t, dir, "a")
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.torrent"), []byte("d4:info"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.torrent"), 0o755)
	found, problems, err := torrentsInFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range found {
		names = append(names, f.mi.Info.Name)
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("found %q, want a and b", names)
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "broken.torrent: ") {
		t.Errorf("problems %q, want broken.torrent named", problems)
	}
	if _, _, err := torrentsInFolder(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder gave no error")
	}
}

// The folder dialog adds the ticked torrents, and only those, to the
// chosen save folder.
func TestAddFromFolderAddsTheTickedOnes(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	dir := t.TempDir()
	pa, pb, pc := writeTorrentFile(t, dir, "a"), writeTorrentFile(t, dir, "b"), writeTorrentFile(t, dir, "c")
	w.showAddFromFolder(dir)
	objs := e2eTop(t, w.win)
	var list *widget.List
	var save *widget.Entry
	for _, o := range objs {
		switch v := o.(type) {
		case *widget.List:
			list = v
		case *widget.Entry:
			save = v
		}
	}
	if list == nil || save == nil || list.Length() != 3 {
		t.Fatalf("the dialog lists %v torrents, save entry %v", list, save)
	}
	if !strings.Contains(e2eTexts(objs), "3 of 3 torrents chosen") {
		t.Errorf("the dialog does not say all three are chosen: %q", e2eTexts(objs))
	}
	// Untick b, as a click on its row does.
	row := list.CreateItem()
	list.UpdateItem(1, row)
	row.(*widget.Check).SetChecked(false)
	saveDir := t.TempDir()
	save.SetText(saveDir)
	test.Tap(e2eButton(t, objs, "Add"))
	// The adds run off the UI goroutine; remembering the folder is a
	// settings call, not counted here.
	deadline := time.Now().Add(3 * time.Second)
	var calls []string
	for len(calls) < 2 && time.Now().Before(deadline) {
		for _, c := range be.takeCalls() {
			if strings.HasPrefix(c, "AddTorrentFile ") {
				calls = append(calls, c)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a third add would come now
	for _, c := range be.takeCalls() {
		if strings.HasPrefix(c, "AddTorrentFile ") {
			calls = append(calls, c)
		}
	}
	slices.Sort(calls)
	want := []string{"AddTorrentFile " + pa + " " + saveDir, "AddTorrentFile " + pc + " " + saveDir}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %q, want %q (b was unticked: %s)", calls, want, pb)
	}
}
