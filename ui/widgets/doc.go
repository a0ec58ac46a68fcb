// Package widgets holds Swarmscope's custom Fyne widgets for showing a torrent's pieces: the piece
// bar (which pieces we have, are downloading or still miss), the availability bar (how many
// connected peers hold each piece) and a peer's piece strip, each with a legend.
//
// The widgets take plain values (slices of states or counts), never engine types, because the
// engine publishes immutable snapshots a few times a second and the UI copies what it shows.
// Setters must run on the Fyne UI goroutine; callers on engine goroutines wrap them in fyne.Do.
//
// Every bar draws through a canvas.Raster that generates a one-pixel-high image with at most one
// column per screen pixel, stretched with canvas.ImageScalePixels. When a torrent has more pieces
// than the bar has pixels, each column blends the colours of the pieces it covers, weighted by how
// much of each piece falls into it, as qBittorrent does: a column that is 30 % "have" shows 30 %
// of the "have" colour. Colours come from the current Fyne theme, so the bars follow light and
// dark mode.
//
// SpeedChart is the one widget here that is not a bar: a line chart of a RateHistory (a ring of
// download and upload rate samples), drawn with canvas lines, newest sample at the right edge.
package widgets
