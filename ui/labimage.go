package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// labColours are the colours of the lab's pictures, looked up in the theme once per frame.
type labColours struct {
	have     color.RGBA // a node holds the piece
	missing  color.RGBA // it does not (yet)
	rare     color.RGBA // a node holds one of the rarest pieces
	rareMiss color.RGBA // it misses one of the rarest pieces
	absent   color.RGBA // the node has not joined, or left
}

// themeLabColours looks the matrix colours up in the current theme: have in the primary colour,
// missing in the disabled one, the rarest pieces in the warning colour (faded into the
// background where they are missing), absent as the background. The Swarm tab of the details
// pane uses it; the lab window's themeColours picks the same colours.
func themeLabColours() labColours {
	rgba := func(name fyne.ThemeColorName) color.RGBA {
		return color.RGBAModel.Convert(theme.Color(name)).(color.RGBA)
	}
	bg, warn := rgba(theme.ColorNameBackground), rgba(theme.ColorNameWarning)
	blend := func(a, b color.RGBA, t float64) color.RGBA {
		m := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
		return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), m(a.A, b.A)}
	}
	return labColours{
		have: rgba(theme.ColorNamePrimary), missing: rgba(theme.ColorNameDisabled),
		rare: warn, rareMiss: blend(bg, warn, 0.4), absent: bg,
	}
}

// pieceCopies counts, per piece, the nodes in the swarm (joined and not left) that hold it: the
// availability the peers themselves see.
func pieceCopies(v *lab.LiveView) []int {
	copies := make([]int, v.Pieces)
	for _, n := range v.Nodes {
		if !n.Joined || n.Left {
			continue
		}
		for p, h := range n.Have {
			if h && p < len(copies) {
				copies[p]++
			}
		}
	}
	return copies
}

// rarestPieces marks the pieces with the fewest copies. When every piece has the same number of
// copies none is rarer than another, and none is marked.
func rarestPieces(copies []int) []bool {
	if len(copies) == 0 {
		return nil
	}
	lo, hi := copies[0], copies[0]
	for _, c := range copies {
		lo, hi = min(lo, c), max(hi, c)
	}
	rare := make([]bool, len(copies))
	if lo == hi {
		return rare
	}
	for p, c := range copies {
		rare[p] = c == lo
	}
	return rare
}

// matrixImage is the peers × pieces matrix: one pixel row per node (the server first), one
// column per piece. A cell is "have" or "missing", in the warning colours when the piece is one
// of the rarest; a node that has not joined is a row of "absent", and one that left keeps what
// it had in "absent" against "missing".
func matrixImage(v *lab.LiveView, rare []bool, c labColours) *image.RGBA {
	if v == nil || v.Pieces == 0 || len(v.Nodes) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	img := image.NewRGBA(image.Rect(0, 0, v.Pieces, len(v.Nodes)))
	for y, n := range v.Nodes {
		for x := range v.Pieces {
			has := x < len(n.Have) && n.Have[x]
			isRare := x < len(rare) && rare[x]
			col := c.missing
			switch {
			case !n.Joined:
				col = c.absent
			case n.Left && has:
				col = c.absent
			case has && isRare:
				col = c.rare
			case has:
				col = c.have
			case isRare && !n.Left:
				col = c.rareMiss
			}
			img.SetRGBA(x, y, col)
		}
	}
	return img
}

// histogramImage is the availability histogram: one column per piece, filled from the bottom to
// its number of copies, on a scale of top copies (the image is top pixels high). The rarest
// pieces are drawn in the rare colour; the rest of the image is transparent.
func histogramImage(copies []int, rare []bool, top int, c labColours) *image.RGBA {
	return drawHistogram(nil, copies, rare, top, c)
}

// drawHistogram is histogramImage drawn into dst when it has the right size (the Swarm tab
// redraws a picture of thousands of pieces every second), else into a new image.
func drawHistogram(dst *image.RGBA, copies []int, rare []bool, top int, c labColours) *image.RGBA {
	if len(copies) == 0 || top <= 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	if dst == nil || dst.Rect != image.Rect(0, 0, len(copies), top) {
		dst = image.NewRGBA(image.Rect(0, 0, len(copies), top))
	} else {
		clear(dst.Pix)
	}
	have := [4]byte{c.have.R, c.have.G, c.have.B, c.have.A}
	rarest := [4]byte{c.rare.R, c.rare.G, c.rare.B, c.rare.A}
	for x, n := range copies {
		col := &have
		if x < len(rare) && rare[x] {
			col = &rarest
		}
		// Straight into Pix: SetRGBA's per-pixel checks show at thousands of pieces.
		for o := dst.PixOffset(x, top-1); o >= dst.PixOffset(x, top-min(n, top)); o -= dst.Stride {
			copy(dst.Pix[o:o+4], col[:])
		}
	}
	return dst
}

// utilisationColumns is the width of the utilisation picture: one column per 5 %.
const utilisationColumns = 20

// utilisation is a node's upload rate now over its configured rate, 0 to 1; -1 for a node that
// does not upload (a client-server peer or a free rider) or is not in the swarm.
func utilisation(n lab.LiveNode) float64 {
	if n.UploadRate <= 0 || !n.Joined || n.Left {
		return -1
	}
	return min(n.UpRate/float64(n.UploadRate), 1)
}

// utilisationImage draws, one row per node beside the matrix, how much of its upload rate each
// node uses now: a bar of "have" on "missing", or a row of "absent" for a node that does not
// upload.
func utilisationImage(v *lab.LiveView, c labColours) *image.RGBA {
	if v == nil || len(v.Nodes) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	img := image.NewRGBA(image.Rect(0, 0, utilisationColumns, len(v.Nodes)))
	for y, n := range v.Nodes {
		u := utilisation(n)
		filled := int(u*utilisationColumns + 0.5)
		for x := range utilisationColumns {
			col := c.missing
			switch {
			case u < 0:
				col = c.absent
			case x < filled:
				col = c.have
			}
			img.SetRGBA(x, y, col)
		}
	}
	return img
}
