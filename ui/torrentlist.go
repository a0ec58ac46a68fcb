package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// torrentList is the torrent table: a header row of sort buttons and one row per torrent in the
// model's view. The selected torrent's row is highlighted as a whole (Fyne tables select cells).
type torrentList struct {
	model    *listModel
	table    *widget.Table
	selected metainfo.Hash
	hasSel   bool
	// onSelect is called with the newly selected torrent (ok false: nothing selected).
	onSelect func(id metainfo.Hash, ok bool)
}

// listCell is one cell's widgets: a selection background, a label, and a progress bar that only
// the Progress column shows.
type listCell struct {
	widget.BaseWidget
	bg    *canvas.Rectangle
	label *widget.Label
	bar   *widget.ProgressBar
}

func newListCell() *listCell {
	c := &listCell{bg: canvas.NewRectangle(color.Transparent), label: widget.NewLabel(""), bar: widget.NewProgressBar()}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.bar.TextFormatter = func() string { return percentText(c.bar.Value) }
	c.ExtendBaseWidget(c)
	return c
}

func (c *listCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.label, container.NewPadded(c.bar)))
}

func newTorrentList(model *listModel) *torrentList {
	l := &torrentList{model: model}
	l.table = widget.NewTableWithHeaders(
		func() (int, int) { return l.model.Len(), int(numColumns) },
		func() fyne.CanvasObject { return newListCell() },
		l.updateCell)
	l.table.ShowHeaderColumn = false
	l.table.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 || id.Col >= int(numColumns) {
			return
		}
		b := o.(*widget.Button)
		col := column(id.Col)
		// Fyne calls this for every header on every table refresh, even of one cell; setting
		// the same text again would re-lay out the button each time.
		if text := l.headerText(col); b.Text != text {
			b.SetText(text)
		}
		b.OnTapped = func() { l.sortBy(col) }
	}
	for c, w := range columnWidths {
		l.table.SetColumnWidth(c, w)
	}
	l.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < l.model.Len() {
			l.Select(l.model.Row(id.Row).ID)
		}
		l.table.UnselectAll()
	}
	return l
}

// headerText is a column title with an arrow on the sort column.
func (l *torrentList) headerText(col column) string {
	sortCol, desc := l.model.SortState()
	switch {
	case col != sortCol:
		return columnTitles[col]
	case desc:
		return columnTitles[col] + " ▼"
	default:
		return columnTitles[col] + " ▲"
	}
}

func (l *torrentList) sortBy(col column) {
	l.model.SetSort(col)
	l.table.Refresh()
}

func (l *torrentList) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*listCell)
	if id.Row >= l.model.Len() {
		return
	}
	row := l.model.Row(id.Row)
	var bg color.Color = color.Transparent
	if l.hasSel && row.ID == l.selected {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	if column(id.Col) == colProgress {
		c.label.Hide()
		c.bar.Show()
		if c.bar.Value != row.Progress {
			c.bar.SetValue(row.Progress)
		}
		return
	}
	c.bar.Hide()
	c.label.Show()
	importance := widget.MediumImportance
	if column(id.Col) == colStatus && row.Group == groupError {
		importance = widget.DangerImportance
	}
	if text := row.text[id.Col]; c.label.Text != text || c.label.Importance != importance {
		c.label.Text, c.label.Importance = text, importance
		c.label.Refresh()
	}
}

// Update shows new rows, redrawing only the cells that changed. If the selected torrent is gone
// the selection is cleared.
func (l *torrentList) Update(rows []listRow) {
	change := l.model.SetRows(rows)
	if l.hasSel {
		if _, ok := l.model.rows[l.selected]; !ok {
			l.hasSel = false
			change.All = true
			if l.onSelect != nil {
				l.onSelect(metainfo.Hash{}, false)
			}
		}
	}
	cells := make([]widget.TableCellID, len(change.Cells))
	for i, c := range change.Cells {
		cells[i] = widget.TableCellID{Row: c.Row, Col: int(c.Col)}
	}
	refreshCells(l.table, change.All, cells)
}

// Select highlights id's row and reports it.
func (l *torrentList) Select(id metainfo.Hash) {
	if l.hasSel && l.selected == id {
		return
	}
	old, had := l.selected, l.hasSel
	l.selected, l.hasSel = id, true
	if had {
		l.refreshRow(old)
	}
	l.refreshRow(id)
	if l.onSelect != nil {
		l.onSelect(id, true)
	}
}

// Selected returns the selected torrent.
func (l *torrentList) Selected() (metainfo.Hash, bool) { return l.selected, l.hasSel }

// SelectedRow returns the selected torrent's row.
func (l *torrentList) SelectedRow() (*listRow, bool) {
	if !l.hasSel {
		return nil, false
	}
	r, ok := l.model.rows[l.selected]
	return r, ok
}

func (l *torrentList) refreshRow(id metainfo.Hash) {
	row := l.model.Index(id)
	if row < 0 {
		return
	}
	for c := range numColumns {
		l.table.RefreshItem(widget.TableCellID{Row: row, Col: int(c)})
	}
}

// SetFilter and SetQuery narrow the view and redraw.
func (l *torrentList) SetFilter(f listFilter) {
	l.model.SetFilter(f)
	l.table.Refresh()
}

func (l *torrentList) SetQuery(q string) {
	l.model.SetQuery(q)
	l.table.Refresh()
}
