package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

var testLabColours = labColours{
	have:     color.RGBA{0, 0, 255, 255},
	missing:  color.RGBA{128, 128, 128, 255},
	rare:     color.RGBA{255, 128, 0, 255},
	rareMiss: color.RGBA{128, 64, 0, 255},
	absent:   color.RGBA{0, 0, 0, 255},
}

// A server with every piece, a peer with pieces 0 and 2, a peer that left holding piece 1, and
// a late joiner not yet in the swarm.
func testView() *lab.LiveView {
	return &lab.LiveView{Pieces: 4, Nodes: []lab.LiveNode{
		{Name: "server", Server: true, Joined: true, Have: []bool{true, true, true, true}, UpRate: 50, UploadRate: 100},
		{Name: "peer 1", Joined: true, Have: []bool{true, false, true, false}, UpRate: 100, UploadRate: 100},
		{Name: "peer 2", Joined: true, Left: true, Have: []bool{false, true, false, false}, UploadRate: 100},
		{Name: "peer 3", LateJoiner: true},
	}}
}

func TestPieceCopiesCountOnlyNodesInTheSwarm(t *testing.T) {
	copies := pieceCopies(testView())
	want := []int{2, 1, 2, 1}
	for i := range want {
		if copies[i] != want[i] {
			t.Fatalf("copies %v, want %v (the node that left does not count)", copies, want)
		}
	}
	rare := rarestPieces(copies)
	if rare[0] || !rare[1] || rare[2] || !rare[3] {
		t.Errorf("rarest %v, want pieces 1 and 3", rare)
	}
	if r := rarestPieces([]int{3, 3}); r[0] || r[1] {
		t.Errorf("equal copies: rarest %v, want none marked", r)
	}
}

func TestMatrixImageMarksRarestPiecesAndAbsentNodes(t *testing.T) {
	v := testView()
	rare := rarestPieces(pieceCopies(v))
	img := matrixImage(v, rare, testLabColours)
	if b := img.Bounds(); b.Dx() != 4 || b.Dy() != 4 {
		t.Fatalf("image %v, want 4 pieces × 4 nodes", b)
	}
	c := testLabColours
	want := [][]color.RGBA{
		{c.have, c.rare, c.have, c.rare},            // the server
		{c.have, c.rareMiss, c.have, c.rareMiss},    // peer 1 misses the rare pieces
		{c.missing, c.absent, c.missing, c.missing}, // peer 2 left: what it had is greyed out
		{c.absent, c.absent, c.absent, c.absent},    // peer 3 has not joined
	}
	for y, row := range want {
		for x, col := range row {
			if got := img.RGBAAt(x, y); got != col {
				t.Errorf("node %d piece %d: %v, want %v", y, x, got, col)
			}
		}
	}
}

func TestHistogramImageFillsFromTheBottom(t *testing.T) {
	c := testLabColours
	img := histogramImage([]int{3, 1, 2}, []bool{false, true, false}, 3, c)
	if b := img.Bounds(); b.Dx() != 3 || b.Dy() != 3 {
		t.Fatalf("image %v, want 3 pieces × 3 copies", b)
	}
	none := color.RGBA{}
	want := [][]color.RGBA{ // top row first
		{c.have, none, none},
		{c.have, none, c.have},
		{c.have, c.rare, c.have},
	}
	for y, row := range want {
		for x, col := range row {
			if got := img.RGBAAt(x, y); got != col {
				t.Errorf("row %d piece %d: %v, want %v", y, x, got, col)
			}
		}
	}
}

func TestUtilisationImage(t *testing.T) {
	img := utilisationImage(testView(), testLabColours)
	c := testLabColours
	// The server uses half its rate, peer 1 all of it; peer 2 left and peer 3 is not in.
	for _, tc := range []struct {
		row, filled int
	}{{0, utilisationColumns / 2}, {1, utilisationColumns}} {
		for x := range utilisationColumns {
			want := c.missing
			if x < tc.filled {
				want = c.have
			}
			if got := img.RGBAAt(x, tc.row); got != want {
				t.Fatalf("row %d column %d: %v, want %v", tc.row, x, got, want)
			}
		}
	}
	for _, row := range []int{2, 3} {
		if got := img.RGBAAt(0, row); got != c.absent {
			t.Errorf("row %d: %v, want absent", row, got)
		}
	}
}

func TestLabFormDefaultsAreTheTextbookExample(t *testing.T) {
	got, err := defaultLabForm().config()
	if err != nil {
		t.Fatal(err)
	}
	want := lab.DefaultConfig()
	if got.Peers != want.Peers || got.FileSize != want.FileSize || got.PieceLength != want.PieceLength ||
		got.PeerUpload != want.PeerUpload || got.SeedUpload != want.SeedUpload || got.PeerDownload != want.PeerDownload ||
		got.Mode != lab.PeerToPeer || got.Picker != picker.RarestFirst || got.Choking != lab.TitForTat || got.FreeRiders != 0 {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	f := defaultLabForm()
	f.Mode, f.Picker, f.Choking, f.FreeRiders, f.PeerDownload, f.LeaveOnDone = labModeNames[1], labPickerNames[2], labChokingNames[1], "25 %", "0", true
	got, err = f.config()
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != lab.ClientServer || got.Picker != picker.Sequential || got.Choking != lab.UploadToAll ||
		got.FreeRiders != 0.25 || got.PeerDownload != 0 || !got.LeaveOnComplete {
		t.Errorf("choices not applied: %+v", got)
	}
}

func TestLabFormNamesTheWrongField(t *testing.T) {
	for _, tc := range []struct {
		change func(*labForm)
		want   string
	}{
		{func(f *labForm) { f.Peers = "0" }, "Peers (N)"},
		{func(f *labForm) { f.Peers = "ten" }, "Peers (N)"},
		{func(f *labForm) { f.FileSize = "lots" }, "File size (F)"},
		{func(f *labForm) { f.FileSize = "2 GiB" }, "at most 1 GiB"},
		{func(f *labForm) { f.SeedUpload = "0" }, "Server upload"},
		{func(f *labForm) { f.FreeRiders = "150" }, "Free riders"},
		{func(f *labForm) { f.PeerUpload = "0" }, "Peer upload (u)"},
		{func(f *labForm) { f.PeerUpload, f.SeedUpload = "1 KiB", "1 KiB" }, "may take at most"},
	} {
		f := defaultLabForm()
		tc.change(&f)
		_, err := f.config()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one naming %q", f, err, tc.want)
		}
	}
	// Peers that upload nothing are fine in peer-to-peer when they are all free riders.
	f := defaultLabForm()
	f.PeerUpload, f.FreeRiders = "0", "100"
	if _, err := f.config(); err != nil {
		t.Errorf("all free riders with u = 0: %v", err)
	}
}

// A live sample reaches the choke graph, one edge per unchoke with its kind, once the Choking tab
// shows; Reset clears it.
func TestLabWindowFeedsTheChokeGraph(t *testing.T) {
	a := test.NewTempApp(t)
	w := newLabWindow(a)
	defer w.win.Close()
	v := testView()
	v.Nodes[0].Complete = true
	v.Nodes[1].FreeRider = true
	v.Nodes[0].Unchokes = []lab.LiveUnchoke{{Target: 1, Why: "seeding"}, {Target: 2, Why: "optimistic", Optimistic: true}}
	v.Nodes[1].Unchokes = []lab.LiveUnchoke{{Target: 0, Why: "tit-for-tat"}, {Target: 3, Why: "everyone"}}

	w.apply(v) // on the Swarm tab: the hidden graph is not redrawn
	if n := len(w.chokeGraph.Nodes()); n != 0 {
		t.Fatalf("the graph on the hidden Choking tab got %d nodes", n)
	}
	w.tabs.SelectIndex(1)
	wantNodes := []widgets.ChokeGraphNode{
		{Label: "S", Complete: true}, {Label: "1", FreeRider: true}, {Label: "2", Absent: true}, {Label: "3", Absent: true},
	}
	wantEdges := []widgets.ChokeGraphEdge{
		{From: 0, To: 1, Kind: widgets.ChokeSeeding}, {From: 0, To: 2, Kind: widgets.ChokeOptimistic},
		{From: 1, To: 0, Kind: widgets.ChokeTitForTat}, {From: 1, To: 3, Kind: widgets.ChokeEveryone},
	}
	if got := w.chokeGraph.Nodes(); !slices.Equal(got, wantNodes) {
		t.Errorf("graph nodes %+v, want %+v", got, wantNodes)
	}
	if got := w.chokeGraph.Edges(); !slices.Equal(got, wantEdges) {
		t.Errorf("graph edges %+v, want %+v", got, wantEdges)
	}

	next := testView()
	next.Nodes[2].Unchokes = []lab.LiveUnchoke{{Target: 1, Why: "tit-for-tat"}}
	w.apply(next)
	if got, want := w.chokeGraph.Edges(), []widgets.ChokeGraphEdge{{From: 2, To: 1}}; !slices.Equal(got, want) {
		t.Errorf("after the next sample: edges %+v, want %+v", got, want)
	}
	w.reset()
	if len(w.chokeGraph.Nodes()) != 0 || len(w.chokeGraph.Edges()) != 0 || len(w.nodes.Rows()) != 0 {
		t.Error("Reset left the choke graph or table filled")
	}
}

// A real lab run through the window: fill the form, press Start, and the live views and then the
// summary fill in.
func TestLabWindowRunsALab(t *testing.T) {
	w, locked := newLockedLabWindow(t)
	locked(func() {
		fillLabForm(w, "3", "1 MiB", "64 KiB", "400 KiB", "4000 KiB", "4000 KiB")
		test.Tap(w.startBtn)
		if w.cancel == nil || !w.startBtn.Disabled() || w.stopBtn.Disabled() {
			t.Fatal("Start did not start a run (or left Start enabled)")
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	var sawLive bool
	for done := false; !done; {
		if time.Now().After(deadline) {
			t.Fatal("the run did not finish within 90 s")
		}
		time.Sleep(100 * time.Millisecond)
		locked(func() {
			sawLive = sawLive || w.view != nil
			done = w.cancel == nil
		})
	}
	locked(func() {
		if !sawLive || w.view == nil || len(w.view.Nodes) != 4 {
			t.Fatalf("no live view of the 4 nodes was drawn")
		}
		r := w.result
		if r == nil || !r.Finished {
			t.Fatalf("result %+v, want a finished run", r)
		}
		if !strings.Contains(w.summary.Text, "D = ") || !strings.Contains(w.summary.Text, "D/bound") || !strings.Contains(w.status.Text, "Done.") {
			t.Errorf("summary %q, status %q", w.summary.Text, w.status.Text)
		}
		if rows := w.results.Rows(); len(rows) != 4 || rows[0][0] != "server" {
			t.Errorf("result table %q, want the server and 3 peers", rows)
		}
		if w.exportCSV.Disabled() || w.savePlot.Disabled() || w.startBtn.Disabled() || !w.stopBtn.Disabled() {
			t.Error("after the run: export should be enabled, Start enabled, Stop disabled")
		}
		for _, c := range pieceCopies(w.view) {
			if c != 4 {
				t.Errorf("the last view has a piece with %d copies, want 4 (everyone complete)", c)
				break
			}
		}
		if w.completion.Image == nil {
			t.Error("the completion curve was never drawn")
		}
		w.tabs.SelectIndex(1)
		if rows := w.nodes.Rows(); len(rows) != 4 || !strings.HasPrefix(rows[1][1], "16 / 16") {
			t.Errorf("choke table %q, want 4 nodes with all 16 pieces", rows)
		}
		if nodes := w.chokeGraph.Nodes(); len(nodes) != 4 || nodes[0].Label != "S" || !nodes[3].Complete {
			t.Errorf("choke graph nodes %+v, want the server and 3 complete peers", nodes)
		}
	})
}

// corner is the top-left pixel of a chart image, and the image's size.
func corner(t *testing.T, what string, img image.Image) color.RGBA {
	t.Helper()
	if img == nil {
		t.Fatalf("%s: no image", what)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("%s: image %v, want a whole chart", what, b)
	}
	return color.RGBAModel.Convert(img.At(0, 0)).(color.RGBA)
}

// variantTheme is a theme in one variant whatever the settings say: what the deprecated
// theme.DarkTheme and theme.LightTheme did.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

func themeBackground() color.RGBA {
	return color.RGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.RGBA)
}

// The charts on screen follow the theme, and follow it when it changes; the saved files stay on
// white paper.
func TestLabWindowChartsFollowTheTheme(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	w := newLabWindow(a)
	closeWin := sync.OnceFunc(w.win.Close)
	defer closeWin()
	dark := themeBackground()
	if dark == (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("the dark theme's background is white")
	}

	base := lab.DefaultConfig()
	for _, n := range []int{1, 4} {
		for _, m := range []lab.Mode{lab.ClientServer, lab.PeerToPeer} {
			cfg := base
			cfg.Peers, cfg.Mode = n, m
			b := cfg.Bound()
			w.sweepStep(base, lab.SweepPoint{Mode: m, Peers: n, Bound: b, D: b.Time * 5 / 4, Finished: true, Ratio: 1.25})
		}
	}
	if got := corner(t, "sweep chart", w.sweepChart.Image); got != dark {
		t.Errorf("dark theme: the sweep chart's corner is %v, want the background %v", got, dark)
	}
	w.runCfg = base
	w.apply(testView())
	w.draw(true)
	if got := corner(t, "completion chart", w.completion.Image); got != dark {
		t.Errorf("dark theme: the completion chart's corner is %v, want the background %v", got, dark)
	}
	// Ink: the theme's foreground is on the chart (axes and text).
	fg := color.RGBAModel.Convert(theme.Color(theme.ColorNameForeground)).(color.RGBA)
	if img := w.sweepChart.Image; !hasColour(img, fg) {
		t.Errorf("dark theme: no pixel of the foreground %v on the sweep chart", fg)
	}

	// The saved files keep the white-paper palette.
	var buf bytes.Buffer
	if err := writeChart(&buf, ".png", lab.SweepChart(base, w.points)); err != nil {
		t.Fatal(err)
	}
	saved, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := corner(t, "saved chart", saved); got != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("the saved chart's corner is %v, want white", got)
	}

	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	light := themeBackground()
	if light == dark {
		t.Fatalf("the light and dark backgrounds are both %v", light)
	}
	if got := corner(t, "sweep chart", w.sweepChart.Image); got != light {
		t.Errorf("after switching to the light theme: the sweep chart's corner is %v, want %v", got, light)
	}
	if got := corner(t, "completion chart", w.completion.Image); got != light {
		t.Errorf("after switching to the light theme: the completion chart's corner is %v, want %v", got, light)
	}
	if want := themeLabColours(); w.colours != want {
		t.Errorf("after switching: matrix colours %+v, want the light theme's %+v", w.colours, want)
	}

	// A closed window no longer redraws.
	closeWin()
	before := w.sweepChart.Image
	a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	if w.sweepChart.Image != before {
		t.Error("a closed window redrew its chart on a theme change")
	}
}

func hasColour(img image.Image, c color.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == c {
				return true
			}
		}
	}
	return false
}

// newLockedLabWindow is a lab window whose engine callbacks (w.do) run under
// a mutex, and locked runs the test's own widget work under the same one:
// the test driver has no UI goroutine to serialise them.
func newLockedLabWindow(t *testing.T) (w *labWindow, locked func(func())) {
	t.Helper()
	w = newLabWindow(test.NewTempApp(t))
	t.Cleanup(w.win.Close)
	var mu sync.Mutex
	locked = func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
	w.do = locked
	return w, locked
}

// fillLabForm types a small run's parameters into the form.
func fillLabForm(w *labWindow, peers, fileSize, chunk, peerUp, seedUp, peerDown string) {
	w.peers.SetText(peers)
	w.fileSize.SetText(fileSize)
	w.chunk.SetSelected(chunk)
	w.peerUp.SetText(peerUp)
	w.seedUp.SetText(seedUp)
	w.peerDown.SetText(peerDown)
}
