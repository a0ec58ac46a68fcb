package widgets

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestAvailabilityBarRendersTenPieces(t *testing.T) {
	test.NewTempApp(t)
	bar := NewAvailabilityBar()
	bar.SetAvailability([]int{0, 1, 2, 3, 5, 8, 5, 3, 1, 0}, 8)
	bar.Resize(fyne.NewSize(100, barHeight))
	test.AssertObjectRendersToImage(t, "availabilitybar_ten_pieces.png", bar)
}

func TestAvailabilityBarColours(t *testing.T) {
	test.NewTempApp(t)
	bar := NewAvailabilityBar()
	bar.SetAvailability([]int{0, 1, 4, 9}, 9)
	img := bar.rowImage(400, barHeight).(*image.RGBA)

	errorColour := toPremultiplied(theme.ColorForWidget(theme.ColorNameError, bar)).RGBA()
	if got := img.RGBAAt(0, 0); got != errorColour {
		t.Errorf("piece no peer has = %v, want the error colour %v", got, errorColour)
	}
	primary := toPremultiplied(theme.ColorForWidget(theme.ColorNamePrimary, bar)).RGBA()
	if got := img.RGBAAt(3, 0); got != primary {
		t.Errorf("most available piece = %v, want the full primary colour %v", got, primary)
	}
	// The test theme's background (0x44 grey) is darker than its primary (ff c0 80), so "faint"
	// is darker there: every channel must move monotonically from rare towards common.
	rare, middle, common := img.RGBAAt(1, 0), img.RGBAAt(2, 0), img.RGBAAt(3, 0)
	if rare == middle || middle == common {
		t.Fatalf("1, 4 and 9 copies are not told apart: %v %v %v", rare, middle, common)
	}
	between := func(a, b, c uint8) bool { return (a <= b && b <= c) || (a >= b && b >= c) }
	if !between(rare.R, middle.R, common.R) || !between(rare.G, middle.G, common.G) || !between(rare.B, middle.B, common.B) {
		t.Errorf("4 copies %v is not between 1 copy %v and 9 copies %v", middle, rare, common)
	}
}

func TestAvailabilityBarEmptyDrawsNothing(t *testing.T) {
	test.NewTempApp(t)
	bar := NewAvailabilityBar()
	assertRow(t, bar.rowImage(100, barHeight).(*image.RGBA), premultiplied{})
	bar.SetAvailability(nil, 3)
	assertRow(t, bar.rowImage(100, barHeight).(*image.RGBA), premultiplied{})
	bar.Resize(fyne.NewSize(100, barHeight))
	test.NewWindow(bar).Canvas().Capture()
}

func TestAvailabilityBarSetWithNewLengthAndCopies(t *testing.T) {
	test.NewTempApp(t)
	bar := NewAvailabilityBar()
	counts := []int{1, 2, 3}
	bar.SetAvailability(counts, 3)
	first := bar.rowImage(200, barHeight)
	if first.Bounds().Dx() != 3 {
		t.Fatalf("3 pieces: image %d columns wide, want 3", first.Bounds().Dx())
	}
	if bar.rowImage(200, barHeight) != first {
		t.Error("unchanged data rebuilt the image")
	}
	counts[0] = 0 // the bar keeps its own copy
	if got := bar.rowImage(200, barHeight); got != first {
		t.Error("writing to the caller's slice invalidated the bar")
	}

	bar.SetAvailability(make([]int, 5000), 0)
	if w := bar.rowImage(200, barHeight).Bounds().Dx(); w != 200 || bar.Pieces() != 5000 {
		t.Errorf("5000 pieces at 200 px: %d columns, %d pieces; want 200 and 5000", w, bar.Pieces())
	}
}

func TestAvailabilitySummary(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		peers  int
		want   string
	}{
		{"no pieces", nil, 4, "no pieces yet"},
		{"no peers", []int{0, 0}, 0, "no connected peer has any piece; 0 peers connected"},
		{"spread", []int{1, 5, 1, 3, 5, 5}, 8,
			"rarest piece: 1 copy (2 pieces); most common: 5 copies (3 pieces); 8 peers connected"},
		{"gaps", []int{0, 2, 0, 0, 7}, 7,
			"no peer has 3 pieces; rarest piece: 2 copies (1 piece); most common: 7 copies (1 piece); 7 peers connected"},
		{"even", []int{3, 3, 3}, 1, "every available piece: 3 copies; 1 peer connected"},
		{"one missing", []int{0, 1}, 1, "no peer has 1 piece; every available piece: 1 copy; 1 peer connected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := availabilitySummary(tt.counts, tt.peers); got != tt.want {
				t.Errorf("availabilitySummary(%v, %d) =\n  %q\nwant\n  %q", tt.counts, tt.peers, got, tt.want)
			}
		})
	}
}

func TestAvailabilityBarSummary(t *testing.T) {
	test.NewTempApp(t)
	bar := NewAvailabilityBar()
	if got := bar.Summary(); got != "no pieces yet" {
		t.Errorf("new bar: Summary() = %q", got)
	}
	bar.SetAvailability([]int{1, 2}, 2)
	if got, want := bar.Summary(), "rarest piece: 1 copy (1 piece); most common: 2 copies (1 piece); 2 peers connected"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}
