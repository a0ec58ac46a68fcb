package widgets

import "image"

// rowCache keeps a bar's last built image so repaints that change neither the data, the column
// count nor the theme colours (window moves, parent refreshes) cost nothing.
type rowCache[P comparable] struct {
	img     *image.RGBA
	columns int
	palette P
}

// lookup returns the cached image if it was built for these columns and colours.
func (c *rowCache[P]) lookup(columns int, palette P) (*image.RGBA, bool) {
	if c.img == nil || c.columns != columns || c.palette != palette {
		return nil, false
	}
	return c.img, true
}

// store remembers img as the image for these columns and colours.
func (c *rowCache[P]) store(img *image.RGBA, columns int, palette P) {
	c.img, c.columns, c.palette = img, columns, palette
}

// invalidate forgets the image; the bar calls it when its data changes.
func (c *rowCache[P]) invalidate() {
	c.img = nil
}
