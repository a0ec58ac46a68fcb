package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// This file holds the fakes of the e2e_*_test.go files: a backend that records every call, and
// an app and window wrapped around Fyne's test driver that record what the test driver forgets
// (every notification, Quit, the close intercept, Show and Hide).

// e2eID is a torrent id whose first byte is b.
func e2eID(b byte) metainfo.Hash { return metainfo.Hash{b} }

// e2eBackend is a complete backend that records each action as "Method <first byte of id> …".
type e2eBackend struct {
	mu       sync.Mutex
	calls    []string
	rows     []listRow
	details  map[metainfo.Hash]torrentDetails
	settings persist.Settings
	// setSettingsErr, when set, makes SetSettings fail without saving.
	setSettingsErr error
	// create, when set, answers CreateAndSeed.
	create  func(ctx context.Context, path string, opts metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error)
	created []e2eCreateCall
	events  chan uiEvent
}

type e2eCreateCall struct {
	path string
	opts metainfo.CreateOptions
}

func newE2EBackend() *e2eBackend {
	s := persist.DefaultSettings()
	s.DownloadDir = ""
	return &e2eBackend{details: make(map[metainfo.Hash]torrentDetails), settings: s, events: make(chan uiEvent, 16)}
}

func (b *e2eBackend) record(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, fmt.Sprintf(format, args...))
}

// takeCalls returns the calls so far, sorted (actions on several torrents run concurrently),
// and forgets them.
func (b *e2eBackend) takeCalls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.calls)
	b.calls = nil
	slices.Sort(out)
	return out
}

func (b *e2eBackend) Torrents() []listRow {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.rows)
}

func (b *e2eBackend) Details(id metainfo.Hash) (torrentDetails, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.details[id]
	return d, ok
}

func (b *e2eBackend) Status() statusInfo { return statusInfo{FreeDisk: -1, DHTNodes: -1} }

func (b *e2eBackend) Events() <-chan uiEvent { return b.events }

func (b *e2eBackend) AddTorrentFile(path string, opts addOptions) (metainfo.Hash, error) {
	b.record("AddTorrentFile %s %s", path, opts.SaveDir)
	return e2eID(0xa0), nil
}

func (b *e2eBackend) AddMagnet(uri string, opts addOptions) (metainfo.Hash, error) {
	b.record("AddMagnet %s", uri)
	return e2eID(0xa1), nil
}

func (b *e2eBackend) CreateAndSeed(ctx context.Context, path string, opts metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error) {
	b.mu.Lock()
	b.created = append(b.created, e2eCreateCall{path, opts})
	create := b.create
	b.mu.Unlock()
	if create == nil {
		return metainfo.Hash{}, nil, fmt.Errorf("no create in this test")
	}
	return create(ctx, path, opts)
}

func (b *e2eBackend) createCalls() []e2eCreateCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.created)
}

func (b *e2eBackend) Start(id metainfo.Hash) error   { b.record("Start %02x", id[0]); return nil }
func (b *e2eBackend) Pause(id metainfo.Hash) error   { b.record("Pause %02x", id[0]); return nil }
func (b *e2eBackend) Recheck(id metainfo.Hash) error { b.record("Recheck %02x", id[0]); return nil }

func (b *e2eBackend) SetSaveDir(id metainfo.Hash, dir string) error {
	b.record("SetSaveDir %02x %s", id[0], dir)
	return nil
}

func (b *e2eBackend) Remove(id metainfo.Hash, deleteData bool) error {
	b.record("Remove %02x %v", id[0], deleteData)
	return nil
}

func (b *e2eBackend) SetFilePriorities(id metainfo.Hash, files []int, p filePriority) error {
	b.record("SetFilePriorities %02x %v %s", id[0], files, p)
	return nil
}

func (b *e2eBackend) CanMergeTrackers() bool { return false }

func (b *e2eBackend) MergeTrackers(id metainfo.Hash, tiers [][]string) error {
	b.record("MergeTrackers %02x", id[0])
	return nil
}

func (b *e2eBackend) Settings() persist.Settings {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.settings
}

func (b *e2eBackend) SetSettings(s persist.Settings) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, fmt.Sprintf("SetSettings alt=%v tray=%v", s.AltLimitsEnabled, s.CloseToTray))
	if b.setSettingsErr != nil {
		return b.setSettingsErr
	}
	b.settings = s
	return nil
}

func (b *e2eBackend) DHT() (dhtInfo, bool)                 { return dhtInfo{}, false }
func (b *e2eBackend) DHTLookup(target string) error        { b.record("DHTLookup %s", target); return nil }
func (b *e2eBackend) DHTLastLookup() (dhtLookupInfo, bool) { return dhtLookupInfo{}, false }

// e2eApp is Fyne's test app that also records every notification, Quit and the windows it
// made; with tray set it is a desktop.App (see e2eTrayApp).
type e2eApp struct {
	fyne.App
	mu      sync.Mutex
	notes   []fyne.Notification
	quits   int
	windows []*e2eWindow
}

func newE2EApp(t *testing.T) *e2eApp {
	return &e2eApp{App: test.NewTempApp(t)}
}

func (a *e2eApp) SendNotification(n *fyne.Notification) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notes = append(a.notes, *n)
}

func (a *e2eApp) notifications() []fyne.Notification {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.notes)
}

func (a *e2eApp) Quit() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.quits++
}

func (a *e2eApp) quitCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.quits
}

func (a *e2eApp) NewWindow(title string) fyne.Window {
	w := &e2eWindow{Window: a.App.NewWindow(title)}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.windows = append(a.windows, w)
	return w
}

// windowTitles are the titles of the windows made so far, in order.
func (a *e2eApp) windowTitles() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, w := range a.windows {
		out = append(out, w.Title())
	}
	return out
}

func (a *e2eApp) window(title string) *e2eWindow {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, w := range a.windows {
		if w.Title() == title {
			return w
		}
	}
	return nil
}

// e2eTrayApp is an e2eApp with a system tray.
type e2eTrayApp struct {
	*e2eApp
	trayMenu *fyne.Menu
	trayIcon fyne.Resource
}

func (a *e2eTrayApp) SetSystemTrayMenu(m *fyne.Menu)       { a.trayMenu = m }
func (a *e2eTrayApp) SetSystemTrayIcon(icon fyne.Resource) { a.trayIcon = icon }
func (a *e2eTrayApp) SetSystemTrayWindow(fyne.Window)      {}

// e2eWindow is a test window that remembers its close intercept and counts Show and Hide.
type e2eWindow struct {
	fyne.Window
	mu        sync.Mutex
	intercept func()
	shown     int
	hidden    int
	closed    int
}

func (w *e2eWindow) SetCloseIntercept(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.intercept = f
	w.Window.SetCloseIntercept(f)
}

// userCloses does what the desktop driver does when the user closes the window: the intercept
// when one is set, else Close.
func (w *e2eWindow) userCloses() {
	w.mu.Lock()
	f := w.intercept
	w.mu.Unlock()
	if f != nil {
		f()
		return
	}
	w.Close()
}

func (w *e2eWindow) Show() {
	w.mu.Lock()
	w.shown++
	w.mu.Unlock()
	w.Window.Show()
}

func (w *e2eWindow) Hide() {
	w.mu.Lock()
	w.hidden++
	w.mu.Unlock()
	w.Window.Hide()
}

func (w *e2eWindow) Close() {
	w.mu.Lock()
	w.closed++
	w.mu.Unlock()
	w.Window.Close()
}

func (w *e2eWindow) counts() (shown, hidden, closed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shown, w.hidden, w.closed
}

// e2eObjects is every object drawn under o, o included.
func e2eObjects(t *testing.T, o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, e2eObjects(t, c)...)
		}
	case fyne.Widget:
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			out = append(out, e2eObjects(t, c)...)
		}
	}
	return out
}

// e2eTop is everything in the topmost dialog of win, or nil when none is shown.
func e2eTop(t *testing.T, win fyne.Window) []fyne.CanvasObject {
	top := win.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	return e2eObjects(t, top)
}

// e2eTexts is the text of every label in objs, one a line.
func e2eTexts(objs []fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objs {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// e2eButton is the button labelled text in objs, failing the test when there is none.
func e2eButton(t *testing.T, objs []fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button among the shown objects (labels: %q)", text, e2eTexts(objs))
	return nil
}

// e2eShows says whether the topmost dialog of win has a label reading exactly text.
func e2eShows(t *testing.T, win fyne.Window, text string) bool {
	for _, o := range e2eTop(t, win) {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

// e2eDismissAll hides every dialog of win.
func e2eDismissAll(win fyne.Window) {
	for win.Canvas().Overlays().Top() != nil {
		win.Canvas().Overlays().Remove(win.Canvas().Overlays().Top())
	}
}

// e2eWaitFor polls cond every 5 ms until it holds or 3 s pass.
func e2eWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// e2eRows are three torrents: alpha (1, paused), beta (2, downloading), gamma (3, paused).
func e2eRows() []listRow {
	added := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []listRow{
		{ID: e2eID(1), Name: "alpha", Group: groupPaused, Status: "paused", ETA: -1, Added: added},
		{ID: e2eID(2), Name: "beta", Group: groupDownloading, Status: "downloading", ETA: -1, Added: added.Add(time.Minute)},
		{ID: e2eID(3), Name: "gamma", Group: groupPaused, Status: "paused", ETA: -1, Added: added.Add(2 * time.Minute)},
	}
}

// newE2EWindow builds the real main window (toolbar, menu, shortcuts) on a recording backend
// holding e2eRows, each with details saved under saveDir.
func newE2EWindow(t *testing.T, a fyne.App, saveDir string) (*mainWindow, *e2eBackend) {
	t.Helper()
	be := newE2EBackend()
	be.rows = e2eRows()
	for _, r := range be.rows {
		be.details[r.ID] = torrentDetails{
			Snap:     &torrent.Snapshot{Name: r.Name, InfoHash: r.ID},
			SavePath: saveDir,
			Files:    []fileRow{{Path: r.Name, Size: 1}},
		}
	}
	w := newMainWindow(a, be)
	w.list.Update(be.Torrents())
	return w, be
}
