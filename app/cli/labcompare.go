package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// labCompare runs one teaching experiment: its variants one after another
// with the same settings, printed side by side, then the CSV (one row per
// variant) and the plot (every variant's completion curve) if asked.
func labCompare(ctx context.Context, stdout, stderr io.Writer, opts LabOptions) error {
	e := opts.Experiment
	base := opts.Config
	variants := e.Variants(base)
	if len(variants) == 0 {
		return fmt.Errorf("unknown experiment %d", int(e))
	}
	for _, v := range variants {
		if err := v.Config.Validate(); err != nil {
			return fmt.Errorf("%s: %w", v.Name, err)
		}
	}
	names := make([]string, len(variants))
	for i, v := range variants {
		names[i] = v.Name
	}
	fmt.Fprintf(stdout, "experiment %s\n%s\n  %d runs, one after another: %s\n\n",
		e.Title(), describeLab(variants[0].Config, false), len(variants), strings.Join(names, "; "))
	live := newLabStatus(stderr)
	if live.active {
		base.Live = func(v *lab.LiveView) { live.sample(v.Sample) }
	}
	results, err := lab.Compare(ctx, base, e, func(v lab.VariantResult) {
		live.done()
		fmt.Fprintf(stdout, "  %s: %s\n", v.Name, v.Result.Summary())
	})
	live.done()
	if len(results) > 0 {
		printComparison(stdout, e, results)
		if opts.CSV != "" {
			if werr := writeFile(opts.CSV, func(w io.Writer) error { return lab.WriteCompareCSV(w, e, results) }); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "wrote %s\n", opts.CSV)
		}
		if opts.Plot != "" {
			if werr := writeChart(opts.Plot, lab.CompareChart(e, results)); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "wrote %s\n", opts.Plot)
		}
	}
	return err
}

// printComparison prints the side-by-side table, what to look for, and
// each run's warnings.
func printComparison(w io.Writer, e lab.Experiment, results []lab.VariantResult) {
	fmt.Fprintln(w)
	header, rows := lab.ComparisonTable(e, results)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintf(w, "\nWhat to look for: %s\n", e.LookFor())
	for _, v := range results {
		for _, n := range v.Result.Notes {
			fmt.Fprintf(w, "warning (%s): %s\n", v.Name, n)
		}
	}
}
