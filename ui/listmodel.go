package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// column is one column of the torrent list.
type column int

const (
	colName column = iota
	colSize
	colProgress
	colStatus
	colDown
	colUp
	colSeedsPeers
	colETA
	colRatio
	colAdded

	numColumns
)

// columnTitles are the header words, indexed by column.
var columnTitles = [numColumns]string{
	colName: "Name", colSize: "Size", colProgress: "Progress", colStatus: "Status", colDown: "Down",
	colUp: "Up", colSeedsPeers: "Seeds / peers", colETA: "ETA", colRatio: "Ratio", colAdded: "Added",
}

// columnWidths are the starting widths in Fyne units; users can drag them.
var columnWidths = [numColumns]float32{
	colName: 300, colSize: 80, colProgress: 130, colStatus: 110, colDown: 90, colUp: 90,
	colSeedsPeers: 130, colETA: 90, colRatio: 60, colAdded: 110,
}

// group is the broad state a torrent is in, for the status filter.
type group int

const (
	groupDownloading group = iota
	groupSeeding
	groupPaused
	groupChecking
	groupQueued
	groupError
)

// listFilter is an entry of the status filter above the list.
type listFilter int

const (
	filterAll listFilter = iota
	filterDownloading
	filterSeeding
	filterActive // something moves either way
	filterPaused
	filterErrors

	numFilters
)

var filterNames = [numFilters]string{
	filterAll: "All", filterDownloading: "Downloading", filterSeeding: "Seeding",
	filterActive: "Active", filterPaused: "Paused", filterErrors: "Errors",
}

// listRow is one torrent as the list shows it: raw values for sorting and filtering, and the
// formatted cell texts, computed once per tick so drawing a cell is a lookup.
type listRow struct {
	ID               metainfo.Hash
	Name             string
	Size             int64
	Progress         float64 // 0–1
	Status           string  // in words, e.g. "downloading", "error: disk full"
	Group            group
	DownRate, UpRate float64
	Seeds, Peers     int // connected
	// SwarmSeeds and SwarmPeers are the whole swarm as the trackers count it; -1 when unknown.
	SwarmSeeds, SwarmPeers int
	ETA                    time.Duration // < 0: unknown
	Ratio                  float64
	Added                  time.Time

	text [numColumns]string
}

// format fills in the cell texts from the raw values.
func (r *listRow) format() {
	r.text = [numColumns]string{
		colName:       r.Name,
		colSize:       sizeText(r.Size),
		colProgress:   percentText(r.Progress),
		colStatus:     r.Status,
		colDown:       rateText(r.DownRate),
		colUp:         rateText(r.UpRate),
		colSeedsPeers: swarmCountText(r.Seeds, r.SwarmSeeds) + " / " + swarmCountText(r.Peers, r.SwarmPeers),
		colETA:        etaText(r.ETA, r.Progress >= 1 || r.Group != groupDownloading),
		colRatio:      ratioText(r.Ratio),
		colAdded:      addedText(r.Added),
	}
}

// matches reports whether the row passes the filter and the (lower-case) search words, each of
// which must occur in the name.
func (r *listRow) matches(f listFilter, words []string) bool {
	switch f {
	case filterDownloading:
		if r.Group != groupDownloading && r.Group != groupQueued {
			return false
		}
	case filterSeeding:
		if r.Group != groupSeeding {
			return false
		}
	case filterActive:
		if r.DownRate < 1 && r.UpRate < 1 {
			return false
		}
	case filterPaused:
		if r.Group != groupPaused {
			return false
		}
	case filterErrors:
		if r.Group != groupError {
			return false
		}
	}
	if len(words) == 0 {
		return true
	}
	name := strings.ToLower(r.Name)
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

// compareRows orders two rows by col; ties fall back to name, then info hash, so the order never
// flickers between ticks.
func compareRows(a, b *listRow, col column) int {
	var c int
	switch col {
	case colSize:
		c = cmp.Compare(a.Size, b.Size)
	case colProgress:
		c = cmp.Compare(a.Progress, b.Progress)
	case colStatus:
		c = cmp.Compare(a.Status, b.Status)
	case colDown:
		c = cmp.Compare(a.DownRate, b.DownRate)
	case colUp:
		c = cmp.Compare(a.UpRate, b.UpRate)
	case colSeedsPeers:
		c = cmp.Or(cmp.Compare(a.Seeds, b.Seeds), cmp.Compare(a.SwarmSeeds, b.SwarmSeeds),
			cmp.Compare(a.Peers, b.Peers), cmp.Compare(a.SwarmPeers, b.SwarmPeers))
	case colETA:
		c = cmp.Compare(etaKey(a), etaKey(b))
	case colRatio:
		c = cmp.Compare(a.Ratio, b.Ratio)
	case colAdded:
		c = a.Added.Compare(b.Added)
	}
	if c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		slices.Compare(a.ID[:], b.ID[:]))
}

// etaKey sorts finished torrents first and unknown ETAs last.
func etaKey(r *listRow) time.Duration {
	switch {
	case r.Group != groupDownloading || r.Progress >= 1:
		return -1
	case r.ETA < 0:
		return 1<<63 - 1
	}
	return r.ETA
}

// listModel holds every torrent's row and the sorted, filtered view the table shows.
type listModel struct {
	rows  map[metainfo.Hash]*listRow
	view  []*listRow
	sort  column
	desc  bool
	query []string
	only  listFilter
}

func newListModel() *listModel {
	return &listModel{rows: make(map[metainfo.Hash]*listRow), sort: colAdded}
}

// listChange says what the table must redraw after an update.
type listChange struct {
	All   bool // the number of rows changed: refresh the whole table
	Cells []cellID
}

// cellID is a table cell in view coordinates.
type cellID struct {
	Row int
	Col column
}

// Len is the number of rows in the view.
func (m *listModel) Len() int { return len(m.view) }

// Row returns the view's i-th row.
func (m *listModel) Row(i int) *listRow { return m.view[i] }

// Index returns the view position of id, or -1.
func (m *listModel) Index(id metainfo.Hash) int {
	for i, r := range m.view {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// SetRows replaces every row (formatting each), rebuilds the view and reports which cells
// differ from what was shown before.
func (m *listModel) SetRows(rows []listRow) listChange {
	old := m.view
	oldText := make([][numColumns]string, len(old))
	oldIDs := make([]metainfo.Hash, len(old))
	for i, r := range old {
		oldText[i], oldIDs[i] = r.text, r.ID
	}
	next := make(map[metainfo.Hash]*listRow, len(rows))
	for i := range rows {
		r := rows[i]
		r.format()
		next[r.ID] = &r
	}
	m.rows = next
	m.rebuild()
	if len(m.view) != len(old) {
		return listChange{All: true}
	}
	var change listChange
	for i, r := range m.view {
		for c := range numColumns {
			if r.ID != oldIDs[i] || r.text[c] != oldText[i][c] {
				change.Cells = append(change.Cells, cellID{i, c})
			}
		}
	}
	return change
}

// SetSort sorts by col; choosing the current column again flips the direction. Numbers start
// descending (biggest, fastest first), names and statuses ascending.
func (m *listModel) SetSort(col column) {
	if col == m.sort {
		m.desc = !m.desc
	} else {
		m.sort = col
		m.desc = col != colName && col != colStatus && col != colETA
	}
	m.rebuild()
}

// SetFilter shows only rows in f.
func (m *listModel) SetFilter(f listFilter) {
	m.only = f
	m.rebuild()
}

// SetQuery shows only rows whose name holds every word of q (case-insensitive).
func (m *listModel) SetQuery(q string) {
	m.query = strings.Fields(strings.ToLower(q))
	m.rebuild()
}

// SortState returns the sort column and direction, for the header arrows.
func (m *listModel) SortState() (column, bool) { return m.sort, m.desc }

func (m *listModel) rebuild() {
	m.view = m.view[:0]
	for _, r := range m.rows {
		if r.matches(m.only, m.query) {
			m.view = append(m.view, r)
		}
	}
	slices.SortFunc(m.view, func(a, b *listRow) int {
		c := compareRows(a, b, m.sort)
		if m.desc {
			return -c
		}
		return c
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// swarmCountText is "connected (in swarm)", or just the connected count when the trackers have
// not said (swarm < 0).
func swarmCountText(connected, swarm int) string {
	if swarm < 0 {
		return itoa(connected)
	}
	return itoa(connected) + " (" + itoa(swarm) + ")"
}
