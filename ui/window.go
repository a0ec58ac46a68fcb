package ui

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// tickInterval is how often the window pulls new data from the core: 2 Hz. History samples are
// taken every other tick, once a second.
const tickInterval = 500 * time.Millisecond

// historySamples is how many one-second samples the speed chart keeps: five minutes.
const historySamples = 300

// mainWindow is Swarmscope's window: toolbar, filter and search, the torrent list, the details
// of the selected torrent, and the status bar. All fields are touched on the UI goroutine only,
// except selection, which the tick goroutine reads.
type mainWindow struct {
	fyneApp fyne.App
	win     fyne.Window
	be      backend
	dhtWin  *dhtWindow // the DHT window while it is open (UI goroutine only)

	asyncRunning sync.WaitGroup // operations started by async that have not returned

	list      *torrentList
	details   *detailsPane
	status    *statusBar
	selection atomic.Pointer[metainfo.Hash]
	history   map[metainfo.Hash]*widgets.RateHistory
	altLimits bool
	hasTray   bool
	lab       *labWindow // the Swarm Lab window while it is open

	selActions []*widget.Button // enabled only with a selection
	startBtn   *widget.Button
	pauseBtn   *widget.Button
	turtleItem *fyne.MenuItem

	// now is the clock; tests replace it.
	now func() time.Time
}

// newMainWindow builds the window around be.
func newMainWindow(a fyne.App, be backend) *mainWindow {
	w := &mainWindow{
		fyneApp: a, be: be, win: a.NewWindow("Swarmscope"),
		history: make(map[metainfo.Hash]*widgets.RateHistory),
		now:     time.Now,
	}
	w.list = newTorrentList(newListModel())
	w.list.onSelect = w.selected
	w.details = newDetailsPane(w.setFilePriorities)
	w.status = newStatusBar()
	w.altLimits = be.Settings().AltLimitsEnabled

	filter := widget.NewSelect(filterNames[:], nil)
	filter.SetSelected(filterNames[filterAll])
	filter.OnChanged = func(s string) {
		for i, name := range filterNames {
			if name == s {
				w.list.SetFilter(listFilter(i))
			}
		}
	}
	search := widget.NewEntry()
	search.SetPlaceHolder("Search names…")
	search.OnChanged = w.list.SetQuery

	top := container.NewVBox(
		w.toolbar(),
		container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Show"), filter), nil, search),
	)
	split := container.NewVSplit(w.list.table, w.details.content)
	split.Offset = 0.45
	w.win.SetContent(container.NewBorder(top, w.status.content, nil, nil, split))
	w.win.SetMainMenu(w.menu())
	w.addShortcuts()
	w.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.handleDrop(planDrop(uris)) })
	w.win.Resize(fyne.NewSize(1200, 780))
	w.updateActions()
	return w
}

// action is one command, shared by the toolbar, the menu and the keyboard.
type action struct {
	label    string
	icon     fyne.Resource
	shortcut fyne.Shortcut
	run      func()
	needsSel bool
}

func ctrl(key fyne.KeyName) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

func (w *mainWindow) actions() (file, torrent []action) {
	file = []action{
		{"Add torrent file…", theme.FileIcon(), ctrl(fyne.KeyO), w.chooseTorrentFile, false},
		{"Add magnet link…", theme.ContentPasteIcon(), ctrl(fyne.KeyU), w.showAddMagnet, false},
		{"Create torrent…", theme.ContentAddIcon(), ctrl(fyne.KeyN), func() { w.showCreate("") }, false},
	}
	torrent = []action{
		{"Start", theme.MediaPlayIcon(), ctrl(fyne.KeyS), w.startSelected, true},
		{"Pause", theme.MediaPauseIcon(), ctrl(fyne.KeyP), w.pauseSelected, true},
		{"Remove…", theme.DeleteIcon(), ctrl(fyne.KeyDelete), w.removeSelection, true},
		{"Recheck", theme.ViewRefreshIcon(), ctrl(fyne.KeyR), w.recheckSelected, true},
		{"Open folder", theme.FolderOpenIcon(), ctrl(fyne.KeyE), w.openSelectedFolder, true},
	}
	return file, torrent
}

func (w *mainWindow) toolbar() fyne.CanvasObject {
	file, torrent := w.actions()
	box := container.NewHBox()
	add := func(a action) *widget.Button {
		b := widget.NewButtonWithIcon(a.label, a.icon, a.run)
		b.Importance = widget.LowImportance
		box.Add(b)
		if a.needsSel {
			w.selActions = append(w.selActions, b)
		}
		return b
	}
	for _, a := range file {
		add(a)
	}
	box.Add(widget.NewSeparator())
	for i, a := range torrent {
		b := add(a)
		switch i {
		case 0:
			w.startBtn = b
		case 1:
			w.pauseBtn = b
		}
	}
	box.Add(widget.NewSeparator())
	settings := widget.NewButtonWithIcon("Settings", theme.SettingsIcon(), w.showSettings)
	settings.Importance = widget.LowImportance
	box.Add(settings)
	labBtn := widget.NewButtonWithIcon("Lab", theme.GridIcon(), w.showLab) // short: the toolbar must fit 1200 px
	labBtn.Importance = widget.LowImportance
	box.Add(labBtn)
	return box
}

// showLab opens the Swarm Lab window, or brings it forward when it is open.
func (w *mainWindow) showLab() {
	if w.lab != nil {
		w.lab.win.Show()
		w.lab.win.RequestFocus()
		return
	}
	w.lab = newLabWindow(w.fyneApp)
	w.lab.onClosed = func() { w.lab = nil }
	w.lab.win.Show()
}

func (w *mainWindow) menu() *fyne.MainMenu {
	file, torrent := w.actions()
	item := func(a action) *fyne.MenuItem {
		m := fyne.NewMenuItem(a.label, a.run)
		m.Icon = a.icon
		m.Shortcut = a.shortcut
		return m
	}
	var fileItems, torrentItems []*fyne.MenuItem
	for _, a := range file {
		fileItems = append(fileItems, item(a))
	}
	// Fyne's file dialog picks one file: several .torrent files come from a folder.
	fromFolder := fyne.NewMenuItem("Add torrents from a folder…", w.chooseTorrentFolder)
	fromFolder.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	fileItems = slices.Insert(fileItems, 1, fromFolder)
	settings := fyne.NewMenuItem("Settings…", w.showSettings)
	settings.Shortcut = ctrl(fyne.KeyComma)
	labItem := fyne.NewMenuItem("Swarm Lab…", w.showLab)
	labItem.Icon = theme.GridIcon()
	labItem.Shortcut = ctrl(fyne.KeyL)
	dhtItem := fyne.NewMenuItem("DHT…", w.showDHT)
	dhtItem.Shortcut = ctrl(fyne.KeyD)
	// Our own Quit: the one Fyne adds would go through the window's close
	// intercept, which only hides the window when it closes to the tray.
	quit := fyne.NewMenuItem("Quit", w.fyneApp.Quit)
	quit.IsQuit = true
	quit.Shortcut = ctrl(fyne.KeyQ)
	fileItems = append(fileItems, fyne.NewMenuItemSeparator(), labItem, dhtItem, settings, fyne.NewMenuItemSeparator(), quit)
	for _, a := range torrent {
		torrentItems = append(torrentItems, item(a))
	}
	move := fyne.NewMenuItem("Move to…", w.moveSelected)
	move.Icon = theme.FolderIcon()
	move.Shortcut = ctrl(fyne.KeyM)
	torrentItems = append(torrentItems, move, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Pause all", w.pauseAll), fyne.NewMenuItem("Resume all", w.resumeAll))
	w.turtleItem = fyne.NewMenuItem("Alternative speed limits", w.toggleAltLimits)
	w.turtleItem.Shortcut = ctrl(fyne.KeyT)
	w.turtleItem.Checked = w.altLimits
	return fyne.NewMainMenu(
		fyne.NewMenu("File", fileItems...),
		fyne.NewMenu("Torrent", torrentItems...),
		fyne.NewMenu("Speed", w.turtleItem),
	)
}

func (w *mainWindow) addShortcuts() {
	file, torrent := w.actions()
	for _, a := range append(file, torrent...) {
		run := a.run
		w.win.Canvas().AddShortcut(a.shortcut, func(fyne.Shortcut) { run() })
	}
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyComma), func(fyne.Shortcut) { w.showSettings() })
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyM), func(fyne.Shortcut) { w.moveSelected() })
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyT), func(fyne.Shortcut) { w.toggleAltLimits() })
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyQ), func(fyne.Shortcut) { w.fyneApp.Quit() })
	w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift},
		func(fyne.Shortcut) { w.chooseTorrentFolder() })
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyL), func(fyne.Shortcut) { w.showLab() })
	w.win.Canvas().AddShortcut(ctrl(fyne.KeyD), func(fyne.Shortcut) { w.showDHT() })
	// Ctrl+A (the driver turns it into Select All) selects every shown torrent when no text field
	// has the focus; a focused search field selects its own text instead.
	w.win.Canvas().AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { w.list.SelectAll() })
	// Delete on its own removes the selection when no text field has the focus.
	w.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyDelete {
			w.removeSelection()
		}
	})
}

// selected follows the list's selection.
func (w *mainWindow) selected(id metainfo.Hash, ok bool) {
	if ok {
		w.selection.Store(&id)
		w.refreshDetails(id)
	} else {
		w.selection.Store(nil)
		w.details.ShowNothing()
	}
	w.updateActions()
}

// refreshDetails fetches and shows the selected torrent's details at once (on selection, so the
// pane does not wait for the next tick).
func (w *mainWindow) refreshDetails(id metainfo.Hash) {
	d, ok := w.be.Details(id)
	if !ok {
		return
	}
	row, _ := w.list.SelectedRow()
	w.details.Show(&d, row, w.history[id], w.now())
}

// updateActions enables the buttons that make sense for the selection: Start when a selected
// torrent is paused (or failed), Pause when one is not.
func (w *mainWindow) updateActions() {
	_, ok := w.list.SelectedRow()
	for _, b := range w.selActions {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if !ok {
		return
	}
	var anyPaused, anyRunning bool
	for _, id := range w.list.SelectedAll() {
		if r := w.list.model.rows[id]; r.Group == groupPaused || r.Group == groupError {
			anyPaused = true
		} else {
			anyRunning = true
		}
	}
	setEnabled(w.startBtn, anyPaused)
	setEnabled(w.pauseBtn, anyRunning)
}

func setEnabled(b *widget.Button, on bool) {
	if b == nil || on != b.Disabled() {
		return
	}
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// tickData is what one tick fetched from the core, off the UI goroutine.
type tickData struct {
	rows    []listRow
	status  statusInfo
	details *torrentDetails
	detID   metainfo.Hash
	sample  bool
}

// run pulls data at a fixed tick until ctx ends and hands it to the UI goroutine. A tick is
// skipped while the previous one is still being drawn, so a slow frame never queues up work.
func (w *mainWindow) run(ctx context.Context) {
	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	var busy atomic.Bool
	for tick := 0; ; tick++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if busy.Load() {
			continue
		}
		data := w.fetch(tick%2 == 0)
		busy.Store(true)
		fyne.Do(func() {
			defer busy.Store(false)
			w.apply(data)
		})
	}
}

// fetch reads the core; safe off the UI goroutine.
func (w *mainWindow) fetch(sample bool) tickData {
	data := tickData{rows: w.be.Torrents(), status: w.be.Status(), sample: sample}
	if id := w.selection.Load(); id != nil {
		if d, ok := w.be.Details(*id); ok {
			data.details, data.detID = &d, *id
		}
	}
	return data
}

// apply draws one tick's data: changed list cells, the visible details tab, the status bar.
func (w *mainWindow) apply(data tickData) {
	if data.sample {
		seen := make(map[metainfo.Hash]bool, len(data.rows))
		for _, r := range data.rows {
			h := w.history[r.ID]
			if h == nil {
				h = widgets.NewRateHistory(historySamples)
				w.history[r.ID] = h
			}
			h.Add(r.DownRate, r.UpRate)
			seen[r.ID] = true
		}
		for id := range w.history {
			if !seen[id] {
				delete(w.history, id)
			}
		}
	}
	w.list.Update(data.rows)
	w.status.Show(data.status, w.altLimits)
	if id, ok := w.list.Selected(); ok && data.details != nil && data.detID == id {
		row, _ := w.list.SelectedRow()
		w.details.Show(data.details, row, w.history[id], w.now())
	}
	w.updateActions()
}

// watchEvents tells the user about completions and errors until the event channel closes.
func (w *mainWindow) watchEvents() {
	for ev := range w.be.Events() {
		fyne.Do(func() { w.onEvent(ev) })
	}
}

func (w *mainWindow) onEvent(ev uiEvent) {
	switch ev.Kind {
	case eventCompleted:
		w.fyneApp.SendNotification(fyne.NewNotification("Download complete", ev.Name+" is ready."))
	case eventError:
		if ev.ID == (metainfo.Hash{}) {
			w.showProblem("Swarmscope hit a problem", ev.Err)
		} else {
			w.fyneApp.SendNotification(fyne.NewNotification("Problem with "+ev.Name, ev.Err))
		}
	case eventRecovered:
		w.showProblem("The saved state was damaged", ev.Err)
	case eventHandedOver:
		w.win.Show()
		w.win.RequestFocus()
	}
}

// showProblem shows a message in words in a dialog with an OK button.
func (w *mainWindow) showProblem(title, message string) {
	label := widget.NewLabel(message)
	label.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "OK", container.NewGridWrap(fyne.NewSize(420, label.MinSize().Height*3), label), w.win)
	d.Show()
}

// async runs f off the UI goroutine and reports an error in a dialog titled what. Tests wait
// for it with w.asyncRunning.Wait().
func (w *mainWindow) async(what string, f func() error) {
	w.asyncRunning.Add(1)
	go func() {
		defer w.asyncRunning.Done()
		if err := f(); err != nil {
			fyne.Do(func() { w.showProblem(what, userWords(err)) })
		}
	}()
}

// startSelected, pauseSelected and recheckSelected act on every selected torrent.
func (w *mainWindow) startSelected() {
	for _, id := range w.list.SelectedAll() {
		w.async("Could not start the torrent", func() error { return w.be.Start(id) })
	}
}

func (w *mainWindow) pauseSelected() {
	for _, id := range w.list.SelectedAll() {
		w.async("Could not pause the torrent", func() error { return w.be.Pause(id) })
	}
}

func (w *mainWindow) recheckSelected() {
	for _, id := range w.list.SelectedAll() {
		w.async("Could not recheck the torrent", func() error { return w.be.Recheck(id) })
	}
}

// removeSelection asks once before removing every selected torrent, with the option to delete
// their data too. With one torrent selected it names it.
func (w *mainWindow) removeSelection() {
	ids := w.list.SelectedAll()
	if len(ids) == 0 {
		return
	}
	title, question := "Remove torrents", "Remove "+itoa(len(ids))+" torrents?"
	if len(ids) == 1 {
		title, question = "Remove torrent", "Remove "+w.list.model.rows[ids[0]].Name+" from the list?"
	}
	names := make(map[metainfo.Hash]string, len(ids))
	for _, id := range ids {
		names[id] = w.list.model.rows[id].Name
	}
	deleteData := widget.NewCheck("Also delete the downloaded files", nil)
	msg := widget.NewLabel(question)
	msg.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(msg, deleteData)
	d := dialog.NewCustomConfirm(title, "Remove", "Cancel", container.NewGridWrap(fyne.NewSize(420, 90), content), func(ok bool) {
		if !ok {
			return
		}
		del := deleteData.Checked
		for _, id := range ids {
			w.async("Could not remove "+names[id], func() error { return w.be.Remove(id, del) })
		}
	}, w.win)
	d.Show()
}

// moveSelected asks for one folder and moves every selected torrent's files there; each
// torrent shows "moving" meanwhile and continues from its resume data. A magnet link still
// fetching its metadata just starts again in the new folder. The dialog opens at the current
// torrent's folder.
func (w *mainWindow) moveSelected() {
	ids := w.list.SelectedAll()
	id, ok := w.list.Selected()
	if !ok || len(ids) == 0 {
		return
	}
	from := ""
	if d, ok := w.be.Details(id); ok {
		from = d.SavePath
	}
	fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			w.showProblem("Could not choose the folder", userWords(err))
			return
		}
		if l == nil {
			return // cancelled
		}
		for _, id := range ids {
			w.moveTo(id, l.Path())
		}
	}, w.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(existingParent(from))); err == nil {
		fd.SetLocation(l)
	}
	fd.Resize(fyne.NewSize(800, 560))
	fd.Show()
}

// moveTo moves torrent id's files to dir, after checking the folder as the add dialog does
// (off the UI goroutine: the check creates and writes).
func (w *mainWindow) moveTo(id metainfo.Hash, dir string) {
	w.async("Could not move the torrent", func() error {
		if err := checkSaveDir(dir); err != nil {
			return err
		}
		return w.be.SetSaveDir(id, dir)
	})
}

// pauseAll pauses every torrent, not only those the search and filter
// show (the tray's "Pause all" acts on a hidden window too).
func (w *mainWindow) pauseAll() {
	for _, r := range w.list.model.rows {
		if r.Group != groupPaused {
			id := r.ID
			w.async("Could not pause a torrent", func() error { return w.be.Pause(id) })
		}
	}
}

func (w *mainWindow) resumeAll() {
	for _, r := range w.list.model.rows {
		if r.Group == groupPaused {
			id := r.ID
			w.async("Could not start a torrent", func() error { return w.be.Start(id) })
		}
	}
}

// setFilePriorities gives files (fileRow.Index) of the selected torrent one priority, in one
// call however many there are (a folder of the Files tab).
func (w *mainWindow) setFilePriorities(files []int, p filePriority) {
	if id, ok := w.list.Selected(); ok {
		w.async("Could not change the files' priority", func() error { return w.be.SetFilePriorities(id, files, p) })
	}
}

func (w *mainWindow) toggleAltLimits() {
	s := w.be.Settings()
	s.AltLimitsEnabled = !s.AltLimitsEnabled
	if err := w.be.SetSettings(s); err != nil {
		w.showProblem("Could not switch the speed limits", userWords(err))
		return
	}
	w.altLimits = s.AltLimitsEnabled
	w.turtleItem.Checked = w.altLimits
	if m := w.win.MainMenu(); m != nil {
		m.Refresh()
	}
}

// openSelectedFolder shows the current torrent's folder (the most recently clicked of the
// selection) in the file manager.
func (w *mainWindow) openSelectedFolder() {
	id, ok := w.list.Selected()
	if !ok {
		return
	}
	d, ok := w.be.Details(id)
	if !ok || d.SavePath == "" {
		return
	}
	dir := d.SavePath
	if len(d.Files) > 1 || (len(d.Files) == 1 && filepath.Dir(filepath.FromSlash(d.Files[0].Path)) != ".") {
		dir = filepath.Join(d.SavePath, d.Snap.Name)
	}
	w.async("Could not open the folder", func() error { return openFolder(dir) })
}

// openFolder asks the desktop to show dir.
func openFolder(dir string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", dir)
	case "windows":
		cmd = exec.Command("explorer", dir)
	default:
		cmd = exec.Command("xdg-open", dir)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return errors.New("no file manager opener (" + cmd.Path + ") is installed; the folder is " + dir)
		}
		return err
	}
	go cmd.Wait()
	return nil
}
