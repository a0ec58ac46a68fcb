package lab

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeSweep is a sweep's worth of points without running engines.
func fakeSweep() (Config, []SweepPoint) {
	base := DefaultConfig()
	var points []SweepPoint
	for _, n := range []int{1, 5, 10} {
		for _, m := range []Mode{ClientServer, PeerToPeer} {
			cfg := base
			cfg.Peers, cfg.Mode = n, m
			b := cfg.Bound()
			points = append(points, SweepPoint{Mode: m, Peers: n, Bound: b, Floor: cfg.Floor(), D: b.Time * 6 / 5, Finished: true, Ratio: 1.2, CPU: CPUUse{Cores: 2, Process: 0.1, System: -1}})
		}
	}
	points[len(points)-1].Finished = false // a run that timed out
	return base, points
}

func fakeRun() *Result {
	cfg := DefaultConfig()
	cfg.Peers = 2
	return &Result{
		Config: cfg, Pieces: 32, Bound: cfg.Bound(), Floor: cfg.Floor(), D: 3 * time.Second, Finished: true, Ratio: 1.5,
		Nodes: []NodeResult{
			{Name: "server", Server: true, UploadRate: cfg.SeedUpload, Uploaded: 9 << 20, Utilisation: 0.9, ShareRatio: -1},
			{Name: "peer 1", UploadRate: cfg.PeerUpload, Complete: true, CompletedAt: 2 * time.Second, Uploaded: 1 << 20, Downloaded: 8 << 20, Utilisation: 0.4, ShareRatio: 0.125, Unchoked: UnchokeCounts{Reciprocal: 2, Optimistic: 1}},
			{Name: "peer 2", FreeRider: true, Complete: true, CompletedAt: 3 * time.Second, Left: true, LeftAt: 3 * time.Second, Downloaded: 8 << 20, Utilisation: -1},
		},
		Timeline: []Sample{{At: time.Second, RarestCopies: 1, MeanCopies: 1.5, Nodes: 3}, {At: 3 * time.Second, Complete: 2, RarestCopies: 3, MeanCopies: 3, Nodes: 3}},
	}
}

func TestSVGIsWellFormedXML(t *testing.T) {
	base, points := fakeSweep()
	for name, c := range map[string]Chart{"sweep": SweepChart(base, points), "timeline": TimelineChart(fakeRun())} {
		var buf bytes.Buffer
		if err := c.WriteSVG(&buf); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(&buf)
		polylines, texts := 0, 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: the SVG is not well-formed XML: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				switch se.Name.Local {
				case "polyline":
					polylines++
				case "text":
					texts++
				}
			}
		}
		// Axes plus one line per non-empty series.
		if want := 1 + len(c.Series); polylines != want {
			t.Errorf("%s: %d polylines, want %d (axes + %d series)", name, polylines, want, len(c.Series))
		}
		if texts < 5 {
			t.Errorf("%s: %d text elements, want a title, axis labels, ticks and a legend", name, texts)
		}
	}
}

func TestPNGDecodesAndShowsTheCurves(t *testing.T) {
	base, points := fakeSweep()
	var buf bytes.Buffer
	if err := SweepChart(base, points).WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartWidth || b.Dy() != chartHeight {
		t.Fatalf("PNG is %v, want %d×%d", b, chartWidth, chartHeight)
	}
	// Both curve colours are drawn somewhere.
	seen := map[[3]uint32]bool{}
	for y := 0; y < chartHeight; y++ {
		for x := 0; x < chartWidth; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	for name, c := range map[string][3]uint32{"client-server": {0xd6, 0x27, 0x28}, "peer-to-peer": {0x1f, 0x77, 0xb4}} {
		if !seen[c] {
			t.Errorf("no %s pixels in the PNG", name)
		}
	}
}

func TestSweepChartHasBoundsAndMeasurements(t *testing.T) {
	base, points := fakeSweep()
	c := SweepChart(base, points)
	if len(c.Series) != 4 {
		t.Fatalf("%d series, want 2 bounds + 2 measured", len(c.Series))
	}
	for _, s := range c.Series {
		switch {
		case s.Dashed && len(s.Points) != 10:
			t.Errorf("%s: %d points, want one per N from 1 to 10", s.Name, len(s.Points))
		case strings.HasPrefix(s.Name, "peer-to-peer measured") && len(s.Points) != 2:
			t.Errorf("%s: %d points, want 2 (the unfinished run is left out)", s.Name, len(s.Points))
		}
	}
	// The client-server bound grows linearly: N·F/u_s = N seconds here.
	cs := c.Series[0]
	if got := cs.Points[9].Y; got < 9.99 || got > 10.01 {
		t.Errorf("client-server bound at N = 10: %.3f s, want 10 s", got)
	}
}

func TestCSVs(t *testing.T) {
	_, points := fakeSweep()
	for name, write := range map[string]func(io.Writer) error{
		"run":      func(w io.Writer) error { return WriteRunCSV(w, fakeRun()) },
		"timeline": func(w io.Writer) error { return WriteTimelineCSV(w, fakeRun()) },
		"sweep":    func(w io.Writer) error { return WriteSweepCSV(w, points) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: the CSV does not parse: %v", name, err)
		}
		want := map[string]int{"run": 3, "timeline": 2, "sweep": len(points)}[name]
		if len(rows) != want+1 {
			t.Errorf("%s: %d rows, want a header and %d", name, len(rows), want)
		}
	}
	var buf bytes.Buffer
	WriteSweepCSV(&buf, points)
	rows, _ := csv.NewReader(&buf).ReadAll()
	last := rows[len(rows)-1]
	if last[2] != "" || last[6] != "false" {
		t.Errorf("an unfinished run's row is %q, want an empty D and finished=false", last)
	}
}
