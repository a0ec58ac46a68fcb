package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestTrackersTabRows(t *testing.T) {
	test.NewTempApp(t)
	now := time.Now()
	tab := newTrackersTab()
	tab.Show([]trackerRow{
		{Tier: 0, URL: "http://127.0.0.1:6969/announce", Status: "working", Seeds: 3, Leechers: 1200, NextAnnounce: now.Add(5*time.Minute + time.Second)},
		{Tier: 1, URL: "udp://127.0.0.1:6969", Status: "error", Message: "connection refused", Seeds: -1, Leechers: -1},
	}, false, now)
	rows := tab.table.Rows()
	if got := rows[0]; got[0] != "1" || got[4] != "3" || got[5] != "1,200" || got[6] != "in 5 minutes" {
		t.Errorf("first row %q", got)
	}
	if got := rows[1]; got[3] != "connection refused" || got[4] != "" || got[6] != "" {
		t.Errorf("second row %q", got)
	}
	if tab.note.Text != "" {
		t.Errorf("note %q for a public torrent with trackers", tab.note.Text)
	}
	tab.Show(nil, false, now)
	if tab.note.Text == "" {
		t.Error("no trackers should be explained")
	}
}
