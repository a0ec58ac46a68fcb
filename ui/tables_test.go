package ui

import (
	"testing"

	"fyne.io/fyne/v2/widget"
)

func TestDiffRows(t *testing.T) {
	old := [][]string{{"a", "b"}, {"c", "d"}}
	if all, cells := diffRows(old, [][]string{{"a", "b"}, {"c", "D"}}); all || len(cells) != 1 ||
		cells[0] != (widget.TableCellID{Row: 1, Col: 1}) {
		t.Errorf("one changed cell: all=%v cells=%v", all, cells)
	}
	if all, _ := diffRows(old, old[:1]); !all {
		t.Error("a removed row should redraw everything")
	}
	if all, cells := diffRows(old, old); all || len(cells) != 0 {
		t.Errorf("no change: all=%v cells=%v", all, cells)
	}
}
