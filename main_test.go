package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// buildBinary builds swarmscope once for the tests that run it as a user would.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "swarmscope")
	cmd := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCommandLineUnderTheCLocale runs subcommands with LANG=C.UTF-8, as on
// servers and in CI: the output is the command's own, with no start-up noise
// from the GUI toolkit, and the exit codes are the documented ones.
func TestCommandLineUnderTheCLocale(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(data, []byte("rarest first, tit-for-tat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), data, metainfo.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	torrentPath := filepath.Join(dir, "notes.torrent")
	if err := os.WriteFile(torrentPath, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		args     []string
		wantCode int
		stdout   string // must contain
		stderr   string // must contain; "" = must be empty
	}{
		{[]string{"info", torrentPath}, 0, mi.InfoHash.Hex(), ""},
		{[]string{"info", "-h"}, 0, "", "Usage: swarmscope info"},
		{[]string{"info"}, 2, "", "need one .torrent file or magnet link"},
		{[]string{"frobnicate"}, 2, "", `unknown subcommand "frobnicate"`},
		{[]string{"info", filepath.Join(dir, "missing.torrent")}, 1, "", "swarmscope info:"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if code != tc.wantCode {
			t.Errorf("%v: exit code %d, want %d (stderr %q)", tc.args, code, tc.wantCode, stderr.String())
		}
		if !strings.Contains(stdout.String(), tc.stdout) {
			t.Errorf("%v: stdout %q lacks %q", tc.args, stdout.String(), tc.stdout)
		}
		switch {
		case tc.stderr == "" && stderr.Len() != 0:
			t.Errorf("%v: unexpected stderr %q", tc.args, stderr.String())
		case !strings.Contains(stderr.String(), tc.stderr):
			t.Errorf("%v: stderr %q lacks %q", tc.args, stderr.String(), tc.stderr)
		}
		if strings.Contains(stderr.String(), "Fyne error") {
			t.Errorf("%v: the GUI toolkit logged at start-up: %q", tc.args, stderr.String())
		}
	}
}

// TestNoDisplaySaysSo: the desktop app started where there is no display (ssh, a server) exits
// 1 with a sentence pointing at the subcommands, not a toolkit panic.
func TestNoDisplaySaysSo(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-state", filepath.Join(t.TempDir(), "state.db"), "-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=", "LANG=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want code 1; stderr %q", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no display to open the window on") || strings.Contains(stderr.String(), "panic") {
		t.Errorf("stderr %q, want the no-display sentence and no panic", stderr.String())
	}
}
