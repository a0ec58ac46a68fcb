package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// sizeOnDisk adds up the regular files under path (or its size, for a file).
func sizeOnDisk(path string) (int64, error) {
	var total int64
	err := filepath.WalkDir(path, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	return total, err
}

// showCreate is the create-torrent dialog: what to share, trackers, privacy, piece size (with
// the automatic choice named), comment. Creating hashes with a progress bar, seeds the data where
// it is, and then offers the .torrent and the magnet link.
func (w *mainWindow) showCreate(path string) {
	source := widget.NewEntry()
	source.SetPlaceHolder("/path/to/file or folder")
	source.SetText(path)
	sizeLabel := widget.NewLabel("")
	sizeLabel.SizeName = theme.SizeNameCaptionText
	pieces := widget.NewSelect(nil, nil)
	var choices []pieceLengthChoice
	refresh := func() {
		p := strings.TrimSpace(source.Text)
		var total int64
		if p != "" {
			n, err := sizeOnDisk(p)
			switch {
			case err != nil:
				sizeLabel.SetText(reasonWords(err))
			default:
				total = n
				sizeLabel.SetText(sizeText(n) + " to share")
			}
		} else {
			sizeLabel.SetText("Choose a file or folder, or drop one on the main window.")
		}
		selected := pieces.SelectedIndex()
		choices = pieceLengthChoices(total)
		labels := make([]string, len(choices))
		for i, c := range choices {
			labels[i] = c.Label
		}
		pieces.SetOptions(labels)
		pieces.SetSelectedIndex(max(selected, 0))
	}
	source.OnSubmitted = func(string) { refresh() }
	source.OnChanged = func(string) { refresh() }
	refresh()
	pickFile := widget.NewButton("File…", func() {
		fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				source.SetText(r.URI().Path())
				r.Close()
			}
		}, w.win)
		fd.Resize(fyne.NewSize(800, 560))
		fd.Show()
	})
	pickFolder := widget.NewButton("Folder…", func() {
		fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				source.SetText(l.Path())
			}
		}, w.win)
		fd.Resize(fyne.NewSize(800, 560))
		fd.Show()
	})
	trackers := widget.NewMultiLineEntry()
	trackers.SetPlaceHolder("One tracker per line, e.g. udp://tracker.example.org:1337/announce (optional)")
	trackers.SetMinRowsVisible(3)
	private := widget.NewCheck("Private (only the trackers hand out peers: no DHT, no peer exchange)", nil)
	comment := widget.NewEntry()
	problem := newProblemLabel()

	form := widget.NewForm(
		widget.NewFormItem("Share", container.NewBorder(nil, sizeLabel, nil, container.NewHBox(pickFile, pickFolder), source)),
		widget.NewFormItem("Trackers", trackers),
		widget.NewFormItem("Piece size", pieces),
		widget.NewFormItem("Comment", comment),
		widget.NewFormItem("", private),
	)
	d := dialog.NewCustomWithoutButtons("Create torrent", container.NewVBox(form, problem), w.win)
	create := widget.NewButton("Create and seed", func() {
		p := strings.TrimSpace(source.Text)
		urls, err := parseTrackers(trackers.Text)
		if err == nil && p == "" {
			err = problemf("Choose the file or folder to share.")
		}
		if err == nil {
			if _, serr := os.Stat(p); serr != nil {
				err = problemf("Cannot share %s: %s.", p, reasonWords(serr))
			}
		}
		if err != nil {
			problem.SetText(err.Error())
			problem.Show()
			return
		}
		opts := metainfo.CreateOptions{Trackers: urls, Private: private.Checked, Comment: strings.TrimSpace(comment.Text),
			CreatedBy: "Swarmscope"}
		if i := pieces.SelectedIndex(); i > 0 && i < len(choices) {
			opts.PieceLength = choices[i].Length
		}
		d.Hide()
		w.runCreate(p, opts)
	})
	create.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), create})
	d.Resize(fyne.NewSize(720, 420))
	d.Show()
}

// runCreate hashes with a progress dialog (cancellable), then shows the result.
func (w *mainWindow) runCreate(path string, opts metainfo.CreateOptions) {
	bar := widget.NewProgressBar()
	label := widget.NewLabel("Hashing " + filepath.Base(path) + "…")
	ctx, cancel := context.WithCancel(context.Background())
	progress := dialog.NewCustom("Creating torrent", "Cancel", container.NewVBox(label, bar), w.win)
	progress.SetOnClosed(cancel)
	progress.Resize(fyne.NewSize(460, 160))
	progress.Show()

	var hashed, total atomic.Int64
	opts.Progress = func(h, t int64) { hashed.Store(h); total.Store(t) }
	done := make(chan struct{})
	go func() { // the bar follows at the UI tick, not at every hashed piece
		ticker := time.NewTicker(tickInterval / 2)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if t := total.Load(); t > 0 {
					v := float64(hashed.Load()) / float64(t)
					fyne.Do(func() { bar.SetValue(v) })
				}
			}
		}
	}()
	go func() {
		id, mi, err := w.be.CreateAndSeed(ctx, path, opts)
		close(done)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return // cancelled by the user
			}
			// Hiding runs the dialog's on-closed callback, cancel: harmless
			// now that the hashing is over. (SetOnClosed(nil) would not
			// clear it; Fyne chains callbacks and then calls the nil one.)
			progress.Hide()
			cancel()
			if err != nil {
				w.showProblem("Could not create the torrent", userWords(err))
				return
			}
			w.list.Select(id)
			w.showCreated(mi)
		})
	}()
}

// showCreated offers to save the new .torrent and to copy its magnet link.
func (w *mainWindow) showCreated(mi *metainfo.MetaInfo) {
	magnet := mi.Magnet().String()
	link := widget.NewEntry()
	link.SetText(magnet)
	msg := widget.NewLabel(fmt.Sprintf("%s is being seeded from where it is. Share the .torrent file or the magnet link.", mi.Info.Name))
	msg.Wrapping = fyne.TextWrapWord
	copyBtn := widget.NewButton("Copy magnet link", func() { w.fyneApp.Clipboard().SetContent(magnet) })
	save := widget.NewButton("Save .torrent…", func() {
		fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil || wc == nil {
				return
			}
			_, werr := wc.Write(mi.Raw)
			if cerr := wc.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				w.showProblem("Could not save the torrent file", userWords(werr))
			}
		}, w.win)
		fd.SetFileName(mi.Info.Name + ".torrent")
		fd.SetFilter(storage.NewExtensionFileFilter([]string{".torrent"}))
		fd.Resize(fyne.NewSize(800, 560))
		fd.Show()
	})
	save.Importance = widget.HighImportance
	content := container.NewVBox(msg, link, container.NewHBox(save, copyBtn))
	d := dialog.NewCustom("Torrent created", "Close", content, w.win)
	d.Resize(fyne.NewSize(620, 220))
	d.Show()
}
