package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

func TestBarRendererIsOneCrispRaster(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	renderer := test.TempWidgetRenderer(t, bar)
	objects := renderer.Objects()
	if len(objects) != 1 {
		t.Fatalf("renderer has %d objects, want 1 raster", len(objects))
	}
	raster, ok := objects[0].(*canvas.Raster)
	if !ok {
		t.Fatalf("renderer object is %T, want *canvas.Raster", objects[0])
	}
	if raster.ScaleMode != canvas.ImageScalePixels {
		t.Errorf("ScaleMode = %v, want ImageScalePixels so piece edges stay sharp", raster.ScaleMode)
	}

	bar.Resize(fyne.NewSize(321, 25))
	if raster.Size() != fyne.NewSize(321, 25) || raster.Position() != fyne.NewPos(0, 0) {
		t.Errorf("raster laid out at %v size %v, want the whole bar", raster.Position(), raster.Size())
	}
}

func TestBarMinSize(t *testing.T) {
	test.NewTempApp(t)
	for _, bar := range []fyne.Widget{NewPieceBar(), NewAvailabilityBar()} {
		if got, want := bar.MinSize(), fyne.NewSize(barMinWidth, barHeight); got != want {
			t.Errorf("%T MinSize() = %v, want %v", bar, got, want)
		}
	}
}
