package ui

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math/bits"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// swarmHistMaxHeight caps the histogram image's height in pixels: with hundreds of peers one
// pixel per copy would cost a large image for no visible gain, so the bars are scaled down.
const swarmHistMaxHeight = 64

// swarmMaxColumns caps the matrix and histogram width: a torrent can have tens of thousands of
// pieces, more than a texture may be wide and far more than the pane is, so above this each
// column stands for a run of neighbouring pieces.
const swarmMaxColumns = 2048

// swarmWaitingText replaces the pictures while a magnet link has no metadata (no pieces) yet.
const swarmWaitingText = "The swarm pictures appear once the torrent's metadata has arrived: until then the number of pieces is unknown."

// swarmTab is the Swarm tab: the Swarm Lab's peers × pieces matrix, availability histogram and
// choke graph for a real torrent, built from our pieces and the connected peers' bitfields. Row 0
// of the matrix and node 0 of the graph are this client; then the peers sorted by address, so a
// peer keeps its row and number between ticks (while the set of peers is unchanged).
type swarmTab struct {
	content  fyne.CanvasObject
	body     *container.Split // the pictures; hidden while there are no pieces
	waiting  *widget.Label
	matrix   *canvas.Raster
	hist     *canvas.Raster
	rowNames *fyne.Container // "you", "1 addr", … beside the matrix rows, for few rows
	namedRow *fyne.Container // rowNames and the matrix, laid out again when the names change
	info     *widget.Label
	histInfo *widget.Label
	graph    *widgets.ChokeGraph
	swatches [4]*canvas.Rectangle // the matrix legend: have, missing, rare, rare missing

	colours   labColours
	peers     []*torrent.PeerSnapshot // sorted by address
	rows      [][]byte                // per row, its pieces in wire order (nil: none)
	ours      []byte                  // row 0's buffer, reused
	copies    []int                   // per piece, the rows that hold it
	scaled    []int                   // the histogram's columns scaled to its height
	rare      []bool
	bins      []int // the pieceBins of a wide torrent, else nil
	binCopies []int
	binRare   []bool
	matrixImg *image.RGBA // reused while the size stays
	histImg   *image.RGBA
	names     []string // the row names shown, to rebuild them only on change
	weHave    int      // our verified pieces
	hash      metainfo.Hash
}

func newSwarmTab() *swarmTab {
	t := &swarmTab{
		waiting:  widget.NewLabel(swarmWaitingText),
		info:     widget.NewLabel(""),
		histInfo: widget.NewLabel(""),
		rowNames: container.NewGridWithRows(1),
		graph:    widgets.NewChokeGraph(),
		colours:  themeLabColours(),
	}
	t.waiting.Wrapping = fyne.TextWrapWord
	t.waiting.Alignment = fyne.TextAlignCenter
	t.waiting.Hide()
	for _, l := range []*widget.Label{t.info, t.histInfo} {
		l.SizeName = theme.SizeNameCaptionText
		l.Wrapping = fyne.TextWrapWord
	}
	pixels := func(gen func() *image.RGBA) *canvas.Raster {
		r := canvas.NewRaster(func(_, _ int) image.Image {
			if img := gen(); img != nil {
				return img
			}
			return image.NewRGBA(image.Rect(0, 0, 1, 1))
		})
		r.ScaleMode = canvas.ImageScalePixels
		return r
	}
	t.matrix = pixels(func() *image.RGBA { return t.matrixImg })
	t.matrix.SetMinSize(fyne.NewSize(200, 64))
	t.hist = pixels(func() *image.RGBA { return t.histImg })
	t.hist.SetMinSize(fyne.NewSize(200, 32))

	t.namedRow = container.NewBorder(nil, nil, t.rowNames, nil, t.matrix)
	matrixBox := container.NewBorder(
		boldLabel("Who has which piece"),
		container.NewVBox(container.NewHScroll(t.legend()), t.info), nil, nil,
		t.namedRow)
	histBox := container.NewBorder(boldLabel("Copies of each piece (you + peers)"), t.histInfo, nil, nil, t.hist)
	left := container.NewVSplit(matrixBox, histBox)
	left.Offset = 0.65

	graphHint := widget.NewLabel("Who uploads to whom: you → peer while you upload to it (why: your choker); peer → you while it uploads to you (its reason is unknown: drawn as tit-for-tat).")
	graphHint.SizeName = theme.SizeNameCaptionText
	graphHint.Wrapping = fyne.TextWrapWord
	graphBox := container.NewBorder(nil,
		container.NewVBox(container.NewHScroll(widgets.NewChokeGraphLegend()), graphHint), nil, nil, t.graph)

	split := container.NewHSplit(left, graphBox)
	split.Offset = 0.62
	t.body = split
	t.content = container.NewStack(split, container.NewCenter(t.waiting))
	return t
}

// legend explains the matrix colours with swatches recoloured when the theme changes.
func (t *swarmTab) legend() fyne.CanvasObject {
	words := [4]string{"has it", "missing", "has a rarest piece", "misses a rarest piece"}
	box := container.NewHBox()
	for i := range t.swatches {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(14, 14))
		r.StrokeColor = theme.Color(theme.ColorNameSeparator)
		r.StrokeWidth = 1
		t.swatches[i] = r
		l := widget.NewLabel(words[i])
		l.SizeName = theme.SizeNameCaptionText
		box.Add(container.NewHBox(container.NewCenter(r), l))
	}
	box.Add(layout.NewSpacer())
	t.paintSwatches()
	return box
}

func (t *swarmTab) paintSwatches() {
	c := t.colours
	for i, col := range [4]color.RGBA{c.have, c.missing, c.rare, c.rareMiss} {
		if t.swatches[i].FillColor != col {
			t.swatches[i].FillColor = col
			t.swatches[i].Refresh()
		}
	}
}

// forget makes the next Show draw the graph without bold "new" arrows: the ticks in between
// were not shown (another tab, or no torrent, was visible).
func (t *swarmTab) forget() { t.graph.ForgetPrevious() }

// Show draws s. Call it on the UI goroutine, only while the tab is visible.
func (t *swarmTab) Show(s *torrent.Snapshot) {
	if s.InfoHash != t.hash {
		t.hash = s.InfoHash
		t.graph.ForgetPrevious() // another torrent: its arrows are not "new"
	}
	if s.NumPieces <= 0 {
		if !t.body.Hidden {
			t.body.Hide()
			t.waiting.Show()
			t.graph.Clear()
		}
		return
	}
	if t.body.Hidden {
		t.waiting.Hide()
		t.body.Show()
	}
	if c := themeLabColours(); c != t.colours {
		t.colours = c
		t.paintSwatches()
	}
	t.build(s)
	t.matrix.Refresh()
	t.hist.Refresh()
	t.showRowNames()
	t.graph.SetGraph(swarmGraph(s, t.peers, t.weHave == s.NumPieces))
	if text := t.infoText(s.NumPieces); t.info.Text != text {
		t.info.SetText(text)
	}
	if text := copiesLine(t.copies, t.rare); t.histInfo.Text != text {
		t.histInfo.SetText(text)
	}
}

// build computes the rows, the copies, the rarest pieces and both images from s.
func (t *swarmTab) build(s *torrent.Snapshot) {
	n := s.NumPieces
	width := (n + 7) / 8
	t.peers = t.peers[:0]
	for i := range s.Peers {
		t.peers = append(t.peers, &s.Peers[i])
	}
	slices.SortStableFunc(t.peers, func(a, b *torrent.PeerSnapshot) int { return cmp.Compare(a.Addr, b.Addr) })

	t.ours = slices.Grow(t.ours[:0], width)[:width]
	clear(t.ours)
	t.weHave = 0
	for p, st := range s.Pieces {
		if p < n && st == torrent.PieceHave {
			t.ours[p>>3] |= 0x80 >> (p & 7)
			t.weHave++
		}
	}
	t.rows = append(t.rows[:0], t.ours)
	for _, pe := range t.peers {
		t.rows = append(t.rows, peerRowBits(pe, n))
	}

	t.copies = slices.Grow(t.copies[:0], n)[:n]
	countCopies(t.copies, t.rows)
	t.rare = rarestPieces(t.copies)
	t.bins = pieceBins(t.bins[:0], n, swarmMaxColumns)
	t.matrixImg = drawSwarmMatrix(t.matrixImg, t.rows, n, t.bins, t.rare, t.colours)

	// The histogram, a column per piece or per bin (its fewest copies, and "rare" when it holds
	// one of the rarest pieces), scaled to at most swarmHistMaxHeight pixels.
	top := len(t.rows)
	height := min(top, swarmHistMaxHeight)
	columns, binRare := t.copies, t.rare
	if len(t.bins) > 0 {
		t.binCopies = slices.Grow(t.binCopies[:0], len(t.bins)-1)[:len(t.bins)-1]
		t.binRare = slices.Grow(t.binRare[:0], len(t.bins)-1)[:len(t.bins)-1]
		for x := range t.binCopies {
			lo, hi := t.bins[x], t.bins[x+1]
			t.binCopies[x] = slices.Min(t.copies[lo:hi])
			t.binRare[x] = slices.Contains(t.rare[lo:hi], true)
		}
		columns, binRare = t.binCopies, t.binRare
	}
	t.scaled = slices.Grow(t.scaled[:0], len(columns))[:len(columns)]
	for x, c := range columns {
		t.scaled[x] = (c*height + top - 1) / top // rounded up: one copy still shows
	}
	t.histImg = drawHistogram(t.histImg, t.scaled, binRare, height, t.colours)
}

// pieceBins splits n pieces into columns runs of neighbouring pieces, appending to dst the first
// piece of each run and then n; nil when n pieces fit in columns (a column per piece).
func pieceBins(dst []int, n, columns int) []int {
	if n <= columns {
		return nil
	}
	for x := range columns + 1 {
		dst = append(dst, x*n/columns)
	}
	return dst
}

// peerRowBits is a peer's pieces in wire order, exactly (n+7)/8 bytes, or nil when it sent no
// bitfield (it is drawn as having nothing).
func peerRowBits(pe *torrent.PeerSnapshot, n int) []byte {
	bf := pe.Bitfield
	if bf == nil {
		return nil
	}
	if bf.Len() == n {
		return bf.Bytes()
	}
	row := make([]byte, (n+7)/8)
	for p := range min(n, bf.Len()) {
		if bf.Has(p) {
			row[p>>3] |= 0x80 >> (p & 7)
		}
	}
	return row
}

// countCopies sets copies[p] to the number of rows holding piece p. It adds bits without
// branching on them: pieces are held at random, so branches would be mispredicted.
func countCopies(copies []int, rows [][]byte) {
	clear(copies)
	n := len(copies)
	for _, row := range rows {
		for i, b := range row {
			base := i * 8
			if base+8 <= n {
				c := copies[base : base+8 : base+8]
				c[0] += int(b >> 7)
				c[1] += int(b >> 6 & 1)
				c[2] += int(b >> 5 & 1)
				c[3] += int(b >> 4 & 1)
				c[4] += int(b >> 3 & 1)
				c[5] += int(b >> 2 & 1)
				c[6] += int(b >> 1 & 1)
				c[7] += int(b & 1)
				continue
			}
			for k := range n - base {
				copies[base+k] += int(b >> (7 - k) & 1)
			}
		}
	}
}

// drawSwarmMatrix draws the peers × pieces matrix into dst (reused when its size fits, else a new
// image): one pixel row per row of bits, one column per piece, in the lab's colours for a node in
// the swarm: have or missing, in the warning colours for the rarest pieces. With bins (see
// pieceBins) a column is a run of pieces instead, see drawBinnedMatrix.
func drawSwarmMatrix(dst *image.RGBA, rows [][]byte, n int, bins []int, rare []bool, c labColours) *image.RGBA {
	if n <= 0 || len(rows) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	columns := n
	if len(bins) > 0 {
		columns = len(bins) - 1
	}
	if dst == nil || dst.Rect != image.Rect(0, 0, columns, len(rows)) {
		dst = image.NewRGBA(image.Rect(0, 0, columns, len(rows)))
	}
	if len(bins) > 0 {
		drawBinnedMatrix(dst, rows, bins, rare, c)
		return dst
	}
	// Colour index: bit 0 the row has the piece, bit 1 the piece is one of the rarest.
	var pal [4]uint32 // as the four bytes R, G, B, A in memory
	for i, col := range [4]color.RGBA{c.missing, c.have, c.rareMiss, c.rare} {
		pal[i] = binary.LittleEndian.Uint32([]byte{col.R, col.G, col.B, col.A})
	}
	rareBit := make([]byte, n)
	for p := range n {
		if p < len(rare) && rare[p] {
			rareBit[p] = 2
		}
	}
	for y, row := range rows {
		line := dst.Pix[y*dst.Stride : y*dst.Stride+4*n]
		if row == nil {
			for x := range n {
				binary.LittleEndian.PutUint32(line[4*x:], pal[rareBit[x]&3])
			}
			continue
		}
		for i, b := range row {
			x := i * 8
			if x+8 <= n { // eight pieces at once, without bounds checks
				px, rb := line[4*x:4*x+32:4*x+32], rareBit[x:x+8:x+8]
				binary.LittleEndian.PutUint32(px[0:], pal[(rb[0]|b>>7)&3])
				binary.LittleEndian.PutUint32(px[4:], pal[(rb[1]|b>>6&1)&3])
				binary.LittleEndian.PutUint32(px[8:], pal[(rb[2]|b>>5&1)&3])
				binary.LittleEndian.PutUint32(px[12:], pal[(rb[3]|b>>4&1)&3])
				binary.LittleEndian.PutUint32(px[16:], pal[(rb[4]|b>>3&1)&3])
				binary.LittleEndian.PutUint32(px[20:], pal[(rb[5]|b>>2&1)&3])
				binary.LittleEndian.PutUint32(px[24:], pal[(rb[6]|b>>1&1)&3])
				binary.LittleEndian.PutUint32(px[28:], pal[(rb[7]|b&1)&3])
				continue
			}
			for k := range n - x {
				binary.LittleEndian.PutUint32(line[4*(x+k):], pal[(rareBit[x+k]|b>>(7-k)&1)&3])
			}
		}
	}
	return dst
}

// binShades is how many steps drawBinnedMatrix blends between missing and have.
const binShades = 16

// drawBinnedMatrix fills dst with one column per bin: the colour between "missing" and "have" by
// the share of the bin's pieces the row holds, in the rare pair of colours when the bin holds
// one of the rarest pieces.
func drawBinnedMatrix(dst *image.RGBA, rows [][]byte, bins []int, rare []bool, c labColours) {
	blend := func(a, b color.RGBA, i int) uint32 {
		m := func(x, y uint8) byte { return byte((int(x)*(binShades-i) + int(y)*i + binShades/2) / binShades) }
		return binary.LittleEndian.Uint32([]byte{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), m(a.A, b.A)})
	}
	var shades [2][binShades + 1]uint32
	for i := range binShades + 1 {
		shades[0][i] = blend(c.missing, c.have, i)
		shades[1][i] = blend(c.rareMiss, c.rare, i)
	}
	columns := len(bins) - 1
	// Per bin: 1 when it holds a rarest piece; the shades one piece is worth, in 1/65536.
	binRare, perPiece := make([]int, columns), make([]int, columns)
	for x := range columns {
		if slices.Contains(rare[bins[x]:bins[x+1]], true) {
			binRare[x] = 1
		}
		perPiece[x] = binShades << 16 / (bins[x+1] - bins[x])
	}
	// cum[i] is the number of pieces the row holds in its first i bytes, so the pieces it holds
	// in a run take two look-ups, not a loop over the run.
	var cum []int
	for y, row := range rows {
		line := dst.Pix[y*dst.Stride : y*dst.Stride+4*columns]
		if row == nil {
			for x := range columns {
				binary.LittleEndian.PutUint32(line[4*x:], shades[binRare[x]][0])
			}
			continue
		}
		cum = append(cum[:0], 0)
		for i, b := range row {
			cum = append(cum, cum[i]+bits.OnesCount8(b))
		}
		// before is how many of the pieces before p the row holds.
		before := func(p int) int {
			if p&7 == 0 {
				return cum[p>>3]
			}
			return cum[p>>3] + bits.OnesCount8(row[p>>3]&^(0xff>>(p&7)))
		}
		edge := before(bins[0])
		for x := range columns {
			next := before(bins[x+1])
			shade := ((next-edge)*perPiece[x] + 1<<15) >> 16
			binary.LittleEndian.PutUint32(line[4*x:], shades[binRare[x]][shade])
			edge = next
		}
	}
}

// showRowNames labels the matrix rows when there are few enough (maxNamedRows, as in the lab).
func (t *swarmTab) showRowNames() {
	var names []string
	if len(t.rows) <= maxNamedRows {
		names = make([]string, len(t.rows))
		names[0] = "you"
		for i, pe := range t.peers {
			names[i+1] = itoa(i+1) + "  " + pe.Addr
		}
	}
	if slices.Equal(names, t.names) && (len(names) > 0) == !t.rowNames.Hidden {
		return
	}
	t.names = names
	t.rowNames.RemoveAll()
	if len(names) == 0 {
		t.rowNames.Hide()
		t.namedRow.Refresh()
		return
	}
	t.rowNames.Layout = layout.NewGridLayoutWithRows(len(names))
	for _, name := range names {
		text := canvas.NewText(name, theme.Color(theme.ColorNameForeground))
		text.TextSize = theme.CaptionTextSize()
		text.Alignment = fyne.TextAlignTrailing
		t.rowNames.Add(container.NewCenter(text))
	}
	t.rowNames.Show()
	t.namedRow.Refresh() // the names' column may have a new width
}

// infoText sums the matrix up: "You and 3 connected peers × 1024 pieces; you have 512. Rows: …"
func (t *swarmTab) infoText(pieces int) string {
	peers := len(t.peers)
	var b strings.Builder
	fmt.Fprintf(&b, "You and %d connected %s × %d %s; you have %d. Rows: you, then the peers by address (numbered as in the graph).",
		peers, pluralWord(peers, "peer", "peers"), pieces, pluralWord(pieces, "piece", "pieces"), t.weHave)
	if peers == 0 {
		b.WriteString(" No peer is connected, so only your row is drawn.")
	}
	if len(t.bins) > 0 {
		fmt.Fprintf(&b, " A column is about %d pieces, shaded by the share held.", (pieces+len(t.bins)-2)/(len(t.bins)-1))
	}
	return b.String()
}

// swarmGraph is the choke graph of a real torrent as we see it: node 0 is us ("you"), node i the
// i-th peer of peers (sorted as in the matrix). An edge us → peer while we upload to it, its kind
// from our choker (optimistic, upload to everyone, seeding when we are complete, else
// tit-for-tat); an edge peer → us while it unchokes us, always tit-for-tat as we cannot know its
// reason. weHaveAll fills our node as complete.
func swarmGraph(s *torrent.Snapshot, peers []*torrent.PeerSnapshot, weHaveAll bool) ([]widgets.ChokeGraphNode, []widgets.ChokeGraphEdge) {
	nodes := make([]widgets.ChokeGraphNode, 1+len(peers))
	nodes[0] = widgets.ChokeGraphNode{Label: "you", Complete: weHaveAll}
	var edges []widgets.ChokeGraphEdge
	for i, pe := range peers {
		id := i + 1
		bf := pe.Bitfield
		nodes[id] = widgets.ChokeGraphNode{Label: itoa(id), Complete: bf != nil && s.NumPieces > 0 && bf.Len() == s.NumPieces && bf.All()}
		if kind, ok := ourUnchokeKind(s, pe); ok {
			edges = append(edges, widgets.ChokeGraphEdge{From: 0, To: id, Kind: kind})
		}
		if !pe.PeerChoking {
			edges = append(edges, widgets.ChokeGraphEdge{From: id, To: 0, Kind: widgets.ChokeTitForTat})
		}
	}
	return nodes, edges
}

// ourUnchokeKind is why we upload to pe, the way the lab names it; false while we choke it.
func ourUnchokeKind(s *torrent.Snapshot, pe *torrent.PeerSnapshot) (widgets.ChokeKind, bool) {
	switch uploadClassOf(pe) {
	case uploadOptimistic:
		return widgets.ChokeOptimistic, true
	case uploadRegular:
		switch {
		case strings.HasPrefix(pe.ChokeReason, "upload to everyone"):
			return widgets.ChokeEveryone, true
		case s.Complete:
			return widgets.ChokeSeeding, true
		}
		return widgets.ChokeTitForTat, true
	}
	return 0, false
}
