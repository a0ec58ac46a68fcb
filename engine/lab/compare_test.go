package lab

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/picker"
)

func TestParseExperiment(t *testing.T) {
	for _, e := range Experiments {
		if got, err := ParseExperiment(e.String()); err != nil || got != e {
			t.Errorf("ParseExperiment(%q) = %v, %v; want %v", e.String(), got, err, e)
		}
		if e.Title() == "" || e.LookFor() == "" {
			t.Errorf("%v has no title or explanation", e)
		}
	}
	if _, err := ParseExperiment("figure5"); err == nil || !strings.Contains(err.Error(), "pickers, freeriders or leaving") {
		t.Errorf("a bad name gave %v, want an error listing the choices", err)
	}
}

// Each experiment changes only its own setting, always in peer-to-peer mode, and keeps the rest
// of the base configuration.
func TestExperimentVariants(t *testing.T) {
	base := smallConfig(7, ClientServer)
	base.PeerUploads = []int64{100 << 10, 200 << 10}
	base.LateJoiners = 0.2

	check := func(e Experiment, n int) []Variant {
		t.Helper()
		vs := e.Variants(base)
		if len(vs) != n {
			t.Fatalf("%v: %d variants, want %d", e, len(vs), n)
		}
		for _, v := range vs {
			c := v.Config
			if v.Name == "" || c.Mode != PeerToPeer || c.Peers != 7 || c.FileSize != base.FileSize || len(c.PeerUploads) != 2 || c.LateJoiners != 0.2 {
				t.Errorf("%v / %q: %+v does not keep the base (in p2p mode)", e, v.Name, c)
			}
		}
		return vs
	}
	pick := check(ComparePickers, 3)
	for i, s := range []picker.Strategy{picker.RarestFirst, picker.Random, picker.Sequential} {
		if pick[i].Config.Picker != s {
			t.Errorf("pickers variant %d (%q) uses %v, want %v", i, pick[i].Name, pick[i].Config.Picker, s)
		}
	}
	free := check(CompareFreeRiders, 3)
	for i, want := range []struct {
		choking Choking
		share   float64
	}{{TitForTat, 0}, {TitForTat, DefaultFreeRiderShare}, {UploadToAll, DefaultFreeRiderShare}} {
		if c := free[i].Config; c.Choking != want.choking || c.FreeRiders != want.share {
			t.Errorf("free riders variant %q: choking %v, %g free riders; want %v, %g", free[i].Name, c.Choking, c.FreeRiders, want.choking, want.share)
		}
	}
	base.FreeRiders = 0.4
	if c := CompareFreeRiders.Variants(base)[1].Config; c.FreeRiders != 0.4 {
		t.Errorf("the base's own free-rider share was not used: %g", c.FreeRiders)
	}
	leave := check(CompareLeaving, 3)
	for i, want := range [][2]bool{{false, false}, {true, false}, {false, true}} {
		if c := leave[i].Config; c.LeaveOnComplete != want[0] || c.SeedLeaves != want[1] {
			t.Errorf("leaving variant %q: leave %v, server leaves %v; want %v", leave[i].Name, c.LeaveOnComplete, c.SeedLeaves, want)
		}
	}
	if vs := Experiment(99).Variants(base); vs != nil {
		t.Errorf("an unknown experiment has variants %v", vs)
	}
}

// summarise on a hand-made run: groups, the single-copy time, the rarest piece after the
// server left.
func TestSummariseAVariant(t *testing.T) {
	s := func(at float64, complete, rarest int) Sample {
		return Sample{At: time.Duration(at * float64(time.Second)), Complete: complete, RarestCopies: rarest}
	}
	r := &Result{
		Config: Config{Peers: 3, FileSize: 100}, Finished: true, D: 4 * time.Second, Ratio: 1.25,
		Bound: Bound{Time: 3200 * time.Millisecond},
		Nodes: []NodeResult{
			{Name: "server", Server: true, Uploaded: 250, Left: true, LeftAt: 2 * time.Second, Utilisation: 0.9},
			{Name: "peer 1", Complete: true, CompletedAt: 2 * time.Second, Utilisation: 0.5},
			{Name: "peer 2", Complete: true, CompletedAt: 3 * time.Second, Utilisation: 0.7},
			{Name: "peer 3", FreeRider: true, Complete: true, CompletedAt: 4 * time.Second, Utilisation: -1},
		},
		Timeline: []Sample{s(0.5, 0, 1), s(1, 0, 1), s(1.5, 0, 2), s(2, 1, 2), s(2.5, 1, 1), s(3, 2, 3), s(4, 3, 3)},
	}
	v := summarise(Variant{Name: "x", Config: r.Config}, r)
	if v.Contributors != (Group{Peers: 2, Complete: 2, Mean: 2500 * time.Millisecond, Last: 3 * time.Second}) {
		t.Errorf("contributors %+v", v.Contributors)
	}
	if v.FreeRiders != (Group{Peers: 1, Complete: 1, Mean: 4 * time.Second, Last: 4 * time.Second}) {
		t.Errorf("free riders %+v", v.FreeRiders)
	}
	if v.FirstCompletion != 2*time.Second || v.MeanCompletion != 3*time.Second {
		t.Errorf("first %v, mean %v; want 2 s, 3 s", v.FirstCompletion, v.MeanCompletion)
	}
	if v.SingleCopyUntil != 2500*time.Millisecond || v.RarestMin != 1 || v.RarestAfterServerLeft != 1 {
		t.Errorf("single copy until %v, rarest min %d, after the server left %d; want 2.5 s, 1, 1", v.SingleCopyUntil, v.RarestMin, v.RarestAfterServerLeft)
	}
	if want := 13.0 / 7; v.RarestMean < want-1e-9 || v.RarestMean > want+1e-9 {
		t.Errorf("rarest mean %g, want %g", v.RarestMean, want)
	}
	if v.PeerUtilisation != 0.6 || v.ServerCopies != 2.5 || !v.ServerLeft {
		t.Errorf("peer use %g, server copies %g, server left %v; want 0.6, 2.5, true", v.PeerUtilisation, v.ServerCopies, v.ServerLeft)
	}

	for _, e := range Experiments {
		header, rows := ComparisonTable(e, []VariantResult{v, v})
		if len(rows) != 2 || len(rows[0]) != len(header) || rows[0][0] != "x" || rows[0][1] != "4.00 s" || rows[0][3] != "1.25" {
			t.Errorf("%v table %q / %q", e, header, rows)
		}
	}
	_, rows := ComparisonTable(CompareFreeRiders, []VariantResult{v})
	if rows[0][4] != "2.50 s / 3.00 s" || rows[0][5] != "4.00 s / 4.00 s" {
		t.Errorf("free riders row %q, want the contributors' and free riders' mean / last", rows[0])
	}
	_, rows = ComparisonTable(CompareLeaving, []VariantResult{v})
	if rows[0][5] != "2.00 s" || rows[0][7] != "1" {
		t.Errorf("leaving row %q, want the server leaving at 2.00 s and 1 copy after", rows[0])
	}
	var buf bytes.Buffer
	if err := WriteCompareCSV(&buf, ComparePickers, []VariantResult{v}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 2 || len(recs[0]) != len(recs[1]) || recs[1][0] != "pickers" || recs[1][8] != "4.000" {
		t.Errorf("CSV %q, %v", recs, err)
	}
	if c := CompareChart(ComparePickers, []VariantResult{v, v}); len(c.Series) != 4 || len(c.Series[0].Points) != 7 {
		t.Errorf("pickers chart: %d series, want 2 per variant", len(c.Series))
	}
	if c := CompareChart(CompareFreeRiders, []VariantResult{v, v}); len(c.Series) != 2 {
		t.Errorf("free riders chart: %d series, want the completion curve per variant", len(c.Series))
	}
}

// One small real comparison: the three piece pickers on 3 peers and a 1 MiB file, one run after
// another, a result per variant with sane figures.
func TestComparePickersRuns(t *testing.T) {
	base := smallConfig(3, ClientServer) // the comparison runs peer to peer whatever the base says
	base.FileSize = 1 << 20
	var seen []string
	res, err := Compare(context.Background(), base, ComparePickers, func(v VariantResult) { seen = append(seen, v.Name) })
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || len(seen) != 3 {
		t.Fatalf("%d results, %d reported; want 3", len(res), len(seen))
	}
	for i, want := range []picker.Strategy{picker.RarestFirst, picker.Random, picker.Sequential} {
		v := res[i]
		r := v.Result
		t.Logf("%s: %s; single copy until %v, rarest mean %.1f, peer use %.2f, server %.1f copies; notes %q",
			v.Name, r.Summary(), v.SingleCopyUntil, v.RarestMean, v.PeerUtilisation, v.ServerCopies, r.Notes)
		if v.Name != seen[i] || r.Config.Picker != want || r.Config.Mode != PeerToPeer {
			t.Errorf("result %d: %q with picker %v in %v, want %v in p2p", i, v.Name, r.Config.Picker, r.Config.Mode, want)
		}
		if !r.Finished {
			t.Errorf("%s: not every peer completed: %q", v.Name, r.Notes)
			continue
		}
		if r.D < r.Floor || r.Ratio > 6 {
			t.Errorf("%s: D = %v against floor %v, D/bound %.2f; want D ≥ floor and a ratio under 6", v.Name, r.D, r.Floor, r.Ratio)
		}
		if v.Contributors.Peers != 3 || v.Contributors.Complete != 3 || v.FreeRiders.Peers != 0 {
			t.Errorf("%s: contributors %+v, free riders %+v", v.Name, v.Contributors, v.FreeRiders)
		}
		if v.SingleCopyUntil > r.D || v.RarestMean < 1 || v.RarestMean > 4 || v.RarestMin < 1 {
			t.Errorf("%s: single copy until %v (D %v), rarest mean %.2f, min %d", v.Name, v.SingleCopyUntil, r.D, v.RarestMean, v.RarestMin)
		}
		// Every chunk starts on the server alone, so it sends at least one copy.
		if v.ServerCopies < 1 || v.ServerCopies > 4 || v.PeerUtilisation < 0 || v.PeerUtilisation > 1.5 || v.ServerLeft {
			t.Errorf("%s: server sent %.2f copies (left %v), peer use %.2f", v.Name, v.ServerCopies, v.ServerLeft, v.PeerUtilisation)
		}
	}
	if _, rows := ComparisonTable(ComparePickers, res); len(rows) != 3 {
		t.Errorf("table rows %q", rows)
	}
}

func TestCompareRefusesABadBase(t *testing.T) {
	base := smallConfig(3, PeerToPeer)
	base.SeedUpload = 0
	if res, err := Compare(context.Background(), base, CompareLeaving, nil); err == nil || len(res) != 0 || !strings.Contains(err.Error(), "server upload") {
		t.Errorf("Compare with no server rate = %d results, %v; want an error before any run", len(res), err)
	}
	if _, err := Compare(context.Background(), smallConfig(3, PeerToPeer), Experiment(0), nil); err == nil {
		t.Error("Compare of an unknown experiment succeeded")
	}
}
