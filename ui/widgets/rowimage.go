package widgets

import (
	"image"
	"math"
)

// columnsFor returns how many columns a bar shows for items pieces at widthPixels screen pixels:
// one per piece, but never more columns than pixels, because a narrower image loses nothing and
// a wider one would be subsampled by the painter instead of blended.
func columnsFor(items, widthPixels int) int {
	if items <= 0 || widthPixels <= 0 {
		return 0
	}
	return min(items, widthPixels)
}

// emptyRow is what a bar with nothing to show draws: one transparent pixel. The painter needs an
// image, and a transparent one draws nothing.
func emptyRow() *image.RGBA {
	return image.NewRGBA(image.Rect(0, 0, 1, 1))
}

// blendRow builds a columns-wide, one-pixel-high image of len(keys) items, where item i has the
// colour palette[keys[i]] (keys outside the palette are clamped to its ends).
//
// Each column covers len(keys)/columns items and averages their colours, weighted by how much of
// each item falls inside the column, so 4 items in 2 columns give each column two items at half
// weight each, and 3 items in 2 columns split the middle item between both columns. The work is
// done in integer units in which an item is columns long and a column is len(keys) long, so every
// boundary is exact and each column's weights sum to len(keys).
//
// It writes straight into the image's Pix slice: no per-pixel allocation, no color.Color
// interface calls. palette must not be empty.
func blendRow[K ~uint8 | ~int](keys []K, columns int, palette []premultiplied) *image.RGBA {
	items := len(keys)
	if items == 0 || columns <= 0 {
		return emptyRow()
	}
	columns = min(columns, items)
	img := image.NewRGBA(image.Rect(0, 0, columns, 1))
	pix := img.Pix
	lastColour := len(palette) - 1
	columnWeight := uint64(items)
	half := columnWeight / 2

	item, itemEnd := 0, columns
	for column := range columns {
		pos, columnEnd := column*items, (column+1)*items
		var r, g, b, a uint64
		for pos < columnEnd {
			end := min(itemEnd, columnEnd)
			weight := uint64(end - pos)
			index := int(keys[item])
			if index < 0 {
				index = 0
			} else if index > lastColour {
				index = lastColour
			}
			c := palette[index]
			r += weight * uint64(c.r)
			g += weight * uint64(c.g)
			b += weight * uint64(c.b)
			a += weight * uint64(c.a)
			pos = end
			if end == itemEnd {
				item++
				itemEnd += columns
			}
		}
		o := column * 4
		pix[o] = uint8((r + half) / columnWeight)
		pix[o+1] = uint8((g + half) / columnWeight)
		pix[o+2] = uint8((b + half) / columnWeight)
		pix[o+3] = uint8((a + half) / columnWeight)
	}
	return img
}

// piecePalette holds one colour per PieceState, indexed by the state. It is an array so it can
// be compared to tell whether the theme changed since the cached image was built.
type piecePalette [pieceStateCount]premultiplied

// pieceRowImage builds the piece bar's image: states blended into columns.
func pieceRowImage(states []PieceState, columns int, palette piecePalette) *image.RGBA {
	return blendRow(states, columns, palette[:])
}

// availabilityColours are the three anchors of the availability bar: none for pieces no
// connected peer has, and a gradient from rare (one copy) to common (the most copies any piece
// has).
type availabilityColours struct {
	none, rare, common premultiplied
}

// maxShadedCopies bounds the per-image colour table. Connected-peer counts never get near it in
// practice; pieces with more copies than this all get the common colour.
const maxShadedCopies = 4096

// availabilityPalette returns the colour for every copy count from 0 to min(mostCopies,
// maxShadedCopies). The gradient is logarithmic in the count: the difference between 1 and 2
// copies matters far more to a swarm than between 40 and 41, so the rare end gets most of the
// range and the rarest pieces stand out. When every piece has the same count it is the common
// colour.
func availabilityPalette(mostCopies int, colours availabilityColours) []premultiplied {
	top := min(max(mostCopies, 0), maxShadedCopies)
	palette := make([]premultiplied, top+1)
	palette[0] = colours.none
	logTop := math.Log(float64(top))
	for copies := 1; copies <= top; copies++ {
		t := 1.0
		if copies < top {
			t = math.Log(float64(copies)) / logTop
		}
		palette[copies] = mix(colours.rare, colours.common, t)
	}
	return palette
}

// availabilityRowImage builds the availability bar's image: each piece coloured by how many
// connected peers have it, relative to the most available piece, then blended into columns.
func availabilityRowImage(counts []int, columns int, colours availabilityColours) *image.RGBA {
	mostCopies := 0
	for _, c := range counts {
		mostCopies = max(mostCopies, c)
	}
	return blendRow(counts, columns, availabilityPalette(mostCopies, colours))
}
