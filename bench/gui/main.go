// Command gui measures what the desktop app costs in CPU while it sits idle with a busy list
// (issue 6: "idle GUI with 20 active torrents and 200 peers stays under 10 % of one core").
// It is a benchmark, not a test: it prints medians and is not part of `make test`.
//
// It builds a loopback swarm on 127.0.0.1 — an embedded tracker, TORRENTS torrents of random
// data and SEEDERS engine sessions that each seed every torrent with a per-torrent upload limit,
// so the app keeps downloading slowly from SEEDERS peers per torrent (20 × 10 = 200 peers) — and
// starts a private Xvfb. Then, for each round, it runs two processes one after the other on a
// fresh state database (DHT off, no queue limits, its own download folder):
//
//   - gui: bin/swarmscope -state DB -listen 127.0.0.1:0 T1.torrent … (the real desktop app under
//     Xvfb, nothing selected: the idle window);
//   - headless: this program's "headless" mode, the same app.Client with the same torrents and
//     no window — the engine's and the core's share.
//
// Each process gets the torrents, waits until it holds most of the expected peer connections,
// settles, and is then sampled over WINDOWS windows of WINDOW each: CPU time (utime + stime of
// /proc/PID/stat, every thread, Mesa's software renderer included) over wall time, in % of one
// core. It prints every window and the medians; "UI" is median(gui) − median(headless). Xvfb's
// own CPU while the app draws is printed apart (a real X server or compositor pays it instead).
//
// Everything listens on 127.0.0.1 only; the children die with this program (Pdeathsig), each
// run has a deadline, and Xvfb is stopped by PID.
//
// Usage (from the repository root; `make build` first, or pass -bin):
//
//	go run -tags migrated_fynedo ./bench/gui                      # 3 rounds, 3 × 30 s windows
//	go run -tags migrated_fynedo ./bench/gui -rounds 5 -window 20s -windows 3
//	go run -tags migrated_fynedo ./bench/gui -modes gui -pprof 127.0.0.1:6060   # profile the app
//	go run -tags migrated_fynedo ./bench/gui -bin-b /tmp/swarmscope-old -modes gui,gui-b,headless  # A/B two builds
//
// With -pprof the app is started with SWARMSCOPE_PPROF set (see ui/pprof.go) and a CPU profile
// of the first window is saved as gui-cpu.pprof in the current folder. The list's tick alone,
// with 20 or 500 torrents on Fyne's test driver, is BenchmarkListRefresh20/500 in ui:
//
//	go test -tags migrated_fynedo -run '^$' -bench ListRefresh -count 5 ./ui/
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/internal/loopswarm"
	"github.com/swarmscope/swarmscope/persist"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times (100 on every Linux we run on).
const clockTicks = 100

type options struct {
	bin, binB        string
	torrents         int
	seeders          int
	size             int64
	pieceLength      int64
	rate             int64
	rounds           int
	settle, window   time.Duration
	windows          int
	modes            []string
	pprofAddr        string
	keepTmp          bool
	maxConnectWait   time.Duration
	peersWantPercent int
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "headless" {
		if err := headless(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "gui headless:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	var modes string
	flag.StringVar(&o.bin, "bin", "bin/swarmscope", "the desktop app binary (go build -tags migrated_fynedo -o bin/swarmscope .)")
	flag.IntVar(&o.torrents, "torrents", 20, "torrents in the app")
	flag.IntVar(&o.seeders, "seeders", 10, "seeding sessions, each seeding every torrent: the app's peers per torrent")
	flag.Int64Var(&o.size, "size", 8<<20, "bytes per torrent")
	flag.Int64Var(&o.pieceLength, "piece", 64<<10, "piece length")
	flag.Int64Var(&o.rate, "rate", 4<<10, "upload limit of each seeder per torrent, bytes/s (the app downloads TORRENTS × SEEDERS × RATE)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every mode once")
	flag.DurationVar(&o.settle, "settle", 15*time.Second, "wait after the peers are connected before sampling")
	flag.DurationVar(&o.window, "window", 30*time.Second, "length of one sample window")
	flag.IntVar(&o.windows, "windows", 3, "sample windows per run")
	flag.StringVar(&o.binB, "bin-b", "", "a second app binary to compare with, run as mode gui-b (e.g. built from the previous commit)")
	flag.StringVar(&modes, "modes", "gui,headless", "what to run each round: gui, headless, gui-b")
	flag.StringVar(&o.pprofAddr, "pprof", "", "start the app with SWARMSCOPE_PPROF=ADDR and save a CPU profile (gui-cpu.pprof)")
	flag.BoolVar(&o.keepTmp, "keep", false, "keep the temporary folder")
	flag.DurationVar(&o.maxConnectWait, "connect-wait", 60*time.Second, "how long a run may take to connect to its peers")
	flag.IntVar(&o.peersWantPercent, "peers-percent", 95, "a run starts sampling once it holds this % of TORRENTS × SEEDERS connections")
	flag.Parse()
	o.modes = strings.Split(modes, ",")
	for _, m := range o.modes {
		if m != "gui" && m != "headless" && m != "gui-b" || m == "gui-b" && o.binB == "" {
			fmt.Fprintf(os.Stderr, "gui: unknown mode %q\n", m)
			os.Exit(2)
		}
	}
	// The seeders' notes ("download complete" for data they had all along) are noise here.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "gui:", err)
		os.Exit(1)
	}
}

// startSwarm starts the loopback swarm the app downloads from: o.torrents torrents, each seeded
// by o.seeders sessions at o.rate, which are all seeding when it returns.
func startSwarm(ctx context.Context, dir string, o options) (*loopswarm.Swarm, error) {
	sw, err := loopswarm.Start(ctx, loopswarm.Options{
		Dir: dir, Name: "bench.bin", Torrents: o.torrents, Size: o.size, PieceLength: o.pieceLength,
		Seeders: o.seeders, UploadLimit: o.rate, TrackerInterval: 30 * time.Second,
		MaxConnections: 4 * o.torrents, TrustData: true,
	})
	if err != nil {
		return nil, err
	}
	if err := sw.WaitSeeding(2 * time.Minute); err != nil {
		sw.Close()
		return nil, err
	}
	time.Sleep(2 * time.Second) // give the announces a moment to reach the tracker
	return sw, nil
}

// startXvfb starts a private X server and returns it with its DISPLAY value.
func startXvfb() (*exec.Cmd, string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, "", fmt.Errorf("start Xvfb (apt-get install xvfb): %w", err)
	}
	w.Close()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case d := <-line:
		if d != "" {
			return cmd, ":" + d, nil
		}
	case <-time.After(15 * time.Second):
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", errors.New("the X server (Xvfb) did not report a display within 15 s")
}

// sample is one window's measurement of one run.
type sample struct {
	mode     string
	round    int
	cpu      float64 // % of one core
	xvfb     float64 // Xvfb's % of one core during the window (gui only)
	conns    int     // established TCP connections at the window's end
	readMBps float64 // bytes the process read (sockets and files), MB/s
	rssMB    float64
}

func run(o options) error {
	for mode, bin := range map[string]string{"gui": o.bin, "gui-b": o.binB} {
		if _, err := os.Stat(bin); slices.Contains(o.modes, mode) && err != nil {
			return fmt.Errorf("%s: %w (build it: go build -tags migrated_fynedo -o bin/swarmscope .)", bin, err)
		}
	}
	tmp, err := os.MkdirTemp("", "swarmscope-bench-gui-")
	if err != nil {
		return err
	}
	if !o.keepTmp {
		defer os.RemoveAll(tmp)
	}
	perRun := o.maxConnectWait + o.settle + time.Duration(o.windows)*o.window + time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(o.rounds*len(o.modes))*perRun)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Printf("bench/gui: %d torrents × %d seeders on 127.0.0.1, %d KiB/s per seeder per torrent (%.1f MiB/s in all), %d MiB each\n",
		o.torrents, o.seeders, o.rate>>10, float64(int64(o.torrents*o.seeders)*o.rate)/(1<<20), o.size>>20)
	sw, err := startSwarm(ctx, tmp, o)
	if err != nil {
		return err
	}
	defer sw.Close()

	var xvfb *exec.Cmd
	var display string
	if slices.Contains(o.modes, "gui") || slices.Contains(o.modes, "gui-b") {
		xvfb, display, err = startXvfb()
		if err != nil {
			return err
		}
		defer func() {
			xvfb.Process.Kill()
			xvfb.Wait()
		}()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var samples []sample
	for round := 1; round <= o.rounds; round++ {
		for _, mode := range o.modes {
			dir := filepath.Join(tmp, fmt.Sprintf("run-%d-%s", round, mode))
			got, err := measure(ctx, o, sw, mode, round, dir, self, display, xvfb)
			os.RemoveAll(dir)
			if err != nil {
				return fmt.Errorf("round %d %s: %w", round, mode, err)
			}
			samples = append(samples, got...)
		}
	}
	report(o, samples)
	return nil
}

// measure runs one process in mode and samples it.
func measure(ctx context.Context, o options, sw *loopswarm.Swarm, mode string, round int, dir, self, display string, xvfb *exec.Cmd) ([]sample, error) {
	state := filepath.Join(dir, "state", "swarmscope.db")
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		return nil, err
	}
	store, err := persist.Open(state, persist.Options{})
	if err != nil {
		return nil, err
	}
	settings := persist.DefaultSettings()
	settings.DownloadDir = filepath.Join(dir, "downloads")
	settings.DHTEnabled = false
	settings.MaxActiveDownloads, settings.MaxActiveSeeds = 0, 0
	if err := store.SaveSettings(settings); err != nil {
		store.Close()
		return nil, err
	}
	if err := store.Close(); err != nil {
		return nil, err
	}

	var cmd *exec.Cmd
	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "LANG=C.UTF-8")
	switch mode {
	case "gui", "gui-b":
		bin := o.bin
		if mode == "gui-b" {
			bin = o.binB
		}
		cmd = exec.Command(bin, append([]string{"-state", state, "-listen", "127.0.0.1:0"}, torrentPaths(sw)...)...)
		env = append(env, "DISPLAY="+display, "DBUS_SESSION_BUS_ADDRESS=")
		if o.pprofAddr != "" {
			env = append(env, "SWARMSCOPE_PPROF="+o.pprofAddr)
		}
	default:
		cmd = exec.Command(self, append([]string{"headless", "-state", state}, torrentPaths(sw)...)...)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()
	pid := cmd.Process.Pid
	wait := func(d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-exited:
			stopped = true
			return fmt.Errorf("%s exited early: %v\n%s", mode, err, stderr.String())
		case <-time.After(d):
			return nil
		}
	}

	want := o.torrents * o.seeders * o.peersWantPercent / 100
	start := time.Now()
	conns := 0
	for {
		conns = established(pid)
		if conns >= want {
			break
		}
		if time.Since(start) > o.maxConnectWait {
			fmt.Printf("  round %d %-8s: only %d of %d connections after %v; sampling anyway\n", round, mode, conns, want, o.maxConnectWait)
			break
		}
		if err := wait(500 * time.Millisecond); err != nil {
			return nil, err
		}
	}
	fmt.Printf("  round %d %-8s: %d connections after %.1f s; settling %v\n", round, mode, conns, time.Since(start).Seconds(), o.settle)
	if err := wait(o.settle); err != nil {
		return nil, err
	}
	profiled := make(chan error, 1)
	if mode == "gui" && o.pprofAddr != "" && round == 1 {
		go func() { profiled <- fetchProfile(o.pprofAddr, o.window, "gui-cpu.pprof") }()
	} else {
		profiled <- nil
	}

	var out []sample
	for w := range o.windows {
		t0, c0, r0 := time.Now(), cpuTicks(pid), readBytes(pid)
		x0 := int64(0)
		if xvfb != nil {
			x0 = cpuTicks(xvfb.Process.Pid)
		}
		if err := wait(o.window); err != nil {
			return nil, err
		}
		el := time.Since(t0).Seconds()
		s := sample{
			mode: mode, round: round,
			cpu:      float64(cpuTicks(pid)-c0) / clockTicks / el * 100,
			conns:    established(pid),
			readMBps: float64(readBytes(pid)-r0) / el / 1e6,
			rssMB:    float64(rss(pid)) / (1 << 20),
		}
		if xvfb != nil {
			s.xvfb = float64(cpuTicks(xvfb.Process.Pid)-x0) / clockTicks / el * 100
		}
		fmt.Printf("  round %d %-8s window %d: %5.2f %% of a core (Xvfb %4.2f %%), %d connections, reads %.2f MB/s, RSS %.0f MiB\n",
			round, mode, w+1, s.cpu, s.xvfb, s.conns, s.readMBps, s.rssMB)
		out = append(out, s)
	}
	if err := <-profiled; err != nil {
		fmt.Println("  profile:", err)
	} else if mode == "gui" && o.pprofAddr != "" && round == 1 {
		fmt.Println("  wrote gui-cpu.pprof (go tool pprof -top bin/swarmscope gui-cpu.pprof)")
	}

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			fmt.Printf("  round %d %-8s: exit after SIGTERM: %v\n%s", round, mode, err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		fmt.Printf("  round %d %-8s: did not exit within 30 s of SIGTERM; killed\n", round, mode)
	}
	return out, nil
}

func fetchProfile(addr string, d time.Duration, file string) error {
	client := &http.Client{Timeout: d + 30*time.Second}
	resp, err := client.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func report(o options, samples []sample) {
	med := func(mode string, f func(sample) float64) (float64, int) {
		var v []float64
		for _, s := range samples {
			if s.mode == mode {
				v = append(v, f(s))
			}
		}
		if len(v) == 0 {
			return 0, 0
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2], len(v)
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2, len(v)
	}
	fmt.Printf("\nmedians over %d-second windows (%d torrents, %d peers each):\n", int(o.window.Seconds()), o.torrents, o.seeders)
	cpu := func(s sample) float64 { return s.cpu }
	for _, mode := range o.modes {
		m, n := med(mode, cpu)
		x, _ := med(mode, func(s sample) float64 { return s.xvfb })
		c, _ := med(mode, func(s sample) float64 { return float64(s.conns) })
		r, _ := med(mode, func(s sample) float64 { return s.readMBps })
		line := fmt.Sprintf("  %-8s %5.2f %% of one core (n=%d), %.0f connections, reads %.2f MB/s", mode, m, n, c, r)
		if mode != "headless" {
			line += fmt.Sprintf("; Xvfb %.2f %%", x)
		}
		fmt.Println(line)
	}
	g, ng := med("gui", cpu)
	h, nh := med("headless", cpu)
	if ng > 0 && nh > 0 {
		fmt.Printf("  UI (gui − headless) %5.2f %% of one core; goal: gui ≤ 10 %%\n", g-h)
	}
	if b, nb := med("gui-b", cpu); nb > 0 && nh > 0 {
		fmt.Printf("  UI of -bin-b (gui-b − headless) %5.2f %% of one core\n", b-h)
	}
}

// cpuTicks is utime + stime of pid in clock ticks; 0 when it is gone.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields start after its closing parenthesis.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

// readBytes is /proc/PID/io's rchar: bytes read through read-like calls, sockets included.
func readBytes(pid int) int64 {
	return procField(fmt.Sprintf("/proc/%d/io", pid), "rchar:")
}

// rss is the resident set in bytes.
func rss(pid int) int64 {
	return procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:") << 10
}

func procField(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// established counts pid's TCP connections in state ESTABLISHED: its sockets (from /proc/PID/fd)
// matched with /proc/PID/net/tcp{,6}.
func established(pid int) int {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0
	}
	inodes := make(map[string]bool)
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	n := 0
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			// sl local rem st tx:rx tr:when retrnsmt uid timeout inode
			if len(f) > 9 && f[3] == "01" && inodes[f[9]] {
				n++
			}
		}
	}
	return n
}

// headless is the engine-only run: the same app.Client as the desktop app (no DHT, as its
// settings say), the torrents added as the command line adds them, until SIGTERM or 30 min.
func headless(args []string) error {
	fs := flag.NewFlagSet("headless", flag.ExitOnError)
	state := fs.String("state", "", "state database")
	fs.Parse(args)
	c, err := app.New(app.Config{StatePath: *state, ListenAddr: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	go func() {
		for range c.Events() { // drained like the window's backend does
		}
	}()
	for _, path := range fs.Args() {
		if _, err := c.AddTorrentFile(path, app.AddOptions{}); err != nil {
			c.Close()
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Minute):
	}
	return c.Close()
}

// torrentPaths are the swarm's .torrent files, for the app's command line.
func torrentPaths(sw *loopswarm.Swarm) []string {
	var paths []string
	for _, sd := range sw.Torrents {
		paths = append(paths, sd.TorrentPath)
	}
	return paths
}
