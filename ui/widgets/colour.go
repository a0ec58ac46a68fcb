package widgets

import (
	"image/color"
	"math"
)

// premultiplied is an 8-bit colour with alpha premultiplied into red, green and blue: the layout
// image.RGBA keeps in Pix. Blending in this space weights translucent theme colours correctly.
type premultiplied struct{ r, g, b, a uint8 }

// toPremultiplied converts any colour (theme colours arrive as color.Color) once, outside the hot
// loop, so the loop never calls an interface method per piece.
func toPremultiplied(c color.Color) premultiplied {
	if c == nil {
		return premultiplied{}
	}
	r, g, b, a := c.RGBA() // 16-bit, already premultiplied
	return premultiplied{r: uint8(r >> 8), g: uint8(g >> 8), b: uint8(b >> 8), a: uint8(a >> 8)}
}

// mix returns from·(1−t) + to·t for t in [0, 1], rounded to the nearest 8-bit value.
func mix(from, to premultiplied, t float64) premultiplied {
	t = math.Min(math.Max(t, 0), 1)
	channel := func(a, b uint8) uint8 {
		return uint8(math.Round(float64(a)*(1-t) + float64(b)*t))
	}
	return premultiplied{
		r: channel(from.r, to.r),
		g: channel(from.g, to.g),
		b: channel(from.b, to.b),
		a: channel(from.a, to.a),
	}
}

// RGBA returns the colour as image/color sees it, for tests and legend swatches.
func (p premultiplied) RGBA() color.RGBA {
	return color.RGBA{R: p.r, G: p.g, B: p.b, A: p.a}
}
