package ui

import (
	"image/color"
	"maps"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// torrentList is the torrent table: a header row of sort buttons and one row per torrent in the
// model's view. Several torrents can be selected as in a file manager: a click selects one,
// Ctrl+click toggles one, Shift+click selects the range from the anchor (the last plainly
// clicked row) in the view's order. Selected rows are highlighted as a whole (Fyne tables
// select cells). Only rows in the view can be selected.
type torrentList struct {
	model *listModel
	table *widget.Table
	// sel is every selected torrent; selected is the current one (the most recently clicked),
	// which the details pane shows. hasSel is false exactly when sel is empty.
	sel      map[metainfo.Hash]bool
	selected metainfo.Hash
	hasSel   bool
	anchor   metainfo.Hash
	hasAnch  bool
	// onSelect is called with the new current torrent (ok false: nothing selected).
	onSelect func(id metainfo.Hash, ok bool)
	// modifiers reports the keyboard modifiers held during a click; tests replace it.
	modifiers func() fyne.KeyModifier
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
	l := &torrentList{model: model, sel: make(map[metainfo.Hash]bool), modifiers: desktopModifiers}
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
			l.click(id.Row, l.modifiers())
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
	if l.sel[row.ID] {
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

// Update shows new rows, redrawing only the cells that changed. Selected torrents that are gone
// leave the selection.
func (l *torrentList) Update(rows []listRow) {
	change := l.model.SetRows(rows)
	cells := make([]widget.TableCellID, len(change.Cells))
	for i, c := range change.Cells {
		cells[i] = widget.TableCellID{Row: c.Row, Col: int(c.Col)}
	}
	refreshCells(l.table, change.All, cells)
	l.pruneSelection()
}

// desktopModifiers returns the modifiers the desktop driver sees held, or none on other drivers.
func desktopModifiers() fyne.KeyModifier {
	a := fyne.CurrentApp()
	if a == nil {
		return 0
	}
	if d, ok := a.Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}

// click selects as a tap on view row i with mods held does: Ctrl (or the platform's shortcut
// key) toggles the row, Shift selects the range from the anchor (adding to the selection with
// Ctrl too), no modifier selects the row alone. The clicked row becomes the current torrent,
// unless Ctrl+click took it out of the selection.
func (l *torrentList) click(i int, mods fyne.KeyModifier) {
	id := l.model.Row(i).ID
	toggle := mods&(fyne.KeyModifierShortcutDefault|fyne.KeyModifierControl) != 0
	anchor := -1
	if l.hasAnch {
		anchor = l.model.Index(l.anchor)
	}
	switch {
	case mods&fyne.KeyModifierShift != 0 && anchor >= 0:
		next := make(map[metainfo.Hash]bool)
		if toggle {
			maps.Copy(next, l.sel)
		}
		lo, hi := min(anchor, i), max(anchor, i)
		for r := lo; r <= hi; r++ {
			next[l.model.Row(r).ID] = true
		}
		l.setSelection(next, id, true)
	case toggle:
		next := maps.Clone(l.sel)
		l.anchor, l.hasAnch = id, true
		if !next[id] {
			next[id] = true
			l.setSelection(next, id, true)
			return
		}
		delete(next, id)
		cur, ok := l.selected, l.hasSel
		if cur == id {
			cur, ok = l.firstSelected(next)
		}
		l.setSelection(next, cur, ok)
	default:
		l.anchor, l.hasAnch = id, true
		l.setSelection(map[metainfo.Hash]bool{id: true}, id, true)
	}
}

// Select makes id the only selected torrent, as a plain click on its row does.
func (l *torrentList) Select(id metainfo.Hash) {
	l.anchor, l.hasAnch = id, true
	l.setSelection(map[metainfo.Hash]bool{id: true}, id, true)
}

// SelectAll selects every row in the view; the current torrent stays current when it is shown,
// else the first row becomes current.
func (l *torrentList) SelectAll() {
	next := make(map[metainfo.Hash]bool, l.model.Len())
	for i := range l.model.Len() {
		next[l.model.Row(i).ID] = true
	}
	cur, ok := l.selected, l.hasSel
	if !ok || !next[cur] {
		cur, ok = l.firstSelected(next)
	}
	l.setSelection(next, cur, ok)
}

// firstSelected returns the first torrent of sel in view order.
func (l *torrentList) firstSelected(sel map[metainfo.Hash]bool) (metainfo.Hash, bool) {
	for i := range l.model.Len() {
		if id := l.model.Row(i).ID; sel[id] {
			return id, true
		}
	}
	return metainfo.Hash{}, false
}

// setSelection replaces the selection with sel and the current torrent with cur (ok false:
// none; sel must then be empty). It redraws only the rows whose highlight changed — at most one
// whole-table refresh — and calls onSelect when the current torrent changed.
func (l *torrentList) setSelection(sel map[metainfo.Hash]bool, cur metainfo.Hash, ok bool) {
	var cells []widget.TableCellID
	for i := range l.model.Len() {
		if id := l.model.Row(i).ID; l.sel[id] != sel[id] {
			for c := range numColumns {
				cells = append(cells, widget.TableCellID{Row: i, Col: int(c)})
			}
		}
	}
	changed := ok != l.hasSel || (ok && cur != l.selected)
	l.sel = sel
	l.selected, l.hasSel = cur, ok
	if !ok {
		l.selected = metainfo.Hash{}
	}
	if len(cells) > 0 {
		refreshCells(l.table, false, cells)
	}
	if changed && l.onSelect != nil {
		l.onSelect(l.selected, ok)
	}
}

// pruneSelection drops selected torrents that are no longer in the view (removed or filtered
// out), and the anchor with them. Their rows are not shown, so nothing needs redrawing.
func (l *torrentList) pruneSelection() {
	if l.hasAnch && l.model.Index(l.anchor) < 0 {
		l.hasAnch = false
	}
	if len(l.sel) == 0 {
		return
	}
	next := make(map[metainfo.Hash]bool, len(l.sel))
	for i := range l.model.Len() {
		if id := l.model.Row(i).ID; l.sel[id] {
			next[id] = true
		}
	}
	if len(next) == len(l.sel) {
		return
	}
	cur, ok := l.selected, l.hasSel
	if !next[cur] {
		cur, ok = l.firstSelected(next)
	}
	l.setSelection(next, cur, ok)
}

// Selected returns the current torrent: the most recently clicked of the selection.
func (l *torrentList) Selected() (metainfo.Hash, bool) { return l.selected, l.hasSel }

// SelectedAll returns every selected torrent in view order.
func (l *torrentList) SelectedAll() []metainfo.Hash {
	var ids []metainfo.Hash
	for i := range l.model.Len() {
		if id := l.model.Row(i).ID; l.sel[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// SelectedRow returns the current torrent's row.
func (l *torrentList) SelectedRow() (*listRow, bool) {
	if !l.hasSel {
		return nil, false
	}
	r, ok := l.model.rows[l.selected]
	return r, ok
}

// SetFilter and SetQuery narrow the view and redraw.
// Selected torrents that leave the view leave the selection.
func (l *torrentList) SetFilter(f listFilter) {
	l.model.SetFilter(f)
	l.table.Refresh()
	l.pruneSelection()
}

func (l *torrentList) SetQuery(q string) {
	l.model.SetQuery(q)
	l.table.Refresh()
	l.pruneSelection()
}
