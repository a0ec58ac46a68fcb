package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// legendRenderer lays a Legend out in one row: swatch, label, gap, swatch, label, …
// Swatches are squares as tall as the caption text size, centred on the label.
type legendRenderer struct {
	legend   *Legend
	swatches []*canvas.Rectangle
	labels   []*canvas.Text
	objects  []fyne.CanvasObject
}

func newLegendRenderer(l *Legend) *legendRenderer {
	r := &legendRenderer{legend: l}
	for _, e := range l.entries {
		swatch := canvas.NewRectangle(nil)
		label := canvas.NewText(e.label, nil)
		r.swatches = append(r.swatches, swatch)
		r.labels = append(r.labels, label)
		r.objects = append(r.objects, swatch, label)
	}
	r.applyTheme()
	return r
}

// applyTheme copies the current theme's colours and caption size onto the swatches and labels.
// Swatches get a thin input-border outline: some bar colours (skipped pieces in the light theme)
// are close to the background, and a swatch must still show where it is.
func (r *legendRenderer) applyTheme() {
	foreground := theme.ColorForWidget(theme.ColorNameForeground, r.legend)
	outline := theme.ColorForWidget(theme.ColorNameInputBorder, r.legend)
	textSize := theme.SizeForWidget(theme.SizeNameCaptionText, r.legend)
	for i, e := range r.legend.entries {
		r.swatches[i].FillColor = e.colour(r.legend).RGBA()
		r.swatches[i].StrokeColor = outline
		r.swatches[i].StrokeWidth = 1
		r.labels[i].Color = foreground
		r.labels[i].TextSize = textSize
	}
}

// spacing returns the swatch side, the gap between a swatch and its label, and the gap between
// entries.
func (r *legendRenderer) spacing() (swatch, inner, between float32) {
	padding := theme.SizeForWidget(theme.SizeNamePadding, r.legend)
	return theme.SizeForWidget(theme.SizeNameCaptionText, r.legend), padding / 2, padding * 2
}

func (r *legendRenderer) Layout(size fyne.Size) {
	swatchSide, inner, between := r.spacing()
	x := float32(0)
	for i, label := range r.labels {
		textSize := label.MinSize()
		r.swatches[i].Resize(fyne.NewSquareSize(swatchSide))
		r.swatches[i].Move(fyne.NewPos(x, (size.Height-swatchSide)/2))
		x += swatchSide + inner
		label.Resize(textSize)
		label.Move(fyne.NewPos(x, (size.Height-textSize.Height)/2))
		x += textSize.Width + between
	}
}

func (r *legendRenderer) MinSize() fyne.Size {
	swatchSide, inner, between := r.spacing()
	var width, height float32
	for i, label := range r.labels {
		if i > 0 {
			width += between
		}
		textSize := label.MinSize()
		width += swatchSide + inner + textSize.Width
		height = max(height, swatchSide, textSize.Height)
	}
	return fyne.NewSize(width, height)
}

// Refresh re-reads the theme (Fyne refreshes every widget when the theme changes) and lays out
// again, since the caption size may have changed.
func (r *legendRenderer) Refresh() {
	r.applyTheme()
	r.Layout(r.legend.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

func (r *legendRenderer) Objects() []fyne.CanvasObject {
	return r.objects
}

func (r *legendRenderer) Destroy() {}
