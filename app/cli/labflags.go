package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// DefaultFigureRange is the N range of "-experiment figure" when -sweep is
// not given: the textbook figure in five points.
const DefaultFigureRange = "1:20:5"

// LabFlags defines the flags of "swarmscope lab" on fs, with defaults from
// cfg (the command passes lab.DefaultConfig(), the textbook example).
// After fs.Parse, the returned function reads them into LabOptions, or
// says in words what does not fit.
func LabFlags(fs *flag.FlagSet, cfg lab.Config) func() (LabOptions, error) {
	size, chunk := labSize(cfg.FileSize), labSize(cfg.PieceLength)
	up, down := labRates{cfg.PeerUpload}, labRates{cfg.PeerDownload}
	seedUp := labRates{cfg.SeedUpload}
	var opts LabOptions
	fs.IntVar(&cfg.Peers, "n", cfg.Peers, "number of peers N (the server not counted)")
	fs.Var(&size, "size", "file size F")
	fs.Var(&chunk, "chunk", "chunk (piece) size, a power of two from 16KiB to 16MiB")
	fs.Var(&up, "u", "each peer's upload rate u_i; a comma-separated list gives the peers\ntheir own rates in turn, e.g. 512KiB/s,1MiB/s,2MiB/s")
	fs.Var(&seedUp, "us", "the server's upload rate u_s")
	fs.Var(&down, "d", "each peer's download rate d_i (0 = unlimited); a comma-separated list\ngives the peers their own rates in turn, like -u")
	mode := fs.String("mode", "p2p", "p2p (peers upload to each other) or cs (client-server: only the server uploads)")
	pick := fs.String("picker", "rarest", "piece selection: rarest, random or sequential")
	choke := fs.String("choke", "tft", "choking: tft (tit-for-tat, 4 regular + 1 optimistic) or all (upload to everyone)")
	fs.Float64Var(&cfg.FreeRiders, "freeriders", 0, "fraction of peers that upload nothing, e.g. 0.2")
	fs.BoolVar(&cfg.LeaveOnComplete, "leave", false, "peers leave as soon as they complete (default: stay and seed)")
	fs.BoolVar(&cfg.SeedLeaves, "seed-leaves", false, "the server leaves once the peers together hold a full copy")
	fs.Float64Var(&cfg.LateJoiners, "late", 0, "fraction of peers that join late, e.g. 0.2")
	fs.DurationVar(&cfg.LateJoinDelay, "late-after", cfg.LateJoinDelay, "how late the late joiners come")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "give up on a run after this long (default: 30s + 4 × the bound)")
	fs.StringVar(&opts.Sweep, "sweep", "", "FROM:TO[:STEP]: run both modes for each N in the range, e.g. 1:30:5")
	experiment := fs.String("experiment", "", "run one of the teaching experiments and compare its variants side by side:\n"+
		"figure (the sweep, -sweep "+DefaultFigureRange+" unless given), pickers (rarest/random/sequential),\n"+
		"freeriders (tit-for-tat vs free riders vs upload to all), leaving (stay vs leave vs server leaves)")
	fs.StringVar(&opts.CSV, "csv", "", "write the results as CSV to this file (one run: also NAME-timeline.csv)")
	fs.StringVar(&opts.Plot, "plot", "", "write a plot to this file (.svg or .png)")
	return func() (LabOptions, error) {
		var err error
		cfg.FileSize, cfg.PieceLength = int64(size), int64(chunk)
		cfg.PeerUpload, cfg.PeerUploads = up.single(), up.list()
		cfg.PeerDownload, cfg.PeerDownloads = down.single(), down.list()
		if len(seedUp) != 1 {
			return opts, errors.New("-us: the server has one upload rate, not a list")
		}
		cfg.SeedUpload = seedUp[0]
		if cfg.Mode, err = lab.ParseMode(*mode); err != nil {
			return opts, err
		}
		if cfg.Picker, err = lab.ParseStrategy(*pick); err != nil {
			return opts, err
		}
		if cfg.Choking, err = lab.ParseChoking(*choke); err != nil {
			return opts, err
		}
		switch e := strings.ToLower(strings.TrimSpace(*experiment)); e {
		case "":
		case "figure", "sweep", "1":
			if opts.Sweep == "" {
				opts.Sweep = DefaultFigureRange
			}
		default:
			if opts.Experiment, err = lab.ParseExperiment(e); err != nil {
				return opts, fmt.Errorf("%w (or figure)", err)
			}
			if opts.Sweep != "" {
				return opts, fmt.Errorf("-experiment %s and -sweep: choose one (the sweep is -experiment figure)", opts.Experiment)
			}
		}
		opts.Config = cfg
		opts.FitRates = true
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "u" || f.Name == "us" || f.Name == "d" {
				opts.FitRates = false // the user chose the rates
			}
		})
		return opts, nil
	}
}

// labSize is a size flag: "16MiB", "256KiB" or a byte count.
type labSize int64

func (s *labSize) String() string { return humanize.IBytes(uint64(max(*s, 0))) }

func (s *labSize) Set(v string) error {
	n, err := humanize.ParseBytes(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("not a size: %q (try 256KiB or 16MiB)", v)
	}
	*s = labSize(n)
	return nil
}

// labRates is a rate flag that takes one rate or a comma-separated list
// (lab.ParseRates).
type labRates []int64

func (r *labRates) String() string {
	if r == nil || len(*r) == 0 {
		return ""
	}
	return lab.RatesText(*r)
}

func (r *labRates) Set(v string) error {
	rates, err := lab.ParseRates(v)
	if err != nil {
		return err
	}
	*r = rates
	return nil
}

// single is the one rate every peer shares: the first of a list.
func (r labRates) single() int64 { return r[0] }

// list is the per-peer rates when there are several, else nil.
func (r labRates) list() []int64 {
	if len(r) < 2 {
		return nil
	}
	return r
}
