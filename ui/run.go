package ui

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/assets"
)

// appID is the Fyne application ID (FyneApp.toml's Details.ID); preferences live under it.
const appID = "io.github.swarmscope.swarmscope"

// Run shows the desktop app for client until the user quits or the process gets SIGINT or
// SIGTERM. args are .torrent paths or magnet links from the command line, added at start. The
// caller closes client afterwards.
func Run(client *app.Client, args []string) error {
	servePprof()
	a := fyneapp.NewWithID(appID)
	icon := fyne.NewStaticResource("swarmscope.png", assets.IconPNG)
	a.SetIcon(icon)
	w := newMainWindow(a, newClientBackend(client))
	w.win.SetMaster()
	w.setUpTray(icon)
	w.applyCloseBehaviour(client.Settings().CloseToTray)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		select {
		case <-signals:
			fyne.Do(a.Quit)
		case <-ctx.Done():
		}
	}()
	go w.run(ctx)
	go w.watchEvents()
	a.Lifecycle().SetOnStarted(func() { w.addArgs(args) })
	w.win.ShowAndRun()
	return nil
}

// contextFrom is a context that ends when done closes.
func contextFrom(done <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-done
		cancel()
	}()
	return ctx
}

// setUpTray adds the system tray menu when the desktop has one. On Linux the tray speaks D-Bus
// (StatusNotifierItem); without a session bus Fyne's tray code crashes on quit, so there is no
// tray then (and closing the window quits).
func (w *mainWindow) setUpTray(icon fyne.Resource) {
	desk, ok := w.fyneApp.(desktop.App)
	if !ok || (runtime.GOOS == "linux" || runtime.GOOS == "freebsd") && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return
	}
	w.hasTray = true
	show := fyne.NewMenuItem("Show Swarmscope", func() { w.win.Show(); w.win.RequestFocus() })
	desk.SetSystemTrayMenu(fyne.NewMenu("Swarmscope", show,
		fyne.NewMenuItem("Pause all", w.pauseAll),
		fyne.NewMenuItem("Resume all", w.resumeAll)))
	desk.SetSystemTrayIcon(icon)
}

// applyCloseBehaviour makes closing the window hide it (the tray brings it back) when the user
// asked for that and a tray exists; otherwise closing quits.
func (w *mainWindow) applyCloseBehaviour(closeToTray bool) {
	if w.hasTray && closeToTray {
		w.win.SetCloseIntercept(w.win.Hide)
		return
	}
	w.win.SetCloseIntercept(w.fyneApp.Quit)
}

// addArgs adds command-line .torrent files (paths or file: URIs, as desktop launchers pass
// them) and magnet links to the default folder, started, as a file manager's "open with"
// expects; problems are explained in a dialog.
func (w *mainWindow) addArgs(args []string) {
	for _, arg := range args {
		arg = strings.TrimSpace(arg)
		if arg == "" {
			continue
		}
		opts := addOptions{} // the core's default folder
		w.asyncRunning.Add(1)
		go func() {
			defer w.asyncRunning.Done()
			name := arg
			arg, err := app.LocalArg(arg)
			switch {
			case err != nil:
			case strings.HasPrefix(strings.ToLower(arg), "magnet:"):
				if _, err = checkMagnet(arg); err == nil {
					_, err = w.be.AddMagnet(arg, opts)
				}
			default:
				name = filepath.Base(arg)
				if _, err = loadTorrentFile(arg); err == nil {
					_, err = w.be.AddTorrentFile(arg, opts)
				}
			}
			var dup *duplicateError
			if err != nil && !errors.As(err, &dup) {
				fyne.Do(func() { w.showProblem("Cannot add "+name, userWords(err)) })
			}
		}()
	}
}
