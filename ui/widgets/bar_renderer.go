package widgets

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// Bar sizes in device-independent units. The height is a little taller than a text line's
// x-height so the bar reads as a bar, not a rule; the width is only a floor, layouts stretch it.
const (
	barHeight   = 18
	barMinWidth = 60
)

// barRenderer draws a bar as one canvas.Raster. The raster asks for an image at its pixel size;
// the bar answers with a one-pixel-high image at most that wide, and ImageScalePixels stretches it
// without smoothing, so piece boundaries stay crisp and the height costs nothing.
type barRenderer struct {
	raster  *canvas.Raster
	objects []fyne.CanvasObject
}

// newBarRenderer wraps generate, which is called with the raster's size in pixels whenever the
// raster is refreshed or resized.
func newBarRenderer(generate func(widthPixels, heightPixels int) image.Image) *barRenderer {
	raster := canvas.NewRaster(generate)
	raster.ScaleMode = canvas.ImageScalePixels
	return &barRenderer{raster: raster, objects: []fyne.CanvasObject{raster}}
}

func (r *barRenderer) Layout(size fyne.Size) {
	r.raster.Move(fyne.NewPos(0, 0))
	r.raster.Resize(size)
}

func (r *barRenderer) MinSize() fyne.Size {
	return fyne.NewSize(barMinWidth, barHeight)
}

// Refresh regenerates the raster; the generator re-reads the theme colours, so a theme change
// repaints with the new palette while an unchanged bar returns its cached image.
func (r *barRenderer) Refresh() {
	r.raster.Refresh()
}

func (r *barRenderer) Objects() []fyne.CanvasObject {
	return r.objects
}

func (r *barRenderer) Destroy() {}
