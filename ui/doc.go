// Package ui is Swarmscope's desktop app, in Fyne: the main window (toolbar, menu and keyboard
// shortcuts; the torrent list with sorting, a status filter and search; the details of the
// selected torrent in tabs — General with the piece and availability bars, Peers with the choke
// state in letters and words, Trackers, Files with priorities, Speed as a chart; a status bar),
// the add, magnet, create, remove and settings dialogs, drag and drop, the system tray and
// notifications.
//
// The window talks to the application core through the backend interface (clientBackend adapts
// *app.Client), in the UI's own types, so widgets never reach into the engine. A goroutine pulls
// summaries, the selected torrent's details and the status at a fixed 2 Hz tick and hands them
// to the UI goroutine with fyne.Do; each tick redraws only the table cells whose text changed and
// only the visible details tab. Actions that talk to the core run off the UI goroutine and report
// failures in words.
//
// Run starts the app for a client; Capture runs it for docs/screenshot.png. With
// SWARMSCOPE_PPROF=127.0.0.1:6060 in the environment the app serves Go's profiler there
// (loopback addresses only); bench/gui measures the app's CPU use with it.
package ui
