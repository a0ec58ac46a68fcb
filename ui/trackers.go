package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"
)

var trackerTitles = []string{"Tier", "URL", "Status", "Message", "Seeds", "Leechers", "Next announce"}
var trackerWidths = []float32{50, 320, 110, 280, 70, 90, 150}

// trackersTab lists the torrent's trackers as its announcer last saw them.
type trackersTab struct {
	content fyne.CanvasObject
	table   *textTable
	note    *widget.Label
}

func newTrackersTab() *trackersTab {
	t := &trackersTab{table: newTextTable(trackerTitles, trackerWidths), note: widget.NewLabel("")}
	t.content = container.NewBorder(t.note, nil, nil, nil, t.table.Table)
	t.note.Hide()
	return t
}

// Show lists trackers; now is the clock "next announce" counts from.
func (t *trackersTab) Show(trackers []trackerRow, private bool, now time.Time) {
	rows := make([][]string, len(trackers))
	for i, tr := range trackers {
		rows[i] = trackerTableRow(tr, now)
	}
	t.table.SetRows(rows)
	note := ""
	switch {
	case len(trackers) == 0:
		note = "This torrent has no trackers; peers come from the DHT, other peers, or addresses you add."
	case private:
		note = "Private torrent: only these trackers hand out peers (no DHT, no peer exchange)."
	}
	if t.note.Text != note {
		t.note.SetText(note)
	}
	// An empty note would leave a blank line above the table; the border lays out again only
	// when the note's visibility changes.
	if show := note != ""; show != t.note.Visible() {
		if show {
			t.note.Show()
		} else {
			t.note.Hide()
		}
		t.content.Refresh()
	}
}

func trackerTableRow(tr trackerRow, now time.Time) []string {
	return []string{
		strconv.Itoa(tr.Tier + 1),
		tr.URL,
		tr.Status,
		tr.Message,
		countText(tr.Seeds),
		countText(tr.Leechers),
		nextAnnounceText(tr.NextAnnounce, now),
	}
}

// countText is a tracker count, "" when the tracker did not say.
func countText(n int) string {
	if n < 0 {
		return ""
	}
	return humanize.Comma(int64(n))
}

// nextAnnounceText is "in 3 minutes", "now" or "" when none is planned.
func nextAnnounceText(at, now time.Time) string {
	if at.IsZero() {
		return ""
	}
	if !at.After(now) {
		return "now"
	}
	rel := strings.TrimSpace(humanize.RelTime(now, at, "", ""))
	if rel == "now" { // under a second away: humanize says "now", not "in now"
		return rel
	}
	return "in " + rel
}
