package lab

import (
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/swarmscope/swarmscope/engine/picker"
)

// Experiment is one of the comparisons of docs/teaching.md that runs with
// one command or one click: the same swarm several times in a row, with
// one policy changed between the runs (see Variants and Compare). The
// textbook figure (experiment 1) is Sweep.
type Experiment int

// The experiments Compare runs.
const (
	// ComparePickers is experiment 2: rarest first, random and sequential
	// piece selection.
	ComparePickers Experiment = iota + 1
	// CompareFreeRiders is experiment 3: tit-for-tat with no free riders,
	// with free riders, and upload-to-everyone with the same free riders.
	CompareFreeRiders
	// CompareLeaving is experiment 4: peers stay and seed, peers leave on
	// completion, and the server leaves once the peers hold a full copy.
	CompareLeaving
)

// Experiments lists every experiment Compare runs, in the order of
// docs/teaching.md.
var Experiments = []Experiment{ComparePickers, CompareFreeRiders, CompareLeaving}

// String is the name ParseExperiment reads: pickers, freeriders, leaving.
func (e Experiment) String() string {
	switch e {
	case ComparePickers:
		return "pickers"
	case CompareFreeRiders:
		return "freeriders"
	case CompareLeaving:
		return "leaving"
	}
	return fmt.Sprintf("experiment(%d)", int(e))
}

// Title is the experiment in words, numbered as in docs/teaching.md.
func (e Experiment) Title() string {
	switch e {
	case ComparePickers:
		return "2. Rarest first vs random vs sequential piece selection"
	case CompareFreeRiders:
		return "3. Tit-for-tat vs free riders"
	case CompareLeaving:
		return "4. Stay and seed vs leave on completion vs the server leaving early"
	}
	return e.String()
}

// LookFor says what the comparison shows, for the reader of its table.
func (e Experiment) LookFor() string {
	switch e {
	case ComparePickers:
		return "Rarest first spreads every chunk early: the time some chunk still had a single copy is short and the peers keep their uploads busy. " +
			"Sequential makes every peer want the same next chunk, so the server serves them all and D moves toward the client-server time N·F/u_s."
	case CompareFreeRiders:
		return "Free riders shrink Σu_i, so the bound grows. Under tit-for-tat they get data only from optimistic unchokes and from seeds, so they finish late; " +
			"when everyone uploads to everyone they finish no later than the contributors, whose upload pays for them."
	case CompareLeaving:
		return "Peers that leave on completion take their upload with them, so the last peers finish later. " +
			"When the server leaves early the swarm carries on alone: the rarest piece's copies after it left show how close it came to losing a chunk."
	}
	return ""
}

// ParseExperiment reads pickers, freeriders or leaving (also a few
// spellings of each).
func ParseExperiment(s string) (Experiment, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pickers", "picker", "pieces", "2":
		return ComparePickers, nil
	case "freeriders", "free-riders", "freerider", "tft", "3":
		return CompareFreeRiders, nil
	case "leaving", "leave", "churn", "4":
		return CompareLeaving, nil
	}
	return 0, fmt.Errorf("unknown experiment %q: want pickers, freeriders or leaving", s)
}

// DefaultFreeRiderShare is the fraction of free riders in the free-riders
// experiment when the base configuration has none.
const DefaultFreeRiderShare = 0.25

// Variant is one run of an experiment: a name for the table and the
// configuration it runs.
type Variant struct {
	Name   string
	Config Config
}

// Variants is what Compare runs for e: base, always peer-to-peer (the
// policies compared only matter when peers upload), with the one setting
// the experiment is about changed per run. Everything else — N, sizes,
// rates, the other policies — stays as in base.
func (e Experiment) Variants(base Config) []Variant {
	base.Mode = PeerToPeer
	with := func(name string, change func(*Config)) Variant {
		c := base
		change(&c)
		return Variant{Name: name, Config: c}
	}
	switch e {
	case ComparePickers:
		var out []Variant
		for _, s := range []picker.Strategy{picker.RarestFirst, picker.Random, picker.Sequential} {
			name := map[picker.Strategy]string{picker.RarestFirst: "rarest first", picker.Random: "random", picker.Sequential: "sequential"}[s]
			out = append(out, with(name, func(c *Config) { c.Picker = s }))
		}
		return out
	case CompareFreeRiders:
		share := base.FreeRiders
		if share <= 0 || share >= 1 {
			share = DefaultFreeRiderShare
		}
		pct := fmt.Sprintf("%.0f%% free riders", 100*share)
		return []Variant{
			with("tit-for-tat, no free riders", func(c *Config) { c.Choking, c.FreeRiders = TitForTat, 0 }),
			with("tit-for-tat, "+pct, func(c *Config) { c.Choking, c.FreeRiders = TitForTat, share }),
			with("upload to all, "+pct, func(c *Config) { c.Choking, c.FreeRiders = UploadToAll, share }),
		}
	case CompareLeaving:
		return []Variant{
			with("stay and seed", func(c *Config) { c.LeaveOnComplete, c.SeedLeaves = false, false }),
			with("leave on completion", func(c *Config) { c.LeaveOnComplete, c.SeedLeaves = true, false }),
			with("server leaves early", func(c *Config) { c.LeaveOnComplete, c.SeedLeaves = false, true }),
		}
	}
	return nil
}

// VariantResult is one run of a comparison and the figures its table shows.
type VariantResult struct {
	Variant
	Result *Result

	// MeanCompletion is the mean completion time (since the start) of the
	// peers that completed; FirstCompletion the earliest.
	MeanCompletion, FirstCompletion time.Duration
	// Contributors are the peers that upload, FreeRiders those that do
	// not: how many, how many completed, and when.
	Contributors, FreeRiders Group
	// SingleCopyUntil is the last sample, while some peer was still
	// incomplete, at which some piece had at most one copy in the swarm
	// (0 if none after the start).
	SingleCopyUntil time.Duration
	// RarestMean is the copies of the rarest piece averaged over the run's
	// samples; RarestMin the fewest it fell to (0: a piece was lost).
	RarestMean float64
	RarestMin  int
	// PeerUtilisation is the mean upload use of the peers that upload, -1
	// when none does.
	PeerUtilisation float64
	// ServerCopies is what the server uploaded, in copies of the file.
	ServerCopies float64
	// ServerLeft and ServerLeftAt say whether and when the server left;
	// RarestAfterServerLeft is then the fewest copies of the rarest piece
	// at any later sample (-1 when it stayed).
	ServerLeft            bool
	ServerLeftAt          time.Duration
	RarestAfterServerLeft int
}

// Group sums up the completion of a set of peers.
type Group struct {
	Peers, Complete int
	Mean, Last      time.Duration // of those that completed
}

func (g *Group) add(n NodeResult) {
	g.Peers++
	if n.Complete {
		g.Mean = (g.Mean*time.Duration(g.Complete) + n.CompletedAt) / time.Duration(g.Complete+1)
		g.Complete++
		g.Last = max(g.Last, n.CompletedAt)
	}
}

// Compare runs every variant of e with base, one after another (never at
// once: each run has the machine to itself), and returns one result per
// variant in Variants' order. done, when not nil, is called after each
// run. It stops at the first error (or cancellation) and returns what was
// measured so far. base.Live, if set, sees every run.
func Compare(ctx context.Context, base Config, e Experiment, done func(VariantResult)) ([]VariantResult, error) {
	variants := e.Variants(base)
	if len(variants) == 0 {
		return nil, fmt.Errorf("lab: unknown experiment %d", int(e))
	}
	for _, v := range variants {
		if err := v.Config.Validate(); err != nil {
			return nil, fmt.Errorf("lab: %s: %w", v.Name, err)
		}
	}
	var out []VariantResult
	for _, v := range variants {
		res, err := Run(ctx, v.Config, nil)
		if res != nil {
			vr := summarise(v, res)
			out = append(out, vr)
			if done != nil {
				done(vr)
			}
		}
		if err != nil {
			return out, fmt.Errorf("%s (%s): %w", e, v.Name, err)
		}
	}
	return out, nil
}

// summarise draws the comparison's figures from one run.
func summarise(v Variant, r *Result) VariantResult {
	vr := VariantResult{Variant: v, Result: r, PeerUtilisation: -1, RarestAfterServerLeft: -1}
	var util float64
	var uploaders, complete int
	var sum time.Duration
	for _, n := range r.Nodes {
		if n.Server {
			if r.Config.FileSize > 0 {
				vr.ServerCopies = float64(n.Uploaded) / float64(r.Config.FileSize)
			}
			vr.ServerLeft, vr.ServerLeftAt = n.Left, n.LeftAt
			continue
		}
		if n.FreeRider {
			vr.FreeRiders.add(n)
		} else {
			vr.Contributors.add(n)
		}
		if n.Utilisation >= 0 {
			util += n.Utilisation
			uploaders++
		}
		if n.Complete {
			if complete == 0 || n.CompletedAt < vr.FirstCompletion {
				vr.FirstCompletion = n.CompletedAt
			}
			sum += n.CompletedAt
			complete++
		}
	}
	if uploaders > 0 {
		vr.PeerUtilisation = util / float64(uploaders)
	}
	if complete > 0 {
		vr.MeanCompletion = sum / time.Duration(complete)
	}
	if len(r.Timeline) > 0 {
		vr.RarestMin = r.Timeline[0].RarestCopies
	}
	total := 0
	for _, s := range r.Timeline {
		total += s.RarestCopies
		vr.RarestMin = min(vr.RarestMin, s.RarestCopies)
		if s.RarestCopies <= 1 && s.Complete < r.Config.Peers {
			vr.SingleCopyUntil = s.At
		}
		if vr.ServerLeft && s.At >= vr.ServerLeftAt && (vr.RarestAfterServerLeft < 0 || s.RarestCopies < vr.RarestAfterServerLeft) {
			vr.RarestAfterServerLeft = s.RarestCopies
		}
	}
	if len(r.Timeline) > 0 {
		vr.RarestMean = float64(total) / float64(len(r.Timeline))
	}
	return vr
}

// ComparisonTable is the side-by-side table of a comparison, in words: the
// columns every experiment shares (D, the bound, D/bound) and those that
// tell its story. The CLI prints it and the lab window shows it.
func ComparisonTable(e Experiment, results []VariantResult) (header []string, rows [][]string) {
	header = []string{"variant", "D", "bound", "D/bound"}
	switch e {
	case ComparePickers:
		header = append(header, "a chunk on one node until", "rarest piece, mean copies", "peer upload use", "server sent")
	case CompareFreeRiders:
		header = append(header, "contributors done: mean / last", "free riders done: mean / last", "peer upload use")
	case CompareLeaving:
		header = append(header, "peers done: first / mean", "server left", "server sent", "rarest piece after the server left: fewest copies")
	}
	for _, v := range results {
		r := v.Result
		d, ratio := "not finished", "-"
		if r.Finished {
			d, ratio = formatSeconds(r.D), fmt.Sprintf("%.2f", r.Ratio)
		}
		if r.MachineLimited {
			ratio += " (machine-limited)"
		}
		row := []string{v.Name, d, formatSeconds(r.Bound.Time), ratio}
		switch e {
		case ComparePickers:
			row = append(row, formatSeconds(v.SingleCopyUntil), fmt.Sprintf("%.1f", v.RarestMean), percentText(v.PeerUtilisation), copiesText(v.ServerCopies))
		case CompareFreeRiders:
			row = append(row, groupText(v.Contributors), groupText(v.FreeRiders), percentText(v.PeerUtilisation))
		case CompareLeaving:
			done := "-"
			if v.Contributors.Complete+v.FreeRiders.Complete > 0 {
				done = formatSeconds(v.FirstCompletion) + " / " + formatSeconds(v.MeanCompletion)
			}
			left, after := "stayed", "-"
			if v.ServerLeft {
				left = formatSeconds(v.ServerLeftAt)
				if v.RarestAfterServerLeft >= 0 {
					after = strconv.Itoa(v.RarestAfterServerLeft)
				}
			}
			row = append(row, done, left, copiesText(v.ServerCopies), after)
		}
		rows = append(rows, row)
	}
	return header, rows
}

func groupText(g Group) string {
	switch {
	case g.Peers == 0:
		return "(none)"
	case g.Complete == 0:
		return "none complete"
	}
	s := formatSeconds(g.Mean) + " / " + formatSeconds(g.Last)
	if g.Complete < g.Peers {
		s += fmt.Sprintf(" (%d of %d)", g.Complete, g.Peers)
	}
	return s
}

func percentText(f float64) string {
	if f < 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

func copiesText(c float64) string { return fmt.Sprintf("%.1f copies", c) }

// WriteCompareCSV writes one row per variant with every figure of the
// comparison in numbers: times in seconds, empty cells for "not
// applicable".
func WriteCompareCSV(w io.Writer, e Experiment, results []VariantResult) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{
		"experiment", "variant", "peers", "picker", "choking", "free_riders", "leave_on_complete", "seed_leaves",
		"D_s", "bound_s", "ratio", "finished", "first_complete_s", "mean_complete_s",
		"contributors", "contributors_mean_s", "contributors_last_s", "free_riders_n", "free_riders_mean_s", "free_riders_last_s",
		"single_copy_until_s", "rarest_mean", "rarest_min", "peer_utilisation", "server_copies", "server_left_s",
		"rarest_after_server_left", "machine_limited",
	})
	group := func(g Group) (string, string, string) {
		if g.Complete == 0 {
			return strconv.Itoa(g.Peers), "", ""
		}
		return strconv.Itoa(g.Peers), seconds3(g.Mean.Seconds()), seconds3(g.Last.Seconds())
	}
	for _, v := range results {
		r, c := v.Result, v.Config
		d, first, mean := "", "", ""
		if r.Finished {
			d = seconds3(r.D.Seconds())
		}
		if v.Contributors.Complete+v.FreeRiders.Complete > 0 {
			first, mean = seconds3(v.FirstCompletion.Seconds()), seconds3(v.MeanCompletion.Seconds())
		}
		cn, cm, cl := group(v.Contributors)
		fn, fm, fl := group(v.FreeRiders)
		left, after := "", ""
		if v.ServerLeft {
			left = seconds3(v.ServerLeftAt.Seconds())
			if v.RarestAfterServerLeft >= 0 {
				after = strconv.Itoa(v.RarestAfterServerLeft)
			}
		}
		cw.Write([]string{
			e.String(), v.Name, strconv.Itoa(c.Peers), StrategyName(c.Picker), c.Choking.String(),
			strconv.FormatFloat(c.FreeRiders, 'f', 3, 64), strconv.FormatBool(c.LeaveOnComplete), strconv.FormatBool(c.SeedLeaves),
			d, seconds3(r.Bound.Seconds()), ratioCell(r.Finished, r.Ratio), strconv.FormatBool(r.Finished), first, mean,
			cn, cm, cl, fn, fm, fl,
			seconds3(v.SingleCopyUntil.Seconds()), strconv.FormatFloat(v.RarestMean, 'f', 2, 64), strconv.Itoa(v.RarestMin),
			fraction(v.PeerUtilisation), strconv.FormatFloat(v.ServerCopies, 'f', 3, 64), left, after,
			strconv.FormatBool(r.MachineLimited),
		})
	}
	cw.Flush()
	return cw.Error()
}

// compareColours tell the variants apart in CompareChart.
var compareColours = []color.RGBA{colorP2P, colorCS, colorRare, {0xff, 0x7f, 0x0e, 0xff}, {0x94, 0x67, 0xbd, 0xff}}

// CompareChart draws the variants of a comparison over time in one chart:
// each variant's peers-complete curve (solid) and, for the pickers and
// leaving experiments, the copies of its rarest piece (dashed).
func CompareChart(e Experiment, results []VariantResult) Chart {
	c := Chart{XLabel: "time (s)", YLabel: "peers complete / copies"}
	title := e.Title()
	if _, rest, ok := strings.Cut(title, ". "); ok {
		title = rest
	}
	if len(results) > 0 {
		title += fmt.Sprintf(", N = %d", results[0].Config.Peers)
	}
	c.Title = title
	for i, v := range results {
		col := compareColours[i%len(compareColours)]
		done := Series{Name: v.Name + ": peers complete", Color: col}
		rare := Series{Name: v.Name + ": rarest piece copies", Color: col, Dashed: true}
		for _, s := range v.Result.Timeline {
			done.Points = append(done.Points, Point{s.At.Seconds(), float64(s.Complete)})
			rare.Points = append(rare.Points, Point{s.At.Seconds(), float64(s.RarestCopies)})
		}
		c.Series = append(c.Series, done)
		if e != CompareFreeRiders {
			c.Series = append(c.Series, rare)
		}
	}
	return c
}
