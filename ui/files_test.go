package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fileCall is one setPriority call of the Files tab.
type fileCall struct {
	file int
	p    filePriority
}

// fileCell is one drawn cell of the Files table: its label, priority picker and name cell.
func fileCell(tab *filesTab, row, col int) (*widget.Label, *widget.Select, *fileNameCell) {
	cell := tab.table.CreateCell()
	tab.updateCell(widget.TableCellID{Row: row, Col: col}, cell)
	objs := cell.(*fyne.Container).Objects
	return objs[0].(*widget.Label), objs[1].(*widget.Select), objs[2].(*fileNameCell)
}

func TestFilesTabPriorityPickerCallsBack(t *testing.T) {
	test.NewTempApp(t)
	var calls []fileCall
	tab := newFilesTab(func(files []int, p filePriority) {
		for _, file := range files {
			calls = append(calls, fileCall{file, p})
		}
	})
	// File 1 is a padding file, which the core does not list: the rows carry
	// each file's index in the torrent, and that is what the callback gets.
	tab.Show([]fileRow{
		{Index: 0, Path: "a/one.iso", Size: 1 << 20, Progress: 0.5, Priority: priorityNormal},
		{Index: 2, Path: "a/two.txt", Size: 10, Progress: 1, Priority: prioritySkip},
	})
	w := test.NewTempWindow(t, tab.content)
	w.Resize(fyne.NewSize(900, 300))

	// Row 0 is the folder a, rows 1 and 2 its files.
	_, sel, _ := fileCell(tab, 2, fileColPriority)
	if sel.Hidden || sel.Selected != "skip" {
		t.Fatalf("priority picker hidden=%v selected=%q, want a visible 'skip'", sel.Hidden, sel.Selected)
	}
	if len(calls) != 0 {
		t.Fatalf("showing a priority must not change it: %v", calls)
	}
	sel.SetSelected("high")
	if len(calls) != 1 || calls[0] != (fileCall{2, priorityHigh}) {
		t.Fatalf("calls %v, want file 2 (its index in the torrent) → high", calls)
	}

	label, sel, name := fileCell(tab, 1, fileColProgress)
	if label.Hidden || label.Text != "50.0 %" || !sel.Hidden || !name.Hidden {
		t.Errorf("progress cell: label %q hidden=%v, select hidden=%v, name hidden=%v", label.Text, label.Hidden, sel.Hidden, name.Hidden)
	}
}
