package ui_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/internal/loopswarm"
)

// startXvfb starts a virtual X server on a free display and returns its DISPLAY value. It is
// stopped (by PID) when the test ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Fatal("the smoke test needs Xvfb (make deps-test installs it)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	display := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		display <- strings.TrimSpace(line)
	}()
	select {
	case d := <-display:
		if d == "" {
			t.Fatal("Xvfb did not report a display")
		}
		return ":" + d
	case <-time.After(15 * time.Second):
		t.Fatal("Xvfb did not start within 15 s")
	}
	return ""
}

// TestDesktopAppDownloadsAndQuitsOnSIGTERM builds the real binary, starts it under Xvfb with a
// loopback torrent on the command line, waits until the file on disk equals the seeders' data,
// and stops it with SIGTERM: it must exit 0 and have saved the torrent as complete.
func TestDesktopAppDownloadsAndQuitsOnSIGTERM(t *testing.T) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "swarmscope")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, "github.com/swarmscope/swarmscope")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	display := startXvfb(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	swarm, err := loopswarm.Start(ctx, loopswarm.Options{
		Dir: filepath.Join(tmp, "swarm"), Name: "smoke.bin", Size: 6 << 20, PieceLength: 64 << 10,
		Seeders: 2, UploadLimit: 2 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer swarm.Close()

	home := filepath.Join(tmp, "home")
	state := filepath.Join(tmp, "state", "swarmscope.db")
	var stderr bytes.Buffer
	gui := exec.Command(bin, "-state", state, "-listen", "127.0.0.1:0", swarm.TorrentPath)
	gui.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"LANG=C.UTF-8", "DBUS_SESSION_BUS_ADDRESS=")
	gui.Stderr = &stderr
	if err := gui.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- gui.Wait() }()
	defer func() {
		if gui.ProcessState == nil {
			gui.Process.Kill()
			<-exited
		}
	}()

	want, err := os.ReadFile(swarm.DataPath)
	if err != nil {
		t.Fatal(err)
	}
	downloaded := filepath.Join(home, "Downloads", "smoke.bin")
	deadline := time.Now().Add(90 * time.Second)
	for {
		if got, err := os.ReadFile(downloaded); err == nil && bytes.Equal(got, want) {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the app exited before the download finished: %v\n%s", err, stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the download did not finish in 90 s\n%s", stderr.String())
		}
	}

	if err := gui.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the app did not exit within 30 s of SIGTERM\n%s", stderr.String())
	}

	// The client closed cleanly: the database opens (no lock left) and says the torrent is done.
	c, err := app.New(app.Config{StatePath: state, ListenAddr: "127.0.0.1:0", NoTrackers: true, DefaultDir: filepath.Join(home, "Downloads")})
	if err != nil {
		t.Fatalf("reopen the state after exit: %v", err)
	}
	defer c.Close()
	list := c.Torrents()
	if len(list) != 1 || list[0].Name != "smoke.bin" {
		t.Fatalf("saved torrents %+v, want smoke.bin", list)
	}
	if d, ok := c.Details(list[0].ID); !ok || d.Progress != 1 {
		t.Errorf("saved progress %v, want 1 (complete)", d.Progress)
	}
}
