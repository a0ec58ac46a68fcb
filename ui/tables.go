package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// maxCellRefreshes is how many single-cell refreshes a tick may do before one whole-table
// refresh is cheaper. In Fyne 2.7 a RefreshItem lays out every visible cell and refreshes every
// header, as a whole refresh does, and only skips the other cells' update functions — which
// compare texts and touch nothing unchanged, so they are nearly free. Two changed cells already
// cost more one by one (BenchmarkListRefresh20/rates-only).
const maxCellRefreshes = 1

// refreshCells redraws the given cells of t, or all of it when all is set or there are many.
func refreshCells(t *widget.Table, all bool, cells []widget.TableCellID) {
	if all || len(cells) > maxCellRefreshes {
		t.Refresh()
		return
	}
	for _, c := range cells {
		t.RefreshItem(c)
	}
}

// diffRows compares two grids of cell texts: all when the row count differs, else the cells
// whose text changed.
func diffRows(old, next [][]string) (all bool, cells []widget.TableCellID) {
	if len(old) != len(next) {
		return true, nil
	}
	for r := range next {
		if len(old[r]) != len(next[r]) {
			return true, nil
		}
		for c := range next[r] {
			if old[r][c] != next[r][c] {
				cells = append(cells, widget.TableCellID{Row: r, Col: c})
			}
		}
	}
	return false, cells
}

// textTable is a read-only table of strings with a header row. It redraws only the cells whose
// text changed since the last SetRows; style, when set, picks a label importance (colour) per
// cell.
type textTable struct {
	Table  *widget.Table
	titles []string
	rows   [][]string
	style  func(row, col int) widget.Importance
}

func newTextTable(titles []string, widths []float32) *textTable {
	t := &textTable{titles: titles}
	t.Table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(t.titles) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			text := ""
			if id.Row < len(t.rows) && id.Col < len(t.rows[id.Row]) {
				text = t.rows[id.Row][id.Col]
			}
			importance := widget.MediumImportance
			if t.style != nil && id.Row < len(t.rows) {
				importance = t.style(id.Row, id.Col)
			}
			if l.Text != text || l.Importance != importance {
				l.Importance = importance
				l.Text = text
				l.Refresh()
			}
		})
	t.Table.ShowHeaderColumn = false
	t.Table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.Table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(t.titles) {
			o.(*widget.Label).SetText(t.titles[id.Col])
		}
	}
	for i, w := range widths {
		t.Table.SetColumnWidth(i, w)
	}
	return t
}

// SetRows shows rows, redrawing only what changed. The slice is kept; do not modify it after.
func (t *textTable) SetRows(rows [][]string) {
	all, cells := diffRows(t.rows, rows)
	t.rows = rows
	refreshCells(t.Table, all, cells)
}

// Rows returns what the table shows.
func (t *textTable) Rows() [][]string { return t.rows }
