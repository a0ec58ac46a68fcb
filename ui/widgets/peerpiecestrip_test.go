package widgets

import (
	"image"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestPeerPieceStripRendersAgainstOurPieces(t *testing.T) {
	test.NewTempApp(t)
	strip := NewPeerPieceStrip()
	peerHas := []bool{true, true, true, false, false, true, true, false, true, true}
	weHave := []bool{true, true, false, false, true, false, true, false}
	strip.SetPieces(peerHas, weHave)
	strip.Resize(fyne.NewSize(100, barHeight))
	test.AssertObjectRendersToImage(t, "peerpiecestrip_ten_pieces.png", strip)
}

func TestPeerPieceStripColours(t *testing.T) {
	test.NewTempApp(t)
	strip := NewPeerPieceStrip()
	strip.SetPieces([]bool{true, true, false}, []bool{true})
	img := strip.rowImage(100, barHeight).(*image.RGBA)
	palette := peerStripPaletteFor(strip)
	assertRow(t, img, palette[peerHasShared], palette[peerHasNeeded], palette[peerLacks])
	if palette[peerHasNeeded] != toPremultiplied(theme.ColorForWidget(theme.ColorNamePrimary, strip)) {
		t.Errorf("pieces we need are %v, want the primary colour", palette[peerHasNeeded])
	}
	if palette[peerHasShared] == palette[peerHasNeeded] || palette[peerHasShared] == palette[peerLacks] {
		t.Errorf("shared pieces %v are not told apart from needed %v or lacking %v",
			palette[peerHasShared], palette[peerHasNeeded], palette[peerLacks])
	}
}

func TestPeerPieceStripBlendsAndResizes(t *testing.T) {
	test.NewTempApp(t)
	strip := NewPeerPieceStrip()
	strip.SetPieces(make([]bool, 10), nil)
	if w := strip.rowImage(200, barHeight).Bounds().Dx(); w != 10 {
		t.Errorf("10 pieces: %d columns, want 10", w)
	}
	strip.SetPieces(make([]bool, 10_000), nil)
	if w := strip.rowImage(200, barHeight).Bounds().Dx(); w != 200 || strip.Pieces() != 10_000 {
		t.Errorf("10,000 pieces at 200 px: %d columns and %d pieces", w, strip.Pieces())
	}
	strip.SetPieces(nil, nil)
	assertRow(t, strip.rowImage(200, barHeight).(*image.RGBA), premultiplied{})
}

func TestPeerPieceStripSummary(t *testing.T) {
	test.NewTempApp(t)
	strip := NewPeerPieceStrip()
	tests := []struct {
		peerHas, weHave []bool
		want            string
	}{
		{nil, nil, "no pieces yet"},
		{[]bool{false, false}, nil, "peer has no pieces yet"},
		{[]bool{true, true, true, true}, []bool{true}, "peer is a seed: all 4 pieces; 3 of them we still need"},
		{[]bool{true, false, true, false}, []bool{true, true}, "peer has 2 of 4 pieces (50 %); 1 of them we still need"},
	}
	for _, tt := range tests {
		strip.SetPieces(tt.peerHas, tt.weHave)
		if got := strip.Summary(); got != tt.want {
			t.Errorf("SetPieces(%v, %v): Summary() = %q, want %q", tt.peerHas, tt.weHave, got, tt.want)
		}
	}
}

func TestPeerPieceStripLegend(t *testing.T) {
	test.NewTempApp(t)
	legend := NewPeerPieceStripLegend()
	want := []string{"peer has, we need it", "peer has, we have it too", "peer lacks it"}
	if got := legend.Labels(); !slices.Equal(got, want) {
		t.Errorf("Labels() = %q, want %q", got, want)
	}
	palette := peerStripPaletteFor(legend)
	if got := swatchColours(t, legend); !slices.Equal(got, []premultiplied{palette[peerHasNeeded], palette[peerHasShared], palette[peerLacks]}) {
		t.Errorf("swatches = %v do not match the strip palette %v", got, palette)
	}
}
