package lab

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SweepPoint is one run of a sweep.
type SweepPoint struct {
	Mode           Mode
	Peers          int
	Bound          Bound
	Floor          time.Duration
	D              time.Duration // meaningful when Finished
	Finished       bool
	Ratio          float64
	CPU            CPUUse
	MachineLimited bool
	Notes          []string
}

// Sweep runs base once per mode for each N in peers — the textbook figure:
// client-server time grows linearly with N, peer-to-peer time flattens.
// done, when not nil, is called after every run. It stops at the first
// error (or cancellation) and returns the points measured so far.
func Sweep(ctx context.Context, base Config, peers []int, modes []Mode, done func(*Result)) ([]SweepPoint, error) {
	var out []SweepPoint
	for _, n := range peers {
		for _, m := range modes {
			cfg := base
			cfg.Peers, cfg.Mode = n, m
			res, err := Run(ctx, cfg, nil)
			if res != nil {
				out = append(out, SweepPoint{
					Mode: m, Peers: n, Bound: res.Bound, Floor: res.Floor, D: res.D, Finished: res.Finished,
					Ratio: res.Ratio, CPU: res.CPU, MachineLimited: res.MachineLimited, Notes: res.Notes,
				})
				if done != nil {
					done(res)
				}
			}
			if err != nil {
				return out, fmt.Errorf("sweep at N = %d (%s): %w", n, m, err)
			}
		}
	}
	return out, nil
}

// ParseRange reads "FROM:TO" or "FROM:TO:STEP" (inclusive; TO is always
// included). Without a step, one is chosen for at most six values, which
// keeps a sweep of real engines to minutes.
func ParseRange(s string) ([]int, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("range %q: want FROM:TO or FROM:TO:STEP, e.g. 1:30:5", s)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("range %q: %q is not a whole number", s, p)
		}
		nums[i] = n
	}
	from, to := nums[0], nums[1]
	if from < 1 || to < from || to > MaxPeers {
		return nil, fmt.Errorf("range %q: want 1 ≤ FROM ≤ TO ≤ %d", s, MaxPeers)
	}
	step := max(1, (to-from+4)/5)
	if len(nums) == 3 {
		step = nums[2]
		if step < 1 {
			return nil, fmt.Errorf("range %q: the step must be at least 1", s)
		}
	}
	var out []int
	for n := from; n < to; n += step {
		out = append(out, n)
	}
	return append(out, to), nil
}
