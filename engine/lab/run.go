package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/swarmscope/swarmscope/engine/choker"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

// stopAnnounceTimeout bounds each node's "stopped" announce to the lab's
// own tracker when it leaves or the run ends.
const stopAnnounceTimeout = 2 * time.Second

// node is one participant while the run is going.
type node struct {
	NodeResult
	index   int // 0 = the server
	dir     string
	session *torrent.Session
	t       *torrent.Torrent // nil until it joins
	last    *torrent.Snapshot
}

func (n *node) inSwarm() bool { return n.t != nil && !n.Left }

// run is the state of one lab run; only Run's goroutine touches it.
type run struct {
	cfg      Config
	mi       *metainfo.MetaInfo
	tracker  *tracker.Server
	nodes    []*node
	byID     map[[20]byte]int
	clock    clock           // the lab's clock: running time, pauses left out
	unchoked map[[2]int]bool // (observer, target) → target was unchoked at the last sample
	res      *Result

	completions chan completion
	leaving     sync.WaitGroup
}

type completion struct {
	index int
	at    time.Time
}

// Run runs one lab: a server holding a generated file of cfg.FileSize
// bytes and cfg.Peers peers, every one a real engine session listening on
// 127.0.0.1, meeting through an embedded tracker on 127.0.0.1. It returns
// when every peer has the file, when the timeout passes, or when ctx is
// cancelled; everything it started is stopped before it returns (each
// node's goodbye to the tracker is bounded by a couple of seconds).
//
// progress, when not nil, is called with every sample. On cancellation Run
// returns the partial result together with ctx's error.
//
// cfg.Control, when set, pauses and resumes the run (see Control): while
// paused no data moves and the lab's clock, the timeout included, stands
// still.
func Run(ctx context.Context, cfg Config, progress func(Sample)) (*Result, error) {
	cfg.fillDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	bound := cfg.Bound()
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30*time.Second + 4*bound.Time
		if cfg.LateJoiners > 0 {
			timeout += cfg.LateJoinDelay
		}
	}

	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "swarmscope-lab-")
		if err != nil {
			return nil, fmt.Errorf("lab: a folder for the files: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}

	r := &run{
		cfg:         cfg,
		byID:        make(map[[20]byte]int),
		unchoked:    make(map[[2]int]bool),
		completions: make(chan completion, cfg.Peers),
		res:         &Result{Config: cfg, Bound: bound, Floor: cfg.Floor()},
	}
	defer r.stopAll()
	if err := r.setUp(ctx, dir); err != nil {
		return nil, err
	}
	err := r.distribute(ctx, timeout, progress)
	r.stopAll()
	r.finish()
	return r.res, err
}

// setUp writes the file, starts the tracker, makes the torrent, starts the
// server and opens every peer's session (so all listeners are ready when
// the clock starts).
func (r *run) setUp(ctx context.Context, dir string) error {
	cfg := r.cfg
	seedDir := filepath.Join(dir, "server")
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	file := filepath.Join(seedDir, "lab-file.bin")
	if err := writeRandomFile(file, cfg.FileSize); err != nil {
		return fmt.Errorf("lab: writing the %d-byte file to share: %w", cfg.FileSize, err)
	}
	var err error
	r.tracker, err = tracker.Listen("127.0.0.1:0", tracker.ServerConfig{
		Interval:      cfg.AnnounceInterval,
		MinInterval:   cfg.AnnounceInterval,
		NumWant:       50, // the text: the tracker hands out about 50 peers
		MaxPeersPerIP: 2*cfg.Peers + 10,
		Log:           cfg.Logger,
	})
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	r.mi, err = metainfo.Create(ctx, file, metainfo.CreateOptions{
		PieceLength: cfg.PieceLength,
		Trackers:    []string{r.tracker.HTTPAnnounceURL()},
		CreatedBy:   "swarmscope lab",
	})
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	r.res.Pieces = r.mi.Info.NumPieces()

	server := &node{NodeResult: NodeResult{Name: "server", Server: true, UploadRate: cfg.SeedUpload, ShareRatio: -1}, dir: seedDir}
	if err := r.openSession(server, false); err != nil {
		return err
	}
	r.nodes = append(r.nodes, server)
	for i := range cfg.Peers {
		n := &node{
			NodeResult: NodeResult{
				Name:         fmt.Sprintf("peer %d", i+1),
				FreeRider:    cfg.Mode == PeerToPeer && cfg.isFreeRider(i),
				LateJoiner:   cfg.isLateJoiner(i),
				UploadRate:   cfg.PeerUploadRate(i),
				DownloadRate: cfg.PeerDownloadRate(i),
			},
			index: i + 1,
			dir:   filepath.Join(dir, fmt.Sprintf("peer-%03d", i+1)),
		}
		noUpload := cfg.Mode == ClientServer || n.FreeRider
		if noUpload {
			n.UploadRate = 0
		}
		if err := r.openSession(n, noUpload); err != nil {
			return err
		}
		r.nodes = append(r.nodes, n)
	}

	// The server verifies its copy before the clock starts: the textbook's
	// t = 0 is a server that has the file and peers that want it.
	if err := r.join(server); err != nil {
		return err
	}
	select {
	case <-server.t.Done():
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Minute):
		return errors.New("lab: the server did not finish checking its own file within a minute")
	}
	if s := server.t.Snapshot(); s.State == torrent.Failed {
		return fmt.Errorf("lab: server: %s", s.Err)
	}
	return nil
}

// openSession starts n's engine on 127.0.0.1 with its own rate limits.
func (r *run) openSession(n *node, noUpload bool) error {
	cfg := r.cfg
	ch := choker.DefaultConfig()
	ch.RechokeInterval, ch.OptimisticInterval, ch.SnubTimeout = cfg.RechokeInterval, cfg.OptimisticInterval, cfg.SnubTimeout
	ch.UploadToAll = cfg.Choking == UploadToAll
	s, err := torrent.NewSession(torrent.Config{
		ListenAddr:    "127.0.0.1:0",
		UploadLimit:   n.UploadRate,
		DownloadLimit: n.DownloadRate,
		Choker:        ch,
		NoUpload:      noUpload,
		// Every lab peer is 127.0.0.1, so BEP 6 would give them all the
		// same allowed fast pieces, which the server would then send to
		// each of them while it chokes them (D/bound 1.34–1.41 instead of
		// 1.21–1.30 at N = 20).
		NoAllowedFast:       true,
		PickerStrategy:      cfg.Picker,
		AnnounceInterval:    cfg.AnnounceInterval,
		StopAnnounceTimeout: stopAnnounceTimeout,
		// Many engines share this process: a couple of disk workers each
		// keep the goroutine count (and the scheduler's work) modest.
		DiskWorkers: 2,
		Logger:      cfg.Logger.With("lab", n.Name),
	})
	if err != nil {
		return fmt.Errorf("lab: %s: %w", n.Name, err)
	}
	n.session = s
	r.byID[s.PeerID()] = len(r.nodes)
	return nil
}

// join adds the torrent to n's session: it rechecks (nothing, for a
// peer), announces and starts trading.
func (r *run) join(n *node) error {
	t, err := n.session.Add(r.mi, torrent.AddOptions{Dir: n.dir, SeedOnly: n.Server})
	if err != nil {
		return fmt.Errorf("lab: %s: %w", n.Name, err)
	}
	n.t = t
	if !r.clock.start.IsZero() {
		n.JoinedAt = r.clock.now()
	}
	if !n.Server {
		go func() {
			select {
			case <-t.Done():
				r.completions <- completion{n.index, time.Now()}
			case <-t.Stopped():
			}
		}()
	}
	return nil
}

// distribute starts the clock and the peers, then samples the swarm until
// every peer is complete, pausing and resuming when cfg.Control says so.
// The timeout and the late joiners' delay are in running time: their
// timers stop while paused and are set for what is left on resume.
func (r *run) distribute(ctx context.Context, timeout time.Duration, progress func(Sample)) error {
	cfg := r.cfg
	cpu := startCPUWatch()
	r.clock.start = time.Now()
	for _, n := range r.nodes[1:] {
		if !n.LateJoiner {
			if err := r.join(n); err != nil {
				return err
			}
		}
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	lateJoin := time.NewTimer(cfg.LateJoinDelay)
	defer lateJoin.Stop()
	lateJoined := cfg.LateJoiners == 0
	if lateJoined {
		lateJoin.Stop()
	}
	ticker := time.NewTicker(cfg.SampleInterval)
	defer ticker.Stop()
	report := func(s Sample) {
		if progress != nil {
			progress(s)
		}
		if cfg.Live != nil {
			cfg.Live(r.liveView(s))
		}
	}
	// follow brings the run to the state cfg.Control wants.
	follow := func() {
		want := cfg.Control.wantPaused()
		switch {
		case want && !r.clock.paused():
			// The clock stops once every torrent is paused, so nothing
			// moves during the time it leaves out.
			r.pauseAll()
			now := time.Now()
			r.clock.pause(now)
			cpu.pause(now)
			deadline.Stop()
			lateJoin.Stop()
			ticker.Stop()
			report(r.sample(now, true))
		case !want && r.clock.paused():
			// One more view of the paused swarm, then the clock runs
			// again before the torrents do.
			if cfg.Live != nil {
				cfg.Live(r.liveView(r.sample(time.Now(), false)))
			}
			now := time.Now()
			r.res.Pauses = append(r.res.Pauses, r.clock.resume(now))
			cpu.resume(now)
			r.resumeAll()
			ran := r.clock.now()
			deadline.Reset(max(timeout-ran, 0))
			if !lateJoined {
				lateJoin.Reset(max(cfg.LateJoinDelay-ran, 0))
			}
			ticker.Reset(cfg.SampleInterval)
		}
	}
	changed := cfg.Control.changed()
	remaining := cfg.Peers
	var err error
	timedOut := false
loop:
	for remaining > 0 {
		follow() // before anything else: a run that starts paused shows no running sample
		select {
		case <-changed: // follow, at the top of the loop, applies it
		case c := <-r.completions:
			n := r.nodes[c.index]
			n.Complete, n.CompletedAt = true, r.clock.at(c.at)
			remaining--
			if cfg.LeaveOnComplete && remaining > 0 {
				r.leave(n)
			}
			// A completed peer holds a full copy, so the server may go now
			// rather than at the next sample: on a busy machine the samples
			// can all miss the short stretch between the peers holding
			// every piece and the last of them completing.
			if cfg.SeedLeaves && remaining > 0 && !r.nodes[0].Left && r.peersHoldFullCopy() {
				r.leave(r.nodes[0])
			}
		case <-lateJoin.C:
			lateJoined = true
			for _, n := range r.nodes[1:] {
				if n.LateJoiner {
					if err := r.join(n); err != nil {
						return err
					}
				}
			}
		case now := <-ticker.C:
			if r.clock.paused() {
				continue // a tick from just before the pause
			}
			cpu.sample(now)
			s := r.sample(now, true)
			report(s)
			if cfg.SeedLeaves && !r.nodes[0].Left && r.peersHoldFullCopy() {
				r.leave(r.nodes[0])
			}
			if piece, lost := r.lostPiece(); lost {
				r.res.Notes = append(r.res.Notes, fmt.Sprintf("piece %d is lost at %s: no node that uploads still holds it (the server and the peers that had it left, or only free riders have it), so the peers still missing it can never complete",
					piece, formatSeconds(s.At)))
				break loop
			}
		case <-deadline.C:
			timedOut = true
			break loop
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		}
	}
	// One last sample so the timeline ends with the final state.
	now := time.Now()
	report(r.sample(now, true))
	if r.clock.paused() {
		r.res.Pauses = append(r.res.Pauses, r.clock.resume(now))
	}
	r.res.CPU = cpu.stop()
	if remaining == 0 {
		r.res.Finished = true
		for _, n := range r.nodes[1:] {
			r.res.D = max(r.res.D, n.CompletedAt)
		}
	}
	if timedOut {
		r.res.Notes = append(r.res.Notes, fmt.Sprintf("timed out after %s: %d of %d peers complete", timeout.Round(time.Second), cfg.Peers-remaining, cfg.Peers))
	}
	return err
}

// pauseWait bounds how long pauseAll waits for one torrent to say it has
// paused.
const pauseWait = 5 * time.Second

// pauseAll pauses every node's torrent in the swarm, all at once, and waits
// until each says it is paused: its connections are dropped, so no more
// data moves. Each torrent's "stopped" announce goes on in the background.
func (r *run) pauseAll() {
	var wg sync.WaitGroup
	for _, n := range r.nodes {
		if !n.inSwarm() {
			continue
		}
		wg.Add(1)
		go func(t *torrent.Torrent) {
			defer wg.Done()
			t.Pause()
			for give := time.Now().Add(pauseWait); time.Now().Before(give); time.Sleep(5 * time.Millisecond) {
				select {
				case <-t.Stopped():
					return
				default:
				}
				if s := t.Snapshot(); s != nil && (s.State == torrent.Paused || s.State == torrent.Failed) {
					return
				}
			}
		}(n.t)
	}
	wg.Wait()
}

// resumeAll resumes every node's torrent in the swarm: each announces to
// the tracker again and reconnects.
func (r *run) resumeAll() {
	for _, n := range r.nodes {
		if n.inSwarm() {
			n.t.Resume()
		}
	}
}

// leave takes n out of the swarm: its session stops (announcing "stopped")
// in the background so the clock is not held up.
func (r *run) leave(n *node) {
	n.Left, n.LeftAt = true, r.clock.now()
	n.last = n.t.Snapshot()
	r.leaving.Add(1)
	go func() {
		defer r.leaving.Done()
		n.session.Close()
	}()
}

// stopAll closes every session that is still open, in parallel, and the
// tracker. It is safe to call twice.
func (r *run) stopAll() {
	var wg sync.WaitGroup
	for _, n := range r.nodes {
		if n.session != nil && !n.Left {
			wg.Add(1)
			go func(s *torrent.Session) {
				defer wg.Done()
				s.Close()
			}(n.session)
		}
	}
	wg.Wait()
	r.leaving.Wait()
	if r.tracker != nil {
		r.tracker.Close()
		r.tracker = nil
	}
}

// sample reads every node's snapshot: piece copies, upload rates, and who
// unchoked whom since the last sample. record adds it to the timeline.
func (r *run) sample(now time.Time, record bool) Sample {
	s := Sample{At: r.clock.at(now)}
	copies := make([]int, r.res.Pieces)
	for _, n := range r.nodes {
		if !n.inSwarm() {
			continue
		}
		snap := n.t.Snapshot()
		n.last = snap
		s.Nodes++
		s.UploadRate += snap.UpRate
		for i, p := range snap.Pieces {
			if p == torrent.PieceHave && i < len(copies) {
				copies[i]++
			}
		}
		r.countUnchokes(n.index, snap)
	}
	// Completions come from the torrents' Done channels, which close a
	// moment before the snapshot says so; peers that left still count.
	for _, n := range r.nodes[1:] {
		if n.Complete {
			s.Complete++
		}
	}
	if len(copies) > 0 {
		s.RarestCopies = copies[0]
		total := 0
		for _, c := range copies {
			s.RarestCopies = min(s.RarestCopies, c)
			total += c
		}
		s.MeanCopies = float64(total) / float64(len(copies))
	}
	if record {
		r.res.Timeline = append(r.res.Timeline, s)
	}
	return s
}

// countUnchokes records an unchoke event each time observer is seen
// serving a peer it was not serving at the previous sample.
func (r *run) countUnchokes(observer int, snap *torrent.Snapshot) {
	for _, p := range snap.Peers {
		target, ok := r.byID[p.PeerID]
		if !ok {
			continue
		}
		key := [2]int{observer, target}
		now := !p.AmChoking
		if now && !r.unchoked[key] {
			u := &r.nodes[target].Unchoked
			switch unchokeWhy(&p, snap.Complete) {
			case "optimistic":
				u.Optimistic++
			case "everyone":
				u.Everyone++
			case "seeding":
				u.BySeeder++
			default:
				u.Reciprocal++
			}
		}
		r.unchoked[key] = now
	}
}

// peersHoldFullCopy reports whether the peers in the swarm that upload
// (free riders do not count: they would never pass a piece on) together
// hold every piece, so the server may leave without the file being lost.
func (r *run) peersHoldFullCopy() bool {
	held := make([]bool, r.res.Pieces)
	missing := len(held)
	for _, n := range r.nodes[1:] {
		if n.FreeRider {
			continue
		}
		if n.Complete && !n.Left {
			return true
		}
		if !n.inSwarm() || n.last == nil {
			continue
		}
		for i, p := range n.last.Pieces {
			if p == torrent.PieceHave && i < len(held) && !held[i] {
				held[i] = true
				missing--
			}
		}
	}
	return missing == 0
}

// lostPiece finds a piece that some peer in the swarm still misses but no
// node willing to upload holds: the distribution can then never end.
func (r *run) lostPiece() (int, bool) {
	served := make([]bool, r.res.Pieces)
	missed := make([]bool, r.res.Pieces)
	for _, n := range r.nodes {
		if !n.inSwarm() || n.last == nil {
			continue
		}
		uploads := n.Server || (r.cfg.Mode == PeerToPeer && !n.FreeRider)
		for i, p := range n.last.Pieces {
			if i >= len(served) {
				break
			}
			if p == torrent.PieceHave {
				served[i] = served[i] || uploads
			} else {
				missed[i] = true
			}
		}
	}
	for i := range served {
		if missed[i] && !served[i] {
			return i, true
		}
	}
	return 0, false
}

// finish computes the per-node figures and the honesty checks once every
// session is closed (their final snapshots hold the final byte counts).
func (r *run) finish() {
	res := r.res
	// Every resume lets the rate limiters' buckets start full again.
	res.Floor = r.cfg.FloorAfterPauses(len(res.Pauses))
	end := res.D
	if !res.Finished && len(res.Timeline) > 0 {
		end = res.Timeline[len(res.Timeline)-1].At
	}
	if res.Finished && res.Bound.Time > 0 {
		res.Ratio = res.D.Seconds() / res.Bound.Seconds()
	}
	for _, n := range r.nodes {
		if n.t != nil {
			snap := n.t.Snapshot()
			n.Uploaded, n.Downloaded, n.Wasted = snap.Uploaded, snap.Downloaded, snap.Wasted
		}
		n.Utilisation = -1
		if n.UploadRate > 0 && n.t != nil {
			until := end
			if n.Left {
				until = min(until, n.LeftAt)
			}
			if active := (until - n.JoinedAt).Seconds(); active > 0 {
				n.Utilisation = float64(n.Uploaded) / (float64(n.UploadRate) * active)
			}
		}
		if !n.Server && n.Downloaded > 0 {
			n.ShareRatio = float64(n.Uploaded) / float64(n.Downloaded)
		}
		res.Nodes = append(res.Nodes, n.NodeResult)
	}
	r.checkHonesty()
}

// checkHonesty flags runs whose figures say more about the machine (or a
// bug) than about the protocol.
func (r *run) checkHonesty() {
	res := r.res
	if res.Finished && res.D < res.Floor {
		res.Notes = append(res.Notes, fmt.Sprintf("D = %s is below the floor %s that the rate limits allow: the rate limiting is broken, do not trust this run",
			formatSeconds(res.D), formatSeconds(res.Floor)))
	}
	util, uploaders := 0.0, 0
	for _, n := range res.Nodes {
		if n.Utilisation >= 0 {
			util += n.Utilisation
			uploaders++
		}
	}
	if uploaders > 0 {
		util /= float64(uploaders)
	}
	cpu := res.CPU
	switch {
	case cpu.Process > machineBusy:
		res.MachineLimited = true
		res.Notes = append(res.Notes, fmt.Sprintf("the lab kept %.0f%% of all %d cores busy: the machine, not the protocol, may have set the pace; try lower rates (-u, -us, -d) or fewer peers",
			100*cpu.Process, cpu.Cores))
	case cpu.System > machineBusy:
		res.MachineLimited = true
		res.Notes = append(res.Notes, fmt.Sprintf("the machine was %.0f%% busy (the lab itself used %.0f%%): other programs competed for the cores, so the times may be longer than the protocol needs",
			100*cpu.System, 100*cpu.Process))
	case cpu.Busy() > 0.6 && uploaders > 0 && util < 0.5:
		res.MachineLimited = true
		res.Notes = append(res.Notes, fmt.Sprintf("uploaders used only %.0f%% of their configured rates while the cores were %.0f%% busy: the machine may be the bottleneck",
			100*util, 100*cpu.Busy()))
	}
}

// machineBusy is the busy fraction of all cores above which a run's times
// may be set by the machine rather than by the configured rates.
const machineBusy = 0.85

// writeRandomFile writes size pseudo-random bytes (incompressible, so no
// layer can cheat) to path. The seed is fixed: every run shares the same
// file.
func writeRandomFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.NewChaCha8([32]byte{'s', 'w', 'a', 'r', 'm', 'l', 'a', 'b'})
	w := bufio.NewWriterSize(f, 1<<20)
	buf := make([]byte, 64<<10)
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		rng.Read(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
