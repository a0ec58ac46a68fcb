package ui

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// moveBackend records SetSaveDir calls; everything else is the interface's zero (unused here).
type moveBackend struct {
	backend
	moves chan string
}

func (b *moveBackend) SetSaveDir(id metainfo.Hash, dir string) error {
	b.moves <- dir
	return nil
}

// TestMoveToChecksTheFolderFirst: "Move to…" hands a usable folder to the core, and refuses a
// path that is a file with a dialog in words, without asking the core.
func TestMoveToChecksTheFolderFirst(t *testing.T) {
	a := test.NewTempApp(t)
	be := &moveBackend{moves: make(chan string, 1)}
	w := &mainWindow{fyneApp: a, win: a.NewWindow("main"), be: be}
	id := metainfo.Hash{1}

	good := filepath.Join(t.TempDir(), "new", "place")
	w.moveTo(id, good)
	select {
	case dir := <-be.moves:
		if dir != good {
			t.Fatalf("SetSaveDir(%q), want %q", dir, good)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a usable folder never reached the core")
	}

	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.moveTo(id, file)
	w.asyncRunning.Wait()
	if w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("moving to a file showed no problem dialog")
	}
	select {
	case dir := <-be.moves:
		t.Fatalf("SetSaveDir(%q) was called for a path that is a file", dir)
	default:
	}
}
