package lab

import (
	"encoding/csv"
	"io"
	"strconv"
)

// WriteRunCSV writes one row per node of a run: its rates, times, bytes,
// share ratio, utilisation and unchoke counts, with the run's D and bound
// repeated on every row so a spreadsheet needs no second table. Times are
// in seconds, rates in bytes/s; an empty cell means "not applicable".
func WriteRunCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{
		"mode", "peers", "picker", "choking", "node", "server", "free_rider", "late_joiner",
		"upload_rate", "download_rate", "joined_s", "completed_s", "download_time_s", "left_s",
		"uploaded", "downloaded", "wasted", "share_ratio", "utilisation",
		"unchoked_reciprocal", "unchoked_optimistic", "unchoked_by_seeder", "unchoked_everyone",
		"D_s", "bound_s", "ratio", "machine_limited",
	})
	d := ""
	if r.Finished {
		d = seconds3(r.D.Seconds())
	}
	for _, n := range r.Nodes {
		completed, took, left := "", "", ""
		if n.Complete {
			completed, took = seconds3(n.CompletedAt.Seconds()), seconds3(n.DownloadTime().Seconds())
		}
		if n.Left {
			left = seconds3(n.LeftAt.Seconds())
		}
		cw.Write([]string{
			r.Config.Mode.String(), strconv.Itoa(r.Config.Peers), StrategyName(r.Config.Picker), r.Config.Choking.String(),
			n.Name, strconv.FormatBool(n.Server), strconv.FormatBool(n.FreeRider), strconv.FormatBool(n.LateJoiner),
			strconv.FormatInt(n.UploadRate, 10), strconv.FormatInt(n.DownloadRate, 10),
			seconds3(n.JoinedAt.Seconds()), completed, took, left,
			strconv.FormatInt(n.Uploaded, 10), strconv.FormatInt(n.Downloaded, 10), strconv.FormatInt(n.Wasted, 10),
			fraction(n.ShareRatio), fraction(n.Utilisation),
			strconv.Itoa(n.Unchoked.Reciprocal), strconv.Itoa(n.Unchoked.Optimistic),
			strconv.Itoa(n.Unchoked.BySeeder), strconv.Itoa(n.Unchoked.Everyone),
			d, seconds3(r.Bound.Seconds()), ratioCell(r.Finished, r.Ratio), strconv.FormatBool(r.MachineLimited),
		})
	}
	cw.Flush()
	return cw.Error()
}

// WriteTimelineCSV writes a run's samples: time, complete peers, copies of
// the rarest piece, mean copies, swarm upload rate and nodes in the swarm.
func WriteTimelineCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"t_s", "complete_peers", "rarest_piece_copies", "mean_piece_copies", "swarm_upload_rate", "nodes"})
	for _, s := range r.Timeline {
		cw.Write([]string{
			seconds3(s.At.Seconds()), strconv.Itoa(s.Complete), strconv.Itoa(s.RarestCopies),
			strconv.FormatFloat(s.MeanCopies, 'f', 2, 64), strconv.FormatFloat(s.UploadRate, 'f', 0, 64), strconv.Itoa(s.Nodes),
		})
	}
	cw.Flush()
	return cw.Error()
}

// WriteSweepCSV writes one row per run of a sweep.
func WriteSweepCSV(w io.Writer, points []SweepPoint) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"mode", "peers", "D_s", "bound_s", "floor_s", "ratio", "finished", "bound_set_by", "cpu_process", "cpu_system", "machine_limited"})
	for _, p := range points {
		d := ""
		if p.Finished {
			d = seconds3(p.D.Seconds())
		}
		system := ""
		if p.CPU.System >= 0 {
			system = fraction(p.CPU.System)
		}
		cw.Write([]string{
			p.Mode.String(), strconv.Itoa(p.Peers), d, seconds3(p.Bound.Seconds()), seconds3(p.Floor.Seconds()),
			ratioCell(p.Finished, p.Ratio), strconv.FormatBool(p.Finished), p.Bound.Limited,
			fraction(p.CPU.Process), system, strconv.FormatBool(p.MachineLimited),
		})
	}
	cw.Flush()
	return cw.Error()
}

func seconds3(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// fraction prints a ratio with three decimals; negative means n/a.
func fraction(f float64) string {
	if f < 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

func ratioCell(finished bool, r float64) string {
	if !finished {
		return ""
	}
	return strconv.FormatFloat(r, 'f', 3, 64)
}
