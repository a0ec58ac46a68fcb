package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// parseLabFlags runs the lab command's flags over args as main does.
func parseLabFlags(args ...string) (LabOptions, error) {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	options := LabFlags(fs, lab.DefaultConfig())
	if err := fs.Parse(args); err != nil {
		return LabOptions{}, err
	}
	return options()
}

func TestLabFlagsMapToTheConfig(t *testing.T) {
	opts, err := parseLabFlags()
	if err != nil {
		t.Fatal(err)
	}
	def := lab.DefaultConfig()
	c := opts.Config
	if c.Peers != def.Peers || c.PeerUpload != def.PeerUpload || c.SeedUpload != def.SeedUpload || c.PeerDownload != def.PeerDownload ||
		c.PeerUploads != nil || c.PeerDownloads != nil || opts.Experiment != 0 || opts.Sweep != "" {
		t.Errorf("no flags: %+v, want the defaults", opts)
	}
	if !opts.FitRates {
		t.Error("no rate flags, yet the rates would not be fitted to the machine")
	}
	for _, flag := range []string{"-u", "-us", "-d"} {
		if opts, err := parseLabFlags(flag, "1MiB/s"); err != nil || opts.FitRates {
			t.Errorf("%s given: FitRates %v (err %v), want the user's rates kept", flag, opts.FitRates, err)
		}
	}

	opts, err = parseLabFlags("-n", "7", "-u", "512KiB/s,1MiB/s,2MiB/s", "-d", "0,4MiB/s", "-us", "10MiB/s",
		"-size", "4MiB", "-chunk", "64KiB", "-picker", "random", "-freeriders", "0.2", "-experiment", "pickers", "-csv", "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	c = opts.Config
	if !slices.Equal(c.PeerUploads, []int64{512 << 10, 1 << 20, 2 << 20}) || !slices.Equal(c.PeerDownloads, []int64{0, 4 << 20}) {
		t.Errorf("lists: u %v, d %v", c.PeerUploads, c.PeerDownloads)
	}
	if c.Peers != 7 || c.SeedUpload != 10<<20 || c.FileSize != 4<<20 || c.PieceLength != 64<<10 || c.FreeRiders != 0.2 ||
		opts.Experiment != lab.ComparePickers || opts.CSV != "x.csv" {
		t.Errorf("flags not applied: %+v", opts)
	}
	if got := c.PeerUploadRate(3); got != 512<<10 {
		t.Errorf("peer 4's upload %d, want the list's first rate again", got)
	}

	opts, err = parseLabFlags("-u", "1MiB/s", "-d", "0")
	if err != nil || opts.Config.PeerUpload != 1<<20 || opts.Config.PeerUploads != nil || opts.Config.PeerDownload != 0 {
		t.Errorf("one rate: %+v, %v; want PeerUpload set and no list", opts.Config, err)
	}

	for _, tc := range []struct {
		args  []string
		sweep string
		e     lab.Experiment
	}{
		{[]string{"-experiment", "figure"}, DefaultFigureRange, 0},
		{[]string{"-experiment", "figure", "-sweep", "2:4"}, "2:4", 0},
		{[]string{"-experiment", "freeriders"}, "", lab.CompareFreeRiders},
		{[]string{"-experiment", "Leaving"}, "", lab.CompareLeaving},
	} {
		opts, err := parseLabFlags(tc.args...)
		if err != nil || opts.Sweep != tc.sweep || opts.Experiment != tc.e {
			t.Errorf("%q: sweep %q, experiment %v, %v; want %q, %v", tc.args, opts.Sweep, opts.Experiment, err, tc.sweep, tc.e)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-u", "1MiB/s,nope"}, `"nope"`},
		{[]string{"-us", "1MiB/s,2MiB/s"}, "one upload rate"},
		{[]string{"-experiment", "bogus"}, "pickers, freeriders or leaving"},
		{[]string{"-experiment", "leaving", "-sweep", "1:3"}, "choose one"},
		{[]string{"-mode", "mesh"}, "p2p or cs"},
	} {
		if _, err := parseLabFlags(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

// The per-node table shows each peer's own upload and download rate, and the setup line the lists.
func TestLabRunTableShowsPerPeerRates(t *testing.T) {
	cfg := tinyLab(3)
	cfg.PeerUploads, cfg.PeerDownloads = []int64{100 << 10, 300 << 10}, []int64{1 << 20, 0}
	if got := describeLab(cfg, false); !strings.Contains(got, "u_i = {100 KiB/s, 300 KiB/s}, peers in turn") || !strings.Contains(got, "d = {1.0 MiB/s, unlimited}") {
		t.Errorf("setup line %q does not list the rates", got)
	}
	r := &lab.Result{Config: cfg, Nodes: []lab.NodeResult{
		{Name: "server", Server: true, UploadRate: 2 << 20, ShareRatio: -1, Utilisation: 1},
		{Name: "peer 1", UploadRate: 100 << 10, DownloadRate: 1 << 20, Complete: true, Utilisation: 0.5},
		{Name: "peer 2", UploadRate: 300 << 10, DownloadRate: 0, Complete: true, Utilisation: 0.5},
	}}
	var out bytes.Buffer
	printLabRun(&out, r)
	lines := strings.Split(out.String(), "\n")
	if !strings.Contains(lines[1], "down rate") {
		t.Fatalf("header %q lacks the download rate", lines[1])
	}
	for _, want := range []string{"peer 1  100 KiB/s  1.0 MiB/s", "peer 2  300 KiB/s  unlimited"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// A real experiment from the command line (N = 2, a tiny file): three runs one after another, a side-by-side table,
// the CSV with a row per variant and the plot.
func TestLabExperimentPrintsTheComparison(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyLab(2)
	cfg.FileSize = 512 << 10 // 8 chunks: three runs of about a second each
	cfg.Timeout = 40 * time.Second
	opts := LabOptions{Config: cfg, Experiment: lab.CompareFreeRiders, CSV: filepath.Join(dir, "cmp.csv"), Plot: filepath.Join(dir, "cmp.svg")}
	var out bytes.Buffer
	if err := Lab(context.Background(), &out, io.Discard, opts); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"experiment 3.", "3 runs, one after another", "variant", "contributors done", "free riders done",
		"tit-for-tat, no free riders", "tit-for-tat, 25% free riders", "upload to all, 25% free riders", "What to look for"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	data, err := os.ReadFile(opts.CSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("CSV: %d rows, %v; want a header and 3 variants", len(rows), err)
	}
	// N = 2 with 25 % free riders: peer 2 uploads nothing in the second and third runs.
	if rows[1][1] != "tit-for-tat, no free riders" || rows[1][17] != "0" || rows[2][17] != "1" || rows[3][4] != "all" {
		t.Errorf("CSV rows %q", rows[1:])
	}
	for _, r := range rows[1:] {
		if r[11] != "true" {
			t.Errorf("%s did not finish: %q", r[1], r)
		}
	}
	if svg, err := os.ReadFile(opts.Plot); err != nil || !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("the comparison plot is not an SVG (%v)", err)
	}
}
