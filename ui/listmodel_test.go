package ui

import (
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

func hashOf(b byte) metainfo.Hash {
	var h metainfo.Hash
	h[0] = b
	return h
}

func sampleRows() []listRow {
	now := time.Now()
	return []listRow{
		{ID: hashOf(1), Name: "Debian netinst", Size: 600 << 20, Progress: 0.5, Status: "downloading",
			Group: groupDownloading, DownRate: 2 << 20, ETA: 2 * time.Minute, Added: now.Add(-3 * time.Hour)},
		{ID: hashOf(2), Name: "Big Buck Bunny", Size: 200 << 20, Progress: 1, Status: "seeding",
			Group: groupSeeding, UpRate: 100 << 10, Ratio: 1.5, Added: now.Add(-2 * time.Hour)},
		{ID: hashOf(3), Name: "debian live", Size: 3 << 30, Progress: 0.1, Status: "paused",
			Group: groupPaused, ETA: -1, Added: now.Add(-time.Hour)},
		{ID: hashOf(4), Name: "Sintel", Size: 1 << 30, Progress: 0.2, Status: "error: disk full",
			Group: groupError, Added: now.Add(-4 * time.Hour)},
	}
}

func viewNames(m *listModel) []string {
	var names []string
	for i := range m.Len() {
		names = append(names, m.Row(i).Name)
	}
	return names
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestListSortsByClickedColumnAndFlips(t *testing.T) {
	m := newListModel()
	m.SetRows(sampleRows())
	// Default: in the order they were added, the newest at the bottom.
	if got, want := viewNames(m), []string{"Sintel", "Debian netinst", "Big Buck Bunny", "debian live"}; !equalStrings(got, want) {
		t.Errorf("default order %v, want oldest first %v", got, want)
	}
	m.SetSort(colSize) // numbers start biggest first
	if got, want := viewNames(m), []string{"debian live", "Sintel", "Debian netinst", "Big Buck Bunny"}; !equalStrings(got, want) {
		t.Errorf("by size %v, want %v", got, want)
	}
	m.SetSort(colSize) // again: smallest first
	if got, want := viewNames(m), []string{"Big Buck Bunny", "Debian netinst", "Sintel", "debian live"}; !equalStrings(got, want) {
		t.Errorf("by size ascending %v, want %v", got, want)
	}
	m.SetSort(colName) // names start A→Z, case-insensitive
	if got, want := viewNames(m), []string{"Big Buck Bunny", "debian live", "Debian netinst", "Sintel"}; !equalStrings(got, want) {
		t.Errorf("by name %v, want %v", got, want)
	}
	m.SetSort(colETA) // ETA: finished/not downloading first, unknown last
	if got := viewNames(m); got[len(got)-1] != "Debian netinst" {
		t.Errorf("by ETA %v: the only downloading torrent should come last", got)
	}
	m.SetSort(colDown)
	if got := viewNames(m); got[0] != "Debian netinst" {
		t.Errorf("by download rate %v, want the fastest first", got)
	}
}

func TestListFiltersByStatusAndSearch(t *testing.T) {
	m := newListModel()
	m.SetRows(sampleRows())
	m.SetSort(colName)
	m.SetFilter(filterSeeding)
	if got := viewNames(m); !equalStrings(got, []string{"Big Buck Bunny"}) {
		t.Errorf("seeding filter %v", got)
	}
	m.SetFilter(filterActive)
	if got := viewNames(m); !equalStrings(got, []string{"Big Buck Bunny", "Debian netinst"}) {
		t.Errorf("active filter %v", got)
	}
	m.SetFilter(filterErrors)
	if got := viewNames(m); !equalStrings(got, []string{"Sintel"}) {
		t.Errorf("errors filter %v", got)
	}
	m.SetFilter(filterAll)
	m.SetQuery("  DEBIAN  ")
	if got := viewNames(m); !equalStrings(got, []string{"debian live", "Debian netinst"}) {
		t.Errorf("search 'debian' %v", got)
	}
	m.SetQuery("debian live")
	if got := viewNames(m); !equalStrings(got, []string{"debian live"}) {
		t.Errorf("search 'debian live' %v: every word must match", got)
	}
	m.SetFilter(filterPaused)
	m.SetQuery("netinst")
	if m.Len() != 0 {
		t.Errorf("paused + netinst shows %v", viewNames(m))
	}
}

func TestListReportsOnlyChangedCells(t *testing.T) {
	m := newListModel()
	rows := sampleRows()
	if change := m.SetRows(rows); !change.All {
		t.Fatal("the first fill should refresh the whole table")
	}
	m.SetSort(colName)
	if change := m.SetRows(rows); change.All || len(change.Cells) != 0 {
		t.Fatalf("unchanged rows reported %+v", change)
	}
	rows[1].UpRate = 300 << 10 // Big Buck Bunny, view row 0 by name
	change := m.SetRows(rows)
	if change.All || len(change.Cells) != 1 || change.Cells[0] != (cellID{0, colUp}) {
		t.Fatalf("changed cells %+v, want only row 0's Up", change)
	}
	rows = rows[:3]
	if change := m.SetRows(rows); !change.All {
		t.Error("a removed torrent should refresh the whole table")
	}
	if m.Index(hashOf(4)) != -1 || m.Index(hashOf(3)) < 0 {
		t.Error("Index does not follow the rows")
	}
}

func TestListRowFormatting(t *testing.T) {
	r := listRow{Size: 1 << 20, Progress: 0.25, Seeds: 3, Peers: 12, SwarmSeeds: -1, SwarmPeers: -1,
		DownRate: 1024, Group: groupDownloading, ETA: -1}
	r.format()
	if r.text[colSize] != "1.0 MiB" || r.text[colProgress] != "25.0 %" || r.text[colSeedsPeers] != "3 / 12" ||
		r.text[colDown] != "1.0 KiB/s" || r.text[colUp] != "" || r.text[colETA] != "∞" {
		t.Errorf("texts %q", r.text)
	}
}
