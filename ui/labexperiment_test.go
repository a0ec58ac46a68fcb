package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/lab"
)

func TestLabFormTakesRateLists(t *testing.T) {
	f := defaultLabForm()
	f.PeerUpload, f.PeerDownload = "512 KiB, 1 MiB/s,2 MiB", "0, 4 MiB"
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.PeerUploads, []int64{512 << 10, 1 << 20, 2 << 20}) || !slices.Equal(c.PeerDownloads, []int64{0, 4 << 20}) {
		t.Errorf("lists u %v, d %v", c.PeerUploads, c.PeerDownloads)
	}
	if c.PeerUploadRate(4) != 1<<20 || c.MinDownload() != 4<<20 {
		t.Errorf("peer 5's upload %d, d_min %d; want 1 MiB/s and 4 MiB/s", c.PeerUploadRate(4), c.MinDownload())
	}
	f.PeerUpload = "800 KiB"
	if c, err := f.config(); err != nil || c.PeerUploads != nil || c.PeerUpload != 800<<10 {
		t.Errorf("one rate: u %d, list %v, %v", c.PeerUpload, c.PeerUploads, err)
	}
	for _, tc := range []struct {
		up, down, want string
	}{
		{"512 KiB, fast", "8 MiB", `Peer upload (u): "fast" is not a rate`},
		{"800 KiB", "1 MiB,,2 MiB", `Peer download (d): "" is not a rate`},
		{"512 KiB, 0", "8 MiB", "every rate in the list must be above 0"},
	} {
		f := defaultLabForm()
		f.PeerUpload, f.PeerDownload = tc.up, tc.down
		if _, err := f.config(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("u %q, d %q: %v, want %q", tc.up, tc.down, err, tc.want)
		}
	}
}

func TestLabResultTableShowsEachPeersRates(t *testing.T) {
	a := test.NewTempApp(t)
	w := newLabWindow(a)
	defer w.win.Close()
	w.result = &lab.Result{Config: lab.DefaultConfig(), Nodes: []lab.NodeResult{
		{Name: "server", Server: true, UploadRate: 8 << 20, ShareRatio: -1},
		{Name: "peer 1", UploadRate: 512 << 10, DownloadRate: 4 << 20},
		{Name: "peer 2", FreeRider: true, UploadRate: 0, DownloadRate: 0},
	}}
	w.showResult()
	var got []string
	for _, r := range w.results.Rows() {
		got = append(got, r[1])
	}
	if !strings.HasPrefix(got[0], "u_s ") || !strings.Contains(got[1], " / ") || got[2] != "0 / unlimited" {
		t.Errorf("rates column %q", got)
	}
	if got[1] == got[0] || !strings.Contains(got[1], "512") {
		t.Errorf("peer 1's rates %q, want 512 KiB/s up", got[1])
	}
}

// The selector holds the four experiments of docs/teaching.md; the first is the sweep.
func TestLabExperimentChoices(t *testing.T) {
	choices := labExperimentChoices()
	if len(choices) != 4 || labExperimentOf(choices[0]) != 0 {
		t.Fatalf("choices %q", choices)
	}
	for i, e := range lab.Experiments {
		if labExperimentOf(choices[i+1]) != e || !strings.HasPrefix(choices[i+1], string(rune('2'+i))+".") {
			t.Errorf("choice %q does not map to %v", choices[i+1], e)
		}
	}
	if h := experimentHint(choices[2]); !strings.Contains(h, "tit-for-tat, no free riders") {
		t.Errorf("hint %q does not name the variants", h)
	}
}

// Experiment 1 is the sweep: the button shows the Sweep tab and starts it (here it stops at a bad
// range, before any run).
func TestLabExperimentFigureRunsTheSweep(t *testing.T) {
	a := test.NewTempApp(t)
	w := newLabWindow(a)
	defer w.win.Close()
	w.sweepRange.SetText("9:2")
	w.exp.choose.SetSelected(labFigureChoice)
	test.Tap(w.exp.run)
	if w.tabs.Selected().Text != "Sweep" || !strings.HasPrefix(w.problem.Text, "Sweep:") || w.cancel != nil {
		t.Errorf("tab %q, problem %q, running %v; want the Sweep tab and its range refused", w.tabs.Selected().Text, w.problem.Text, w.cancel != nil)
	}
}

// One click runs a real comparison (three tiny runs) and the table, the chart and the export
// buttons fill in.
func TestLabWindowRunsAnExperiment(t *testing.T) {
	w, locked := newLockedLabWindow(t)
	locked(func() {
		fillLabForm(w, "2", "512 KiB", "64 KiB", "200 KiB, 400 KiB", "2000 KiB", "2000 KiB")
		w.exp.choose.SetSelected(lab.ComparePickers.Title())
		test.Tap(w.exp.run)
		if w.cancel == nil || !w.exp.run.Disabled() || !w.startBtn.Disabled() {
			t.Fatal("Run experiment did not start (or left the buttons enabled)")
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for done := false; !done; {
		if time.Now().After(deadline) {
			t.Fatal("the experiment did not finish within 90 s")
		}
		time.Sleep(100 * time.Millisecond)
		locked(func() { done = w.cancel == nil })
	}
	locked(func() {
		x := &w.exp
		if len(x.results) != 3 {
			t.Fatalf("%d results, want 3 (status %q, problem %q)", len(x.results), x.status.Text, w.problem.Text)
		}
		rows := x.table.Rows()
		if len(rows) != 3 || rows[0][0] != "rarest first" || rows[2][0] != "sequential" || len(x.table.titles) != len(rows[0]) {
			t.Errorf("table %q / %q", x.table.titles, rows)
		}
		for _, v := range x.results {
			if !v.Result.Finished || v.Config.Peers != 2 || len(v.Config.PeerUploads) != 2 {
				t.Errorf("%s: finished %v, config %+v", v.Name, v.Result.Finished, v.Config)
			}
		}
		if !strings.HasPrefix(x.status.Text, "Done: 3 variants") || x.chart.Image == nil || x.csv.Disabled() || x.plot.Disabled() || x.run.Disabled() {
			t.Errorf("after the experiment: status %q, chart %v, export disabled %v/%v", x.status.Text, x.chart.Image != nil, x.csv.Disabled(), x.plot.Disabled())
		}
		w.reset()
		if len(x.results) != 0 || len(x.table.Rows()) != 0 || !x.csv.Disabled() {
			t.Error("Reset left the comparison")
		}
	})
}
