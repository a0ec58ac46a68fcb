package ui

import (
	"runtime"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestE2ETrayAndCloseToTray: on a desktop with a tray (a session bus on Linux) setUpTray puts
// Show, Pause all and Resume all in the tray menu, and they act; with "close to tray" on,
// closing the window hides it and does not quit; off, closing quits.
func TestE2ETrayAndCloseToTray(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/e2e-test-bus")
	a := &e2eTrayApp{e2eApp: newE2EApp(t)}
	w, be := newE2EWindow(t, a, t.TempDir())
	win := w.win.(*e2eWindow)
	icon := theme.FileIcon()
	w.setUpTray(icon)
	if a.trayMenu == nil || a.trayIcon != icon {
		t.Fatalf("tray menu %v, icon %v: want both set", a.trayMenu, a.trayIcon)
	}
	var labels []string
	items := map[string]*fyne.MenuItem{}
	for _, it := range a.trayMenu.Items {
		labels = append(labels, it.Label)
		items[it.Label] = it
	}
	if !slices.Equal(labels, []string{"Show Swarmscope", "Pause all", "Resume all"}) {
		t.Fatalf("tray menu %q", labels)
	}

	w.applyCloseBehaviour(true)
	win.userCloses()
	if _, hidden, closed := win.counts(); hidden != 1 || closed != 0 || a.quitCount() != 0 {
		t.Errorf("close with close-to-tray: hidden %d, closed %d, quit %d; want hidden once, nothing else",
			hidden, closed, a.quitCount())
	}
	shown, _, _ := win.counts()
	items["Show Swarmscope"].Action()
	if now, _, _ := win.counts(); now != shown+1 {
		t.Error("the tray's Show did not show the window")
	}
	items["Pause all"].Action()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Pause 02"}) {
		t.Errorf("the tray's Pause all called %q", got)
	}
	items["Resume all"].Action()
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Start 01", "Start 03"}) {
		t.Errorf("the tray's Resume all called %q", got)
	}

	w.applyCloseBehaviour(false)
	win.userCloses()
	if _, hidden, _ := win.counts(); a.quitCount() != 1 || hidden != 1 {
		t.Errorf("close without close-to-tray: quit %d, hidden %d; want quit once", a.quitCount(), hidden)
	}
}

// TestE2ENoTrayMeansCloseQuits: without a session bus (Linux) there is no tray, so closing
// quits even when the user asked for close-to-tray — the window could not come back otherwise.
func TestE2ENoTrayMeansCloseQuits(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	a := &e2eTrayApp{e2eApp: newE2EApp(t)}
	w, _ := newE2EWindow(t, a, t.TempDir())
	win := w.win.(*e2eWindow)
	w.setUpTray(theme.FileIcon())
	if isBSDOrLinux() && a.trayMenu != nil {
		t.Error("a tray menu was set up without a session bus")
	}
	w.applyCloseBehaviour(true)
	win.userCloses()
	_, hidden, _ := win.counts()
	if isBSDOrLinux() && (a.quitCount() != 1 || hidden != 0) {
		t.Errorf("close without a tray: quit %d, hidden %d; want quit", a.quitCount(), hidden)
	}

	// An app without tray support at all (Fyne's test app) behaves the same.
	b := newE2EApp(t)
	w2, _ := newE2EWindow(t, b, t.TempDir())
	w2.setUpTray(theme.FileIcon())
	w2.applyCloseBehaviour(true)
	w2.win.(*e2eWindow).userCloses()
	if b.quitCount() != 1 {
		t.Errorf("close on an app without a tray quit %d times, want once", b.quitCount())
	}
}

// TestE2ESettingsSwitchCloseToTray: ticking "keeps running in the system tray" in Settings and
// saving makes the next close hide the window; unticking makes it quit again.
func TestE2ESettingsSwitchCloseToTray(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/e2e-test-bus")
	a := &e2eTrayApp{e2eApp: newE2EApp(t)}
	w, be := newE2EWindow(t, a, t.TempDir())
	win := w.win.(*e2eWindow)
	w.setUpTray(theme.FileIcon())
	be.mu.Lock()
	be.settings.DownloadDir = t.TempDir()
	be.mu.Unlock()
	w.applyCloseBehaviour(be.Settings().CloseToTray)

	for _, toTray := range []bool{true, false} {
		e2ePress(w, e2eKey(fyne.KeyComma))
		objs := e2eTop(t, w.win)
		var box *widget.Check
		for _, o := range objs {
			if c, ok := o.(*widget.Check); ok && c.Text == "Closing the window keeps Swarmscope running in the system tray" {
				box = c
			}
		}
		if box == nil {
			t.Fatalf("no close-to-tray box in Settings (labels %q)", e2eTexts(objs))
		}
		box.SetChecked(toTray)
		test.Tap(e2eButton(t, objs, "Save"))
		if be.Settings().CloseToTray != toTray {
			t.Fatalf("saved CloseToTray %v, want %v (calls %q; dialog says %q)", be.Settings().CloseToTray, toTray, be.takeCalls(), e2eTexts(e2eTop(t, w.win)))
		}
		_, hiddenBefore, _ := win.counts()
		quitsBefore := a.quitCount()
		win.userCloses()
		_, hidden, _ := win.counts()
		if toTray && (hidden != hiddenBefore+1 || a.quitCount() != quitsBefore) {
			t.Errorf("after ticking close-to-tray, closing hid %d and quit %d times; want hidden", hidden-hiddenBefore, a.quitCount()-quitsBefore)
		}
		if !toTray && (hidden != hiddenBefore || a.quitCount() != quitsBefore+1) {
			t.Errorf("after unticking close-to-tray, closing hid %d and quit %d times; want quit", hidden-hiddenBefore, a.quitCount()-quitsBefore)
		}
	}
}

// isBSDOrLinux says whether setUpTray needs a session bus here.
func isBSDOrLinux() bool { return runtime.GOOS == "linux" || runtime.GOOS == "freebsd" }
