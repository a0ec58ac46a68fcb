package widgets

import (
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rareStrength is how much of the primary colour the rarest available piece gets, mixed into the
// background: enough to be told apart from the background, faint enough to contrast with common
// pieces at full strength.
const rareStrength = 0.25

// availabilityColoursFor looks the availability colours up in the theme that applies to w: the
// error colour (red in the built-in themes) for pieces no connected peer has, and a ramp from a
// faint to a full primary colour as copies increase. In the light theme that is light to dark;
// in the dark theme faint to bright, which keeps "rare" the quiet end in both.
func availabilityColoursFor(w fyne.Widget) availabilityColours {
	primary := toPremultiplied(theme.ColorForWidget(theme.ColorNamePrimary, w))
	background := toPremultiplied(theme.ColorForWidget(theme.ColorNameBackground, w))
	return availabilityColours{
		none:   toPremultiplied(theme.ColorForWidget(theme.ColorNameError, w)),
		rare:   mix(background, primary, rareStrength),
		common: primary,
	}
}

// AvailabilityBar shows, for every piece of a torrent, how many connected peers have it: red where
// no peer has the piece, then faint for the rarest pieces up to full colour for the most common.
// This is the distribution rarest-first piece selection works from.
type AvailabilityBar struct {
	widget.BaseWidget

	counts  []int
	summary string
	cache   rowCache[availabilityColours]
}

// NewAvailabilityBar returns an empty availability bar; it draws nothing until SetAvailability.
func NewAvailabilityBar() *AvailabilityBar {
	b := &AvailabilityBar{summary: availabilitySummary(nil, 0)}
	b.ExtendBaseWidget(b)
	return b
}

// SetAvailability replaces the bar's data with a copy of counts (for each piece, how many
// connected peers have it) and repaints; peers is how many peers are connected, used in the
// summary. The length may differ from the previous call. Call it on the UI goroutine.
func (b *AvailabilityBar) SetAvailability(counts []int, peers int) {
	b.counts = append(b.counts[:0], counts...)
	b.summary = availabilitySummary(b.counts, peers)
	b.cache.invalidate()
	b.Refresh()
}

// Pieces returns how many pieces the bar shows.
func (b *AvailabilityBar) Pieces() int {
	return len(b.counts)
}

// Summary says in words what the bar shows, e.g.
// "rarest piece: 1 copy (12 pieces); most common: 5 copies (40 pieces); 8 peers connected".
func (b *AvailabilityBar) Summary() string {
	return b.summary
}

// CreateRenderer is called by Fyne; the bar is drawn by a raster, see barRenderer.
func (b *AvailabilityBar) CreateRenderer() fyne.WidgetRenderer {
	return newBarRenderer(b.rowImage)
}

// rowImage is the raster's generator: the cached image when counts, width and theme colours are
// unchanged, otherwise a freshly blended one.
func (b *AvailabilityBar) rowImage(widthPixels, _ int) image.Image {
	columns := columnsFor(len(b.counts), widthPixels)
	if columns == 0 {
		return emptyRow()
	}
	colours := availabilityColoursFor(b)
	if img, ok := b.cache.lookup(columns, colours); ok {
		return img
	}
	img := availabilityRowImage(b.counts, columns, colours)
	b.cache.store(img, columns, colours)
	return img
}

// availabilitySummary describes the distribution of copies in words for the teaching audience:
// how many pieces no connected peer has, the rarest available count and how many pieces share
// it, the most common count, and how many peers were counted.
func availabilitySummary(counts []int, peers int) string {
	if len(counts) == 0 {
		return "no pieces yet"
	}
	unavailable := 0
	rarest, rarestPieces := 0, 0
	mostCopies, mostPieces := 0, 0
	for _, c := range counts {
		switch {
		case c <= 0:
			unavailable++
			continue
		case rarest == 0 || c < rarest:
			rarest, rarestPieces = c, 1
		case c == rarest:
			rarestPieces++
		}
		switch {
		case c > mostCopies:
			mostCopies, mostPieces = c, 1
		case c == mostCopies:
			mostPieces++
		}
	}

	peersPart := fmt.Sprintf("%s %s connected", comma(peers), plural(peers, "peer", "peers"))
	if unavailable == len(counts) {
		return "no connected peer has any piece; " + peersPart
	}
	var parts []string
	if unavailable > 0 {
		parts = append(parts, fmt.Sprintf("no peer has %s %s", comma(unavailable),
			plural(unavailable, "piece", "pieces")))
	}
	if rarest == mostCopies {
		parts = append(parts, fmt.Sprintf("every available piece: %s", copiesText(rarest)))
	} else {
		parts = append(parts,
			fmt.Sprintf("rarest piece: %s (%s %s)", copiesText(rarest), comma(rarestPieces),
				plural(rarestPieces, "piece", "pieces")),
			fmt.Sprintf("most common: %s (%s %s)", copiesText(mostCopies), comma(mostPieces),
				plural(mostPieces, "piece", "pieces")))
	}
	parts = append(parts, peersPart)
	return strings.Join(parts, "; ")
}

// copiesText is "1 copy", "5 copies".
func copiesText(n int) string {
	return comma(n) + " " + plural(n, "copy", "copies")
}
