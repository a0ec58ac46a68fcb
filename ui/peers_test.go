package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// scriptedSnapshot has four peers in every choke situation a class should tell apart.
func scriptedSnapshot() *torrent.Snapshot {
	has := bitfield.New(4)
	has.Set(0)
	has.Set(2)
	return &torrent.Snapshot{
		NumPieces: 4,
		Pieces:    []torrent.PieceState{torrent.PieceHave, torrent.PieceMissing, torrent.PieceMissing, torrent.PieceMissing},
		Peers: []torrent.PeerSnapshot{
			{Addr: "127.0.0.1:4001", Client: "qBittorrent 4.6", AmInterested: true, PeerInterested: true,
				ChokeReason: "regular unchoke: 1st fastest uploader to us (2.0 MiB/s)", DownRate: 2 << 20, Bitfield: has},
			{Addr: "127.0.0.1:4002", Client: "Transmission 4.0", PeerInterested: true, Optimistic: true,
				PeerChoking: true, ChokeReason: "optimistic unchoke (rotates every 30 s)"},
			{Addr: "127.0.0.1:4003", Client: "aria2", AmChoking: true, PeerInterested: true, PeerChoking: true,
				AmInterested: true, Snubbed: true, ChokeReason: "choked: snubbed (no data for 60 s)", Incoming: true},
			{Addr: "127.0.0.1:4000", AmChoking: true, PeerChoking: true, ChokeReason: "choked: not interested"},
		},
	}
}

func TestPeersTabShowsFlagsWordsAndColours(t *testing.T) {
	test.NewTempApp(t)
	tab := newPeersTab()
	w := test.NewTempWindow(t, tab.content)
	w.Resize(fyne.NewSize(1400, 500))
	tab.Show(scriptedSnapshot())

	rows := tab.table.Rows()
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	// Sorted by address: 4000, 4001, 4002, 4003.
	want := []struct{ addr, client, flags, up, down string }{
		{"127.0.0.1:4000", "unknown", "", "we choke them: not interested", "they choke us"},
		{"127.0.0.1:4001", "qBittorrent 4.6", "DU", "we unchoke them: 1st fastest uploader to us (2.0 MiB/s)", "they unchoke us; we are interested"},
		{"127.0.0.1:4002", "Transmission 4.0", "UO", "optimistic unchoke (rotates every 30 s)", "they choke us"},
		{"127.0.0.1:4003", "aria2", "duSI", "we choke them: snubbed (no data for 60 s)", "they choke us; we are interested; snubbed"},
	}
	for i, wr := range want {
		r := rows[i]
		if r[peerColAddr] != wr.addr || r[peerColClient] != wr.client || r[peerColFlags] != wr.flags ||
			r[peerColUpload] != wr.up || r[peerColDownload] != wr.down {
			t.Errorf("row %d = %q\nwant addr %q client %q flags %q up %q down %q", i, r, wr.addr, wr.client, wr.flags, wr.up, wr.down)
		}
	}
	wantColours := []widget.Importance{widget.MediumImportance, widget.SuccessImportance, widget.HighImportance, widget.MediumImportance}
	for row, want := range wantColours {
		if got := tab.table.style(row, peerColUpload); got != want {
			t.Errorf("row %d upload column importance %v, want %v", row, got, want)
		}
		if got := tab.table.style(row, peerColAddr); got != widget.MediumImportance {
			t.Errorf("row %d: only the upload column is coloured, address has %v", row, got)
		}
	}
	if !strings.HasPrefix(tab.count.Text, "4 peers connected; we upload to 1 (regular unchoke, green) + 1 (optimistic") {
		t.Errorf("count line %q", tab.count.Text)
	}

	// Selecting the qBittorrent peer shows its pieces against ours and its flags in words.
	tab.table.Table.Select(widget.TableCellID{Row: 1, Col: 0})
	tab.Show(scriptedSnapshot())
	if tab.strip.Pieces() != 4 {
		t.Fatalf("strip shows %d pieces, want 4", tab.strip.Pieces())
	}
	if got := tab.stripSum.Text; got != "127.0.0.1:4001 (qBittorrent 4.6): peer has 2 of 4 pieces (50 %); 1 of them we still need" {
		t.Errorf("strip summary %q", got)
	}
	if got := tab.flags.Text; got != "Flags DU — D: we download from them; U: we upload to them" {
		t.Errorf("flag words %q", got)
	}
}
