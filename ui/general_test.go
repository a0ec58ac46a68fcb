package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

func TestDistributedCopies(t *testing.T) {
	copies, rarest := distributedCopies([]int{2, 3, 2, 5})
	if rarest != 2 || copies != 2.5 {
		t.Errorf("got %v copies, rarest %d; want 2.5 and 2", copies, rarest)
	}
	if c, _ := distributedCopies([]int{0, 1, 1, 1}); c != 0.75 {
		t.Errorf("a piece nobody has: %v, want 0.75", c)
	}
	if got := distributedCopiesText([]int{1, 1}); !strings.HasPrefix(got, "1.00 (every piece has at least 1 copy among") {
		t.Errorf("text %q", got)
	}
}

func TestPiecesForBarMarksSkippedFiles(t *testing.T) {
	pieces := []torrent.PieceState{torrent.PieceHave, torrent.PieceMissing, torrent.PieceMissing, torrent.PieceDownloading}
	// Piece length 10: file a covers pieces 0–1 (skipped), file b pieces 1–3.
	files := []fileRow{{Size: 15, Priority: prioritySkip}, {Size: 25, Priority: priorityNormal}}
	got := piecesForBar(nil, pieces, files, 10)
	want := []widgets.PieceState{widgets.PieceHave, widgets.PieceMissing, widgets.PieceMissing, widgets.PieceDownloading}
	if !equalSlices(got, want) {
		t.Errorf("shared piece: got %v, want %v", got, want)
	}
	files = []fileRow{{Size: 20, Priority: prioritySkip}, {Size: 20, Priority: priorityHigh}}
	got = piecesForBar(nil, pieces, files, 10)
	want = []widgets.PieceState{widgets.PieceHave, widgets.PieceSkipped, widgets.PieceMissing, widgets.PieceDownloading}
	if !equalSlices(got, want) {
		t.Errorf("skipped piece: got %v, want %v", got, want)
	}
}

func TestGeneralTabShowsBarsAndFacts(t *testing.T) {
	test.NewTempApp(t)
	g := newGeneralTab()
	snap := &torrent.Snapshot{
		Name: "x", TotalSize: 4 << 20, PieceLength: 1 << 20, NumPieces: 4, HaveCount: 1,
		Pieces:       []torrent.PieceState{torrent.PieceHave, torrent.PieceDownloading, torrent.PieceMissing, torrent.PieceMissing},
		Availability: []int{1, 2, 2, 0},
		Peers:        make([]torrent.PeerSnapshot, 2),
	}
	d := &torrentDetails{Snap: snap, SavePath: "/data", Added: time.Now(), Comment: "hello"}
	g.Show(d, &listRow{Status: "downloading"})
	if got := g.pieceSummary.Text; got != "have 1 of 4 pieces (25 %); 1 downloading; 2 missing" {
		t.Errorf("piece summary %q", got)
	}
	if got := g.availSummary.Text; !strings.Contains(got, "no peer has 1 piece") || !strings.Contains(got, "2 peers connected") {
		t.Errorf("availability summary %q", got)
	}
	if g.values["Pieces"].Text != "4 × 1.0 MiB (have 1)" || g.values["Comment"].Text != "hello" ||
		g.values["Status"].Text != "downloading" {
		t.Errorf("facts: pieces %q comment %q status %q", g.values["Pieces"].Text, g.values["Comment"].Text, g.values["Status"].Text)
	}
	if !strings.HasPrefix(g.values["Distributed copies"].Text, "0.75") {
		t.Errorf("distributed copies %q", g.values["Distributed copies"].Text)
	}
}
