package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// tinyLab runs in about a second: F = 1 MiB in 64 KiB chunks,
// u = 200 KiB/s (F/u ≈ 5 s), u_s = 10u, d = u_s.
func tinyLab(n int) lab.Config {
	return lab.Config{
		Peers: n, FileSize: 1 << 20, PieceLength: 64 << 10,
		PeerUpload: 200 << 10, SeedUpload: 2000 << 10, PeerDownload: 2000 << 10,
		Timeout: time.Minute,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func TestLabOneRunPrintsTheTableAndWritesFiles(t *testing.T) {
	dir := t.TempDir()
	opts := LabOptions{Config: tinyLab(3), CSV: filepath.Join(dir, "run.csv"), Plot: filepath.Join(dir, "run.png")}
	var out, errOut bytes.Buffer
	if err := Lab(context.Background(), &out, &errOut, opts); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"peer-to-peer, N = 3 peers", "server", "peer 3", "D (last peer complete)", "bound", "D / bound", "rarest piece, copies", "CPU"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	f, err := os.Open(opts.CSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Errorf("CSV: %d rows, %v; want a header, the server and 3 peers", len(rows), err)
	}
	timeline, err := os.ReadFile(filepath.Join(dir, "run-timeline.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := csv.NewReader(bytes.NewReader(timeline)).ReadAll(); err != nil || len(rows) < 3 {
		t.Errorf("timeline CSV: %d rows, %v; want a header and a few samples", len(rows), err)
	}
	p, err := os.Open(opts.Plot)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := png.Decode(p); err != nil {
		t.Errorf("the plot is not a PNG: %v", err)
	}
}

func TestLabSweepRunsBothModes(t *testing.T) {
	dir := t.TempDir()
	opts := LabOptions{Config: tinyLab(1), Sweep: "1:2", CSV: filepath.Join(dir, "sweep.csv"), Plot: filepath.Join(dir, "sweep.svg")}
	var out bytes.Buffer
	if err := Lab(context.Background(), &out, io.Discard, opts); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	data, err := os.ReadFile(opts.CSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatalf("sweep CSV: %d rows, %v; want a header and 2 N × 2 modes", len(rows), err)
	}
	modes := map[string]int{}
	for _, r := range rows[1:] {
		modes[r[0]]++
	}
	if modes["cs"] != 2 || modes["p2p"] != 2 {
		t.Errorf("sweep rows per mode: %v, want 2 cs and 2 p2p", modes)
	}
	svg, err := os.ReadFile(opts.Plot)
	if err != nil || !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("the sweep plot is not an SVG (%v)", err)
	}
}

func TestLabRefusesBadInputBeforeRunning(t *testing.T) {
	cfg := tinyLab(3)
	if err := Lab(context.Background(), io.Discard, io.Discard, LabOptions{Config: cfg, Plot: "out.jpg"}); err == nil || !strings.Contains(err.Error(), ".svg or .png") {
		t.Errorf("a .jpg plot gave %v, want an error naming the formats", err)
	}
	if err := Lab(context.Background(), io.Discard, io.Discard, LabOptions{Config: cfg, Sweep: "9:2"}); err == nil {
		t.Error("a backwards sweep range was accepted")
	}
	cfg.SeedUpload = 0
	if err := Lab(context.Background(), io.Discard, io.Discard, LabOptions{Config: cfg}); err == nil || !strings.Contains(err.Error(), "server upload") {
		t.Errorf("no server rate gave %v, want an error about the server upload", err)
	}
}
