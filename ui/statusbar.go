package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// statusBar is the line at the bottom of the window: total rates, free space, listening port.
type statusBar struct {
	content          fyne.CanvasObject
	rates, disk, net *widget.Label
	turtle           *widget.Label
}

func newStatusBar() *statusBar {
	s := &statusBar{rates: widget.NewLabel(""), disk: widget.NewLabel(""), net: widget.NewLabel(""), turtle: widget.NewLabel("")}
	for _, l := range []*widget.Label{s.rates, s.disk, s.net, s.turtle} {
		l.SizeName = theme.SizeNameCaptionText
	}
	s.content = container.NewHBox(s.rates, s.turtle, layout.NewSpacer(), s.disk, widget.NewSeparator(), s.net)
	return s
}

// statusTexts formats the status bar's three parts.
func statusTexts(st statusInfo) (rates, disk, net string) {
	rates = "↓ " + widgetsRate(st.DownRate) + "   ↑ " + widgetsRate(st.UpRate)
	if st.FreeDisk >= 0 {
		disk = "Free in download folder: " + sizeText(st.FreeDisk)
	} else {
		disk = "Free space unknown"
	}
	switch {
	case st.PortProblem != "":
		net = "Port: " + st.PortProblem
	case st.Port > 0:
		net = "Listening on port " + strconv.Itoa(st.Port)
	default:
		net = "Not listening"
	}
	if st.DHTNodes >= 0 {
		net += " · DHT " + itoa(st.DHTNodes) + " nodes"
	}
	return rates, disk, net
}

// Show updates the bar, touching only labels whose text changed.
func (s *statusBar) Show(st statusInfo, altLimits bool) {
	rates, disk, net := statusTexts(st)
	turtle := ""
	if altLimits {
		turtle = "🐢 alternative limits on"
	}
	for _, p := range []struct {
		l *widget.Label
		t string
	}{{s.rates, rates}, {s.disk, disk}, {s.net, net}, {s.turtle, turtle}} {
		if p.l.Text != p.t {
			p.l.SetText(p.t)
		}
	}
}

// widgetsRate is a rate that reads "0 B/s" rather than blank when idle.
func widgetsRate(r float64) string {
	if t := rateText(r); t != "" {
		return t
	}
	return "0 B/s"
}
