package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// generalTab is the General tab: the piece bar and the availability bar with legends and
// summaries, then the torrent's facts in a two-column form.
type generalTab struct {
	content        fyne.CanvasObject
	pieces         *widgets.PieceBar
	pieceSummary   *widget.Label
	avail          *widgets.AvailabilityBar
	availSummary   *widget.Label
	values         map[string]*widget.Label
	pieceBuf       []widgets.PieceState
	lastPieces     []torrent.PieceState
	lastAvail      []int
	lastAvailPeers int
}

// generalFields are the facts, in display order.
var generalFields = []string{
	"Save path", "Info hash", "Status", "Size", "Downloaded", "Uploaded", "Ratio", "Pieces",
	"Distributed copies", "Wasted", "Added", "Created", "Created by", "Comment", "Magnet link",
}

func newGeneralTab() *generalTab {
	g := &generalTab{
		pieces:       widgets.NewPieceBar(),
		pieceSummary: widget.NewLabel(""),
		avail:        widgets.NewAvailabilityBar(),
		availSummary: widget.NewLabel(""),
		values:       make(map[string]*widget.Label),
	}
	for _, l := range []*widget.Label{g.pieceSummary, g.availSummary} {
		l.SizeName = theme.SizeNameCaptionText
	}
	form := container.New(layout.NewFormLayout())
	for _, name := range generalFields {
		key := widget.NewLabel(name)
		key.TextStyle.Bold = true
		value := widget.NewLabel("")
		value.Selectable = true
		value.Truncation = fyne.TextTruncateEllipsis
		g.values[name] = value
		form.Add(key)
		form.Add(value)
	}
	bars := container.New(layout.NewFormLayout(),
		boldLabel("Pieces"), container.NewVBox(g.pieces, container.NewHBox(widgets.NewPieceBarLegend(), g.pieceSummary)),
		boldLabel("Availability"), container.NewVBox(g.avail, container.NewHBox(widgets.NewAvailabilityLegend(), g.availSummary)),
	)
	g.content = container.NewVScroll(container.NewVBox(bars, widget.NewSeparator(), form))
	return g
}

func boldLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

// set writes a fact, touching the label only when the text changed.
func (g *generalTab) set(name, text string) {
	if l := g.values[name]; l != nil && l.Text != text {
		l.SetText(text)
	}
}

// Show fills the tab from d. The bars are rebuilt only when their data changed.
func (g *generalTab) Show(d *torrentDetails, row *listRow) {
	s := d.Snap
	if !equalSlices(g.lastPieces, s.Pieces) {
		g.lastPieces = append(g.lastPieces[:0], s.Pieces...)
		g.pieceBuf = piecesForBar(g.pieceBuf, s.Pieces, d.Files, s.PieceLength)
		g.pieces.SetPieces(g.pieceBuf)
		g.pieceSummary.SetText(g.pieces.Summary())
	}
	if !equalSlices(g.lastAvail, s.Availability) || g.lastAvailPeers != len(s.Peers) {
		g.lastAvail = append(g.lastAvail[:0], s.Availability...)
		g.lastAvailPeers = len(s.Peers)
		g.avail.SetAvailability(s.Availability, len(s.Peers))
		g.availSummary.SetText(g.avail.Summary())
	}
	g.set("Save path", d.SavePath)
	g.set("Info hash", s.InfoHash.Hex())
	status := ""
	if row != nil {
		status = row.Status
	}
	g.set("Status", status)
	g.set("Size", fmt.Sprintf("%s (%s bytes)", sizeText(s.TotalSize), humanize.Comma(s.TotalSize)))
	g.set("Downloaded", fmt.Sprintf("%s (this session %s)", sizeText(d.TotalDown), sizeText(s.Downloaded)))
	g.set("Uploaded", fmt.Sprintf("%s (this session %s)", sizeText(d.TotalUp), sizeText(s.Uploaded)))
	g.set("Ratio", ratioText(d.Ratio))
	if s.NumPieces > 0 {
		g.set("Pieces", fmt.Sprintf("%s × %s (have %s)", humanize.Comma(int64(s.NumPieces)),
			sizeText(s.PieceLength), humanize.Comma(int64(s.HaveCount))))
	} else {
		g.set("Pieces", "")
	}
	g.set("Distributed copies", distributedCopiesText(s.Availability))
	g.set("Wasted", fmt.Sprintf("%s (%d hash failures, %d peers banned)", sizeText(s.Wasted), s.HashFailures, s.BannedPeers))
	g.set("Added", timeText(d.Added))
	g.set("Created", timeText(d.Created))
	g.set("Created by", d.CreatedBy)
	g.set("Comment", d.Comment)
	g.set("Magnet link", d.Magnet)
}

// piecesForBar converts the engine's piece states into the bar's, marking missing pieces that
// only skipped files need as skipped.
func piecesForBar(buf []widgets.PieceState, pieces []torrent.PieceState, files []fileRow, pieceLength int64) []widgets.PieceState {
	buf = buf[:0]
	for _, p := range pieces {
		switch p {
		case torrent.PieceHave:
			buf = append(buf, widgets.PieceHave)
		case torrent.PieceDownloading:
			buf = append(buf, widgets.PieceDownloading)
		default:
			buf = append(buf, widgets.PieceMissing)
		}
	}
	if pieceLength <= 0 || len(files) == 0 {
		return buf
	}
	// A piece is wanted when any file overlapping it is not skipped.
	wanted := make([]bool, len(buf))
	var offset int64
	anySkipped := false
	for _, f := range files {
		if f.Priority == prioritySkip {
			anySkipped = true
		} else if f.Size > 0 {
			first, last := int(offset/pieceLength), int((offset+f.Size-1)/pieceLength)
			for i := first; i <= last && i < len(wanted); i++ {
				wanted[i] = true
			}
		}
		offset += f.Size
	}
	if !anySkipped {
		return buf
	}
	for i, w := range wanted {
		if !w && buf[i] == widgets.PieceMissing {
			buf[i] = widgets.PieceSkipped
		}
	}
	return buf
}

// distributedCopies is the number of complete copies of the torrent among the connected peers:
// the whole part is the availability of the rarest piece, the fraction is the share of pieces
// with more copies than that (as libtorrent and qBittorrent count it).
func distributedCopies(avail []int) (copies float64, rarest int) {
	if len(avail) == 0 {
		return 0, 0
	}
	rarest = avail[0]
	for _, a := range avail {
		rarest = min(rarest, a)
	}
	above := 0
	for _, a := range avail {
		if a > rarest {
			above++
		}
	}
	return float64(rarest) + float64(above)/float64(len(avail)), rarest
}

func distributedCopiesText(avail []int) string {
	if len(avail) == 0 {
		return ""
	}
	copies, rarest := distributedCopies(avail)
	frac := copies - float64(rarest)
	return fmt.Sprintf("%.2f (every piece has at least %d %s among the peers; %.0f %% of pieces have more)",
		copies, rarest, map[bool]string{true: "copy", false: "copies"}[rarest == 1], frac*100)
}

// timeText is a moment as "2024-05-17 14:03 (3 hours ago)".
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + humanize.Time(t) + ")"
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
