package widgets

import (
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"
)

// pieceColourNames maps each piece state to the theme colour it is drawn in. Primary is the
// colour the theme uses for "done/selected"; warning is distinct from it in every built-in theme;
// disabled is a neutral that still shows against the background; the input background is nearly
// the background itself, which suits pieces nobody wants.
var pieceColourNames = [pieceStateCount]fyne.ThemeColorName{
	PieceMissing:     theme.ColorNameDisabled,
	PieceDownloading: theme.ColorNameWarning,
	PieceHave:        theme.ColorNamePrimary,
	PieceSkipped:     theme.ColorNameInputBackground,
}

// piecePaletteFor looks the piece colours up in the theme that applies to w.
func piecePaletteFor(w fyne.Widget) piecePalette {
	var palette piecePalette
	for state, name := range pieceColourNames {
		palette[state] = toPremultiplied(theme.ColorForWidget(name, w))
	}
	return palette
}

// PieceBar shows the state of every piece of a torrent in one horizontal bar: have, downloading,
// missing or skipped, blended per screen pixel when there are more pieces than pixels.
type PieceBar struct {
	widget.BaseWidget

	states []PieceState
	tally  [pieceStateCount]int // pieces per state, for Summary
	cache  rowCache[piecePalette]
}

// NewPieceBar returns an empty piece bar; it draws nothing until SetPieces.
func NewPieceBar() *PieceBar {
	b := &PieceBar{}
	b.ExtendBaseWidget(b)
	return b
}

// SetPieces replaces the bar's pieces with a copy of states (one per piece, in piece order) and
// repaints. The length may differ from the previous call. Call it on the UI goroutine.
// States this package does not know are shown as missing.
func (b *PieceBar) SetPieces(states []PieceState) {
	if cap(b.states) < len(states) {
		b.states = make([]PieceState, len(states))
	}
	b.states = b.states[:len(states)]
	b.tally = [pieceStateCount]int{}
	for i, s := range states {
		if s >= pieceStateCount {
			s = PieceMissing
		}
		b.states[i] = s
		b.tally[s]++
	}
	b.cache.invalidate()
	b.Refresh()
}

// Pieces returns how many pieces the bar shows.
func (b *PieceBar) Pieces() int {
	return len(b.states)
}

// Summary says in words what the bar shows, e.g.
// "have 412 of 1,000 pieces (41 %); 8 downloading; 580 missing".
func (b *PieceBar) Summary() string {
	return pieceSummary(b.tally)
}

// pieceSummary formats the per-state piece counts. The percentage is rounded down so the bar
// never claims 100 % before the last piece is in.
func pieceSummary(tally [pieceStateCount]int) string {
	total := 0
	for _, n := range tally {
		total += n
	}
	if total == 0 {
		return "no pieces yet"
	}
	parts := []string{
		fmt.Sprintf("have %s of %s %s (%d %%)", comma(tally[PieceHave]), comma(total),
			plural(total, "piece", "pieces"), tally[PieceHave]*100/total),
		comma(tally[PieceDownloading]) + " downloading",
		comma(tally[PieceMissing]) + " missing",
	}
	if tally[PieceSkipped] > 0 {
		parts = append(parts, comma(tally[PieceSkipped])+" skipped")
	}
	return strings.Join(parts, "; ")
}

// CreateRenderer is called by Fyne; the bar is drawn by a raster, see barRenderer.
func (b *PieceBar) CreateRenderer() fyne.WidgetRenderer {
	return newBarRenderer(b.rowImage)
}

// rowImage is the raster's generator: the cached image when pieces, width and theme colours are
// unchanged, otherwise a freshly blended one.
func (b *PieceBar) rowImage(widthPixels, _ int) image.Image {
	columns := columnsFor(len(b.states), widthPixels)
	if columns == 0 {
		return emptyRow()
	}
	palette := piecePaletteFor(b)
	if img, ok := b.cache.lookup(columns, palette); ok {
		return img
	}
	img := pieceRowImage(b.states, columns, palette)
	b.cache.store(img, columns, palette)
	return img
}

// comma formats n with thousands separators.
func comma(n int) string {
	return humanize.Comma(int64(n))
}

// plural picks the singular form for exactly one.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
