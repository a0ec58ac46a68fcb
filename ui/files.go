package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Files table columns.
const (
	fileColPath = iota
	fileColSize
	fileColProgress
	fileColPriority

	numFileCols
)

var fileTitles = []string{"Path", "Size", "Progress", "Priority"}
var fileWidths = []float32{420, 90, 90, 110}

// filesTab lists the torrent's files with a priority picker per row. Changing a priority calls
// setPriority (which reaches the core off the UI goroutine).
type filesTab struct {
	content     fyne.CanvasObject
	table       *widget.Table
	files       []fileRow
	texts       [][]string
	setPriority func(file int, p filePriority)
}

func newFilesTab(setPriority func(file int, p filePriority)) *filesTab {
	f := &filesTab{setPriority: setPriority}
	f.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(f.files), numFileCols },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			sel := widget.NewSelect(priorityNames, nil)
			sel.Hide()
			return container.NewStack(l, sel)
		},
		f.updateCell)
	f.table.ShowHeaderColumn = false
	f.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	f.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < numFileCols {
			o.(*widget.Label).SetText(fileTitles[id.Col])
		}
	}
	for i, w := range fileWidths {
		f.table.SetColumnWidth(i, w)
	}
	f.content = f.table
	return f
}

func (f *filesTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	stack := o.(*fyne.Container)
	label, sel := stack.Objects[0].(*widget.Label), stack.Objects[1].(*widget.Select)
	if id.Row >= len(f.files) {
		return
	}
	if id.Col == fileColPriority {
		label.Hide()
		sel.Show()
		file := id.Row
		want := f.files[file].Priority.String()
		sel.OnChanged = nil
		if sel.Selected != want {
			sel.SetSelected(want)
		}
		sel.OnChanged = func(choice string) { f.choose(file, choice) }
		return
	}
	sel.Hide()
	label.Show()
	if text := f.texts[id.Row][id.Col]; label.Text != text {
		label.SetText(text)
	}
}

// choose applies a priority picked in row file.
func (f *filesTab) choose(file int, choice string) {
	for p, name := range priorityNames {
		if name == choice && file < len(f.files) && f.files[file].Priority != filePriority(p) {
			f.files[file].Priority = filePriority(p)
			if f.setPriority != nil {
				f.setPriority(file, filePriority(p))
			}
		}
	}
}

// Show lists files, redrawing only changed cells.
func (f *filesTab) Show(files []fileRow) {
	texts := make([][]string, len(files))
	for i, file := range files {
		texts[i] = []string{file.Path, sizeText(file.Size), percentText(file.Progress), file.Priority.String()}
	}
	all, cells := diffRows(f.texts, texts)
	f.files = append(f.files[:0], files...)
	f.texts = texts
	refreshCells(f.table, all, cells)
}
