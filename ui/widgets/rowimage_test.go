package widgets

import (
	"image"
	"image/color"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Simple, distinguishable palette colours for the pure image tests.
var (
	black  = premultiplied{r: 0, g: 0, b: 0, a: 255}
	orange = premultiplied{r: 200, g: 100, b: 50, a: 255}
	grey90 = premultiplied{r: 90, g: 90, b: 90, a: 255}
	grey18 = premultiplied{r: 180, g: 180, b: 180, a: 255}
)

var testPiecePalette = piecePalette{
	PieceMissing:     black,
	PieceDownloading: grey90,
	PieceHave:        orange,
	PieceSkipped:     grey18,
}

// rowColours reads a one-pixel-high image back as colours, left to right.
func rowColours(t *testing.T, img *image.RGBA) []color.RGBA {
	t.Helper()
	if img.Bounds().Dy() != 1 {
		t.Fatalf("image is %d pixels high, want 1", img.Bounds().Dy())
	}
	colours := make([]color.RGBA, img.Bounds().Dx())
	for x := range colours {
		colours[x] = img.RGBAAt(x, 0)
	}
	return colours
}

func assertRow(t *testing.T, img *image.RGBA, want ...premultiplied) {
	t.Helper()
	got := rowColours(t, img)
	if len(got) != len(want) {
		t.Fatalf("image is %d columns wide, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].RGBA() {
			t.Errorf("column %d = %v, want %v", i, got[i], want[i].RGBA())
		}
	}
}

func TestColumnsFor(t *testing.T) {
	tests := []struct{ items, width, want int }{
		{10, 100, 10},        // fewer pieces than pixels: one column per piece
		{100000, 1500, 1500}, // more pieces than pixels: one column per pixel
		{0, 100, 0},
		{10, 0, 0},
		{10, -3, 0},
	}
	for _, tt := range tests {
		if got := columnsFor(tt.items, tt.width); got != tt.want {
			t.Errorf("columnsFor(%d, %d) = %d, want %d", tt.items, tt.width, got, tt.want)
		}
	}
}

func TestBlendRowOneColumnPerPiece(t *testing.T) {
	states := []PieceState{PieceHave, PieceMissing, PieceDownloading, PieceSkipped}
	assertRow(t, pieceRowImage(states, 4, testPiecePalette), orange, black, grey90, grey18)
}

func TestBlendRowFourPiecesIntoTwoColumns(t *testing.T) {
	// Column 0 holds one have and one missing piece: half of each colour.
	states := []PieceState{PieceHave, PieceMissing, PieceHave, PieceHave}
	half := premultiplied{r: 100, g: 50, b: 25, a: 255}
	assertRow(t, pieceRowImage(states, 2, testPiecePalette), half, orange)
}

func TestBlendRowSplitsAPieceAcrossColumns(t *testing.T) {
	// Three pieces into two columns: the middle piece lies half in each column, so
	// column 0 = (2·0 + 1·90)/3 = 30 and column 1 = (1·90 + 2·180)/3 = 150.
	states := []PieceState{PieceMissing, PieceDownloading, PieceSkipped}
	assertRow(t, pieceRowImage(states, 2, testPiecePalette),
		premultiplied{r: 30, g: 30, b: 30, a: 255},
		premultiplied{r: 150, g: 150, b: 150, a: 255})
}

func TestBlendRowThirtyPercentHave(t *testing.T) {
	states := make([]PieceState, 10)
	for i := range 3 {
		states[i] = PieceHave
	}
	// 30 % of orange (200, 100, 50) over black.
	assertRow(t, pieceRowImage(states, 1, testPiecePalette), premultiplied{r: 60, g: 30, b: 15, a: 255})
}

func TestBlendRowBlendsTranslucentColoursPremultiplied(t *testing.T) {
	transparent := premultiplied{}
	palette := []premultiplied{transparent, {r: 100, g: 0, b: 0, a: 100}} // half-opaque, premultiplied
	got := blendRow([]int{0, 1}, 1, palette)
	assertRow(t, got, premultiplied{r: 50, g: 0, b: 0, a: 50})
}

func TestBlendRowUniformColourStaysExact(t *testing.T) {
	// Whatever the piece and column counts, the weights in every column must add up to exactly
	// one column, so a bar of one colour comes out as exactly that colour everywhere.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		items := 1 + rng.IntN(5000)
		columns := 1 + rng.IntN(items)
		states := make([]PieceState, items)
		for i := range states {
			states[i] = PieceHave
		}
		img := pieceRowImage(states, columns, testPiecePalette)
		for x, c := range rowColours(t, img) {
			if c != orange.RGBA() {
				t.Fatalf("%d pieces in %d columns: column %d = %v, want %v", items, columns, x, c, orange.RGBA())
			}
		}
	}
}

func TestBlendRowNeverWiderThanItsPieces(t *testing.T) {
	img := pieceRowImage(make([]PieceState, 3), 10, testPiecePalette)
	if w := img.Bounds().Dx(); w != 3 {
		t.Errorf("3 pieces asked for 10 columns: got %d columns, want 3", w)
	}
}

func TestBlendRowEmptyIsOneTransparentPixel(t *testing.T) {
	for _, img := range []*image.RGBA{
		pieceRowImage(nil, 100, testPiecePalette),
		pieceRowImage(make([]PieceState, 5), 0, testPiecePalette),
		availabilityRowImage(nil, 100, availabilityColours{none: black, rare: grey18, common: orange}),
	} {
		assertRow(t, img, premultiplied{})
	}
}

func TestBlendRowClampsKeysOutsideThePalette(t *testing.T) {
	palette := []premultiplied{black, orange}
	assertRow(t, blendRow([]int{-4, 7}, 2, palette), black, orange)
}

var testAvailabilityColours = availabilityColours{
	none:   premultiplied{r: 255, g: 0, b: 0, a: 255},
	rare:   premultiplied{r: 200, g: 200, b: 255, a: 255},
	common: premultiplied{r: 0, g: 0, b: 155, a: 255},
}

func TestAvailabilityPaletteEnds(t *testing.T) {
	palette := availabilityPalette(8, testAvailabilityColours)
	if len(palette) != 9 {
		t.Fatalf("palette for up to 8 copies has %d entries, want 9", len(palette))
	}
	if palette[0] != testAvailabilityColours.none {
		t.Errorf("0 copies = %v, want the none colour %v", palette[0], testAvailabilityColours.none)
	}
	if palette[1] != testAvailabilityColours.rare {
		t.Errorf("1 copy = %v, want the rare colour %v", palette[1], testAvailabilityColours.rare)
	}
	if palette[8] != testAvailabilityColours.common {
		t.Errorf("8 copies (the most) = %v, want the common colour %v", palette[8], testAvailabilityColours.common)
	}
}

func TestAvailabilityPaletteDarkensWithCopies(t *testing.T) {
	palette := availabilityPalette(50, testAvailabilityColours)
	for copies := 2; copies <= 50; copies++ {
		if palette[copies].r > palette[copies-1].r || palette[copies].b > palette[copies-1].b {
			t.Errorf("%d copies %v is lighter than %d copies %v", copies, palette[copies], copies-1, palette[copies-1])
		}
	}
	// Logarithmic: 2 copies out of 50 is already well away from 1 copy, so the rarest stand out.
	if d := int(palette[1].r) - int(palette[2].r); d < 20 {
		t.Errorf("1 and 2 copies differ by only %d in red; the rarest pieces should stand out", d)
	}
}

func TestAvailabilityPaletteTellsEveryCountApart(t *testing.T) {
	palette := availabilityPalette(8, testAvailabilityColours)
	for copies := 2; copies <= 8; copies++ {
		if palette[copies] == palette[copies-1] {
			t.Errorf("%d and %d copies share the colour %v", copies-1, copies, palette[copies])
		}
	}
}

func TestAvailabilityPaletteAllEqualIsCommon(t *testing.T) {
	palette := availabilityPalette(1, testAvailabilityColours)
	if palette[1] != testAvailabilityColours.common {
		t.Errorf("when every piece has 1 copy it is the most common: got %v, want %v", palette[1], testAvailabilityColours.common)
	}
}

func TestAvailabilityPaletteIsBounded(t *testing.T) {
	palette := availabilityPalette(1_000_000, testAvailabilityColours)
	if len(palette) != maxShadedCopies+1 {
		t.Errorf("palette has %d entries, want at most %d", len(palette), maxShadedCopies+1)
	}
	img := availabilityRowImage([]int{1_000_000, 0}, 2, testAvailabilityColours)
	assertRow(t, img, testAvailabilityColours.common, testAvailabilityColours.none)
}

func TestAvailabilityRowImage(t *testing.T) {
	img := availabilityRowImage([]int{0, 1, 5}, 3, testAvailabilityColours)
	assertRow(t, img, testAvailabilityColours.none, testAvailabilityColours.rare, testAvailabilityColours.common)
}

// randomStates is a plausible mid-download bitfield: runs of have pieces, a few downloading.
func randomStates(n int) []PieceState {
	rng := rand.New(rand.NewPCG(7, 11))
	states := make([]PieceState, n)
	for i := range states {
		switch r := rng.IntN(100); {
		case r < 55:
			states[i] = PieceHave
		case r < 60:
			states[i] = PieceDownloading
		case r < 65:
			states[i] = PieceSkipped
		}
	}
	return states
}

func BenchmarkPieceBarImage100k(b *testing.B) {
	states := randomStates(100_000)
	for _, columns := range []int{1000, 2000} {
		b.Run(strconv.Itoa(columns)+"columns", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pieceRowImage(states, columns, testPiecePalette)
			}
		})
	}
}

func BenchmarkAvailabilityImage100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 5))
	counts := make([]int, 100_000)
	for i := range counts {
		counts[i] = rng.IntN(50)
	}
	for _, columns := range []int{1000, 2000} {
		b.Run(strconv.Itoa(columns)+"columns", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				availabilityRowImage(counts, columns, testAvailabilityColours)
			}
		})
	}
}
