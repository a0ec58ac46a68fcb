package ui

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/assets"
)

// CaptureOptions say what Capture shows.
type CaptureOptions struct {
	Args  []string      // .torrent paths or magnet links to add, as on the command line
	Wait  time.Duration // how long the swarm runs before the picture is taken
	Tab   int           // details tab to show: 0 General, 1 Peers, 2 Swarm, 3 Trackers, 4 Files, 5 Speed
	Width float32       // window size in Fyne units
	// Open names what to open once the torrent is selected, for pictures of the dialogs:
	// "add" (the file chooser), "magnet", "create", "settings", "remove", "lab" (the Swarm Lab
	// window), "lab-run" (the lab window with a run started, LabTab shown) or "lab-sweep" (a
	// short sweep started); "" opens nothing.
	Open   string
	LabTab int
	// Snap takes the picture; it is called off the UI goroutine once the wait is over, with the
	// window's size in pixels, and the app quits when it returns. (Reading the GL canvas back
	// gives a black image under Xvfb, so the caller grabs the X screen instead.)
	Snap func(width, height int) error
}

// Capture runs the desktop app for client (it needs a display, e.g. Xvfb), adds opts.Args,
// selects the first torrent and the chosen tab, waits, and calls opts.Snap. It is what
// `make screenshot` uses for docs/screenshot.png.
func Capture(client *app.Client, opts CaptureOptions) error {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("swarmscope.png", assets.IconPNG))
	w := newMainWindow(a, newClientBackend(client))
	w.win.Resize(fyne.NewSize(max(opts.Width, 800), max(opts.Width, 800)*0.66))
	done := make(chan struct{})
	defer close(done)
	go w.run(contextFrom(done))
	result := make(chan error, 1)
	a.Lifecycle().SetOnStarted(func() {
		w.addArgs(opts.Args)
		go func() {
			time.Sleep(time.Second)
			fyne.Do(func() {
				if w.list.model.Len() > 0 {
					w.list.Select(w.list.model.Row(0).ID)
				}
				w.details.tabs.SelectIndex(opts.Tab)
				w.open(opts.Open, opts.LabTab)
			})
			time.Sleep(opts.Wait)
			var width, height int
			fyne.DoAndWait(func() {
				c := w.win.Canvas()
				if w.lab != nil {
					c = w.lab.win.Canvas()
				}
				size := c.Size()
				scale := c.Scale()
				width, height = int(size.Width*scale), int(size.Height*scale)
			})
			result <- opts.Snap(width, height)
			fyne.Do(a.Quit)
		}()
	})
	w.win.ShowAndRun()
	if w.lab != nil {
		w.lab.stop()
	}
	select {
	case err := <-result:
		return err
	default:
		return errors.New("the window closed before the picture was taken")
	}
}

// open shows what CaptureOptions.Open names.
func (w *mainWindow) open(what string, labTab int) {
	switch what {
	case "add":
		w.chooseTorrentFile()
	case "magnet":
		w.showAddMagnet()
	case "create":
		w.showCreate("")
	case "settings":
		w.showSettings()
	case "remove":
		w.removeSelection()
	case "lab", "lab-run", "lab-sweep":
		w.showLab()
		w.lab.tabs.SelectIndex(labTab)
		switch what {
		case "lab-run":
			w.lab.start()
		case "lab-sweep": // a short sweep: N = 1, 3, 5
			w.lab.sweepRange.SetText("1:5:2")
			w.lab.startSweep()
		}
	}
}
