package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// LabOptions are the settings of "swarmscope lab".
type LabOptions struct {
	Config lab.Config
	// Sweep, when set ("1:30:5"), runs both modes for each N in the range
	// instead of one run.
	Sweep string
	// Experiment, when set, runs that experiment's variants one after
	// another (lab.Compare) and prints them side by side.
	Experiment lab.Experiment
	// CSV and Plot are files to write ("" = none). One run also writes its
	// samples over time to NAME-timeline.csv beside the CSV. The plot is SVG or PNG by
	// its extension: the textbook figure for a sweep, the swarm over time
	// for one run.
	CSV, Plot string
	// FitRates scales the rates down (lab.Config.FitToMachine) when the
	// largest swarm would be more than this machine carries honestly; set
	// when the user gave none of -u, -us, -d.
	FitRates bool
}

// fitRates applies FitRates for a swarm of up to peers peers, saying so on w.
func (opts *LabOptions) fitRates(w io.Writer, peers int) {
	if !opts.FitRates {
		return
	}
	cfg, note := opts.Config.FitToMachine(peers, runtime.NumCPU())
	if note != "" {
		opts.Config = cfg
		fmt.Fprintln(w, "note: "+note)
	}
}

// Lab runs the Swarm Lab headless: one run (a table per node and the
// summary against the textbook bound) or a sweep over N in both modes,
// then writes the CSV and the plot if asked. Live progress goes to stderr
// when it is a terminal.
func Lab(ctx context.Context, stdout, stderr io.Writer, opts LabOptions) error {
	if err := checkPlotPath(opts.Plot); err != nil {
		return err
	}
	if opts.Experiment != 0 {
		opts.fitRates(stdout, opts.Config.Peers)
		return labCompare(ctx, stdout, stderr, opts)
	}
	if opts.Sweep != "" {
		return labSweep(ctx, stdout, stderr, opts)
	}
	opts.fitRates(stdout, opts.Config.Peers)
	cfg := opts.Config
	if err := cfg.Validate(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, describeLab(cfg, false))
	live := newLabStatus(stderr)
	res, err := lab.Run(ctx, cfg, live.sample)
	live.done()
	if res != nil {
		printLabRun(stdout, res)
	}
	if err != nil {
		return err
	}
	if opts.CSV != "" {
		if err := writeFile(opts.CSV, func(w io.Writer) error { return lab.WriteRunCSV(w, res) }); err != nil {
			return err
		}
		// The samples over time go beside it: one file per table shape.
		timeline := strings.TrimSuffix(opts.CSV, filepath.Ext(opts.CSV)) + "-timeline.csv"
		if err := writeFile(timeline, func(w io.Writer) error { return lab.WriteTimelineCSV(w, res) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s and %s\n", opts.CSV, timeline)
	}
	if opts.Plot != "" {
		if err := writeChart(opts.Plot, lab.TimelineChart(res)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", opts.Plot)
	}
	if !res.Finished {
		return errors.New("the run did not finish: see the notes above")
	}
	return nil
}

func labSweep(ctx context.Context, stdout, stderr io.Writer, opts LabOptions) error {
	ns, err := lab.ParseRange(opts.Sweep)
	if err != nil {
		return err
	}
	opts.fitRates(stdout, ns[len(ns)-1]) // one set of rates for the whole figure
	cfg := opts.Config
	cfg.Peers = ns[len(ns)-1] // validate the largest run
	if err := cfg.Validate(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sweep over N = %s, client-server and peer-to-peer\n%s\n\n", joinInts(ns), describeLab(cfg, true))
	// Rows are printed as each run ends, so the columns have fixed widths.
	const row = "%4s  %-4s  %12s  %9s  %7s  %9s  %s\n"
	fmt.Fprintf(stdout, row, "N", "mode", "D", "bound", "D/bound", "CPU busy", "")
	points, err := lab.Sweep(ctx, opts.Config, ns, []lab.Mode{lab.ClientServer, lab.PeerToPeer}, func(r *lab.Result) {
		d, ratio := "not finished", "-"
		if r.Finished {
			d, ratio = secondsText(r.D), fmt.Sprintf("%.2f", r.Ratio)
		}
		flag := ""
		if r.MachineLimited {
			flag = "(machine-limited)"
		}
		fmt.Fprintf(stdout, row, fmt.Sprint(r.Config.Peers), r.Config.Mode, d, secondsText(r.Bound.Time), ratio, fmt.Sprintf("%.0f%%", 100*r.CPU.Busy()), flag)
		for _, n := range r.Notes {
			fmt.Fprintf(stdout, "      note: %s\n", n)
		}
	})
	if len(points) > 0 {
		if opts.CSV != "" {
			if werr := writeFile(opts.CSV, func(w io.Writer) error { return lab.WriteSweepCSV(w, points) }); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "wrote %s\n", opts.CSV)
		}
		if opts.Plot != "" {
			if werr := writeChart(opts.Plot, lab.SweepChart(opts.Config, points)); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "wrote %s\n", opts.Plot)
		}
	}
	return err
}

// describeLab is the setup in one paragraph, with the textbook's symbols;
// for a sweep, without the mode and N, which vary.
func describeLab(c lab.Config, sweep bool) string {
	var b strings.Builder
	if sweep {
		fmt.Fprintf(&b, "Swarm Lab: F = %s in chunks of %s\n", humanize.IBytes(uint64(c.FileSize)), humanize.IBytes(uint64(c.PieceLength)))
	} else {
		fmt.Fprintf(&b, "Swarm Lab: %s, N = %d peers, F = %s in chunks of %s\n", modeText(c.Mode), c.Peers, humanize.IBytes(uint64(c.FileSize)), humanize.IBytes(uint64(c.PieceLength)))
	}
	ups, downs := c.UploadPattern(), c.DownloadPattern()
	down := lab.RatesText(downs)
	if len(downs) > 1 {
		down = "{" + down + "}, peers in turn"
	}
	if len(ups) > 1 {
		fmt.Fprintf(&b, "  rates: u_i = {%s}, peers in turn; u_s = %s, d = %s", lab.RatesText(ups), rateText(c.SeedUpload), down)
	} else {
		fmt.Fprintf(&b, "  rates: u = %s per peer, u_s = %s, d = %s", rateText(c.PeerUpload), rateText(c.SeedUpload), down)
		if c.PeerUpload > 0 {
			fmt.Fprintf(&b, " (F/u = %s)", secondsText(time.Duration(float64(c.FileSize)/float64(c.PeerUpload)*float64(time.Second))))
		}
	}
	fmt.Fprintf(&b, "\n  policies: picker %s, choking %s", lab.StrategyName(c.Picker), chokingText(c.Choking))
	var extra []string
	if c.FreeRiders > 0 {
		extra = append(extra, fmt.Sprintf("%.0f%% free riders", 100*c.FreeRiders))
	}
	if c.LeaveOnComplete {
		extra = append(extra, "peers leave when complete")
	}
	if c.SeedLeaves {
		extra = append(extra, "the server leaves once the peers hold a full copy")
	}
	if c.LateJoiners > 0 {
		extra = append(extra, fmt.Sprintf("%.0f%% join %s late", 100*c.LateJoiners, c.LateJoinDelay))
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, "; %s", strings.Join(extra, ", "))
	}
	return b.String()
}

// printLabRun prints the per-node table and the summary.
func printLabRun(w io.Writer, r *lab.Result) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "node\tup rate\tdown rate\tjoined\tcomplete\tuploaded\tshare\tutil.\tunchoked by others: tft/opt/seeder/all\t")
	for _, n := range r.Nodes {
		name := n.Name
		switch {
		case n.FreeRider:
			name += " (free rider)"
		case n.LateJoiner:
			name += " (late)"
		}
		complete := "-"
		switch {
		case n.Server:
			complete = "(has the file)"
		case n.Complete:
			complete = secondsText(n.CompletedAt)
		default:
			complete = "not complete"
		}
		if n.Left {
			complete += fmt.Sprintf(", left %s", secondsText(n.LeftAt))
		}
		share := "-"
		if n.ShareRatio >= 0 {
			share = fmt.Sprintf("%.2f", n.ShareRatio)
		}
		util := "-"
		if n.Utilisation >= 0 {
			util = fmt.Sprintf("%.0f%%", 100*n.Utilisation)
		}
		unchoked := "-"
		if !n.Server {
			u := n.Unchoked
			unchoked = fmt.Sprintf("%d/%d/%d/%d", u.Reciprocal, u.Optimistic, u.BySeeder, u.Everyone)
		}
		down := "-"
		if !n.Server {
			down = lab.RatesText([]int64{n.DownloadRate})
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, rateText(n.UploadRate), down, secondsText(n.JoinedAt), complete,
			humanize.IBytes(uint64(n.Uploaded)), share, util, unchoked)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if r.Finished {
		fmt.Fprintf(w, "D (last peer complete)  %s\n", secondsText(r.D))
	} else {
		fmt.Fprintf(w, "D (last peer complete)  not reached\n")
	}
	fmt.Fprintf(w, "bound                   %s, set by %s\n", secondsText(r.Bound.Time), r.Bound.Limited)
	if r.Finished {
		fmt.Fprintf(w, "D / bound               %.2f\n", r.Ratio)
	}
	fmt.Fprintf(w, "rarest piece, copies    %s\n", rarestTimeline(r.Timeline, 8))
	fmt.Fprintf(w, "CPU                     %s\n", r.CPU)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "warning: %s\n", n)
	}
}

// rarestTimeline prints the rarest piece's copies at about count evenly
// spaced samples: "0.5 s: 1, 1.0 s: 2, ...".
func rarestTimeline(samples []lab.Sample, count int) string {
	if len(samples) == 0 {
		return "-"
	}
	step := max(1, (len(samples)+count-1)/count)
	var parts []string
	for i := 0; i < len(samples); i += step {
		parts = append(parts, fmt.Sprintf("%s: %d", secondsText(samples[i].At), samples[i].RarestCopies))
	}
	if (len(samples)-1)%step != 0 {
		last := samples[len(samples)-1]
		parts = append(parts, fmt.Sprintf("%s: %d", secondsText(last.At), last.RarestCopies))
	}
	return strings.Join(parts, ", ")
}

// labStatus redraws one line on a terminal while a run goes on.
type labStatus struct {
	w      io.Writer
	active bool
	width  int
}

func newLabStatus(w io.Writer) *labStatus { return &labStatus{w: w, active: IsTerminal(w)} }

func (s *labStatus) sample(x lab.Sample) {
	if !s.active {
		return
	}
	line := fmt.Sprintf("t = %s: %d peers complete, rarest piece %d copies, swarm uploading %s",
		secondsText(x.At), x.Complete, x.RarestCopies, rateText(int64(x.UploadRate)))
	fmt.Fprintf(s.w, "\r%-*s", s.width, line)
	s.width = max(s.width, len(line))
}

func (s *labStatus) done() {
	if s.active && s.width > 0 {
		fmt.Fprintf(s.w, "\r%*s\r", s.width, "")
	}
}

// checkPlotPath refuses a plot file the lab cannot write before any run
// spends minutes.
func checkPlotPath(path string) error {
	if path == "" {
		return nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg", ".png":
		return nil
	}
	return fmt.Errorf("plot %s: the file name must end in .svg or .png", path)
}

func writeChart(path string, c lab.Chart) error {
	return writeFile(path, func(w io.Writer) error {
		if strings.EqualFold(filepath.Ext(path), ".png") {
			return c.WritePNG(w)
		}
		return c.WriteSVG(w)
	})
}

// writeFile creates path and fills it with write, reporting either error.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func modeText(m lab.Mode) string {
	if m == lab.ClientServer {
		return "client-server (peers never upload)"
	}
	return "peer-to-peer"
}

func chokingText(c lab.Choking) string {
	if c == lab.UploadToAll {
		return "upload to everyone"
	}
	return "tit-for-tat (4 regular + 1 optimistic)"
}

func rateText(n int64) string {
	if n <= 0 {
		return "0"
	}
	return humanize.IBytes(uint64(n)) + "/s"
}

func secondsText(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
