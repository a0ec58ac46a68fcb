package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/ui/widgets"
)

// Details tabs, in order.
const (
	tabGeneral = iota
	tabPeers
	tabSwarm
	tabTrackers
	tabFiles
	tabSpeed
)

// detailsPane shows the selected torrent in tabs. Only the visible tab is updated on a tick.
type detailsPane struct {
	content  fyne.CanvasObject
	tabs     *container.AppTabs
	general  *generalTab
	peers    *peersTab
	swarm    *swarmTab
	trackers *trackersTab
	files    *filesTab
	chart    *widgets.SpeedChart
	chartSum *widget.Label
	empty    *widget.Label
}

func newDetailsPane(setPriority func(files []int, p filePriority)) *detailsPane {
	d := &detailsPane{
		general:  newGeneralTab(),
		peers:    newPeersTab(),
		swarm:    newSwarmTab(),
		trackers: newTrackersTab(),
		files:    newFilesTab(setPriority),
		chart:    widgets.NewSpeedChart(),
		chartSum: widget.NewLabel(""),
		empty:    widget.NewLabel("Select a torrent to see its pieces, peers, trackers and files."),
	}
	d.chartSum.SizeName = theme.SizeNameCaptionText
	d.tabs = container.NewAppTabs(
		container.NewTabItem("General", d.general.content),
		container.NewTabItem("Peers", d.peers.content),
		container.NewTabItem("Swarm", d.swarm.content),
		container.NewTabItem("Trackers", d.trackers.content),
		container.NewTabItem("Files", d.files.content),
		container.NewTabItem("Speed", container.NewBorder(nil, d.chartSum, nil, nil, d.chart)),
	)
	// The choke graph missed the ticks while its tab was hidden: no bold "new" arrows for them.
	d.tabs.OnSelected = func(*container.TabItem) { d.swarm.forget() }
	d.empty.Alignment = fyne.TextAlignCenter
	d.content = container.NewStack(d.tabs, container.NewCenter(d.empty))
	d.ShowNothing()
	return d
}

// Visible returns the index of the tab the user sees.
func (d *detailsPane) Visible() int { return d.tabs.SelectedIndex() }

// ShowNothing hides the tabs behind a hint when no torrent is selected.
func (d *detailsPane) ShowNothing() {
	d.tabs.Hide()
	d.empty.Show()
	d.swarm.forget()
}

// Show updates the visible tab from det; history is the torrent's rate history (sampled once a
// second) for the Speed tab.
func (d *detailsPane) Show(det *torrentDetails, row *listRow, history *widgets.RateHistory, now time.Time) {
	if d.tabs.Hidden {
		d.empty.Hide()
		d.tabs.Show()
	}
	switch d.Visible() {
	case tabGeneral:
		d.general.Show(det, row)
	case tabPeers:
		d.peers.Show(det.Snap)
	case tabSwarm:
		d.swarm.Show(det.Snap)
	case tabTrackers:
		d.trackers.Show(det.Trackers, det.Private, now)
	case tabFiles:
		d.files.Show(det.Files)
	case tabSpeed:
		if history != nil {
			d.chart.SetHistory(history, 1)
			if s := d.chart.Summary(); d.chartSum.Text != s {
				d.chartSum.SetText(s)
			}
		}
	}
}
