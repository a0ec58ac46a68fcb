package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/lab"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// labTick is how often the lab window draws the newest sample: 4 Hz, the lab's own sampling rate.
const labTick = 250 * time.Millisecond

// labWindow is the Swarm Lab: a form for one experiment, Start / Pause (Resume) / Stop / Reset,
// live pictures of the swarm drawn from every lab peer's engine snapshot, the result with export,
// and the textbook sweep. Fields are touched on the UI goroutine only, except latest, which the
// run's goroutine stores and the tick goroutine loads.
type labWindow struct {
	win fyne.Window
	// do hands work to the UI goroutine: fyne.Do, or a serialising stand-in in tests.
	do func(func())

	peers, fileSize, peerUp, seedUp, peerDown, freeRiders *widget.Entry
	// autoRates are the rate fields' texts as the window last set them
	// (u, u_s, d); while the fields still hold them, changing N fits them
	// to the machine (lab.Config.FitToMachine). fitNote says so.
	autoRates                             [3]string
	fitNote                               *widget.Label
	settingForm                           bool
	chunk, mode, pick, choke              *widget.Select
	leave, seedLeaves                     *widget.Check
	problem, status                       *widget.Label
	startBtn, pauseBtn, stopBtn, resetBtn *widget.Button

	tabs                    *container.AppTabs
	matrix, util, hist      *canvas.Raster
	matrixInfo, histInfo    *widget.Label
	rowNames                *fyne.Container // the nodes' names beside the matrix rows, for small swarms
	completion              *canvas.Image
	completionFig, sweepFig *lab.Chart // what completion and sweepChart show, redrawn when the theme changes
	legendBox               *fyne.Container
	nodes                   *textTable
	chokeGraph              *widgets.ChokeGraph
	summary, notes          *widget.Label
	results                 *textTable
	exportCSV, savePlot     *widget.Button
	sweepRange              *widget.Entry
	sweepBtn                *widget.Button
	sweepStatus             *widget.Label
	sweepChart              *canvas.Image
	sweepCSV, sweepPlot     *widget.Button
	exp                     labExperiment // the Experiment tab
	runCfg                  lab.Config    // the run (or sweep base) in progress or last finished
	view                    *lab.LiveView
	copies                  []int
	rare                    []bool
	samples                 []lab.Sample
	result                  *lab.Result
	points                  []lab.SweepPoint
	cancel                  context.CancelFunc // set while a run or sweep goes
	control                 *lab.Control       // pauses the run or sweep in progress; made by begin
	pauser                  labPauser          // what Pause / Resume calls: control, or a stand-in in tests
	runningStatus           string             // the status line to put back on Resume
	latest                  atomic.Pointer[lab.LiveView]
	ticks                   int
	colours                 labColours
	onClosed                func()
	closed                  bool
	sweepRuns, sweepPlanned int
}

// newLabWindow builds the lab window with the textbook defaults in the form.
func newLabWindow(a fyne.App) *labWindow {
	w := &labWindow{win: a.NewWindow("Swarm Lab"), do: fyne.Do}
	w.buildForm()
	w.buildViews()
	left := container.NewBorder(nil,
		container.NewVBox(w.problem, container.NewGridWithColumns(4, w.startBtn, w.pauseBtn, w.stopBtn, w.resetBtn), w.status),
		nil, nil, container.NewVScroll(w.formBox()))
	split := container.NewHSplit(left, w.tabs)
	split.Offset = 0.3
	w.win.SetContent(split)
	w.win.Resize(fyne.NewSize(1280, 820))
	// The charts are pictures in the theme's colours: draw them again when it changes. Settings
	// cannot forget a listener, so a closed window ignores it.
	a.Settings().AddListener(func(fyne.Settings) {
		w.do(func() {
			if !w.closed {
				w.themeChanged()
			}
		})
	})
	w.win.SetOnClosed(func() {
		w.closed = true
		w.stop()
		if w.onClosed != nil {
			w.onClosed()
		}
	})
	w.setRunning(false)
	return w
}

func (w *labWindow) buildForm() {
	entry := func(hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		return e
	}
	w.peers = entry("e.g. 10")
	w.fileSize = entry("e.g. 8 MiB")
	w.peerUp, w.seedUp = entry("per second, e.g. 800 KiB, or 512 KiB, 1 MiB for each peer in turn"), entry("per second, e.g. 8 MiB")
	w.peerDown = entry("per second; 0 = unlimited; a list for each peer in turn")
	w.freeRiders = entry("0 to 100")
	w.chunk = widget.NewSelect(labChunkNames, nil)
	w.mode = widget.NewSelect(labModeNames, nil)
	w.pick = widget.NewSelect(labPickerNames, nil)
	w.choke = widget.NewSelect(labChokingNames, nil)
	w.leave = widget.NewCheck("Peers leave when they complete", nil)
	w.seedLeaves = widget.NewCheck("The server leaves once the peers hold a full copy", nil)
	w.problem = newProblemLabel()
	w.status = widget.NewLabel("Set up an experiment and press Start.")
	w.status.Wrapping = fyne.TextWrapWord
	w.startBtn = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), w.start)
	w.startBtn.Importance = widget.HighImportance
	w.pauseBtn = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), w.togglePause)
	w.stopBtn = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), w.stop)
	w.resetBtn = widget.NewButtonWithIcon("Reset", theme.ContentUndoIcon(), w.reset)
	w.fitNote = widget.NewLabel("")
	w.fitNote.Wrapping = fyne.TextWrapWord
	w.fitNote.Importance = widget.LowImportance
	w.fitNote.Hide()
	w.peers.OnChanged = func(string) {
		if !w.settingForm {
			w.fitRatesToN()
		}
	}
	w.setForm(defaultLabForm())
}

// fitRatesToN scales the default rates to what this machine carries for the N typed, unless the
// user has changed a rate field (then the rates are theirs and only the run's warning speaks).
func (w *labWindow) fitRatesToN() {
	if [3]string{w.peerUp.Text, w.seedUp.Text, w.peerDown.Text} != w.autoRates {
		w.fitNote.Hide()
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(w.peers.Text))
	if err != nil || n < 1 {
		return
	}
	base, err := defaultLabForm().config()
	if err != nil {
		return
	}
	fit, note := base.FitToMachine(n, runtime.NumCPU())
	w.autoRates = [3]string{exactSize(fit.PeerUpload), exactSize(fit.SeedUpload), exactSize(fit.PeerDownload)}
	w.peerUp.SetText(w.autoRates[0])
	w.seedUp.SetText(w.autoRates[1])
	w.peerDown.SetText(w.autoRates[2])
	if note == "" {
		w.fitNote.Hide()
		return
	}
	w.fitNote.SetText(fmt.Sprintf("Rates scaled to %.0f%% of the textbook example so that %d peers fit this machine's %d cores; type your own rates to override.",
		100*float64(fit.SeedUpload)/float64(base.SeedUpload), n, runtime.NumCPU()))
	w.fitNote.Show()
}

func (w *labWindow) formBox() fyne.CanvasObject {
	hint := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem("Peers (N)", w.peers),
		widget.NewFormItem("File size (F)", w.fileSize),
		widget.NewFormItem("Chunk size", w.chunk),
		widget.NewFormItem("Peer upload (u)", w.peerUp),
		widget.NewFormItem("Server upload (u_s)", w.seedUp),
		widget.NewFormItem("Peer download (d)", w.peerDown),
		widget.NewFormItem("Mode", w.mode),
		widget.NewFormItem("Piece picker", w.pick),
		widget.NewFormItem("Choking", w.choke),
		widget.NewFormItem("Free riders (%)", w.freeRiders),
	)
	return container.NewVBox(
		hint("Every peer is a real engine on 127.0.0.1, meeting the others through a local tracker. The defaults are the textbook example scaled from an hour to seconds."),
		form, w.fitNote, w.leave, w.seedLeaves,
		hint("Peer rates take a list, e.g. 512 KiB, 1 MiB, 2 MiB: peer 1 gets the first, peer 2 the second, and so on round again, so peers have their own u_i and d_i."))
}

// form reads the fields.
func (w *labWindow) form() labForm {
	return labForm{
		Peers: w.peers.Text, FileSize: w.fileSize.Text, Chunk: w.chunk.Selected,
		PeerUpload: w.peerUp.Text, SeedUpload: w.seedUp.Text, PeerDownload: w.peerDown.Text,
		Mode: w.mode.Selected, Picker: w.pick.Selected, Choking: w.choke.Selected,
		FreeRiders: w.freeRiders.Text, LeaveOnDone: w.leave.Checked, SeedLeaves: w.seedLeaves.Checked,
	}
}

// setForm fills the fields.
func (w *labWindow) setForm(f labForm) {
	w.settingForm = true
	defer func() {
		w.settingForm = false
		w.autoRates = [3]string{} // a form of someone's own rates is never refitted
		if f == defaultLabForm() {
			w.autoRates = [3]string{f.PeerUpload, f.SeedUpload, f.PeerDownload}
			w.fitRatesToN()
		}
	}()
	w.peers.SetText(f.Peers)
	w.fileSize.SetText(f.FileSize)
	w.chunk.SetSelected(f.Chunk)
	w.peerUp.SetText(f.PeerUpload)
	w.seedUp.SetText(f.SeedUpload)
	w.peerDown.SetText(f.PeerDownload)
	w.mode.SetSelected(f.Mode)
	w.pick.SetSelected(f.Picker)
	w.choke.SetSelected(f.Choking)
	w.freeRiders.SetText(f.FreeRiders)
	w.leave.SetChecked(f.LeaveOnDone)
	w.seedLeaves.SetChecked(f.SeedLeaves)
}

func (w *labWindow) buildViews() {
	pixels := func(gen func(w, h int) image.Image) *canvas.Raster {
		r := canvas.NewRaster(gen)
		r.ScaleMode = canvas.ImageScalePixels
		return r
	}
	w.matrix = pixels(func(_, _ int) image.Image { return matrixImage(w.view, w.rare, w.colours) })
	w.matrix.SetMinSize(fyne.NewSize(300, 160))
	w.util = pixels(func(_, _ int) image.Image { return utilisationImage(w.view, w.colours) })
	w.util.SetMinSize(fyne.NewSize(90, 160))
	w.hist = pixels(func(_, _ int) image.Image {
		top := 1
		if w.view != nil {
			top = len(w.view.Nodes)
		}
		return histogramImage(w.copies, w.rare, top, w.colours)
	})
	w.hist.SetMinSize(fyne.NewSize(300, 140))
	w.matrixInfo = widget.NewLabel("No run yet.")
	w.matrixInfo.Wrapping = fyne.TextWrapWord
	w.histInfo = widget.NewLabel("")
	w.rowNames = container.NewGridWithRows(1)
	w.completion = canvas.NewImageFromImage(nil)
	w.completion.FillMode = canvas.ImageFillContain
	w.completion.SetMinSize(fyne.NewSize(320, 200))

	caption := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle.Bold = true
		return l
	}
	matrixBox := container.NewBorder(
		container.NewBorder(nil, nil, nil, caption("Upload use"), caption("Who has which piece (one row per node: the server, then peer 1 to N)")),
		container.NewVBox(w.legend(), w.matrixInfo), nil,
		container.NewStack(canvas.NewRectangle(color.Transparent), w.util),
		container.NewBorder(nil, nil, w.rowNames, nil, w.matrix))
	histBox := container.NewBorder(caption("Copies of each piece (full height: every node has it)"), w.histInfo, nil, nil, w.hist)
	curveBox := container.NewBorder(caption("Peers complete over time"), nil, nil, nil, w.completion)
	lower := container.NewGridWithColumns(2, histBox, curveBox)
	swarm := container.NewVSplit(matrixBox, lower)
	swarm.Offset = 0.55

	w.nodes = newTextTable([]string{"Node", "Pieces", "Uploading now", "Uploads to (why)"}, []float32{150, 80, 220, 560})
	chokeHint := widget.NewLabel("Whom each node uploads to right now, and why: tit-for-tat (one of its fastest uploaders), optimistic (★, the slot that rotates to give newcomers a chance), seeding (it has the whole file) or everyone (no choking). " +
		"In the graph (S the server, then peer 1 to N clockwise) each arrow points from uploader to target; bold arrows are new since the previous sample, so every re-evaluation shows as a burst. A red ring marks a free rider; faint nodes are not in the swarm.")
	chokeHint.Wrapping = fyne.TextWrapWord
	w.chokeGraph = widgets.NewChokeGraph()
	graphBox := container.NewBorder(nil, container.NewHScroll(widgets.NewChokeGraphLegend()), nil, nil, w.chokeGraph)
	chokeSplit := container.NewHSplit(graphBox, w.nodes.Table)
	chokeSplit.Offset = 0.5

	w.summary = widget.NewLabel("No result yet: start a run.")
	w.summary.Wrapping = fyne.TextWrapWord
	w.notes = widget.NewLabel("")
	w.notes.Wrapping = fyne.TextWrapWord
	w.notes.Importance = widget.WarningImportance
	w.results = newTextTable([]string{"Node", "Rates u_i / d_i", "Completed", "Download time", "Uploaded", "Share ratio", "Upload use", "Unchoked by others (tft / opt / seed / all)"},
		[]float32{150, 190, 100, 120, 110, 100, 100, 320})
	w.exportCSV = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), w.saveRunCSV)
	w.savePlot = widget.NewButtonWithIcon("Save plot…", theme.DocumentSaveIcon(), w.saveRunPlot)
	resultTop := container.NewVBox(w.summary, w.notes, container.NewHBox(w.exportCSV, w.savePlot))

	w.sweepRange = widget.NewEntry()
	w.sweepRange.SetText("1:10:3")
	w.sweepBtn = widget.NewButtonWithIcon("Run sweep", theme.MediaPlayIcon(), w.startSweep)
	w.sweepStatus = widget.NewLabel("Runs both modes for each N in the range (FROM:TO or FROM:TO:STEP) with the form's other settings, and draws the measured times against the bounds.")
	w.sweepStatus.Wrapping = fyne.TextWrapWord
	w.sweepChart = canvas.NewImageFromImage(nil)
	w.sweepChart.FillMode = canvas.ImageFillContain
	w.sweepCSV = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), w.saveSweepCSV)
	w.sweepPlot = widget.NewButtonWithIcon("Save chart…", theme.DocumentSaveIcon(), w.saveSweepPlot)
	sweepTop := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("N from:to:step"), w.sweepBtn, w.sweepRange),
		w.sweepStatus, container.NewHBox(w.sweepCSV, w.sweepPlot))

	w.tabs = container.NewAppTabs(
		container.NewTabItem("Swarm", swarm),
		container.NewTabItem("Choking", container.NewBorder(chokeHint, nil, nil, nil, chokeSplit)),
		container.NewTabItem("Result", container.NewBorder(resultTop, nil, nil, nil, w.results.Table)),
		container.NewTabItem("Sweep", container.NewBorder(sweepTop, nil, nil, nil, w.sweepChart)),
		container.NewTabItem("Experiment", w.buildExperiment()),
	)
	w.tabs.OnSelected = func(*container.TabItem) {
		// The graph missed the samples while its tab was hidden: show the first one without bold
		// "new" arrows that would claim changes made long ago.
		w.chokeGraph.ForgetPrevious()
		w.draw(true)
	}
	w.exportCSV.Disable()
	w.savePlot.Disable()
	w.sweepCSV.Disable()
	w.sweepPlot.Disable()
}

// legend explains the matrix colours, in a box that themeChanged fills again.
func (w *labWindow) legend() fyne.CanvasObject {
	if w.legendBox == nil {
		w.legendBox = container.NewHBox()
	}
	w.colours = themeLabColours()
	swatch := func(c color.Color, text string) fyne.CanvasObject {
		r := canvas.NewRectangle(c)
		r.SetMinSize(fyne.NewSize(14, 14))
		r.StrokeColor = theme.Color(theme.ColorNameSeparator)
		r.StrokeWidth = 1
		return container.NewHBox(container.NewCenter(r), widget.NewLabel(text))
	}
	c := w.colours
	w.legendBox.Objects = []fyne.CanvasObject{swatch(c.have, "has it"), swatch(c.missing, "missing"),
		swatch(c.rare, "has a rarest piece"), swatch(c.rareMiss, "misses a rarest piece"),
		swatch(c.absent, "not in the swarm / does not upload"), layout.NewSpacer()}
	w.legendBox.Refresh()
	return w.legendBox
}

// themeChartPalette is the charts' palette on screen, from the current theme: its background,
// the foreground for axes and text, the disabled colour for the grid (the separator is black in
// the dark theme), the placeholder colour for the bound line, and on a dark background the data
// series lightened a little. The files the lab saves keep lab.DefaultPalette.
func themeChartPalette() lab.Palette {
	rgba := func(name fyne.ThemeColorName) color.RGBA {
		c := color.RGBAModel.Convert(theme.Color(name)).(color.RGBA)
		c.A = 0xff // the chart is opaque: a translucent theme colour shows as if over black
		return c
	}
	p := lab.Palette{
		Background: rgba(theme.ColorNameBackground), Axis: rgba(theme.ColorNameForeground),
		Grid: rgba(theme.ColorNameDisabled), Text: rgba(theme.ColorNameForeground),
		Bound: rgba(theme.ColorNamePlaceHolder),
	}
	if luminance(p.Background) < luminance(p.Text) {
		p.Lighten = 0.25
	}
	return p
}

// luminance is a colour's rough brightness, 0 to 255.
func luminance(c color.RGBA) float64 {
	return 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
}

// showChart puts c into img in the theme's colours (nil clears it) and remembers it in fig, so
// that themeChanged can draw it again.
func showChart(img *canvas.Image, fig **lab.Chart, c *lab.Chart) {
	*fig = c
	img.Image = nil
	if c != nil {
		img.Image = c.ImageWith(themeChartPalette())
	}
	img.Refresh()
}

// themeChanged redraws what the window painted in the old theme's colours: the charts, the
// matrix legend and pictures, and the row names.
func (w *labWindow) themeChanged() {
	showChart(w.completion, &w.completionFig, w.completionFig)
	showChart(w.sweepChart, &w.sweepFig, w.sweepFig)
	showChart(w.exp.chart, &w.exp.fig, w.exp.fig)
	w.legend()
	w.matrix.Refresh()
	w.util.Refresh()
	w.hist.Refresh()
	if w.view != nil {
		w.setRowNames(w.view)
	}
}

// setRunning switches the controls between "a run goes" and "idle".
func (w *labWindow) setRunning(on bool) {
	for _, b := range []*widget.Button{w.startBtn, w.sweepBtn, w.resetBtn, w.exp.run} {
		setEnabled(b, !on)
	}
	setEnabled(w.stopBtn, on)
	setEnabled(w.pauseBtn, on)
	if !on {
		w.showPaused(false)
	}
}

// labPauser pauses and resumes the run in progress: a *lab.Control.
type labPauser interface {
	Pause()
	Resume()
	Paused() bool
}

// togglePause pauses the run or sweep in progress, or resumes it. While paused no data moves, the
// lab's clock stands still and the live views keep the picture of the moment it paused (the lab
// sends no new one), so a teacher can explain the matrix mid-run.
func (w *labWindow) togglePause() {
	if w.cancel == nil || w.pauser == nil {
		return
	}
	if w.pauser.Paused() {
		w.pauser.Resume()
		w.showPaused(false)
		w.status.SetText(w.runningStatus)
		return
	}
	w.pauser.Pause()
	w.showPaused(true)
	w.runningStatus = w.status.Text
	w.status.SetText("Paused: no data moves and the lab's clock stands still, so the pictures hold still too. Press Resume to go on.")
}

// showPaused makes the pause button offer Resume (paused) or Pause.
func (w *labWindow) showPaused(paused bool) {
	if paused {
		w.pauseBtn.SetText("Resume")
		w.pauseBtn.SetIcon(theme.MediaPlayIcon())
		return
	}
	w.pauseBtn.SetText("Pause")
	w.pauseBtn.SetIcon(theme.MediaPauseIcon())
}

// checkForm reads the form, showing what is wrong under it.
func (w *labWindow) checkForm() (lab.Config, bool) {
	cfg, err := w.form().config()
	if err != nil {
		w.problem.SetText(err.Error())
		w.problem.Show()
		return cfg, false
	}
	w.problem.Hide()
	return cfg, true
}

// start begins one run with the form's settings.
func (w *labWindow) start() {
	if w.cancel != nil {
		return
	}
	cfg, ok := w.checkForm()
	if !ok {
		return
	}
	w.clearLive()
	w.result = nil
	w.showResult()
	ctx := w.begin(cfg)
	w.status.SetText(fmt.Sprintf("Running: %s, N = %d. The bound is %s.", modeWords(cfg.Mode), cfg.Peers, cfg.Bound()))
	run := w.withLive(cfg)
	go func() {
		res, err := lab.Run(ctx, run, nil)
		w.do(func() { w.runFinished(res, err) })
	}()
}

// begin starts the tick goroutine for a run or sweep of cfg and returns its context; it makes
// the Control that withLive hands to the run and that Pause / Resume use.
func (w *labWindow) begin(cfg lab.Config) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.control = lab.NewControl()
	w.pauser = w.control
	w.runCfg = cfg
	w.setRunning(true)
	go w.tick(ctx)
	return ctx
}

// withLive is cfg reporting its live views to the window and obeying its Pause button, with the
// engine's chatter kept down. Call it on the UI goroutine, after begin.
func (w *labWindow) withLive(cfg lab.Config) lab.Config {
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Live = func(v *lab.LiveView) { w.latest.Store(v) }
	cfg.Control = w.control
	return cfg
}

// tick hands the newest live view to the UI goroutine at a fixed rate until ctx ends, skipping
// a tick while the previous one is still being drawn and when nothing new arrived.
func (w *labWindow) tick(ctx context.Context) {
	t := time.NewTicker(labTick)
	defer t.Stop()
	var busy atomic.Bool
	var last *lab.LiveView
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v := w.latest.Load()
		if v == nil || v == last || busy.Load() {
			continue
		}
		last = v
		busy.Store(true)
		w.do(func() {
			defer busy.Store(false)
			w.apply(v)
		})
	}
}

// apply takes in one live view and redraws what is visible.
func (w *labWindow) apply(v *lab.LiveView) {
	if w.view != nil && len(w.samples) > 0 && v.Sample.At < w.samples[len(w.samples)-1].At {
		w.samples = nil // a sweep moved on to its next run
	}
	if w.view == nil || len(w.view.Nodes) != len(v.Nodes) {
		w.setRowNames(v)
	}
	w.view = v
	w.copies = pieceCopies(v)
	w.rare = rarestPieces(w.copies)
	if n := len(w.samples); !v.Paused || n == 0 || w.samples[n-1].At != v.Sample.At {
		w.samples = append(w.samples, v.Sample) // a paused run's views repeat its clock
	}
	w.ticks++
	w.draw(false)
}

// maxNamedRows is the most matrix rows that get a name beside them; more would not fit.
const maxNamedRows = 16

// setRowNames labels the matrix rows with the nodes' names when there are few enough.
func (w *labWindow) setRowNames(v *lab.LiveView) {
	w.rowNames.RemoveAll()
	if len(v.Nodes) > maxNamedRows {
		w.rowNames.Hide()
		return
	}
	w.rowNames.Layout = layout.NewGridLayoutWithRows(len(v.Nodes))
	for _, n := range v.Nodes {
		t := canvas.NewText(n.Name, theme.Color(theme.ColorNameForeground))
		t.TextSize = theme.CaptionTextSize()
		t.Alignment = fyne.TextAlignTrailing
		w.rowNames.Add(container.NewCenter(t))
	}
	w.rowNames.Show()
	w.rowNames.Refresh()
}

// draw redraws the visible tab from the current view; the completion chart, which is a whole
// picture, every other tick (2 Hz) unless all is set.
func (w *labWindow) draw(all bool) {
	if w.view == nil {
		return
	}
	v := w.view
	switch w.tabs.SelectedIndex() {
	case 0:
		w.colours = themeLabColours()
		w.matrix.Refresh()
		w.util.Refresh()
		w.hist.Refresh()
		w.matrixInfo.SetText(w.liveLine())
		w.histInfo.SetText(copiesLine(w.copies, w.rare))
		if all || w.ticks%2 == 0 {
			r := &lab.Result{Config: w.runCfg, Bound: w.runCfg.Bound(), Timeline: w.samples}
			r.Config.Peers = len(v.Nodes) - 1
			c := lab.TimelineChart(r)
			showChart(w.completion, &w.completionFig, &c)
		}
	case 1:
		w.nodes.SetRows(nodeRows(v))
		w.chokeGraph.SetGraph(chokeGraphOf(v))
	}
}

// liveLine sums the live view up in words.
func (w *labWindow) liveLine() string {
	v := w.view
	s := v.Sample
	bound := w.runCfg
	bound.Peers = len(v.Nodes) - 1
	line := fmt.Sprintf("%s · %d of %d peers complete · %d pieces of %s · swarm uploads %s (bound %s)",
		secondsWords(s.At), s.Complete, len(v.Nodes)-1, v.Pieces, sizeText(w.runCfg.PieceLength), rateText(s.UploadRate), secondsWords(bound.Bound().Time))
	if v.Paused {
		line = "Paused at " + line
	}
	return line
}

// copiesLine describes the histogram.
func copiesLine(copies []int, rare []bool) string {
	if len(copies) == 0 {
		return ""
	}
	lo, total, rarest := copies[0], 0, 0
	for i, c := range copies {
		lo = min(lo, c)
		total += c
		if rare[i] {
			rarest++
		}
	}
	mean := float64(total) / float64(len(copies))
	if rarest == 0 {
		return fmt.Sprintf("Every piece has %d copies.", lo)
	}
	return fmt.Sprintf("Rarest: %d copies (%d pieces, in orange) · mean %.1f copies per piece", lo, rarest, mean)
}

// nodeRows is the choke table: for each node, what it has, how much of its upload it uses and
// whom it uploads to, and why.
func nodeRows(v *lab.LiveView) [][]string {
	rows := make([][]string, len(v.Nodes))
	for i, n := range v.Nodes {
		have := 0
		for _, h := range n.Have {
			if h {
				have++
			}
		}
		name := n.Name
		switch {
		case n.FreeRider:
			name += " (free rider)"
		case n.LateJoiner && !n.Joined:
			name += " (joins late)"
		}
		up := "does not upload"
		switch u := utilisation(n); {
		case !n.Joined:
			up = "not joined yet"
		case n.Left:
			up = "left the swarm"
		case u >= 0:
			up = fmt.Sprintf("%s of %s (%.0f %%)", rateText(n.UpRate), rateText(float64(n.UploadRate)), 100*u)
		}
		var to []string
		for _, u := range n.Unchokes {
			t := v.Nodes[u.Target].Name
			if u.Optimistic {
				t = "★ " + t
			}
			to = append(to, t+" ("+u.Why+")")
		}
		target := strings.Join(to, ", ")
		if target == "" {
			target = "nobody"
		}
		rows[i] = []string{name, fmt.Sprintf("%d / %d", have, v.Pieces), up, target}
	}
	return rows
}

// chokeGraphOf is the choke graph of v: its nodes labelled "S" (the server) and by peer number,
// and one edge per unchoke.
func chokeGraphOf(v *lab.LiveView) ([]widgets.ChokeGraphNode, []widgets.ChokeGraphEdge) {
	nodes := make([]widgets.ChokeGraphNode, len(v.Nodes))
	var edges []widgets.ChokeGraphEdge
	for i, n := range v.Nodes {
		label := strconv.Itoa(i)
		if n.Server {
			label = "S"
		}
		nodes[i] = widgets.ChokeGraphNode{Label: label, Complete: n.Complete, FreeRider: n.FreeRider, Absent: !n.Joined || n.Left}
		for _, u := range n.Unchokes {
			edges = append(edges, widgets.ChokeGraphEdge{From: i, To: u.Target, Kind: chokeKind(u)})
		}
	}
	return nodes, edges
}

// chokeKind maps the lab's reason for an unchoke to the graph's edge kind.
func chokeKind(u lab.LiveUnchoke) widgets.ChokeKind {
	switch {
	case u.Optimistic || u.Why == "optimistic":
		return widgets.ChokeOptimistic
	case u.Why == "seeding":
		return widgets.ChokeSeeding
	case u.Why == "everyone":
		return widgets.ChokeEveryone
	}
	return widgets.ChokeTitForTat
}

// runFinished shows a run's result (a partial one when it was stopped).
func (w *labWindow) runFinished(res *lab.Result, err error) {
	w.end()
	if v := w.latest.Load(); v != nil && v != w.view {
		w.apply(v)
	}
	w.draw(true)
	if res == nil {
		w.status.SetText("The run did not start.")
		if err != nil && !errors.Is(err, context.Canceled) {
			w.problem.SetText(userWords(err))
			w.problem.Show()
		}
		return
	}
	w.result = res
	w.showResult()
	switch {
	case errors.Is(err, context.Canceled):
		w.status.SetText("Stopped. " + res.Summary())
	case err != nil:
		w.status.SetText("The run failed: " + userWords(err))
	default:
		w.status.SetText("Done. " + res.Summary())
	}
}

// end marks the run or sweep over.
func (w *labWindow) end() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	w.control, w.pauser = nil, nil
	w.setRunning(false)
}

// showResult fills the Result tab from w.result.
func (w *labWindow) showResult() {
	r := w.result
	if r == nil {
		w.summary.SetText("No result yet: start a run.")
		w.notes.SetText("")
		w.results.SetRows(nil)
		w.exportCSV.Disable()
		w.savePlot.Disable()
		return
	}
	w.summary.SetText(resultWords(r))
	w.notes.SetText(strings.Join(r.Notes, "\n"))
	rows := make([][]string, len(r.Nodes))
	for i, n := range r.Nodes {
		completed, took := "—", "—"
		if n.Server {
			completed, took = "had the file", "—"
		} else if n.Complete {
			completed, took = secondsWords(n.CompletedAt), secondsWords(n.DownloadTime())
		}
		share := "—"
		if n.ShareRatio >= 0 {
			share = fmt.Sprintf("%.2f", n.ShareRatio)
		}
		use := "does not upload"
		if n.Utilisation >= 0 {
			use = fmt.Sprintf("%.0f %%", 100*n.Utilisation)
		}
		u := n.Unchoked
		rows[i] = []string{n.Name, nodeRates(n), completed, took, sizeText(n.Uploaded), share, use,
			fmt.Sprintf("%d / %d / %d / %d", u.Reciprocal, u.Optimistic, u.BySeeder, u.Everyone)}
	}
	w.results.SetRows(rows)
	w.exportCSV.Enable()
	w.savePlot.Enable()
}

// resultWords is the summary: D against the bound, and the CPU note.
func resultWords(r *lab.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, N = %d, %d pieces of %s.\n", modeWords(r.Config.Mode), r.Config.Peers, r.Pieces, sizeText(r.Config.PieceLength))
	if r.Finished {
		fmt.Fprintf(&b, "Distribution time D = %s; the textbook bound is %s; D/bound = %.2f.\n", secondsWords(r.D), r.Bound, r.Ratio)
	} else {
		fmt.Fprintf(&b, "Not every peer finished; the textbook bound is %s.\n", r.Bound)
	}
	fmt.Fprintf(&b, "CPU: %s.", r.CPU)
	if r.MachineLimited {
		b.WriteString(" The machine, not the protocol, may have set the pace (see below).")
	}
	return b.String()
}

func modeWords(m lab.Mode) string {
	if m == lab.ClientServer {
		return "Client-server"
	}
	return "Peer-to-peer"
}

func secondsWords(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// stop cancels the run or sweep (paused or not); its goroutine then reports the partial result.
func (w *labWindow) stop() {
	if w.cancel != nil {
		w.cancel()
		w.status.SetText("Stopping…")
	}
}

// reset puts the textbook defaults back and clears the pictures and results.
func (w *labWindow) reset() {
	if w.cancel != nil {
		return
	}
	w.setForm(defaultLabForm())
	w.problem.Hide()
	w.clearLive()
	w.result = nil
	w.showResult()
	w.points = nil
	showChart(w.sweepChart, &w.sweepFig, nil)
	w.sweepCSV.Disable()
	w.sweepPlot.Disable()
	w.clearExperiment()
	w.status.SetText("Set up an experiment and press Start.")
}

// clearLive forgets the live pictures.
func (w *labWindow) clearLive() {
	w.latest.Store(nil)
	w.view, w.copies, w.rare, w.samples = nil, nil, nil, nil
	w.matrix.Refresh()
	w.util.Refresh()
	w.hist.Refresh()
	w.matrixInfo.SetText("Waiting for the first sample…")
	w.histInfo.SetText("")
	showChart(w.completion, &w.completionFig, nil)
	w.nodes.SetRows(nil)
	w.chokeGraph.Clear()
}

// startSweep runs the textbook figure over the range with the form's other settings.
func (w *labWindow) startSweep() {
	if w.cancel != nil {
		return
	}
	cfg, ok := w.checkForm()
	if !ok {
		return
	}
	ns, err := lab.ParseRange(w.sweepRange.Text)
	if err != nil {
		w.problem.SetText("Sweep: " + userWords(err))
		w.problem.Show()
		return
	}
	modes := []lab.Mode{lab.ClientServer, lab.PeerToPeer}
	w.clearLive()
	w.points = nil
	w.sweepPlanned, w.sweepRuns = len(ns)*len(modes), 0
	w.sweepStatus.SetText(fmt.Sprintf("Sweeping N = %s: %d runs.", w.sweepRange.Text, w.sweepPlanned))
	ctx := w.begin(cfg)
	w.status.SetText("Sweep running; the Swarm tab shows the run in progress.")
	base := w.withLive(cfg)
	go func() {
		points, err := lab.Sweep(ctx, base, ns, modes, func(r *lab.Result) {
			p := lab.SweepPoint{Mode: r.Config.Mode, Peers: r.Config.Peers, Bound: r.Bound, Floor: r.Floor, D: r.D,
				Finished: r.Finished, Ratio: r.Ratio, CPU: r.CPU, MachineLimited: r.MachineLimited, Notes: r.Notes}
			w.do(func() { w.sweepStep(cfg, p) })
		})
		w.do(func() { w.sweepFinished(cfg, points, err) })
	}()
}

// sweepStep adds one finished run to the chart.
func (w *labWindow) sweepStep(base lab.Config, p lab.SweepPoint) {
	w.points = append(w.points, p)
	w.sweepRuns++
	w.sweepStatus.SetText(fmt.Sprintf("Run %d of %d done: %s, N = %d, D = %s (bound %s).",
		w.sweepRuns, w.sweepPlanned, modeWords(p.Mode), p.Peers, secondsWords(p.D), secondsWords(p.Bound.Time)))
	w.drawSweep(base)
}

func (w *labWindow) drawSweep(base lab.Config) {
	c := lab.SweepChart(base, w.points)
	showChart(w.sweepChart, &w.sweepFig, &c)
}

// sweepFinished shows the whole sweep.
func (w *labWindow) sweepFinished(base lab.Config, points []lab.SweepPoint, err error) {
	w.end()
	w.points = points
	w.drawSweep(base)
	setEnabled(w.sweepCSV, len(points) > 0)
	setEnabled(w.sweepPlot, len(points) > 0)
	switch {
	case errors.Is(err, context.Canceled):
		w.sweepStatus.SetText(fmt.Sprintf("Stopped after %d of %d runs.", len(points), w.sweepPlanned))
	case err != nil:
		w.sweepStatus.SetText("The sweep failed: " + userWords(err))
	default:
		w.sweepStatus.SetText(fmt.Sprintf("Done: %d runs. Client-server time grows with N; peer-to-peer flattens.", len(points)))
	}
	w.status.SetText("Sweep finished.")
}

// save asks for a file and writes it with write, reporting problems in a dialog.
func (w *labWindow) save(name string, write func(io.Writer, string) error) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, w.win)
			return
		}
		if wc == nil {
			return
		}
		werr := write(wc, strings.ToLower(wc.URI().Extension()))
		if cerr := wc.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			dialog.ShowError(fmt.Errorf("saving %s: %w", wc.URI().Name(), werr), w.win)
		}
	}, w.win)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// writeChart writes c as SVG for a .svg name, else as PNG.
func writeChart(out io.Writer, ext string, c lab.Chart) error {
	if ext == ".svg" {
		return c.WriteSVG(out)
	}
	return c.WritePNG(out)
}

func (w *labWindow) saveRunCSV() {
	if r := w.result; r != nil {
		w.save("lab-run.csv", func(out io.Writer, _ string) error { return lab.WriteRunCSV(out, r) })
	}
}

func (w *labWindow) saveRunPlot() {
	if r := w.result; r != nil {
		w.save("lab-run.png", func(out io.Writer, ext string) error { return writeChart(out, ext, lab.TimelineChart(r)) })
	}
}

func (w *labWindow) saveSweepCSV() {
	if points := w.points; len(points) > 0 {
		w.save("lab-sweep.csv", func(out io.Writer, _ string) error { return lab.WriteSweepCSV(out, points) })
	}
}

func (w *labWindow) saveSweepPlot() {
	if points, base := w.points, w.runCfg; len(points) > 0 {
		w.save("lab-sweep.png", func(out io.Writer, ext string) error { return writeChart(out, ext, lab.SweepChart(base, points)) })
	}
}
