package widgets

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestPieceBarLegend(t *testing.T) {
	test.NewTempApp(t)
	legend := NewPieceBarLegend()
	if got, want := legend.Labels(), []string{"have", "downloading", "missing", "skipped"}; !slices.Equal(got, want) {
		t.Errorf("Labels() = %q, want %q", got, want)
	}
	test.AssertObjectRendersToMarkup(t, "piecebar_legend.xml", legend)
	test.AssertObjectRendersToImage(t, "piecebar_legend.png", legend)
}

func TestAvailabilityLegend(t *testing.T) {
	test.NewTempApp(t)
	legend := NewAvailabilityLegend()
	if got, want := legend.Labels(), []string{"no peer has it", "rare", "common"}; !slices.Equal(got, want) {
		t.Errorf("Labels() = %q, want %q", got, want)
	}
	test.AssertObjectRendersToMarkup(t, "availability_legend.xml", legend)
	test.AssertObjectRendersToImage(t, "availability_legend.png", legend)
}

// swatchColours returns the fill colours of a legend's swatches, in order.
func swatchColours(t *testing.T, legend *Legend) []premultiplied {
	t.Helper()
	var colours []premultiplied
	for _, o := range test.TempWidgetRenderer(t, legend).Objects() {
		if swatch, ok := o.(*canvas.Rectangle); ok {
			colours = append(colours, toPremultiplied(swatch.FillColor))
		}
	}
	return colours
}

func TestLegendSwatchesMatchTheBars(t *testing.T) {
	test.NewTempApp(t)
	pieces := NewPieceBarLegend()
	palette := piecePaletteFor(pieces)
	want := []premultiplied{palette[PieceHave], palette[PieceDownloading], palette[PieceMissing], palette[PieceSkipped]}
	if got := swatchColours(t, pieces); !slices.Equal(got, want) {
		t.Errorf("piece legend swatches = %v, want %v", got, want)
	}

	availability := NewAvailabilityLegend()
	colours := availabilityColoursFor(availability)
	if got, want := swatchColours(t, availability), []premultiplied{colours.none, colours.rare, colours.common}; !slices.Equal(got, want) {
		t.Errorf("availability legend swatches = %v, want %v", got, want)
	}
}

func TestLegendFollowsThemeChanges(t *testing.T) {
	test.NewTempApp(t)
	legend := NewPieceBarLegend()
	before := swatchColours(t, legend)
	test.ApplyTheme(t, test.NewTheme())
	legend.Refresh()
	after := swatchColours(t, legend)
	if want := toPremultiplied(test.NewTheme().Color(theme.ColorNamePrimary, theme.VariantDark)); after[0] != want {
		t.Errorf("after the theme change the have swatch = %v, want %v (was %v)", after[0], want, before[0])
	}
}

func TestLegendLaysOutInOneRow(t *testing.T) {
	test.NewTempApp(t)
	legend := NewAvailabilityLegend()
	min := legend.MinSize()
	legend.Resize(min)
	objects := test.TempWidgetRenderer(t, legend).Objects()
	right := float32(0)
	for i, o := range objects {
		if o.Position().X < right {
			t.Errorf("object %d at x=%v overlaps the previous one ending at %v", i, o.Position().X, right)
		}
		right = o.Position().X + o.Size().Width
		if o.Position().Y < 0 || o.Position().Y+o.Size().Height > min.Height+0.01 {
			t.Errorf("object %d (%v at %v) sticks out of the legend height %v", i, o.Size(), o.Position(), min.Height)
		}
	}
	if right > min.Width+0.01 {
		t.Errorf("last object ends at %v, beyond MinSize width %v", right, min.Width)
	}
	if min.Width <= 0 || min.Height < theme.SizeForWidget(theme.SizeNameCaptionText, legend) {
		t.Errorf("MinSize() = %v is too small to show the legend", min)
	}
}
