//go:build linux || freebsd

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// TestE2EOpenFolderShortcut: Ctrl+E and Torrent ▸ Open folder hand the current torrent's folder
// to the desktop's opener (xdg-open, replaced here by a script that writes down its argument):
// the save folder for a single file, the torrent's own folder for a multi-file torrent. Without
// an opener a dialog names the folder.
func TestE2EOpenFolderShortcut(t *testing.T) {
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "opened")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + log + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	opened := func() []string {
		b, _ := os.ReadFile(log)
		return strings.Fields(string(b))
	}

	a := newE2EApp(t)
	save := t.TempDir()
	w, be := newE2EWindow(t, a, save)
	be.mu.Lock()
	d := be.details[e2eID(3)]
	d.Files = []fileRow{{Path: "gamma/a.bin", Size: 1}, {Path: "gamma/b.bin", Size: 1}}
	be.details[e2eID(3)] = d
	be.mu.Unlock()

	e2eSelect(t, w, e2eID(1)) // alpha: one file
	e2ePress(w, e2eKey(fyne.KeyE))
	w.asyncRunning.Wait()
	e2eWaitFor(t, "xdg-open for alpha", func() bool { return len(opened()) == 1 })
	if got := opened(); got[0] != save {
		t.Errorf("Ctrl+E on a single-file torrent opened %q, want the save folder %q", got[0], save)
	}

	e2eSelect(t, w, e2eID(3)) // gamma: a folder of files
	e2eMenuItem(t, w, "Torrent", "Open folder").Action()
	w.asyncRunning.Wait()
	e2eWaitFor(t, "xdg-open for gamma", func() bool { return len(opened()) == 2 })
	if got, want := opened()[1], filepath.Join(save, "gamma"); got != want {
		t.Errorf("Open folder on a multi-file torrent opened %q, want %q", got, want)
	}
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("opening showed a dialog: %q", e2eTexts(e2eTop(t, w.win)))
	}

	// No opener installed: a dialog says so and names the folder.
	t.Setenv("PATH", t.TempDir())
	e2ePress(w, e2eKey(fyne.KeyE))
	w.asyncRunning.Wait()
	if !e2eShows(t, w.win, "Could not open the folder") {
		t.Fatalf("no dialog without an opener: %q", e2eTexts(e2eTop(t, w.win)))
	}
	if !strings.Contains(e2eTexts(e2eTop(t, w.win)), filepath.Join(save, "gamma")) {
		t.Errorf("the dialog does not name the folder: %q", e2eTexts(e2eTop(t, w.win)))
	}
	if got := be.takeCalls(); len(got) != 0 {
		t.Errorf("opening folders called the backend: %q", got)
	}
}
