package ui

import (
	"context"
	"errors"
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// labFigureChoice is the selector's entry for experiment 1, the textbook figure: the Sweep tab
// runs it.
const labFigureChoice = "1. The textbook figure: sweep N in both modes"

// labExperimentChoices are the Experiment tab's choices, numbered as in docs/teaching.md; the
// first is the sweep, the others lab.Experiments.
func labExperimentChoices() []string {
	out := []string{labFigureChoice}
	for _, e := range lab.Experiments {
		out = append(out, e.Title())
	}
	return out
}

// labExperimentOf maps a choice to its experiment; 0 for the sweep (or nothing chosen).
func labExperimentOf(choice string) lab.Experiment {
	for _, e := range lab.Experiments {
		if e.Title() == choice {
			return e
		}
	}
	return 0
}

// labExperiment is the Experiment tab: a selector, one "Run experiment" button that runs every
// variant of the chosen experiment with the form's settings, the side-by-side table and the
// variants' curves in one chart. Touched on the UI goroutine only.
type labExperiment struct {
	choose        *widget.Select
	run           *widget.Button
	lookFor       *widget.Label
	status        *widget.Label
	table         *textTable
	chart         *canvas.Image
	fig           *lab.Chart
	csv, plot     *widget.Button
	kind          lab.Experiment // the experiment in progress or last run
	results       []lab.VariantResult
	planned, done int
}

// buildExperiment makes the Experiment tab's content.
func (w *labWindow) buildExperiment() fyne.CanvasObject {
	x := &w.exp
	x.lookFor = widget.NewLabel("")
	x.lookFor.Wrapping = fyne.TextWrapWord
	x.status = widget.NewLabel("")
	x.status.Wrapping = fyne.TextWrapWord
	x.choose = widget.NewSelect(labExperimentChoices(), func(choice string) { x.lookFor.SetText(experimentHint(choice)) })
	x.run = widget.NewButtonWithIcon("Run experiment", theme.MediaPlayIcon(), w.runExperiment)
	x.run.Importance = widget.HighImportance
	x.table = newTextTable([]string{"variant"}, nil)
	x.chart = canvas.NewImageFromImage(nil)
	x.chart.FillMode = canvas.ImageFillContain
	x.chart.SetMinSize(fyne.NewSize(320, 220))
	x.csv = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), w.saveExperimentCSV)
	x.plot = widget.NewButtonWithIcon("Save chart…", theme.DocumentSaveIcon(), w.saveExperimentPlot)
	x.choose.SetSelectedIndex(1)
	w.clearExperiment()
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Experiment"), x.run, x.choose),
		x.lookFor, x.status, container.NewHBox(x.csv, x.plot))
	split := container.NewVSplit(x.table.Table, x.chart)
	split.Offset = 0.35
	return container.NewBorder(top, nil, nil, nil, split)
}

// experimentHint says what a choice runs and what to look for.
func experimentHint(choice string) string {
	e := labExperimentOf(choice)
	if e == 0 {
		return "Runs the sweep of the Sweep tab (both modes for each N in its range) and draws measured D against the two bound curves: client-server grows linearly, peer-to-peer flattens."
	}
	var names []string
	for _, v := range e.Variants(lab.DefaultConfig()) {
		names = append(names, v.Name)
	}
	return fmt.Sprintf("Runs %d peer-to-peer runs one after another with the form's other settings: %s. %s", len(names), joinWords(names), e.LookFor())
}

func joinWords(s []string) string {
	out := ""
	for i, w := range s {
		switch {
		case i == 0:
		case i == len(s)-1:
			out += " and "
		default:
			out += ", "
		}
		out += w
	}
	return out
}

// clearExperiment forgets the last comparison.
func (w *labWindow) clearExperiment() {
	x := &w.exp
	x.results, x.done, x.planned = nil, 0, 0
	x.table.titles = []string{"variant"}
	x.table.SetRows(nil)
	x.table.Table.Refresh()
	showChart(x.chart, &x.fig, nil)
	x.csv.Disable()
	x.plot.Disable()
	x.status.SetText("Choose an experiment and press Run experiment: the variants run one after another (the Swarm tab shows the one in progress) and line up here side by side.")
}

// runExperiment runs the chosen experiment with the form's settings: the sweep on the Sweep tab,
// or every variant of a comparison, one after another.
func (w *labWindow) runExperiment() {
	if w.cancel != nil {
		return
	}
	x := &w.exp
	e := labExperimentOf(x.choose.Selected)
	if e == 0 {
		for _, tab := range w.tabs.Items {
			if tab.Text == "Sweep" {
				w.tabs.Select(tab)
			}
		}
		w.startSweep()
		return
	}
	cfg, ok := w.checkForm()
	if !ok {
		return
	}
	w.clearLive()
	w.clearExperiment()
	x.kind = e
	x.planned = len(e.Variants(cfg))
	w.showComparison()
	x.status.SetText(fmt.Sprintf("Running %d variants of “%s”, N = %d…", x.planned, e.Title(), cfg.Peers))
	ctx := w.begin(cfg)
	w.status.SetText("Experiment running; the Swarm tab shows the run in progress.")
	base := w.withLive(cfg)
	go func() {
		results, err := lab.Compare(ctx, base, e, func(v lab.VariantResult) {
			w.do(func() { w.experimentStep(v) })
		})
		w.do(func() { w.experimentFinished(results, err) })
	}()
}

// experimentStep adds one finished variant to the table and the chart.
func (w *labWindow) experimentStep(v lab.VariantResult) {
	x := &w.exp
	x.results = append(x.results, v)
	x.done++
	x.status.SetText(fmt.Sprintf("Variant %d of %d done: %s — %s", x.done, x.planned, v.Name, v.Result.Summary()))
	w.showComparison()
}

// showComparison fills the table and the chart from the results so far.
func (w *labWindow) showComparison() {
	x := &w.exp
	header, rows := lab.ComparisonTable(x.kind, x.results)
	x.table.titles = header
	for i := range header {
		width := float32(150)
		if i == 0 {
			width = 230
		}
		x.table.Table.SetColumnWidth(i, width)
	}
	x.table.SetRows(rows)
	x.table.Table.Refresh()
	if len(x.results) > 0 {
		c := lab.CompareChart(x.kind, x.results)
		showChart(x.chart, &x.fig, &c)
	}
}

// experimentFinished shows the whole comparison (or what was measured before a stop or error).
func (w *labWindow) experimentFinished(results []lab.VariantResult, err error) {
	w.end()
	x := &w.exp
	x.results = results
	w.showComparison()
	setEnabled(x.csv, len(results) > 0)
	setEnabled(x.plot, len(results) > 0)
	switch {
	case errors.Is(err, context.Canceled):
		x.status.SetText(fmt.Sprintf("Stopped after %d of %d variants.", len(results), x.planned))
	case err != nil:
		x.status.SetText("The experiment failed: " + userWords(err))
		if len(results) == 0 {
			w.problem.SetText(userWords(err))
			w.problem.Show()
		}
	default:
		x.status.SetText(fmt.Sprintf("Done: %d variants side by side. %s", len(results), x.kind.LookFor()))
	}
	w.status.SetText("Experiment finished.")
}

func (w *labWindow) saveExperimentCSV() {
	if x := &w.exp; len(x.results) > 0 {
		e, results := x.kind, x.results
		w.save("lab-"+e.String()+".csv", func(out io.Writer, _ string) error { return lab.WriteCompareCSV(out, e, results) })
	}
}

func (w *labWindow) saveExperimentPlot() {
	if x := &w.exp; len(x.results) > 0 {
		e, results := x.kind, x.results
		w.save("lab-"+e.String()+".png", func(out io.Writer, ext string) error { return writeChart(out, ext, lab.CompareChart(e, results)) })
	}
}

// nodeRates is a node's configured rates for the result table: u_s for the server, u_i / d_i for
// a peer ("0" upload: it never uploads; "unlimited" download: no limit).
func nodeRates(n lab.NodeResult) string {
	if n.Server {
		return "u_s " + rateText(float64(n.UploadRate))
	}
	up, down := "0", "unlimited"
	if n.UploadRate > 0 {
		up = rateText(float64(n.UploadRate))
	}
	if n.DownloadRate > 0 {
		down = rateText(float64(n.DownloadRate))
	}
	return up + " / " + down
}
