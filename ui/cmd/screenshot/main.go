// Command screenshot takes docs/screenshot.png: it starts a loopback swarm (a tracker and
// upload-limited seeders on 127.0.0.1), runs the desktop app on a throw-away state database with
// the swarm's torrent, and captures the window mid-download. It needs a display; `make
// screenshot` runs it under Xvfb.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/internal/loopswarm"
	"github.com/swarmscope/swarmscope/ui"
)

func main() {
	out := flag.String("o", "docs/screenshot.png", "PNG to write")
	wait := flag.Duration("wait", 6*time.Second, "how long the download runs before the picture")
	tab := flag.Int("tab", 0, "details tab: 0 General, 1 Peers, 2 Swarm, 3 Trackers, 4 Files, 5 Speed")
	open := flag.String("open", "", "open a dialog or window first: add, magnet, create, settings, remove, lab, lab-run, lab-sweep")
	labTab := flag.Int("labtab", 0, "Swarm Lab tab: 0 Swarm, 1 Choking, 2 Result, 3 Sweep")
	flag.Parse()
	if err := run(*out, *wait, *tab, *open, *labTab); err != nil {
		fmt.Fprintln(os.Stderr, "screenshot:", err)
		os.Exit(1)
	}
}

func run(out string, wait time.Duration, tab int, open string, labTab int) error {
	tmp, err := os.MkdirTemp("", "swarmscope-screenshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	swarm, err := loopswarm.Start(ctx, loopswarm.Options{
		Dir: tmp, Name: "ubuntu-lab-image.iso", Size: 96 << 20, PieceLength: 64 << 10, Seeders: 6, UploadLimit: 1 << 20,
	})
	if err != nil {
		return err
	}
	defer swarm.Close()
	client, err := app.New(app.Config{
		StatePath: filepath.Join(tmp, "state", "swarmscope.db"), ListenAddr: "127.0.0.1:0",
		DefaultDir: filepath.Join(tmp, "downloads"),
	})
	if err != nil {
		return err
	}
	defer client.Close()
	snap := func(width, height int) error {
		// The window sits at the top left of the (window-manager-less) X screen.
		grab := exec.Command("import", "-window", "root", "-crop", fmt.Sprintf("%dx%d+0+0", width, height), "+repage", out)
		if msg, err := grab.CombinedOutput(); err != nil {
			return fmt.Errorf("import (ImageMagick): %v: %s", err, msg)
		}
		return nil
	}
	return ui.Capture(client, ui.CaptureOptions{Args: []string{swarm.TorrentPath}, Wait: wait, Tab: tab, Width: 1200, Open: open, LabTab: labTab, Snap: snap})
}
