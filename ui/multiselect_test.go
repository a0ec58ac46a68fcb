package ui

import (
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// multiRows are six torrents whose names sort in another order than their hashes: by name they
// are a(3) b(5) c(2) d(6) e(4) f(1). Torrents 2, 3 and 6 are paused.
func multiRows() []listRow {
	now := time.Now()
	names := []string{"", "f", "c", "a", "e", "b", "d"}
	var rows []listRow
	for i := byte(1); i <= 6; i++ {
		g := groupDownloading
		if i == 2 || i == 3 || i == 6 {
			g = groupPaused
		}
		rows = append(rows, listRow{ID: hashOf(i), Name: names[i], Group: g, ETA: -1,
			Added: now.Add(-time.Duration(i) * time.Hour)})
	}
	return rows
}

// clickTester drives a torrentList sorted by name with chosen modifiers held.
type clickTester struct {
	t       *testing.T
	l       *torrentList
	mods    fyne.KeyModifier
	current metainfo.Hash // what onSelect last reported
	hasCur  bool
}

func newClickTester(t *testing.T) *clickTester {
	test.NewTempApp(t)
	ct := &clickTester{t: t, l: newTorrentList(newListModel())}
	ct.l.modifiers = func() fyne.KeyModifier { return ct.mods }
	ct.l.onSelect = func(id metainfo.Hash, ok bool) { ct.current, ct.hasCur = id, ok }
	ct.l.Update(multiRows())
	ct.l.sortBy(colName)
	if got := viewNames(ct.l.model); !equalStrings(got, []string{"a", "b", "c", "d", "e", "f"}) {
		t.Fatalf("view %v, want sorted by name", got)
	}
	return ct
}

// click taps the named row's Status cell with mods held, as the table reports a tap.
func (ct *clickTester) click(name string, mods fyne.KeyModifier) {
	ct.t.Helper()
	for i := range ct.l.model.Len() {
		if ct.l.model.Row(i).Name == name {
			ct.mods = mods
			ct.l.table.Select(widget.TableCellID{Row: i, Col: int(colStatus)})
			return
		}
	}
	ct.t.Fatalf("no row %q in the view", name)
}

// want checks the selection (names in list order), that exactly those rows are drawn
// highlighted, and the current torrent reported to the details pane.
func (ct *clickTester) want(current string, names ...string) {
	ct.t.Helper()
	var got []string
	for _, id := range ct.l.SelectedAll() {
		got = append(got, ct.l.model.rows[id].Name)
	}
	if !equalStrings(got, names) {
		ct.t.Fatalf("selected %v, want %v", got, names)
	}
	for i := range ct.l.model.Len() {
		row := ct.l.model.Row(i)
		for _, col := range []column{colName, colProgress} {
			c := newListCell()
			ct.l.updateCell(widget.TableCellID{Row: i, Col: int(col)}, c)
			lit := c.bg.FillColor == theme.Color(theme.ColorNameSelection)
			if lit != slices.Contains(names, row.Name) {
				ct.t.Fatalf("row %q column %d highlighted %v, selection %v", row.Name, col, lit, names)
			}
		}
	}
	id, ok := ct.l.Selected()
	if current == "" {
		if ok || ct.hasCur {
			ct.t.Fatalf("current torrent %v (reported %v), want none", id, ct.hasCur)
		}
		return
	}
	if !ok || ct.l.model.rows[id] == nil || ct.l.model.rows[id].Name != current {
		ct.t.Fatalf("Selected() = %v %v, want %q", id, ok, current)
	}
	if !ct.hasCur || ct.current != id {
		ct.t.Fatalf("details were told %v %v, want %q", ct.current, ct.hasCur, current)
	}
	if row, ok := ct.l.SelectedRow(); !ok || row.Name != current {
		ct.t.Fatalf("SelectedRow() = %v %v, want %q", row, ok, current)
	}
}

const ctrlKey = fyne.KeyModifierShortcutDefault

func TestClickSelectsOneTorrent(t *testing.T) {
	ct := newClickTester(t)
	ct.want("")
	ct.click("c", 0)
	ct.want("c", "c")
	ct.click("e", 0)
	ct.want("e", "e")
}

func TestCtrlClickAddsAndRemoves(t *testing.T) {
	ct := newClickTester(t)
	ct.click("b", 0)
	ct.click("e", ctrlKey)
	ct.click("a", fyne.KeyModifierControl)
	ct.want("a", "a", "b", "e")
	// Taking a non-current torrent out keeps the current one.
	ct.click("b", ctrlKey)
	ct.want("a", "a", "e")
	// Taking the current one out makes the first remaining one current.
	ct.click("a", ctrlKey)
	ct.want("e", "e")
	ct.click("e", ctrlKey)
	ct.want("")
	// A plain click afterwards selects one again.
	ct.click("d", ctrlKey)
	ct.click("f", 0)
	ct.want("f", "f")
}

func TestShiftClickSelectsARangeInSortedOrder(t *testing.T) {
	ct := newClickTester(t)
	ct.click("c", 0)
	ct.click("e", fyne.KeyModifierShift)
	ct.want("e", "c", "d", "e")
	// The anchor stays at c: shift-clicking above it selects the other way.
	ct.click("a", fyne.KeyModifierShift)
	ct.want("a", "a", "b", "c")
	// Ctrl+Shift adds a range to the selection; Ctrl+click moves the anchor.
	ct.click("f", ctrlKey)
	ct.click("e", ctrlKey|fyne.KeyModifierShift)
	ct.want("e", "a", "b", "c", "e", "f")

	// The range follows the order shown: sorted by name descending it is f e d c.
	ct.l.sortBy(colName)
	ct.click("f", 0)
	ct.click("c", fyne.KeyModifierShift)
	var got []metainfo.Hash
	got = append(got, ct.l.SelectedAll()...)
	want := []metainfo.Hash{hashOf(1), hashOf(4), hashOf(6), hashOf(2)} // f e d c
	if !slices.Equal(got, want) {
		t.Fatalf("SelectedAll() = %v, want f e d c = %v", got, want)
	}
}

func TestCtrlASelectsEveryShownTorrent(t *testing.T) {
	a := test.NewTempApp(t)
	w := &mainWindow{fyneApp: a, win: a.NewWindow("main"), list: newTorrentList(newListModel())}
	w.addShortcuts()
	ct := &clickTester{t: t, l: w.list}
	ct.l.onSelect = func(id metainfo.Hash, ok bool) { ct.current, ct.hasCur = id, ok }
	ct.l.modifiers = func() fyne.KeyModifier { return ct.mods }
	w.list.Update(multiRows())
	w.list.sortBy(colName)
	w.list.SetFilter(filterPaused) // c, d and a only
	ct.click("d", 0)
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutSelectAll{})
	ct.want("d", "a", "c", "d")
	// Shown again, the others are not selected.
	w.list.SetFilter(filterAll)
	ct.want("d", "a", "c", "d")
}

func TestRowsThatDisappearLeaveTheSelection(t *testing.T) {
	ct := newClickTester(t)
	ct.click("a", 0)
	ct.click("c", fyne.KeyModifierShift)
	ct.click("e", ctrlKey)
	ct.want("e", "a", "b", "c", "e")

	// Torrent e (4) is removed: it leaves, and the first remaining one becomes current.
	var rows []listRow
	for _, r := range multiRows() {
		if r.ID != hashOf(4) {
			rows = append(rows, r)
		}
	}
	ct.l.Update(rows)
	ct.want("a", "a", "b", "c")

	// Filtering shows only the paused a and c: b leaves and does not come back.
	ct.l.SetFilter(filterPaused)
	ct.want("a", "a", "c")
	ct.l.SetFilter(filterAll)
	ct.want("a", "a", "c")

	// A search that hides everything empties the selection.
	ct.l.SetQuery("zzz")
	ct.want("")
	ct.l.SetQuery("")
	ct.want("")
	// The anchor left with its row: a shift-click selects just the clicked row.
	ct.click("d", fyne.KeyModifierShift)
	ct.want("d", "d")
}

// pauseBackend records Pause calls; everything else is the interface's zero (unused here).
type pauseBackend struct {
	backend
	mu     sync.Mutex
	paused []metainfo.Hash
}

func (b *pauseBackend) Pause(id metainfo.Hash) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused = append(b.paused, id)
	return nil
}

func TestPauseActsOnEverySelectedTorrent(t *testing.T) {
	a := test.NewTempApp(t)
	be := &pauseBackend{}
	w := &mainWindow{fyneApp: a, win: a.NewWindow("main"), be: be, list: newTorrentList(newListModel())}
	ct := &clickTester{t: t, l: w.list}
	ct.l.onSelect = func(id metainfo.Hash, ok bool) { ct.current, ct.hasCur = id, ok }
	ct.l.modifiers = func() fyne.KeyModifier { return ct.mods }
	w.list.Update(multiRows())
	w.list.sortBy(colName)
	ct.click("b", 0)
	ct.click("d", fyne.KeyModifierShift)
	ct.want("d", "b", "c", "d")

	_, torrent := w.actions()
	i := slices.IndexFunc(torrent, func(a action) bool { return a.label == "Pause" })
	if i < 0 {
		t.Fatal("no Pause action")
	}
	torrent[i].run()
	w.asyncRunning.Wait()
	be.mu.Lock()
	defer be.mu.Unlock()
	got := slices.Clone(be.paused)
	slices.SortFunc(got, func(x, y metainfo.Hash) int { return int(x[0]) - int(y[0]) })
	want := []metainfo.Hash{hashOf(2), hashOf(5), hashOf(6)} // c, b, d
	if !slices.Equal(got, want) {
		t.Fatalf("Pause called for %v, want exactly %v", got, want)
	}
}
