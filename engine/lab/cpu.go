package lab

import (
	"fmt"
	"runtime"
	"time"
)

// CPUUse is how busy the machine was during a run. The lab's peers are
// real engines sharing this machine's cores; when the cores are saturated,
// the distribution time measures the machine, not the protocol, and the
// lab says so.
type CPUUse struct {
	Cores int // logical CPUs available to the process
	// Process is the lab's own CPU time over wall time × Cores, 0 to 1.
	Process float64
	// System is the whole machine's busy fraction over the run (Linux:
	// /proc/stat), including other programs; -1 when unknown.
	System float64
	// PeakProcess is the busiest one-second window of the lab's own use.
	PeakProcess float64
}

// Busy is the larger of the lab's and the machine's busy fractions.
func (c CPUUse) Busy() float64 { return max(c.Process, c.System) }

func (c CPUUse) String() string {
	s := fmt.Sprintf("lab used %.0f%% of %d cores (peak %.0f%%)", 100*c.Process, c.Cores, 100*c.PeakProcess)
	if c.System >= 0 {
		s += fmt.Sprintf(", machine %.0f%% busy", 100*c.System)
	}
	return s
}

// cpuWatch measures the process's CPU time against wall time.
type cpuWatch struct {
	cores       int
	start       time.Time
	startCPU    time.Duration
	startSystem systemTimes
	haveSystem  bool
	lastAt      time.Time
	lastCPU     time.Duration
	peak        float64
	// A paused run's idle stretches are left out of every figure: wall,
	// CPU and system time spent paused so far, and the current pause.
	idleWall, idleCPU time.Duration
	idleSystem        systemTimes
	pausedAt          time.Time
	pausedCPU         time.Duration
	pausedSystem      systemTimes
	pausedHaveSystem  bool
}

func startCPUWatch() *cpuWatch {
	w := &cpuWatch{cores: runtime.NumCPU(), start: time.Now(), startCPU: processCPUTime()}
	w.startSystem, w.haveSystem = readSystemTimes()
	w.lastAt, w.lastCPU = w.start, w.startCPU
	return w
}

// sample updates the peak over windows of at least a second.
func (w *cpuWatch) sample(now time.Time) {
	if now.Sub(w.lastAt) < time.Second {
		return
	}
	cpu := processCPUTime()
	w.peak = max(w.peak, busyFraction(cpu-w.lastCPU, now.Sub(w.lastAt), w.cores))
	w.lastAt, w.lastCPU = now, cpu
}

// pause leaves what follows, until resume, out of the figures.
func (w *cpuWatch) pause(now time.Time) {
	if !w.pausedAt.IsZero() {
		return
	}
	w.sample(now)
	w.pausedAt, w.pausedCPU = now, processCPUTime()
	w.pausedSystem, w.pausedHaveSystem = readSystemTimes()
}

// resume ends a pause; the next peak window starts now.
func (w *cpuWatch) resume(now time.Time) {
	if w.pausedAt.IsZero() {
		return
	}
	cpu := processCPUTime()
	w.idleWall += now.Sub(w.pausedAt)
	w.idleCPU += cpu - w.pausedCPU
	if sys, ok := readSystemTimes(); ok && w.pausedHaveSystem {
		w.idleSystem.total += sys.total - w.pausedSystem.total
		w.idleSystem.idle += sys.idle - w.pausedSystem.idle
	}
	w.pausedAt = time.Time{}
	w.lastAt, w.lastCPU = now, cpu
}

func (w *cpuWatch) stop() CPUUse {
	now := time.Now()
	w.resume(now)
	w.sample(now)
	use := CPUUse{
		Cores:   w.cores,
		Process: busyFraction(processCPUTime()-w.startCPU-w.idleCPU, now.Sub(w.start)-w.idleWall, w.cores),
		System:  -1,
	}
	use.PeakProcess = max(w.peak, use.Process)
	if end, ok := readSystemTimes(); ok && w.haveSystem {
		total := end.total - w.startSystem.total - w.idleSystem.total
		idle := end.idle - w.startSystem.idle - w.idleSystem.idle
		if total > 0 && idle <= total {
			// The machine is at least as busy as the lab itself; the two
			// clocks tick at different granularities.
			use.System = max(use.Process, float64(total-idle)/float64(total))
		}
	}
	return use
}

func busyFraction(cpu, wall time.Duration, cores int) float64 {
	if wall <= 0 || cores <= 0 {
		return 0
	}
	return min(1, cpu.Seconds()/(wall.Seconds()*float64(cores)))
}

// systemTimes are the machine's cumulative CPU ticks.
type systemTimes struct{ total, idle uint64 }
