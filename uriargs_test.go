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

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// fileURI is what a file manager passes for path through Exec=swarmscope %U.
func fileURI(path string) string {
	r := strings.NewReplacer(" ", "%20", "#", "%23", "%", "%25", "?", "%3F")
	return "file://" + r.Replace(filepath.ToSlash(path))
}

func TestOpensInGUITakesLauncherURIs(t *testing.T) {
	for arg, want := range map[string]bool{
		"file:///home/u/My%20Files/x.torrent": true,
		"FILE:///home/u/x.TORRENT":            true,
		"file:///home/u/x":                    true, // the GUI says why it is not a torrent
		"magnet:?xt=urn:btih:abc":             true,
		"/home/u/x.torrent":                   true,
		"info":                                false,
		"download":                            false,
	} {
		if got := opensInGUI(arg); got != want {
			t.Errorf("opensInGUI(%q) = %v, want %v", arg, got, want)
		}
	}
}

// writeTorrent makes a .torrent of a small file in a folder whose name needs percent-encoding.
func writeTorrent(t *testing.T) (path string, mi *metainfo.MetaInfo, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	data := filepath.Join(dataDir, "notes.txt")
	if err := os.WriteFile(data, []byte("rarest first, tit-for-tat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), data, metainfo.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(t.TempDir(), "My Files #1 100%")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(folder, "the notes.torrent")
	if err := os.WriteFile(path, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, mi, dataDir
}

func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir() // not where the files are: nothing may resolve against it
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// TestCLIAcceptsFileURIs: info takes a percent-encoded file URI as it takes the path, and a
// URI of another computer is refused in words.
func TestCLIAcceptsFileURIs(t *testing.T) {
	bin := buildBinary(t)
	path, mi, _ := writeTorrent(t)
	uri := fileURI(path)
	if !strings.Contains(uri, "%20") || !strings.Contains(uri, "%23") || !strings.Contains(uri, "%25") {
		t.Fatalf("test URI %q is not percent-encoded", uri)
	}
	if code, out, errOut := runBinary(t, bin, "info", uri); code != 0 || !strings.Contains(out, mi.InfoHash.Hex()) {
		t.Errorf("info %s: exit %d, stdout %q, stderr %q; want the info hash", uri, code, out, errOut)
	}
	code, _, errOut := runBinary(t, bin, "info", "file://fileserver/share/x.torrent")
	if code != 1 || !strings.Contains(errOut, "another computer") {
		t.Errorf("info of a remote file URI: exit %d, stderr %q; want 1 and the reason", code, errOut)
	}
}

// TestLauncherURIIsHandedToTheRunningApp starts the binary as the desktop entry does, with a
// file URI, while a Swarmscope already holds the database: it must hand the torrent over (the
// running one adds it) and exit 0.
func TestLauncherURIIsHandedToTheRunningApp(t *testing.T) {
	bin := buildBinary(t)
	path, mi, dataDir := writeTorrent(t)
	db := filepath.Join(t.TempDir(), "state.db")
	client, err := app.New(app.Config{StatePath: db, ListenAddr: "127.0.0.1:0", DefaultDir: dataDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	code, _, errOut := runBinary(t, bin, "-state", db, "-listen", "127.0.0.1:0", fileURI(path))
	if code != 0 {
		t.Fatalf("second instance with %s: exit %d, stderr %q; want 0", fileURI(path), code, errOut)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, s := range client.Torrents() {
			if s.ID == mi.InfoHash {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the running app never got %s (second instance's stderr %q)", mi.InfoHash.Hex(), errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
