package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/persist"
)

// benchBackend serves a fixed list of torrents to the tick: Torrents returns the next of a few
// prepared variants each call, so rates, progress and ETAs change every tick as in a busy list.
// Methods the tick does not call are left to the embedded (nil) interface.
type benchBackend struct {
	backend
	variants [][]listRow
	n        int
}

func newBenchBackend(torrents, variants int, ratesOnly bool) *benchBackend {
	b := &benchBackend{}
	added := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v := range variants {
		rows := make([]listRow, torrents)
		for i := range rows {
			var id metainfo.Hash
			id[0], id[1] = byte(i>>8), byte(i)
			group := groupDownloading
			if i%3 == 0 {
				group = groupSeeding
			}
			progress := float64((i*37+v)%1000) / 1000
			pv := v // varies progress, peers and the up rate
			if ratesOnly {
				pv = 0
				progress = float64(i*37%1000) / 1000
			}
			rows[i] = listRow{
				ID: id, Name: fmt.Sprintf("ubuntu-%03d-desktop-amd64.iso", i), Size: int64(i+1) << 24,
				Progress: progress, Status: "downloading", Group: group,
				DownRate: float64((i*7919 + v*104729) % (4 << 20)), UpRate: float64((i*104729 + pv*7919) % (1 << 20)),
				Seeds: (i + pv) % 10, Peers: (i * pv) % 40, ETA: time.Duration(1+(i*13+v)%5000) * time.Second,
				Ratio: float64(i%300) / 100, Added: added.Add(time.Duration(i) * time.Minute),
			}
			if group == groupSeeding {
				rows[i].Status, rows[i].Progress, rows[i].DownRate = "seeding", 1, 0
			}
		}
		b.variants = append(b.variants, rows)
	}
	return b
}

func (b *benchBackend) Torrents() []listRow {
	b.n++
	return b.variants[b.n%len(b.variants)]
}

func (b *benchBackend) Status() statusInfo {
	return statusInfo{DownRate: float64(b.n % 1000 << 10), UpRate: 1 << 20, Port: 6881, FreeDisk: 100 << 30, DHTNodes: -1}
}

func (b *benchBackend) Details(metainfo.Hash) (torrentDetails, bool) { return torrentDetails{}, false }
func (b *benchBackend) Settings() persist.Settings                   { return persist.DefaultSettings() }

// BenchmarkListRefresh500 is one 2 Hz tick of the main window with 500 torrents in the list,
// all of whose rates change: fetch from the backend, format, sort, diff and redraw the changed
// visible cells, the status bar and (every other tick) the speed histories. It runs on the test
// driver, so it counts the widgets' work and not the GPU's painting. A tick must stay well under
// its 500 ms budget; the by-down-rate variant reorders the list every tick.
func BenchmarkListRefresh500(b *testing.B) { benchmarkTick(b, 500) }

// BenchmarkListRefresh20 is the same tick with 20 torrents, all visible: bench/gui's idle window.
func BenchmarkListRefresh20(b *testing.B) { benchmarkTick(b, 20) }

func benchmarkTick(b *testing.B, torrents int) {
	for _, c := range []struct {
		name              string
		sorted, ratesOnly bool
	}{
		{"by-added", false, false},    // every visible cell changes: one whole-table refresh
		{"by-down-rate", true, false}, // the same, and the order changes every tick
		{"rates-only", false, true},   // only the Down and ETA cells change, as in a quiet list
	} {
		b.Run(c.name, func(b *testing.B) {
			w := newMainWindow(test.NewTempApp(b), newBenchBackend(torrents, 4, c.ratesOnly)) // 1200 × 780, as on screen
			w.win.Show()
			if c.sorted {
				w.list.sortBy(colDown)
			}
			w.apply(w.fetch(true))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				w.apply(w.fetch(i%2 == 0))
			}
		})
	}
}
