package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// e2eRemoveDialog opens the remove question for the selection with Ctrl+Delete and returns its
// "also delete" check box and its Remove and Cancel buttons.
func e2eRemoveDialog(t *testing.T, w *mainWindow) (*widget.Check, *widget.Button, *widget.Button) {
	t.Helper()
	e2ePress(w, e2eKey(fyne.KeyDelete))
	objs := e2eTop(t, w.win)
	if objs == nil {
		t.Fatal("Ctrl+Delete showed no dialog")
	}
	var check *widget.Check
	for _, o := range objs {
		if c, ok := o.(*widget.Check); ok && c.Text == "Also delete the downloaded files" {
			check = c
		}
	}
	if check == nil {
		t.Fatalf("the remove dialog has no \"Also delete the downloaded files\" box (labels %q)", e2eTexts(objs))
	}
	if check.Checked {
		t.Error("deleting the data is ticked by default")
	}
	return check, e2eButton(t, objs, "Remove"), e2eButton(t, objs, "Cancel")
}

// TestE2ERemoveDialog: the remove question names the one selected torrent; Cancel removes
// nothing; Remove with the box unticked calls Remove(id, false), ticked Remove(id, true); with
// several torrents selected it asks once and removes each of them (and no other).
func TestE2ERemoveDialog(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	e2eSelect(t, w, e2eID(2))

	check, _, cancel := e2eRemoveDialog(t, w)
	if !e2eShows(t, w.win, "Remove beta from the list?") {
		t.Errorf("the question does not name the torrent: %q", e2eTexts(e2eTop(t, w.win)))
	}
	test.Tap(check) // ticked, then cancelled: still nothing
	test.Tap(cancel)
	w.asyncRunning.Wait()
	if got := be.takeCalls(); len(got) != 0 {
		t.Errorf("Cancel called %q, want nothing", got)
	}
	if w.win.Canvas().Overlays().Top() != nil {
		t.Error("the dialog stayed open after Cancel")
	}

	_, remove, _ := e2eRemoveDialog(t, w)
	test.Tap(remove)
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Remove 02 false"}) {
		t.Errorf("Remove with the box unticked called %q, want Remove 02 false", got)
	}

	check, remove, _ = e2eRemoveDialog(t, w)
	test.Tap(check)
	test.Tap(remove)
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Remove 02 true"}) {
		t.Errorf("Remove with the box ticked called %q, want Remove 02 true", got)
	}

	e2eSelect(t, w, e2eID(1), e2eID(3))
	check, remove, _ = e2eRemoveDialog(t, w)
	if !e2eShows(t, w.win, "Remove 2 torrents?") {
		t.Errorf("the question for two torrents reads %q", e2eTexts(e2eTop(t, w.win)))
	}
	test.Tap(check)
	test.Tap(remove)
	w.asyncRunning.Wait()
	if got := be.takeCalls(); !slices.Equal(got, []string{"Remove 01 true", "Remove 03 true"}) {
		t.Errorf("removing two with their data called %q, want alpha and gamma removed with data", got)
	}
}
