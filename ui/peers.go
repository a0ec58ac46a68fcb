package ui

import (
	"cmp"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// Peer table columns.
const (
	peerColAddr = iota
	peerColClient
	peerColFlags
	peerColUpload   // we → them, in words
	peerColDownload // them → us, in words
	peerColProgress
	peerColDown
	peerColUp
	peerColDownloaded
	peerColUploaded
	peerColSource
)

var peerTitles = []string{
	"Address", "Client", "Flags", "We upload to them", "They upload to us", "Has",
	"Down", "Up", "Downloaded", "Uploaded", "Source",
}

var peerWidths = []float32{150, 130, 60, 300, 300, 75, 100, 100, 100, 100, 80}

// peersTab lists the connected peers with the choke state both ways in letters and words; the
// "we upload to them" column is green for regular unchokes and blue (primary) for the optimistic
// one, so the unchoked set stands out. Selecting a peer shows its pieces against ours.
type peersTab struct {
	content  fyne.CanvasObject
	table    *textTable
	peers    []torrent.PeerSnapshot // sorted as shown
	strip    *widgets.PeerPieceStrip
	stripSum *widget.Label
	flags    *widget.Label
	selAddr  string
	count    *widget.Label
}

func newPeersTab() *peersTab {
	p := &peersTab{
		table:    newTextTable(peerTitles, peerWidths),
		strip:    widgets.NewPeerPieceStrip(),
		stripSum: widget.NewLabel("Select a peer to see which pieces it has."),
		flags:    widget.NewLabel(""),
		count:    widget.NewLabel(""),
	}
	p.stripSum.SizeName = theme.SizeNameCaptionText
	p.flags.SizeName = theme.SizeNameCaptionText
	p.flags.Wrapping = fyne.TextWrapWord
	p.table.style = func(row, col int) widget.Importance {
		if col != peerColUpload || row >= len(p.peers) {
			return widget.MediumImportance
		}
		switch uploadClassOf(&p.peers[row]) {
		case uploadRegular:
			return widget.SuccessImportance
		case uploadOptimistic:
			return widget.HighImportance
		}
		return widget.MediumImportance
	}
	p.table.Table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(p.peers) {
			p.selAddr = p.peers[id.Row].Addr
		}
	}
	stripTitle := widget.NewLabel("Selected peer")
	stripTitle.TextStyle.Bold = true
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, stripTitle, widgets.NewPeerPieceStripLegend(), p.strip),
		p.stripSum,
		p.flags,
	)
	p.content = container.NewBorder(p.count, bottom, nil, nil, p.table.Table)
	return p
}

// peerRow formats one peer for the table.
func peerRow(pe *torrent.PeerSnapshot) []string {
	client := pe.Client
	if client == "" {
		client = "unknown"
	}
	return []string{
		peerColAddr:       pe.Addr,
		peerColClient:     client,
		peerColFlags:      pe.Flags(),
		peerColUpload:     uploadWords(pe),
		peerColDownload:   downloadWords(pe),
		peerColProgress:   percentText(pe.Progress),
		peerColDown:       rateText(pe.DownRate),
		peerColUp:         rateText(pe.UpRate),
		peerColDownloaded: sizeText(pe.Downloaded),
		peerColUploaded:   sizeText(pe.Uploaded),
		peerColSource:     pe.Source.String(),
	}
}

// Show lists the snapshot's peers, sorted by address so rows stay put between ticks, and
// updates the selected peer's strip.
func (p *peersTab) Show(s *torrent.Snapshot) {
	p.peers = append(p.peers[:0], s.Peers...)
	slices.SortFunc(p.peers, func(a, b torrent.PeerSnapshot) int { return cmp.Compare(a.Addr, b.Addr) })
	rows := make([][]string, len(p.peers))
	unchoked, optimistic := 0, 0
	for i := range p.peers {
		rows[i] = peerRow(&p.peers[i])
		switch uploadClassOf(&p.peers[i]) {
		case uploadRegular:
			unchoked++
		case uploadOptimistic:
			optimistic++
		}
	}
	p.table.SetRows(rows)
	count := peerCountText(len(p.peers), unchoked, optimistic)
	if p.count.Text != count {
		p.count.SetText(count)
	}
	p.showSelected(s)
}

// peerCountText heads the table: "12 peers connected; we upload to 4 (regular unchoke) + 1
// (optimistic)".
func peerCountText(peers, unchoked, optimistic int) string {
	return itoa(peers) + " " + pluralWord(peers, "peer", "peers") + " connected; we upload to " +
		itoa(unchoked) + " (regular unchoke, green) + " + itoa(optimistic) + " (optimistic unchoke, blue)"
}

func (p *peersTab) showSelected(s *torrent.Snapshot) {
	idx := slices.IndexFunc(p.peers, func(pe torrent.PeerSnapshot) bool { return pe.Addr == p.selAddr })
	if idx < 0 {
		if p.strip.Pieces() != 0 || p.selAddr != "" {
			p.selAddr = ""
			p.strip.SetPieces(nil, nil)
			p.stripSum.SetText("Select a peer to see which pieces it has.")
			p.flags.SetText("")
		}
		return
	}
	pe := &p.peers[idx]
	peerHas := make([]bool, s.NumPieces)
	weHave := make([]bool, s.NumPieces)
	for i := range peerHas {
		if pe.Bitfield != nil && i < pe.Bitfield.Len() {
			peerHas[i] = pe.Bitfield.Has(i)
		}
		weHave[i] = i < len(s.Pieces) && s.Pieces[i] == torrent.PieceHave
	}
	p.strip.SetPieces(peerHas, weHave)
	summary := pe.Addr + " (" + pe.Client + "): " + p.strip.Summary()
	if p.stripSum.Text != summary {
		p.stripSum.SetText(summary)
	}
	words := "Flags " + pe.Flags() + " — " + peerFlagWords(pe.Flags())
	if pe.Flags() == "" {
		words = "No flags: neither side is interested or unchoked."
	}
	if p.flags.Text != words {
		p.flags.SetText(words)
	}
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
