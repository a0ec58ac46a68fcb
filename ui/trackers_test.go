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
	if tab.note.Text != "" || tab.note.Visible() {
		t.Errorf("note %q (shown %v) for a public torrent with trackers, want none", tab.note.Text, tab.note.Visible())
	}
	tab.Show(nil, false, now)
	if tab.note.Text == "" || !tab.note.Visible() {
		t.Error("no trackers should be explained")
	}
}

func TestNextAnnounceText(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, ""},
		{now.Add(-time.Second), "now"},
		{now.Add(300 * time.Millisecond), "now"}, // humanize's "now", without "in"
		{now.Add(90 * time.Second), "in 1 minute"},
	} {
		if got := nextAnnounceText(tc.at, now); got != tc.want {
			t.Errorf("%v from now: %q, want %q", tc.at.Sub(now), got, tc.want)
		}
	}
}
