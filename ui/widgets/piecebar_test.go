package widgets

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// tenPieces is a small torrent in every state: a run we have, two downloading, one skipped.
var tenPieces = []PieceState{
	PieceHave, PieceHave, PieceHave, PieceDownloading, PieceMissing,
	PieceMissing, PieceHave, PieceDownloading, PieceSkipped, PieceMissing,
}

func TestPieceBarRendersTenPieces(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces(tenPieces)
	bar.Resize(fyne.NewSize(100, barHeight))
	test.AssertObjectRendersToImage(t, "piecebar_ten_pieces.png", bar)
}

func TestPieceBarRendersBlendedColumns(t *testing.T) {
	// 600 pieces in 60 pixels: 10 pieces a column. The first quarter is all have, the second a
	// have/missing checkerboard (half blend), the third 30 % downloading, the last missing.
	test.NewTempApp(t)
	states := make([]PieceState, 600)
	for i := range states {
		switch {
		case i < 150:
			states[i] = PieceHave
		case i < 300 && i%2 == 0:
			states[i] = PieceHave
		case i >= 300 && i < 450 && i%10 < 3:
			states[i] = PieceDownloading
		}
	}
	bar := NewPieceBar()
	bar.SetPieces(states)
	bar.Resize(fyne.NewSize(60, barHeight))
	test.AssertObjectRendersToImage(t, "piecebar_blended.png", bar)
}

func TestPieceBarUsesThemeColours(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces([]PieceState{PieceHave, PieceDownloading, PieceMissing, PieceSkipped})
	img := bar.rowImage(400, barHeight).(*image.RGBA)
	want := []fyne.ThemeColorName{
		theme.ColorNamePrimary, theme.ColorNameWarning, theme.ColorNameDisabled, theme.ColorNameInputBackground,
	}
	for x, name := range want {
		if got, w := img.RGBAAt(x, 0), toPremultiplied(theme.ColorForWidget(name, bar)).RGBA(); got != w {
			t.Errorf("column %d = %v, want theme colour %s %v", x, got, name, w)
		}
	}
}

func TestPieceBarFollowsThemeChanges(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces([]PieceState{PieceHave})
	before := bar.rowImage(100, barHeight).(*image.RGBA).RGBAAt(0, 0)

	test.ApplyTheme(t, test.NewTheme())
	after := bar.rowImage(100, barHeight).(*image.RGBA).RGBAAt(0, 0)
	if before == after {
		t.Fatalf("have colour stayed %v after the theme changed", before)
	}
	if want := toPremultiplied(test.NewTheme().Color(theme.ColorNamePrimary, theme.VariantDark)).RGBA(); after != want {
		t.Errorf("after the theme change have = %v, want the new primary %v", after, want)
	}
}

func TestPieceBarCachesImageUntilDataOrWidthChanges(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces(make([]PieceState, 1000))
	first := bar.rowImage(200, barHeight)
	if again := bar.rowImage(200, 40); again != first {
		t.Error("same pieces, width and theme rebuilt the image")
	}
	if wider := bar.rowImage(300, barHeight); wider == first {
		t.Error("a wider bar reused the narrower image")
	}
	bar.SetPieces(make([]PieceState, 1000))
	if fresh := bar.rowImage(300, barHeight); fresh == first {
		t.Error("new pieces reused the old image")
	}
}

func TestPieceBarEmptyDrawsNothing(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces(nil)
	assertRow(t, bar.rowImage(100, barHeight).(*image.RGBA), premultiplied{})

	// Rendering an empty bar at any size, including zero, must not panic.
	bar.Resize(fyne.NewSize(100, barHeight))
	test.NewWindow(bar).Canvas().Capture()
	bar.Resize(fyne.NewSize(0, 0))
	test.NewWindow(bar).Canvas().Capture()
}

func TestPieceBarSetPiecesWithNewLength(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	for _, tt := range []struct{ pieces, wantColumns int }{
		{10, 10}, {3, 3}, {5000, 200}, {0, 1}, {7, 7},
	} {
		bar.SetPieces(make([]PieceState, tt.pieces))
		if bar.Pieces() != tt.pieces {
			t.Errorf("Pieces() = %d after setting %d", bar.Pieces(), tt.pieces)
		}
		if w := bar.rowImage(200, barHeight).Bounds().Dx(); w != tt.wantColumns {
			t.Errorf("%d pieces at 200 px: image %d columns wide, want %d", tt.pieces, w, tt.wantColumns)
		}
	}
}

func TestPieceBarCopiesItsInput(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	states := []PieceState{PieceMissing, PieceMissing}
	bar.SetPieces(states)
	states[0] = PieceHave
	if got := bar.Summary(); got != "have 0 of 2 pieces (0 %); 0 downloading; 2 missing" {
		t.Errorf("the caller's later write changed the bar: %q", got)
	}
}

func TestPieceBarShowsUnknownStatesAsMissing(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	bar.SetPieces([]PieceState{PieceState(200), PieceMissing})
	img := bar.rowImage(100, barHeight).(*image.RGBA)
	if img.RGBAAt(0, 0) != img.RGBAAt(1, 0) {
		t.Errorf("unknown state drawn as %v, missing as %v", img.RGBAAt(0, 0), img.RGBAAt(1, 0))
	}
}

func TestPieceBarSummary(t *testing.T) {
	test.NewTempApp(t)
	bar := NewPieceBar()
	if got, want := bar.Summary(), "no pieces yet"; got != want {
		t.Errorf("empty bar: Summary() = %q, want %q", got, want)
	}
	bar.SetPieces(tenPieces)
	if got, want := bar.Summary(), "have 4 of 10 pieces (40 %); 2 downloading; 3 missing; 1 skipped"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	states := make([]PieceState, 1000)
	for i := range 999 {
		states[i] = PieceHave
	}
	bar.SetPieces(states)
	if got, want := bar.Summary(), "have 999 of 1,000 pieces (99 %); 0 downloading; 1 missing"; got != want {
		t.Errorf("Summary() = %q, want %q (never 100 %% before the last piece)", got, want)
	}
	bar.SetPieces([]PieceState{PieceHave})
	if got, want := bar.Summary(), "have 1 of 1 piece (100 %); 0 downloading; 0 missing"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

func TestPieceStateString(t *testing.T) {
	for state, want := range map[PieceState]string{
		PieceMissing: "missing", PieceDownloading: "downloading", PieceHave: "have",
		PieceSkipped: "skipped", PieceState(99): "unknown",
	} {
		if got := state.String(); got != want {
			t.Errorf("PieceState(%d).String() = %q, want %q", state, got, want)
		}
	}
}
