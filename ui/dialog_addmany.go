package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// maxFolderTorrents bounds how many .torrent files one folder offers (a
// folder of 100,000 files must not freeze the dialog).
const maxFolderTorrents = 1000

// folderTorrent is one .torrent file found in a folder.
type folderTorrent struct {
	path string
	mi   *metainfo.MetaInfo
}

// torrentsInFolder reads every .torrent file directly in dir (not in its
// subfolders), sorted by name. Files that do not parse are returned as
// problems in words rather than stopping the rest.
func torrentsInFolder(dir string) (found []folderTorrent, problems []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read the folder %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".torrent") {
			continue
		}
		if len(found) == maxFolderTorrents {
			problems = append(problems, fmt.Sprintf("only the first %d .torrent files are offered", maxFolderTorrents))
			break
		}
		path := filepath.Join(dir, e.Name())
		mi, err := loadTorrentFile(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", e.Name(), err))
			continue
		}
		found = append(found, folderTorrent{path: path, mi: mi})
	}
	return found, problems, nil
}

// chooseTorrentFolder is File ▸ Add torrents from a folder…: Fyne's file
// dialog picks one file at a time, so to add several .torrent files at once
// the user picks the folder that holds them and ticks the ones to add.
func (w *mainWindow) chooseTorrentFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			w.showProblem("Could not open the folder", userWords(err))
			return
		}
		if l != nil {
			w.showAddFromFolder(l.Path())
		}
	}, w.win)
	if l, err := storage.ListerForURI(storage.NewFileURI(existingParent(w.be.Settings().DownloadDir))); err == nil {
		d.SetLocation(l)
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// showAddFromFolder lists the folder's .torrent files, each with a tick
// (all ticked), and adds the ticked ones to one save folder.
func (w *mainWindow) showAddFromFolder(dir string) {
	found, problems, err := torrentsInFolder(dir)
	if err == nil && len(found) == 0 {
		err = errors.New("there is no .torrent file in " + dir)
		if len(problems) > 0 {
			err = fmt.Errorf("%w that can be read:\n%s", err, strings.Join(problems, "\n"))
		}
	}
	if err != nil {
		w.showProblem("No torrents to add", userWords(err))
		return
	}
	ticked := make([]bool, len(found))
	for i := range ticked {
		ticked[i] = true
	}
	needed := func() int64 {
		var n int64
		for i, t := range found {
			if ticked[i] {
				n += t.mi.Info.Length
			}
		}
		return n
	}
	form := w.newAddForm(needed())
	count := widget.NewLabel("")
	updateCount := func() {
		n := 0
		for _, on := range ticked {
			if on {
				n++
			}
		}
		count.SetText(fmt.Sprintf("%d of %d torrents chosen", n, len(found)))
		form.setNeeded(needed())
	}
	list := widget.NewList(
		func() int { return len(found) },
		func() fyne.CanvasObject { return widget.NewCheck("", nil) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*widget.Check)
			c.OnChanged = nil // SetChecked below must not count as the user's tick
			c.Text = fmt.Sprintf("%s — %s", found[i].mi.Info.Name, sizeText(found[i].mi.Info.Length))
			c.SetChecked(ticked[i])
			c.Refresh()
			c.OnChanged = func(on bool) { ticked[i] = on; updateCount() }
		})
	setAll := func(on bool) {
		for i := range ticked {
			ticked[i] = on
		}
		list.Refresh()
		updateCount()
	}
	updateCount()
	problem := newProblemLabel()
	if len(problems) > 0 {
		problem.SetText("Not offered:\n" + strings.Join(problems, "\n"))
		problem.Show()
	}
	header := container.NewBorder(nil, nil, count, container.NewHBox(
		widget.NewButton("All", func() { setAll(true) }), widget.NewButton("None", func() { setAll(false) })))
	content := container.NewBorder(
		container.NewVBox(widget.NewLabel("Torrents in "+dir), header),
		container.NewVBox(w.addFormObjects(form), problem), nil, nil, list)
	d := dialog.NewCustomWithoutButtons("Add torrents", content, w.win)
	add := widget.NewButton("Add", func() {
		var chosen []folderTorrent
		for i, t := range found {
			if ticked[i] {
				chosen = append(chosen, t)
			}
		}
		save := strings.TrimSpace(form.dir.Text)
		var err error
		switch {
		case len(chosen) == 0:
			err = errors.New("tick at least one torrent to add")
		case filepath.IsAbs(save):
			// Before checkSaveDir, which creates the folder: a refusal changes nothing.
			var still int64
			for _, t := range chosen {
				still += stillNeeded(t.mi.Info, nil, save)
			}
			err = spaceShortage(save, freeSpace(save), still)
		}
		if err == nil {
			err = checkSaveDir(save)
		}
		if err != nil {
			problem.SetText(userWords(err))
			problem.Show()
			return
		}
		d.Hide()
		w.rememberDir(save)
		for _, t := range chosen {
			w.addTorrentFile(t.path, t.mi, addOptions{SaveDir: save, Paused: !form.start.Checked})
		}
	})
	add.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), add})
	d.Resize(fyne.NewSize(720, 560))
	d.Show()
}
