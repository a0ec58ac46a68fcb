package lab

import (
	"bytes"
	"context"
	"image/png"
	"testing"
)

// Config.Live sees every node's pieces and unchokes while the run goes,
// and the last view agrees with the result.
func TestLiveViewFollowsTheRun(t *testing.T) {
	cfg := smallConfig(3, PeerToPeer)
	var views []*LiveView
	cfg.Live = func(v *LiveView) { views = append(views, v) }
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Finished || len(views) < 2 {
		t.Fatalf("finished %v with %d live views, want a finished run and at least 2", res.Finished, len(views))
	}
	sawUnchoke, sawPartial := false, false
	for _, v := range views {
		if len(v.Nodes) != 4 || !v.Nodes[0].Server || v.Nodes[1].Name != "peer 1" || v.Pieces != res.Pieces {
			t.Fatalf("view has %d nodes (server first?), %d pieces; want 4 nodes, %d pieces", len(v.Nodes), v.Pieces, res.Pieces)
		}
		for _, n := range v.Nodes {
			have := 0
			for _, h := range n.Have {
				if h {
					have++
				}
			}
			if n.Have != nil && have > 0 && have < v.Pieces {
				sawPartial = true
			}
			for _, u := range n.Unchokes {
				sawUnchoke = true
				if u.Target < 0 || u.Target >= len(v.Nodes) || u.Why == "" {
					t.Fatalf("%s unchokes %+v: target out of range or no reason", n.Name, u)
				}
				if u.Optimistic != (u.Why == "optimistic") {
					t.Errorf("%s unchokes %+v: Optimistic and Why disagree", n.Name, u)
				}
			}
		}
	}
	if !sawUnchoke || !sawPartial {
		t.Errorf("saw an unchoke %v, a partly downloaded peer %v; want both during a run", sawUnchoke, sawPartial)
	}
	last := views[len(views)-1]
	if last.Sample.Complete != 3 {
		t.Errorf("last view: %d peers complete, want 3", last.Sample.Complete)
	}
	for _, n := range last.Nodes {
		for p, h := range n.Have {
			if !h {
				t.Errorf("last view: %s lacks piece %d", n.Name, p)
				break
			}
		}
	}
}

// Image is the PNG's picture.
func TestChartImageMatchesPNG(t *testing.T) {
	c := Chart{Title: "t", Series: []Series{{Name: "s", Points: []Point{{0, 0}, {1, 2}}, Color: colorP2P}}}
	var buf bytes.Buffer
	if err := c.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	img := c.Image()
	if decoded.Bounds() != img.Bounds() || img.Bounds().Dx() != chartWidth {
		t.Fatalf("PNG %v, image %v", decoded.Bounds(), img.Bounds())
	}
	for y := 0; y < chartHeight; y += 7 {
		for x := 0; x < chartWidth; x += 5 {
			r1, g1, b1, _ := decoded.At(x, y).RGBA()
			r2, g2, b2, _ := img.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				t.Fatalf("pixel (%d, %d) differs", x, y)
			}
		}
	}
}
