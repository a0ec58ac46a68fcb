package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// legendEntry is one swatch and its words. colour is looked up from the legend's theme on every
// refresh, so the swatches follow theme changes exactly as the bars do.
type legendEntry struct {
	label  string
	colour func(fyne.Widget) premultiplied
}

// Legend explains a bar's colours: a row of small colour swatches, each followed by a word or
// two. Build one with NewPieceBarLegend or NewAvailabilityLegend.
type Legend struct {
	widget.BaseWidget

	entries []legendEntry
}

// NewPieceBarLegend returns the legend for PieceBar: have, downloading, missing, skipped.
func NewPieceBarLegend() *Legend {
	entry := func(state PieceState) legendEntry {
		return legendEntry{
			label:  state.String(),
			colour: func(w fyne.Widget) premultiplied { return piecePaletteFor(w)[state] },
		}
	}
	return newLegend([]legendEntry{
		entry(PieceHave), entry(PieceDownloading), entry(PieceMissing), entry(PieceSkipped),
	})
}

// NewAvailabilityLegend returns the legend for AvailabilityBar: no peer has it, rare, common.
func NewAvailabilityLegend() *Legend {
	return newLegend([]legendEntry{
		{label: "no peer has it", colour: func(w fyne.Widget) premultiplied { return availabilityColoursFor(w).none }},
		{label: "rare", colour: func(w fyne.Widget) premultiplied { return availabilityColoursFor(w).rare }},
		{label: "common", colour: func(w fyne.Widget) premultiplied { return availabilityColoursFor(w).common }},
	})
}

// NewPeerPieceStripLegend returns the legend for PeerPieceStrip.
func NewPeerPieceStripLegend() *Legend {
	entry := func(label string, piece peerPiece) legendEntry {
		return legendEntry{
			label:  label,
			colour: func(w fyne.Widget) premultiplied { return peerStripPaletteFor(w)[piece] },
		}
	}
	return newLegend([]legendEntry{
		entry("peer has, we need it", peerHasNeeded),
		entry("peer has, we have it too", peerHasShared),
		entry("peer lacks it", peerLacks),
	})
}

func newLegend(entries []legendEntry) *Legend {
	l := &Legend{entries: entries}
	l.ExtendBaseWidget(l)
	return l
}

// Labels returns the legend's words in display order.
func (l *Legend) Labels() []string {
	labels := make([]string, len(l.entries))
	for i, e := range l.entries {
		labels[i] = e.label
	}
	return labels
}

// CreateRenderer is called by Fyne; see legendRenderer.
func (l *Legend) CreateRenderer() fyne.WidgetRenderer {
	return newLegendRenderer(l)
}
