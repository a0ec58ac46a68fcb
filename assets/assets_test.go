package assets

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestIconIsA512PNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(IconPNG))
	if err != nil {
		t.Fatalf("icon.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon is %dx%d, want 512x512", b.Dx(), b.Dy())
	}
}

func TestDesktopEntryOpensTorrentsAndMagnets(t *testing.T) {
	entry := string(DesktopEntry)
	for _, want := range []string{"application/x-bittorrent", "x-scheme-handler/magnet", "Exec=swarmscope %U"} {
		if !strings.Contains(entry, want) {
			t.Errorf("desktop entry lacks %q", want)
		}
	}
}
