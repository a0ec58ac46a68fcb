package ui

import (
	"errors"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// e2eSelect clicks the rows of ids in the torrent list as the user does: the first plainly,
// the others with Ctrl held.
func e2eSelect(t *testing.T, w *mainWindow, ids ...metainfo.Hash) {
	t.Helper()
	mods := fyne.KeyModifier(0)
	w.list.modifiers = func() fyne.KeyModifier { return mods }
	for i, id := range ids {
		row := w.list.model.Index(id)
		if row < 0 {
			t.Fatalf("torrent %x is not shown", id[0])
		}
		if i > 0 {
			mods = fyne.KeyModifierShortcutDefault
		}
		w.list.table.Unselect(widget.TableCellID{Row: row, Col: int(colName)})
		w.list.table.Select(widget.TableCellID{Row: row, Col: int(colName)})
	}
	if got := w.list.SelectedAll(); len(got) != len(ids) {
		t.Fatalf("selected %d torrents, want %d", len(got), len(ids))
	}
}

// e2eKey is Ctrl (the platform's shortcut key) + key, as the desktop driver reports it.
func e2eKey(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

func e2ePress(w *mainWindow, s fyne.Shortcut) {
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// e2eMenuItem is the item labelled label in the menu titled menu.
func e2eMenuItem(t *testing.T, w *mainWindow, menu, label string) *fyne.MenuItem {
	t.Helper()
	mm := w.win.MainMenu()
	if mm == nil {
		t.Fatal("the window has no main menu")
	}
	for _, m := range mm.Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no %s ▸ %s in the main menu", menu, label)
	return nil
}

// TestE2EMenuHasEveryActionWithItsShortcut reads the main window's menu: every command is in
// the menu it belongs to, in order, with the documented shortcut (Ctrl+O add, Ctrl+N create,
// Ctrl+M move, Ctrl+D DHT …) and an action, and no shortcut is used twice. The other tests fire
// the same shortcuts on the window's canvas.
func TestE2EMenuHasEveryActionWithItsShortcut(t *testing.T) {
	a := newE2EApp(t)
	w, _ := newE2EWindow(t, a, t.TempDir())
	type item struct{ label, key string } // key "" = no shortcut; label "" = separator
	want := map[string][]item{
		"File": {
			{"Add torrent file…", "O"}, {"Add torrents from a folder…", "Shift+O"}, {"Add magnet link…", "U"}, {"Create torrent…", "N"},
			{"", ""}, {"Swarm Lab…", "L"}, {"DHT…", "D"}, {"Settings…", ","}, {"", ""}, {"Quit", "Q"},
		},
		"Torrent": {
			{"Start", "S"}, {"Pause", "P"}, {"Remove…", "Delete"}, {"Recheck", "R"}, {"Open folder", "E"},
			{"Move to…", "M"}, {"", ""}, {"Pause all", ""}, {"Resume all", ""},
		},
		"Speed": {{"Alternative speed limits", "T"}},
	}
	mm := w.win.MainMenu()
	if mm == nil {
		t.Fatal("no main menu")
	}
	var menus []string
	seen := map[string]string{}
	for _, m := range mm.Items {
		menus = append(menus, m.Label)
		var got []item
		for _, it := range m.Items {
			if it.IsSeparator {
				got = append(got, item{})
				continue
			}
			if it.Action == nil {
				t.Errorf("%s ▸ %s has no action", m.Label, it.Label)
			}
			key := ""
			if it.Shortcut != nil {
				cs, ok := it.Shortcut.(*desktop.CustomShortcut)
				if !ok || cs.Modifier&^fyne.KeyModifierShift != fyne.KeyModifierShortcutDefault {
					t.Errorf("%s ▸ %s: shortcut %s, want Ctrl+key or Ctrl+Shift+key", m.Label, it.Label, it.Shortcut.ShortcutName())
					continue
				}
				key = string(cs.KeyName)
				if cs.Modifier&fyne.KeyModifierShift != 0 {
					key = "Shift+" + key
				}
				if other, dup := seen[cs.ShortcutName()]; dup {
					t.Errorf("Ctrl+%s is the shortcut of both %s and %s", key, other, it.Label)
				}
				seen[cs.ShortcutName()] = it.Label
			}
			got = append(got, item{it.Label, key})
		}
		if !slices.Equal(got, want[m.Label]) {
			t.Errorf("menu %s:\n got  %q\n want %q", m.Label, got, want[m.Label])
		}
	}
	if !slices.Equal(menus, []string{"File", "Torrent", "Speed"}) {
		t.Errorf("menus %q, want File, Torrent, Speed", menus)
	}
}

// TestE2EShortcutsActOnTheSelection fires each torrent shortcut on the window's canvas as the
// keyboard does and checks the backend calls: Ctrl+S, Ctrl+P and Ctrl+R start, pause and
// recheck every selected torrent and no other; the same menu items do the same; without a
// selection they do nothing.
func TestE2EShortcutsActOnTheSelection(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())

	// Nothing selected: the selection's commands do nothing and their buttons are off.
	for _, key := range []fyne.KeyName{fyne.KeyS, fyne.KeyP, fyne.KeyR, fyne.KeyE, fyne.KeyDelete, fyne.KeyM} {
		e2ePress(w, e2eKey(key))
	}
	w.asyncRunning.Wait()
	if calls := be.takeCalls(); len(calls) != 0 {
		t.Errorf("shortcuts without a selection called %q", calls)
	}
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("shortcuts without a selection opened a dialog: %q", e2eTexts(e2eTop(t, w.win)))
	}

	e2eSelect(t, w, e2eID(1), e2eID(2)) // alpha (paused) and beta (downloading), not gamma
	for _, tc := range []struct {
		key  fyne.KeyName
		menu string
		want []string
	}{
		{fyne.KeyS, "Start", []string{"Start 01", "Start 02"}},
		{fyne.KeyP, "Pause", []string{"Pause 01", "Pause 02"}},
		{fyne.KeyR, "Recheck", []string{"Recheck 01", "Recheck 02"}},
	} {
		e2ePress(w, e2eKey(tc.key))
		w.asyncRunning.Wait()
		if got := be.takeCalls(); !slices.Equal(got, tc.want) {
			t.Errorf("Ctrl+%s called %q, want %q", tc.key, got, tc.want)
		}
		e2eMenuItem(t, w, "Torrent", tc.menu).Action()
		w.asyncRunning.Wait()
		if got := be.takeCalls(); !slices.Equal(got, tc.want) {
			t.Errorf("Torrent ▸ %s called %q, want %q", tc.menu, got, tc.want)
		}
	}
}

// TestE2EToolbarFollowsTheSelection taps the toolbar buttons: the selection's buttons are off
// without a selection; with a paused torrent selected Start is on and Pause off (and the other
// way round for a running one); tapping Start starts exactly the selected torrent.
func TestE2EToolbarFollowsTheSelection(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	content := e2eObjects(t, w.win.Content())
	buttons := map[string]*widget.Button{}
	for _, label := range []string{"Add torrent file…", "Add magnet link…", "Create torrent…", "Start", "Pause",
		"Remove…", "Recheck", "Open folder", "Settings", "Lab"} {
		buttons[label] = e2eButton(t, content, label)
	}
	for _, label := range []string{"Start", "Pause", "Remove…", "Recheck", "Open folder"} {
		if !buttons[label].Disabled() {
			t.Errorf("%s is enabled without a selection", label)
		}
	}
	for _, label := range []string{"Add torrent file…", "Add magnet link…", "Create torrent…", "Settings", "Lab"} {
		if buttons[label].Disabled() {
			t.Errorf("%s is disabled", label)
		}
	}

	e2eSelect(t, w, e2eID(3)) // gamma, paused
	if buttons["Start"].Disabled() || !buttons["Pause"].Disabled() || buttons["Remove…"].Disabled() {
		t.Errorf("paused torrent selected: Start disabled %v, Pause disabled %v, Remove disabled %v; want on, off, on",
			buttons["Start"].Disabled(), buttons["Pause"].Disabled(), buttons["Remove…"].Disabled())
	}
	buttons["Start"].OnTapped()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Start 03"}) {
		t.Errorf("Start on the toolbar called %q, want Start 03", got)
	}

	e2eSelect(t, w, e2eID(2)) // beta, downloading
	if !buttons["Start"].Disabled() || buttons["Pause"].Disabled() {
		t.Errorf("running torrent selected: Start disabled %v, Pause disabled %v; want off, on",
			buttons["Start"].Disabled(), buttons["Pause"].Disabled())
	}
	buttons["Pause"].OnTapped()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Pause 02"}) {
		t.Errorf("Pause on the toolbar called %q, want Pause 02", got)
	}
}

// TestE2EPauseAllAndResumeAll: Torrent ▸ Pause all pauses every torrent, Resume all starts
// every paused one (and not the running one), whatever is selected.
func TestE2EPauseAllAndResumeAll(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	e2eSelect(t, w, e2eID(2))
	e2eMenuItem(t, w, "Torrent", "Pause all").Action()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Pause 02"}) {
		t.Errorf("Pause all called %q, want the one running torrent paused", got)
	}
	e2eMenuItem(t, w, "Torrent", "Resume all").Action()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Start 01", "Start 03"}) {
		t.Errorf("Resume all called %q, want the paused alpha and gamma started", got)
	}
}

// TestE2EPauseAllIgnoresTheSearch: Pause all pauses the running torrent even when a search
// hides it (the tray's Pause all acts on a hidden window whose search is still set).
func TestE2EPauseAllIgnoresTheSearch(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	w.list.SetQuery("alpha")
	e2eMenuItem(t, w, "Torrent", "Pause all").Action()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Pause 02"}) {
		t.Errorf("Pause all with the search on alpha called %q, want beta (running, hidden) paused", got)
	}
}

// TestE2EAltSpeedToggle: Ctrl+T and Speed ▸ Alternative speed limits switch the setting in the
// backend and the menu's check mark follow it; when the backend refuses, a dialog says so and
// the check mark stays.
func TestE2EAltSpeedToggle(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	item := e2eMenuItem(t, w, "Speed", "Alternative speed limits")
	if item.Checked {
		t.Fatal("alternative limits checked while the settings say off")
	}
	e2ePress(w, e2eKey(fyne.KeyT))
	if got := be.takeCalls(); !slices.Equal(got, []string{"SetSettings alt=true tray=false"}) {
		t.Errorf("Ctrl+T called %q, want the alternative limits switched on", got)
	}
	if !item.Checked || !be.Settings().AltLimitsEnabled {
		t.Errorf("after Ctrl+T: checked %v, saved %v; want both on", item.Checked, be.Settings().AltLimitsEnabled)
	}
	item.Action()
	if got := be.takeCalls(); !slices.Equal(got, []string{"SetSettings alt=false tray=false"}) {
		t.Errorf("the menu item called %q, want the alternative limits switched off", got)
	}
	if item.Checked || be.Settings().AltLimitsEnabled {
		t.Errorf("after the menu item: checked %v, saved %v; want both off", item.Checked, be.Settings().AltLimitsEnabled)
	}

	be.mu.Lock()
	be.setSettingsErr = errors.New("disk full")
	be.mu.Unlock()
	e2ePress(w, e2eKey(fyne.KeyT))
	if item.Checked {
		t.Error("the check mark turned on although saving failed")
	}
	if !e2eShows(t, w.win, "Could not switch the speed limits") || !e2eShows(t, w.win, "Disk full") {
		t.Errorf("a failed switch showed %q, want the problem in words", e2eTexts(e2eTop(t, w.win)))
	}
}

// TestE2EShortcutsOpenTheirDialogsAndWindows fires the shortcuts that open something: Ctrl+O
// the file chooser, Ctrl+U the magnet dialog, Ctrl+N the create dialog, Ctrl+, the settings,
// Ctrl+Delete and Delete the remove question, Ctrl+M the folder chooser, Ctrl+L the Swarm Lab
// window and Ctrl+D the DHT window (once: pressing again brings the same window forward). None
// of them calls the backend on its own.
func TestE2EShortcutsOpenTheirDialogsAndWindows(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	e2eSelect(t, w, e2eID(1))
	for _, tc := range []struct {
		name  string
		press func()
		title string
	}{
		{"Ctrl+O", func() { e2ePress(w, e2eKey(fyne.KeyO)) }, "Open File"},
		{"Ctrl+U", func() { e2ePress(w, e2eKey(fyne.KeyU)) }, "Add magnet link"},
		{"Ctrl+N", func() { e2ePress(w, e2eKey(fyne.KeyN)) }, "Create torrent"},
		{"Ctrl+,", func() { e2ePress(w, e2eKey(fyne.KeyComma)) }, "Settings"},
		{"Ctrl+Delete", func() { e2ePress(w, e2eKey(fyne.KeyDelete)) }, "Remove torrent"},
		{"Delete", func() { w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete}) }, "Remove torrent"},
		{"Ctrl+M", func() { e2ePress(w, e2eKey(fyne.KeyM)) }, "Open Folder"},
	} {
		tc.press()
		if !e2eShows(t, w.win, tc.title) {
			t.Errorf("%s did not open the %q dialog (top dialog's labels: %q)", tc.name, tc.title, e2eTexts(e2eTop(t, w.win)))
		}
		e2eDismissAll(w.win)
	}

	before := len(a.windowTitles())
	e2ePress(w, e2eKey(fyne.KeyL))
	e2ePress(w, e2eKey(fyne.KeyD))
	e2ePress(w, e2eKey(fyne.KeyD))
	titles := a.windowTitles()[before:]
	if !slices.Equal(titles, []string{"Swarm Lab", "DHT"}) {
		t.Errorf("Ctrl+L, Ctrl+D, Ctrl+D opened windows %q, want Swarm Lab and DHT once each", titles)
	}
	if dht := a.window("DHT"); dht != nil {
		if shown, _, _ := dht.counts(); shown != 2 {
			t.Errorf("the DHT window was shown %d times, want 2 (opened, then brought forward)", shown)
		}
		dht.Close()
	}
	if lab := a.window("Swarm Lab"); lab != nil {
		lab.Close()
	}
	w.asyncRunning.Wait()
	if got := be.takeCalls(); len(got) != 0 {
		t.Errorf("opening dialogs called the backend: %q", got)
	}
	if len(a.notifications()) != 0 {
		t.Errorf("notifications %v", a.notifications())
	}
}

// TestE2EMoveShortcut: Ctrl+M asks for a folder, starting at the current torrent's folder;
// choosing one moves every selected torrent there (and no other); cancelling moves nothing.
func TestE2EMoveShortcut(t *testing.T) {
	a := newE2EApp(t)
	save := t.TempDir()
	w, be := newE2EWindow(t, a, save)
	e2eSelect(t, w, e2eID(1), e2eID(3))

	e2ePress(w, e2eKey(fyne.KeyM))
	test.Tap(e2eButton(t, e2eTop(t, w.win), "Cancel"))
	w.asyncRunning.Wait()
	if got := be.takeCalls(); len(got) != 0 {
		t.Errorf("cancelling the folder choice called %q", got)
	}

	e2ePress(w, e2eKey(fyne.KeyM))
	test.Tap(e2eButton(t, e2eTop(t, w.win), "Open"))
	w.asyncRunning.Wait()
	want := []string{"SetSaveDir 01 " + save, "SetSaveDir 03 " + save}
	if got := be.takeCalls(); !slices.Equal(got, want) {
		t.Errorf("choosing the folder the dialog opened at called %q, want %q", got, want)
	}
}
