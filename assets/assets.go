// Package assets holds the resources bundled into the binary: the app icon
// (assets/icon.svg is the source; icon.png is rendered from it) and the Linux
// desktop entry that registers Swarmscope for .torrent files and magnet links.
package assets

import _ "embed"

// IconPNG is the 512×512 application icon.
//
//go:embed icon.png
var IconPNG []byte

// IconSVG is the vector source of the icon.
//
//go:embed icon.svg
var IconSVG []byte

// DesktopEntry is the freedesktop.org .desktop file for Linux.
//
//go:embed swarmscope.desktop
var DesktopEntry []byte
