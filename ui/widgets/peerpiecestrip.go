package widgets

import (
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// peerPiece is how one piece looks in a peer's strip, relative to our own pieces.
type peerPiece uint8

const (
	peerLacks     peerPiece = iota // the peer does not have it
	peerHasShared                  // the peer has it and so do we: nothing to gain
	peerHasNeeded                  // the peer has it and we do not: the reason we are interested

	peerPieceCount
)

// peerStripPalette holds one colour per peerPiece.
type peerStripPalette [peerPieceCount]premultiplied

// sharedStrength is how much primary colour a piece both sides have gets: clearly "has", but
// quieter than the pieces we need, which are the ones the strip is about.
const sharedStrength = 0.45

// peerStripPaletteFor looks the strip colours up in the theme that applies to w: the piece bar's
// missing colour for pieces the peer lacks, full primary for pieces we need from it, and a
// half-strength primary for pieces we already have.
func peerStripPaletteFor(w fyne.Widget) peerStripPalette {
	primary := toPremultiplied(theme.ColorForWidget(theme.ColorNamePrimary, w))
	background := toPremultiplied(theme.ColorForWidget(theme.ColorNameBackground, w))
	return peerStripPalette{
		peerLacks:     toPremultiplied(theme.ColorForWidget(pieceColourNames[PieceMissing], w)),
		peerHasShared: mix(background, primary, sharedStrength),
		peerHasNeeded: primary,
	}
}

// PeerPieceStrip is the piece bar for one remote peer's bitfield. It marks the pieces the peer
// has that we still need, which is what makes us "interested" in the peer.
type PeerPieceStrip struct {
	widget.BaseWidget

	pieces            []peerPiece
	peerHas, weNeeded int
	cache             rowCache[peerStripPalette]
}

// NewPeerPieceStrip returns an empty strip; it draws nothing until SetPieces.
func NewPeerPieceStrip() *PeerPieceStrip {
	s := &PeerPieceStrip{}
	s.ExtendBaseWidget(s)
	return s
}

// SetPieces shows peerHas (for each piece, whether the peer announced it) against weHave (our
// verified pieces; nil or shorter means we lack the rest) and repaints. Neither slice is kept.
// Call it on the UI goroutine.
func (s *PeerPieceStrip) SetPieces(peerHas, weHave []bool) {
	if cap(s.pieces) < len(peerHas) {
		s.pieces = make([]peerPiece, len(peerHas))
	}
	s.pieces = s.pieces[:len(peerHas)]
	s.peerHas, s.weNeeded = 0, 0
	for i, has := range peerHas {
		switch {
		case !has:
			s.pieces[i] = peerLacks
		case i < len(weHave) && weHave[i]:
			s.pieces[i] = peerHasShared
			s.peerHas++
		default:
			s.pieces[i] = peerHasNeeded
			s.peerHas++
			s.weNeeded++
		}
	}
	s.cache.invalidate()
	s.Refresh()
}

// Pieces returns how many pieces the strip shows.
func (s *PeerPieceStrip) Pieces() int {
	return len(s.pieces)
}

// Summary says in words what the strip shows, e.g.
// "peer has 600 of 1,000 pieces (60 %); 120 of them we still need".
func (s *PeerPieceStrip) Summary() string {
	total := len(s.pieces)
	if total == 0 {
		return "no pieces yet"
	}
	switch {
	case s.peerHas == 0:
		return "peer has no pieces yet"
	case s.peerHas == total:
		return fmt.Sprintf("peer is a seed: all %s pieces; %s of them we still need", comma(total), comma(s.weNeeded))
	default:
		return fmt.Sprintf("peer has %s of %s pieces (%d %%); %s of them we still need",
			comma(s.peerHas), comma(total), s.peerHas*100/total, comma(s.weNeeded))
	}
}

// CreateRenderer is called by Fyne; the strip is drawn by a raster, see barRenderer.
func (s *PeerPieceStrip) CreateRenderer() fyne.WidgetRenderer {
	return newBarRenderer(s.rowImage)
}

// rowImage is the raster's generator, cached like the other bars'.
func (s *PeerPieceStrip) rowImage(widthPixels, _ int) image.Image {
	columns := columnsFor(len(s.pieces), widthPixels)
	if columns == 0 {
		return emptyRow()
	}
	palette := peerStripPaletteFor(s)
	if img, ok := s.cache.lookup(columns, palette); ok {
		return img
	}
	img := blendRow(s.pieces, columns, palette[:])
	s.cache.store(img, columns, palette)
	return img
}
