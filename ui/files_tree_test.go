package ui

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// treeFiles is a torrent with nested folders, out of order, with a zero-length file:
//
//	a/            4000 B  12.5 %  mixed
//	  x/          4000 B  12.5 %  normal
//	    one.bin   1000 B  50 %
//	    two.bin   3000 B   0 %
//	  readme         0 B 100 %    skip
//	b/             100 B 100 %    normal
//	  z.txt
//	top.nfo         10 B 100 %    high
func treeFiles() []fileRow {
	return []fileRow{
		{Index: 0, Path: "b/z.txt", Size: 100, Progress: 1, Priority: priorityNormal},
		{Index: 1, Path: "a/x/two.bin", Size: 3000, Progress: 0, Priority: priorityNormal},
		{Index: 2, Path: "top.nfo", Size: 10, Progress: 1, Priority: priorityHigh},
		{Index: 3, Path: "a/readme", Size: 0, Progress: 1, Priority: prioritySkip},
		{Index: 4, Path: "a/x/one.bin", Size: 1000, Progress: 0.5, Priority: priorityNormal},
	}
}

// shownRow is a table row as drawn.
type shownRow struct {
	name                     string
	depth                    int
	folder                   bool
	size, progress, priority string
}

func (r shownRow) String() string {
	return fmt.Sprintf("%*s%s folder=%v %s %s %s", 2*r.depth, "", r.name, r.folder, r.size, r.progress, r.priority)
}

// shownRows draws every row of the Files table through its cell update function.
func shownRows(t *testing.T, tab *filesTab) []shownRow {
	t.Helper()
	rows, cols := tab.table.Length()
	if cols != numFileCols {
		t.Fatalf("%d columns, want %d", cols, numFileCols)
	}
	var out []shownRow
	for r := range rows {
		_, _, name := fileCell(tab, r, fileColName)
		size, _, _ := fileCell(tab, r, fileColSize)
		progress, _, _ := fileCell(tab, r, fileColProgress)
		_, sel, _ := fileCell(tab, r, fileColPriority)
		prio := sel.Selected
		if prio == "" {
			prio = sel.PlaceHolder
		}
		out = append(out, shownRow{name.label.Text, name.depth, !name.toggle.Hidden, size.Text, progress.Text, prio})
	}
	return out
}

func wantRows(t *testing.T, got []shownRow, want ...shownRow) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("the Files tree shows\n%v\nwant\n%v", got, want)
	}
}

func TestFileTreeAggregatesFolders(t *testing.T) {
	tree := buildFileTree(treeFiles())
	root := tree.nodes[0]
	if root.size != 4110 || root.prio != priorityMixed {
		t.Errorf("root: size %d prio %v, want 4110 mixed", root.size, root.prio)
	}
	if want := (100 + 500 + 10 + 0) / 4110.0; root.done/float64(root.size) != want {
		t.Errorf("root progress %v, want %v", root.done/float64(root.size), want)
	}
	for i, f := range treeFiles() {
		n := tree.nodes[tree.byFile[i]]
		if n.file != int32(i) || n.size != f.Size || n.progress != f.Progress || n.prio != f.Priority {
			t.Errorf("file %d (%s): node %+v", i, f.Path, n)
		}
	}

	test.NewTempApp(t)
	tab := newFilesTab(nil)
	tab.Show(treeFiles())
	wantRows(t, shownRows(t, tab),
		shownRow{"a", 0, true, "3.9 KiB", "12.5 %", "mixed"},
		shownRow{"x", 1, true, "3.9 KiB", "12.5 %", "normal"},
		shownRow{"one.bin", 2, false, "1000 B", "50.0 %", "normal"},
		shownRow{"two.bin", 2, false, "2.9 KiB", "0.0 %", "normal"},
		shownRow{"readme", 1, false, "0 B", "100.0 %", "skip"},
		shownRow{"b", 0, true, "100 B", "100.0 %", "normal"},
		shownRow{"z.txt", 1, false, "100 B", "100.0 %", "normal"},
		shownRow{"top.nfo", 0, false, "10 B", "100.0 %", "high"},
	)
	if !tab.hint.Hidden {
		t.Error("the no-files hint is shown over a file list")
	}
}

func TestFilesTabSingleFileIsOneRow(t *testing.T) {
	test.NewTempApp(t)
	tab := newFilesTab(nil)
	tab.Show([]fileRow{{Path: "ubuntu.iso", Size: 3 << 30, Progress: 0.25, Priority: priorityNormal}})
	wantRows(t, shownRows(t, tab), shownRow{"ubuntu.iso", 0, false, "3.0 GiB", "25.0 %", "normal"})
}

// TestFilesTabWithoutMetadata: a magnet link before its metadata has no files; the tab says so
// and offers nothing to pick.
func TestFilesTabWithoutMetadata(t *testing.T) {
	test.NewTempApp(t)
	tab := newFilesTab(func([]int, filePriority) { t.Error("a priority was set without files") })
	tab.Show(nil)
	if rows, _ := tab.table.Length(); rows != 0 || tab.hint.Hidden {
		t.Fatalf("%d rows, hint hidden=%v; want no rows and the hint", rows, tab.hint.Hidden)
	}
	tab.Show(treeFiles()) // the metadata arrived
	if rows, _ := tab.table.Length(); rows != 8 || !tab.hint.Hidden {
		t.Fatalf("%d rows, hint hidden=%v; want 8 rows and no hint", rows, tab.hint.Hidden)
	}
}

// TestFilesTabRefreshKeepsTheTreeAndItsOpenFolders: the same files again update the tree in
// place (same nodes, new figures), a closed folder stays closed across refreshes and across
// looking at another torrent in between.
func TestFilesTabRefreshKeepsTheTreeAndItsOpenFolders(t *testing.T) {
	test.NewTempApp(t)
	tab := newFilesTab(nil)
	w := test.NewTempWindow(t, tab.content)
	w.Resize(fyne.NewSize(900, 400))
	tab.Show(treeFiles())
	tree := tab.tree

	_, _, x := fileCell(tab, 1, fileColName)
	test.Tap(x.toggle) // close a/x
	wantRows(t, shownRows(t, tab),
		shownRow{"a", 0, true, "3.9 KiB", "12.5 %", "mixed"},
		shownRow{"x", 1, true, "3.9 KiB", "12.5 %", "normal"},
		shownRow{"readme", 1, false, "0 B", "100.0 %", "skip"},
		shownRow{"b", 0, true, "100 B", "100.0 %", "normal"},
		shownRow{"z.txt", 1, false, "100 B", "100.0 %", "normal"},
		shownRow{"top.nfo", 0, false, "10 B", "100.0 %", "high"},
	)

	next := treeFiles()
	next[1].Progress = 0.5 // a/x/two.bin
	next[3].Priority = priorityNormal
	tab.Show(next)
	if tab.tree != tree {
		t.Error("a refresh of the same files rebuilt the tree")
	}
	wantRows(t, shownRows(t, tab),
		shownRow{"a", 0, true, "3.9 KiB", "50.0 %", "normal"},
		shownRow{"x", 1, true, "3.9 KiB", "50.0 %", "normal"},
		shownRow{"readme", 1, false, "0 B", "100.0 %", "normal"},
		shownRow{"b", 0, true, "100 B", "100.0 %", "normal"},
		shownRow{"z.txt", 1, false, "100 B", "100.0 %", "normal"},
		shownRow{"top.nfo", 0, false, "10 B", "100.0 %", "high"},
	)

	tab.Show([]fileRow{{Path: "x/other", Size: 5}}) // another torrent, with a folder x of its own
	if rows, _ := tab.table.Length(); rows != 2 {
		t.Errorf("another torrent's x/other shows %d rows, want 2 (its x is open)", rows)
	}
	tab.Show(next) // back
	if rows, _ := tab.table.Length(); rows != 6 {
		t.Errorf("coming back shows %d rows, want 6: a/x closed as it was left", rows)
	}

	_, _, a := fileCell(tab, 0, fileColName)
	test.Tap(a.toggle) // close a
	if rows, _ := tab.table.Length(); rows != 4 {
		t.Errorf("closing a leaves %d rows, want a, b, z.txt, top.nfo", rows)
	}
	_, _, a = fileCell(tab, 0, fileColName)
	test.Tap(a.toggle) // open a: a/x is still closed inside it
	if rows, _ := tab.table.Length(); rows != 6 {
		t.Errorf("reopening a shows %d rows, want 6", rows)
	}
}

// filesBackend is a torrent with files whose priorities the Files tab sets through the window.
type filesBackend struct {
	backend
	mu      sync.Mutex
	files   []fileRow
	calls   []fileCall
	batches int // SetFilePriorities calls
}

var filesID = metainfo.Hash{7}

func (b *filesBackend) Torrents() []listRow {
	return []listRow{{ID: filesID, Name: "album", Group: groupDownloading, Status: "downloading", ETA: -1}}
}
func (b *filesBackend) Status() statusInfo         { return statusInfo{FreeDisk: -1, DHTNodes: -1} }
func (b *filesBackend) Settings() persist.Settings { return persist.DefaultSettings() }

func (b *filesBackend) Details(id metainfo.Hash) (torrentDetails, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id != filesID {
		return torrentDetails{}, false
	}
	return torrentDetails{Snap: &torrent.Snapshot{}, Files: slices.Clone(b.files)}, true
}

func (b *filesBackend) SetFilePriorities(id metainfo.Hash, files []int, p filePriority) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batches++
	for _, file := range files {
		if id != filesID || file < 0 || file >= len(b.files) {
			return fmt.Errorf("no file %d in %s", file, id)
		}
		b.files[file].Priority = p
		b.calls = append(b.calls, fileCall{file, p})
	}
	return nil
}

func (b *filesBackend) priorities() (prios []filePriority, calls []fileCall) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.files {
		prios = append(prios, f.Priority)
	}
	calls = slices.Clone(b.calls)
	slices.SortFunc(calls, func(a, b fileCall) int { return a.file - b.file })
	return prios, calls
}

// TestFolderPrioritySetsEveryFileThroughTheBackend: picking a folder's priority in the main
// window's Files tab asks the core to set it on every file under the folder that does not have
// it yet, and nothing else; the next tick shows the folder with its new priority.
func TestFolderPrioritySetsEveryFileThroughTheBackend(t *testing.T) {
	be := &filesBackend{files: treeFiles()}
	w := newMainWindow(test.NewTempApp(t), be)
	w.win.Show()
	w.apply(w.fetch(true))
	w.list.Select(filesID)
	w.details.tabs.SelectIndex(tabFiles)
	w.apply(w.fetch(true))
	tab := w.details.files
	if rows, _ := tab.table.Length(); rows != 8 {
		t.Fatalf("the Files tab shows %d rows, want 8", rows)
	}

	// Folder a (mixed: x/one.bin and x/two.bin normal, readme skip) → normal: only readme
	// changes.
	_, sel, _ := fileCell(tab, 0, fileColPriority)
	if sel.Selected != "" || sel.PlaceHolder != mixedText {
		t.Fatalf("folder a shows %q (placeholder %q), want mixed", sel.Selected, sel.PlaceHolder)
	}
	sel.SetSelected("normal")
	w.asyncRunning.Wait()
	if _, calls := be.priorities(); !slices.Equal(calls, []fileCall{{3, priorityNormal}}) {
		t.Fatalf("SetFilePriority calls %v, want only a/readme → normal", calls)
	}
	// a → high: every file of a, and only those.
	_, sel, _ = fileCell(tab, 0, fileColPriority)
	sel.SetSelected("high")
	w.asyncRunning.Wait()
	prios, calls := be.priorities()
	if want := []fileCall{{1, priorityHigh}, {3, priorityNormal}, {3, priorityHigh}, {4, priorityHigh}}; !slices.Equal(calls, want) {
		t.Fatalf("SetFilePriority calls %v, want %v (the files of a, and only those)", calls, want)
	}
	be.mu.Lock()
	batches := be.batches
	be.mu.Unlock()
	if batches != 2 {
		t.Errorf("two folder choices reached the core in %d calls, want one call each", batches)
	}
	if want := []filePriority{priorityNormal, priorityHigh, priorityHigh, priorityHigh, priorityHigh}; !slices.Equal(prios, want) {
		t.Fatalf("priorities %v, want %v", prios, want)
	}
	w.apply(w.fetch(true))
	rows := shownRows(t, tab)
	for _, r := range rows[:5] {
		if r.priority != "high" {
			t.Errorf("after the tick %q shows %q, want high", r.name, r.priority)
		}
	}

	// Folder x → skip → high: its two files each time.
	_, sel, _ = fileCell(tab, 1, fileColPriority)
	sel.SetSelected("skip")
	sel.SetSelected("high")
	w.asyncRunning.Wait()
	if _, calls := be.priorities(); len(calls) != 1+3+2+2 {
		t.Errorf("%d calls after x → skip → high, want 8: %v", len(calls), calls)
	}
	// The folder's own line follows at once, before the core answers.
	_, sel, _ = fileCell(tab, 0, fileColPriority)
	if sel.Selected != "high" {
		t.Errorf("folder a shows %q, want high", sel.Selected)
	}
}

// TestFolderPriorityShowsMixedAndSingle: a folder shows its files' priority when they agree and
// "mixed" when they do not, and follows a file's change at once.
func TestFolderPriorityShowsMixedAndSingle(t *testing.T) {
	test.NewTempApp(t)
	var calls []fileCall
	tab := newFilesTab(func(files []int, p filePriority) {
		for _, file := range files {
			calls = append(calls, fileCall{file, p})
		}
	})
	tab.Show([]fileRow{
		{Index: 0, Path: "d/e/1", Size: 1, Priority: priorityNormal},
		{Index: 1, Path: "d/e/2", Size: 1, Priority: priorityNormal},
		{Index: 2, Path: "d/3", Size: 1, Priority: priorityNormal},
	})
	prio := func(row int) string {
		_, sel, _ := fileCell(tab, row, fileColPriority)
		if sel.Selected == "" {
			return sel.PlaceHolder
		}
		return sel.Selected
	}
	if prio(0) != "normal" || prio(1) != "normal" {
		t.Fatalf("folders d, e show %q, %q; want normal", prio(0), prio(1))
	}
	_, sel, _ := fileCell(tab, 2, fileColPriority) // d/e/1
	sel.SetSelected("skip")
	if prio(0) != mixedText || prio(1) != mixedText || prio(3) != "normal" {
		t.Errorf("after d/e/1 → skip: d %q, e %q, d/e/2 %q; want mixed, mixed, normal", prio(0), prio(1), prio(3))
	}
	_, sel, _ = fileCell(tab, 3, fileColPriority) // d/e/2
	sel.SetSelected("skip")
	if prio(0) != mixedText || prio(1) != "skip" {
		t.Errorf("after d/e/2 → skip: d %q, e %q; want mixed, skip", prio(0), prio(1))
	}
	if want := []fileCall{{0, prioritySkip}, {1, prioritySkip}}; !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

// bigTorrentFiles is a torrent of n files in folders of 100 (season/disc/file), as a large
// collection lays them out.
func bigTorrentFiles(n int) []fileRow {
	files := make([]fileRow, n)
	for i := range files {
		files[i] = fileRow{
			Index: i, Path: fmt.Sprintf("collection/season %02d/disc %d/track %05d.flac", i/1000, i/100%10, i),
			Size: int64(20<<20 + i), Progress: float64(i%7) / 7, Priority: priorityNormal,
		}
	}
	return files
}

// BenchmarkFilesRefresh10000 is one refresh of the Files tab showing a 10 000-file torrent,
// every folder open: the same files with new progress, which updates the tree in place. In
// "some-progress" ten files (and so their folders) move each refresh, as during a download; in
// "all-progress" every file does. "rebuild" is what selecting the torrent costs: the tree
// built from its paths.
func BenchmarkFilesRefresh10000(b *testing.B) {
	for _, c := range []struct {
		name  string
		moved int // files whose progress changes per refresh; -1: rebuild every time
	}{{"some-progress", 10}, {"all-progress", 10000}, {"rebuild", -1}} {
		b.Run(c.name, func(b *testing.B) {
			test.NewTempApp(b)
			tab := newFilesTab(nil)
			w := test.NewTempWindow(b, tab.content)
			w.Resize(fyne.NewSize(900, 600))
			files := bigTorrentFiles(10000)
			tab.Show(files)
			other := []fileRow{{Path: "x", Size: 1}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if c.moved < 0 {
					tab.Show(other)
					tab.Show(files)
					continue
				}
				for k := range c.moved {
					f := &files[(i*c.moved+k*997)%len(files)]
					f.Progress = min(1, f.Progress+0.001)
				}
				tab.Show(files)
			}
		})
	}
}
