package ui

import (
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

func pieceSet(n int, have ...int) *bitfield.Bitfield {
	b := bitfield.New(n)
	for _, p := range have {
		b.Set(p)
	}
	return b
}

// swarmSnapshot: 4 pieces, we have 0 and 1. Listed out of address order:
// 10.0.0.3 has 0, 2 and 3, we unchoke it optimistically, it chokes us;
// 10.0.0.1 has 0, 1 and 2, we unchoke it (regular slot), it unchokes us;
// 10.0.0.2 sent no bitfield, both sides choke.
// Copies per piece (us + peers): 3, 2, 2, 1, so piece 3 is the rarest.
func swarmSnapshot() *torrent.Snapshot {
	return &torrent.Snapshot{
		NumPieces: 4,
		Pieces:    []torrent.PieceState{torrent.PieceHave, torrent.PieceHave, torrent.PieceDownloading, torrent.PieceMissing},
		Peers: []torrent.PeerSnapshot{
			{Addr: "10.0.0.3:6881", Bitfield: pieceSet(4, 0, 2, 3), Optimistic: true, PeerChoking: true,
				ChokeReason: "optimistic unchoke (rotates every 30 s)"},
			{Addr: "10.0.0.1:6881", Bitfield: pieceSet(4, 0, 1, 2), ChokeReason: "regular unchoke: 1st fastest uploader to us"},
			{Addr: "10.0.0.2:6881", AmChoking: true, PeerChoking: true, ChokeReason: "choked: not interested"},
		},
	}
}

func pixel(img *image.RGBA, x, y int) color.RGBA { return img.RGBAAt(x, y) }

func TestSwarmTabMatrixRowsAndColours(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	tab.Show(swarmSnapshot())

	c := tab.colours
	if c.have == c.missing || c.have == c.rare || c.missing == c.rareMiss || c.rare == c.rareMiss {
		t.Fatalf("the theme's matrix colours are not distinct: %+v", c)
	}
	img := tab.matrixImg
	if b := img.Bounds(); b.Dx() != 4 || b.Dy() != 4 {
		t.Fatalf("matrix %v, want 4 pieces × 4 rows (you + 3 peers)", b)
	}
	if !slices.Equal(tab.copies, []int{3, 2, 2, 1}) {
		t.Errorf("copies %v, want [3 2 2 1]", tab.copies)
	}
	// Rows: you, 10.0.0.1, 10.0.0.2 (no bitfield), 10.0.0.3.
	want := [4][4]color.RGBA{
		{c.have, c.have, c.missing, c.rareMiss},       // a downloading piece is not ours yet
		{c.have, c.have, c.have, c.rareMiss},          // 10.0.0.1
		{c.missing, c.missing, c.missing, c.rareMiss}, // 10.0.0.2: nothing
		{c.have, c.missing, c.have, c.rare},           // 10.0.0.3 holds the rarest piece
	}
	for y := range want {
		for x := range want[y] {
			if got := pixel(img, x, y); got != want[y][x] {
				t.Errorf("cell (row %d, piece %d) = %v, want %v", y, x, got, want[y][x])
			}
		}
	}
	wantNames := []string{"you", "1  10.0.0.1:6881", "2  10.0.0.2:6881", "3  10.0.0.3:6881"}
	if !slices.Equal(tab.names, wantNames) || len(tab.rowNames.Objects) != 4 || tab.rowNames.Hidden {
		t.Errorf("row names %q (%d shown, hidden %v), want %q", tab.names, len(tab.rowNames.Objects), tab.rowNames.Hidden, wantNames)
	}
	if want := "You and 3 connected peers × 4 pieces; you have 2. Rows: you, then the peers by address (numbered as in the graph)."; tab.info.Text != want {
		t.Errorf("caption %q, want %q", tab.info.Text, want)
	}

	// The histogram: one column per piece, as high as its copies (4 rows: full height 4).
	h := tab.histImg
	if b := h.Bounds(); b.Dx() != 4 || b.Dy() != 4 {
		t.Fatalf("histogram %v, want 4 × 4", b)
	}
	for x, copies := range []int{3, 2, 2, 1} {
		for y := range 4 {
			filled := y >= 4-copies
			got := pixel(h, x, y)
			if filled != (got.A != 0) {
				t.Errorf("histogram piece %d, pixel row %d: %v, want filled %v", x, y, got, filled)
			}
			if filled && x == 3 && got != c.rare {
				t.Errorf("the rarest piece's bar is %v, want the rare colour %v", got, c.rare)
			}
		}
	}
}

func TestSwarmTabGraphNodesAndEdges(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	tab.Show(swarmSnapshot())

	nodes := tab.graph.Nodes()
	labels := make([]string, len(nodes))
	for i, n := range nodes {
		labels[i] = n.Label
		if n.Complete {
			t.Errorf("node %s is complete; nobody has every piece", n.Label)
		}
	}
	if !slices.Equal(labels, []string{"you", "1", "2", "3"}) {
		t.Errorf("nodes %q, want you, 1, 2, 3", labels)
	}
	want := []widgets.ChokeGraphEdge{
		{From: 0, To: 1, Kind: widgets.ChokeTitForTat},  // we unchoke 10.0.0.1 (regular slot)
		{From: 1, To: 0, Kind: widgets.ChokeTitForTat},  // and it unchokes us
		{From: 0, To: 3, Kind: widgets.ChokeOptimistic}, // 10.0.0.3 has our optimistic slot
	}
	if got := tab.graph.Edges(); !slices.Equal(got, want) {
		t.Errorf("edges %+v\nwant %+v", got, want)
	}

	// Once we have every piece, a regular unchoke is a seeding one, and our node is complete.
	s := swarmSnapshot()
	s.Complete = true
	s.Pieces = []torrent.PieceState{torrent.PieceHave, torrent.PieceHave, torrent.PieceHave, torrent.PieceHave}
	s.Peers[1].Bitfield = pieceSet(4, 0, 1, 2, 3)
	tab.Show(s)
	want[0].Kind = widgets.ChokeSeeding
	if got := tab.graph.Edges(); !slices.Equal(got, want) {
		t.Errorf("seeding: edges %+v\nwant %+v", got, want)
	}
	if n := tab.graph.Nodes(); !n[0].Complete || !n[1].Complete || n[2].Complete || n[3].Complete {
		t.Errorf("seeding: nodes %+v, want you and peer 1 complete", n)
	}
}

func TestSwarmTabRowsStayInAddressOrder(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	tab.Show(swarmSnapshot())
	first := slices.Clone(tab.matrixImg.Pix)
	names := slices.Clone(tab.names)
	edges := tab.graph.Edges()

	s := swarmSnapshot()
	slices.Reverse(s.Peers)
	tab.Show(s)
	if !slices.Equal(tab.matrixImg.Pix, first) {
		t.Error("the matrix changed when only the snapshot's peer order did")
	}
	if !slices.Equal(tab.names, names) {
		t.Errorf("row names %q after reordering, want %q", tab.names, names)
	}
	if got := tab.graph.Edges(); !slices.Equal(got, edges) {
		t.Errorf("edges %+v after reordering, want %+v", got, edges)
	}
}

func TestSwarmTabWaitsForMetadata(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	magnet := &torrent.Snapshot{State: torrent.FetchingMetadata,
		Peers: []torrent.PeerSnapshot{{Addr: "10.0.0.1:6881"}}}
	tab.Show(magnet)
	if !tab.waiting.Visible() || tab.body.Visible() || tab.waiting.Text != swarmWaitingText {
		t.Fatalf("no pieces: sentence visible %v (%q), pictures visible %v", tab.waiting.Visible(), tab.waiting.Text, tab.body.Visible())
	}
	if n := len(tab.graph.Nodes()); n != 0 {
		t.Errorf("no pieces: the graph has %d nodes", n)
	}
	tab.Show(swarmSnapshot())
	if tab.waiting.Visible() || !tab.body.Visible() {
		t.Error("the pictures did not come back once the pieces were known")
	}
}

func TestSwarmTabNoPeersAndShortBitfield(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	tab.Show(&torrent.Snapshot{NumPieces: 3, Pieces: []torrent.PieceState{torrent.PieceHave}})
	if b := tab.matrixImg.Bounds(); b.Dx() != 3 || b.Dy() != 1 {
		t.Errorf("no peers: matrix %v, want 3 × 1", b)
	}
	if len(tab.graph.Nodes()) != 1 || len(tab.graph.Edges()) != 0 {
		t.Errorf("no peers: graph %+v %+v, want only you", tab.graph.Nodes(), tab.graph.Edges())
	}
	// A bitfield of the wrong length (it should not happen) is read as far as it goes.
	tab.Show(&torrent.Snapshot{NumPieces: 10, Peers: []torrent.PeerSnapshot{{Addr: "a", Bitfield: pieceSet(3, 2)}}})
	if !slices.Equal(tab.copies, []int{0, 0, 1, 0, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("short bitfield: copies %v", tab.copies)
	}
}

// The swarm matrix draws exactly what the lab's matrixImage draws for the same nodes in the swarm.
func TestSwarmMatrixMatchesTheLab(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 37
	var rows [][]byte
	v := &lab.LiveView{Pieces: n}
	for r := range 6 {
		b := bitfield.New(n)
		have := make([]bool, n)
		for p := range n {
			if rng.IntN(3) == 0 || (r == 0 && p < 30) {
				b.Set(p)
				have[p] = true
			}
		}
		rows = append(rows, b.Bytes())
		v.Nodes = append(v.Nodes, lab.LiveNode{Joined: true, Have: have})
	}
	rows = append(rows, nil)
	v.Nodes = append(v.Nodes, lab.LiveNode{Joined: true, Have: make([]bool, n)})

	copies := make([]int, n)
	countCopies(copies, rows)
	if !slices.Equal(copies, pieceCopies(v)) {
		t.Fatalf("copies %v, lab %v", copies, pieceCopies(v))
	}
	rare := rarestPieces(copies)
	got := drawSwarmMatrix(nil, rows, n, nil, rare, testLabColours)
	want := matrixImage(v, rare, testLabColours)
	if got.Rect != want.Rect || !slices.Equal(got.Pix, want.Pix) {
		t.Error("the swarm matrix differs from the lab's matrix for the same nodes")
	}
	// Drawing again into the same image reuses it.
	if again := drawSwarmMatrix(got, rows, n, nil, rare, testLabColours); again != got {
		t.Error("the matrix image was not reused at the same size")
	}
}

func TestSwarmTabHistogramScalesDownForManyPeers(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	s := bigSwarm(100, 199)
	s.Peers[0].Bitfield = nil // a peer without a bitfield among many
	tab.Show(s)
	if b := tab.histImg.Bounds(); b.Dx() != 100 || b.Dy() != swarmHistMaxHeight {
		t.Fatalf("histogram %v, want 100 × %d", b, swarmHistMaxHeight)
	}
	if b := tab.matrixImg.Bounds(); b.Dy() != 200 {
		t.Errorf("matrix has %d rows, want 200", b.Dy())
	}
	if len(tab.names) != 0 || !tab.rowNames.Hidden {
		t.Error("200 rows should not be named")
	}
	for p, c := range tab.copies {
		filled := 0
		for y := range swarmHistMaxHeight {
			if tab.histImg.RGBAAt(p, y).A != 0 {
				filled++
			}
		}
		if want := (c*swarmHistMaxHeight + 199) / 200; filled != want || (c > 0) != (filled > 0) {
			t.Fatalf("piece %d with %d copies: bar %d px, want %d", p, c, filled, want)
		}
	}
}

// A torrent with more pieces than columns: each column is a run of pieces, shaded by the share a
// row holds, in the rare colours when the run holds one of the rarest pieces.
func TestSwarmTabBinsWideTorrents(t *testing.T) {
	test.NewTempApp(t)
	tab := newSwarmTab()
	const n = 3 * swarmMaxColumns // three pieces a column
	all := make([]int, n)
	for p := range all {
		all[p] = p
	}
	half := make([]int, 0, n)
	for p := range n {
		if p%3 != 0 {
			half = append(half, p)
		}
	}
	s := &torrent.Snapshot{NumPieces: n, Pieces: make([]torrent.PieceState, n),
		Peers: []torrent.PeerSnapshot{
			{Addr: "a", Bitfield: pieceSet(n, all...)},
			{Addr: "b", Bitfield: pieceSet(n, half...)}, // two of each column's three pieces
		}}
	tab.Show(s)
	img := tab.matrixImg
	if b := img.Bounds(); b.Dx() != swarmMaxColumns || b.Dy() != 3 {
		t.Fatalf("matrix %v, want %d columns × 3 rows", b, swarmMaxColumns)
	}
	if b := tab.histImg.Bounds(); b.Dx() != swarmMaxColumns {
		t.Errorf("histogram %v, want %d columns", b, swarmMaxColumns)
	}
	// Pieces 0, 3, 6, … have one copy (peer a): every column holds one of the rarest.
	c := tab.colours
	if got := pixel(img, 5, 0); got != c.rareMiss {
		t.Errorf("our empty row: %v, want %v", got, c.rareMiss)
	}
	if got := pixel(img, 5, 1); got != c.rare {
		t.Errorf("peer a's full row: %v, want %v", got, c.rare)
	}
	got := pixel(img, 5, 2)
	if got == c.rare || got == c.rareMiss || got.R < min(c.rare.R, c.rareMiss.R) || got.R > max(c.rare.R, c.rareMiss.R) {
		t.Errorf("peer b holds 2 of 3: %v, want a shade between %v and %v", got, c.rareMiss, c.rare)
	}
	if !strings.Contains(tab.info.Text, "about 3 pieces") {
		t.Errorf("caption %q does not say a column is 3 pieces", tab.info.Text)
	}
}

func TestDetailsPaneHasSwarmTab(t *testing.T) {
	test.NewTempApp(t)
	d := newDetailsPane(func([]int, filePriority) {})
	w := test.NewTempWindow(t, d.content)
	w.Resize(fyne.NewSize(1000, 500))
	var titles []string
	for _, it := range d.tabs.Items {
		titles = append(titles, it.Text)
	}
	if !slices.Equal(titles, []string{"General", "Peers", "Swarm", "Trackers", "Files", "Speed"}) || titles[tabSwarm] != "Swarm" ||
		titles[tabPeers] != "Peers" || titles[tabTrackers] != "Trackers" || titles[tabFiles] != "Files" || titles[tabSpeed] != "Speed" {
		t.Fatalf("tabs %q do not match the tab constants", titles)
	}
	det := &torrentDetails{Snap: swarmSnapshot()}
	d.tabs.SelectIndex(tabPeers)
	d.Show(det, nil, nil, time.Now())
	if d.swarm.matrixImg != nil {
		t.Error("the hidden Swarm tab computed its matrix")
	}
	d.tabs.SelectIndex(tabSwarm)
	d.Show(det, nil, nil, time.Now())
	if d.swarm.matrixImg == nil || len(d.swarm.graph.Nodes()) != 4 {
		t.Error("the visible Swarm tab was not drawn")
	}
}

// bigSwarm is n pieces and peers peers, each with a random half of the pieces.
func bigSwarm(n, peers int) *torrent.Snapshot {
	rng := rand.New(rand.NewPCG(7, 8))
	s := &torrent.Snapshot{NumPieces: n, Pieces: make([]torrent.PieceState, n)}
	for p := range n {
		if rng.IntN(2) == 0 {
			s.Pieces[p] = torrent.PieceHave
		}
	}
	for i := range peers {
		b := bitfield.New(n)
		for p := range n {
			if rng.IntN(2) == 0 {
				b.Set(p)
			}
		}
		s.Peers = append(s.Peers, torrent.PeerSnapshot{
			Addr: "10.0." + itoa(i/256) + "." + itoa(i%256) + ":6881", Bitfield: b,
			AmChoking: i%5 != 0, Optimistic: i == 5, PeerChoking: i%7 != 0,
		})
	}
	return s
}

// BenchmarkSwarmTabShow is one refresh of the Swarm tab with 200 peers: for 10,000 pieces (drawn
// in swarmMaxColumns columns of about 5 pieces) and for 2,000 (a column per piece).
func BenchmarkSwarmTabShow(b *testing.B) {
	test.NewTempApp(b)
	for _, pieces := range []int{10000, 2000} {
		b.Run(itoa(pieces)+"x200", func(b *testing.B) {
			tab := newSwarmTab()
			s := bigSwarm(pieces, 200)
			b.ReportAllocs()
			for b.Loop() {
				tab.Show(s)
			}
		})
	}
}
