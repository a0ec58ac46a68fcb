package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestFilesTabPriorityPickerCallsBack(t *testing.T) {
	test.NewTempApp(t)
	type call struct {
		file int
		p    filePriority
	}
	var calls []call
	tab := newFilesTab(func(file int, p filePriority) { calls = append(calls, call{file, p}) })
	tab.Show([]fileRow{
		{Path: "a/one.iso", Size: 1 << 20, Progress: 0.5, Priority: priorityNormal},
		{Path: "a/two.txt", Size: 10, Progress: 1, Priority: prioritySkip},
	})
	w := test.NewTempWindow(t, tab.content)
	w.Resize(fyne.NewSize(900, 300))

	cell := tab.table.CreateCell()
	tab.updateCell(widget.TableCellID{Row: 1, Col: fileColPriority}, cell)
	sel := cell.(*fyne.Container).Objects[1].(*widget.Select)
	if sel.Hidden || sel.Selected != "skip" {
		t.Fatalf("priority picker hidden=%v selected=%q, want a visible 'skip'", sel.Hidden, sel.Selected)
	}
	if len(calls) != 0 {
		t.Fatalf("showing a priority must not change it: %v", calls)
	}
	sel.SetSelected("high")
	if len(calls) != 1 || calls[0] != (call{1, priorityHigh}) {
		t.Fatalf("calls %v, want file 1 → high", calls)
	}

	tab.updateCell(widget.TableCellID{Row: 0, Col: fileColProgress}, cell)
	label := cell.(*fyne.Container).Objects[0].(*widget.Label)
	if label.Hidden || label.Text != "50.0 %" || !sel.Hidden {
		t.Errorf("progress cell: label %q hidden=%v, select hidden=%v", label.Text, label.Hidden, sel.Hidden)
	}
}
