// Command labbench runs the Swarm Lab with its defaults several times for
// each N and prints the median D/bound and the share of uploaded bytes that
// were wasted (endgame duplicates), the figures issue 7's goal is stated
// in. Runs alternate between the Ns so a noisy neighbour hurts all alike.
// Everything listens on 127.0.0.1; every run has the lab's own timeout.
//
//	go run ./bench/labbench -n 10,20 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/swarmscope/swarmscope/engine/lab"
)

func main() {
	ns := flag.String("n", "10,20", "comma-separated numbers of peers")
	runs := flag.Int("runs", 3, "runs per N")
	flag.Parse()
	var peers []int
	for f := range strings.SplitSeq(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "labbench: bad -n %q\n", f)
			os.Exit(2)
		}
		peers = append(peers, n)
	}
	ratios := map[int][]float64{}
	wastes := map[int][]float64{}
	for run := 1; run <= *runs; run++ {
		for _, n := range peers {
			cfg := lab.DefaultConfig()
			cfg.Peers = n
			cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			res, err := lab.Run(context.Background(), cfg, nil)
			if err != nil {
				fmt.Fprintf(os.Stderr, "labbench: N=%d: %v\n", n, err)
				os.Exit(1)
			}
			waste := res.WastedShare()
			ratio := res.Ratio
			if !res.Finished {
				ratio = 99 // a run that did not finish counts as very bad
			}
			ratios[n] = append(ratios[n], ratio)
			wastes[n] = append(wastes[n], waste)
			fmt.Printf("run %d N=%-3d D=%6.2fs D/bound=%.3f wasted=%4.1f%% of uploads cpu=%.0f%% %s\n",
				run, n, res.D.Seconds(), ratio, 100*waste, 100*res.CPU.Process, strings.Join(res.Notes, "; "))
		}
	}
	for _, n := range peers {
		fmt.Printf("N=%-3d median D/bound %.3f (runs %v), median waste %.1f%%\n",
			n, median(ratios[n]), fmtAll(ratios[n]), 100*median(wastes[n]))
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtAll(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}
