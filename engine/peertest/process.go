package peertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// DefaultTimeout is the hard deadline given to a client when
// ClientOptions.Timeout is zero. It is generous for the few-MiB files these
// tests move on loopback and short enough that a hung client cannot hold up
// a test run for long.
const DefaultTimeout = 90 * time.Second

// logsEnv names the environment variable that, when set, makes every
// client's output appear in the test log, not only on failure.
const logsEnv = "PEERTEST_LOGS"

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 3 * time.Second

// logTailBytes bounds how much of a client's output is copied into the test
// log when the test fails; the whole output stays in the log file.
const logTailBytes = 16 << 10

// Process is a client (or tracker) started by this package. It runs in its
// own process group, so Stop ends it together with any children. Its
// combined stdout and stderr go to LogPath and are dumped into the test log
// when the test fails (or always, when PEERTEST_LOGS is set). Stop is registered with t.Cleanup and also runs when
// the process's hard deadline passes.
type Process struct {
	// Name identifies the client in messages, e.g. "aria2c leecher".
	Name string
	// Port is the TCP port the client listens on for peers (or the
	// tracker's port), always on 127.0.0.1.
	Port int
	// LogPath is the file holding the client's combined output.
	LogPath string

	cmd *exec.Cmd
	out *outputLog

	// complete reports whether output shows the client has all the data;
	// nil means only a zero exit status counts (aria2c).
	complete func(output []byte) bool
	// exitMeansComplete is true when the client exits with status 0 exactly
	// when the download is complete.
	exitMeansComplete bool

	done     chan struct{} // closed when the process has exited
	waitErr  error         // valid after done is closed
	stopOnce sync.Once
	deadline *time.Timer
	timedOut atomic.Bool // the hard deadline killed it
}

// Addr is the client's peer address, "127.0.0.1:port".
func (p *Process) Addr() string { return fmt.Sprintf("127.0.0.1:%d", p.Port) }

// Output returns everything the process has printed so far.
func (p *Process) Output() string { return string(p.out.Bytes()) }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait blocks until the process exits or ctx ends, and returns its exit
// error (nil for status 0).
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.exitError()
	case <-ctx.Done():
		return fmt.Errorf("%s (pid %d): still running: %w", p.Name, p.cmd.Process.Pid, ctx.Err())
	}
}

func (p *Process) exitError() error {
	if p.timedOut.Load() {
		return fmt.Errorf("%s (pid %d): killed at its hard deadline: %v", p.Name, p.cmd.Process.Pid, p.waitErr)
	}
	if p.waitErr != nil {
		return fmt.Errorf("%s (pid %d): %w", p.Name, p.cmd.Process.Pid, p.waitErr)
	}
	return nil
}

// WaitComplete blocks until the client reports that it has the complete
// data, the client exits, or ctx ends. For a leecher that means the download
// finished; for a seeder it means the existing data has been checked and it
// is seeding (ready for peers). How each client signals it: libtorrent
// prints "complete"; transmission-cli prints "Seeding, uploading to …";
// an aria2c seeder prints its "SEED(" readout, and an aria2c leecher exits
// with status 0 (it runs with --seed-time=0). A libtorrent leecher also
// exits after completing; transmission-cli goes on seeding.
func (p *Process) WaitComplete(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if p.complete != nil && p.complete(p.out.Bytes()) {
			return nil
		}
		select {
		case <-p.done:
			if p.complete != nil && p.complete(p.out.Bytes()) {
				return nil
			}
			if err := p.exitError(); err != nil {
				return fmt.Errorf("%s exited before completing: %w", p.Name, err)
			}
			if p.exitMeansComplete {
				return nil
			}
			return fmt.Errorf("%s (pid %d) exited with status 0 without reporting completion", p.Name, p.cmd.Process.Pid)
		case <-ctx.Done():
			return fmt.Errorf("%s (pid %d) did not complete: %w; last output:\n%s", p.Name, p.cmd.Process.Pid, ctx.Err(), p.tail(2048))
		case <-tick.C:
		}
	}
}

// Stop ends the process group: SIGTERM, then SIGKILL after a short grace
// period. It waits for the process to exit. Stop is safe to call more than
// once and is called automatically by t.Cleanup.
func (p *Process) Stop() {
	p.stopOnce.Do(func() {
		p.deadline.Stop()
		// Signal the group only while its leader has not been reaped: until
		// then its pid cannot belong to anyone else's process group.
		p.signalGroup(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			p.signalGroup(syscall.SIGKILL)
			<-p.done
		}
	})
}

// signalGroup sends sig to the process group (Setpgid: its id is the
// leader's pid) unless the leader has exited.
func (p *Process) signalGroup(sig syscall.Signal) {
	select {
	case <-p.done:
	default:
		_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// tail returns the last n bytes of output, with carriage-return progress
// redraws turned into separate lines so they read well in a test log.
func (p *Process) tail(n int) string {
	b := p.out.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.ReplaceAll(string(b), "\r", "\n")
}

// start runs argv[0] with argv[1:] in its own process group, with its output
// captured, a hard deadline and a cleanup that stops it.
func start(t testing.TB, name string, port int, timeout time.Duration, dir string, argv []string) *Process {
	t.Helper()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	logPath := filepath.Join(t.TempDir(), strings.ReplaceAll(name, " ", "-")+".log")
	file, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("peertest: creating log file for %s: %v", name, err)
	}
	out := &outputLog{file: file}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	// A child that outlives the leader keeps the output pipe open; do not
	// let that block Wait forever.
	cmd.WaitDelay = stopGrace
	// Own process group so Stop can end the client and anything it forks,
	// and Pdeathsig so it dies with the test binary if that is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		file.Close()
		t.Fatalf("peertest: starting %s (%s): %v", name, strings.Join(argv, " "), err)
	}
	p := &Process{Name: name, Port: port, LogPath: logPath, cmd: cmd, out: out, done: make(chan struct{})}
	t.Logf("peertest: started %s, pid %d, port %d, log %s: %s", name, cmd.Process.Pid, port, logPath, strings.Join(argv, " "))

	p.deadline = time.AfterFunc(timeout, func() {
		p.timedOut.Store(true)
		p.signalGroup(syscall.SIGKILL)
	})
	go func() {
		err := cmd.Wait()
		p.deadline.Stop()
		p.waitErr = err
		file.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() || os.Getenv(logsEnv) != "" {
			t.Logf("peertest: output of %s (pid %d, last %d bytes of %s):\n%s", name, cmd.Process.Pid, logTailBytes, logPath, p.tail(logTailBytes))
		}
	})
	return p
}

// outputLog collects a process's output in memory (for completion checks)
// and in a file (for people reading it after the test).
type outputLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	file *os.File
}

func (o *outputLog) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(b)
	if _, err := o.file.Write(b); err != nil && !errors.Is(err, os.ErrClosed) {
		return 0, err
	}
	return len(b), nil
}

// Bytes returns a copy of the output so far.
func (o *outputLog) Bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.buf.Bytes())
}
