package ui

import (
	"testing"

	"github.com/swarmscope/swarmscope/app"
)

// TestSeedsPeersColumnShowsTheSwarm: connected counts with the trackers' swarm counts in
// brackets once a tracker has told them (app.Summary's -1 means it has not).
func TestSeedsPeersColumnShowsTheSwarm(t *testing.T) {
	for _, tc := range []struct {
		seeds, peers, swarmSeeds, swarmPeers int
		want                                 string
	}{
		{3, 5, 120, 800, "3 (120) / 5 (800)"},
		{3, 5, -1, -1, "3 / 5"},
		{0, 0, 0, 0, "0 (0) / 0 (0)"}, // a tracker that says nobody is there is news too
		{1, 2, 7, -1, "1 (7) / 2"},
	} {
		r := rowFromSummary(app.Summary{Seeds: tc.seeds, Peers: tc.peers, SwarmSeeds: tc.swarmSeeds, SwarmPeers: tc.swarmPeers, ETA: -1})
		r.format()
		if got := r.text[colSeedsPeers]; got != tc.want {
			t.Errorf("seeds %d peers %d swarm %d/%d: %q, want %q", tc.seeds, tc.peers, tc.swarmSeeds, tc.swarmPeers, got, tc.want)
		}
	}
}

// TestSeedsPeersColumnSorts by connected seeds first, then the swarm's seeds (unknown lowest),
// then connected peers and the swarm's peers.
func TestSeedsPeersColumnSorts(t *testing.T) {
	rows := []listRow{
		{Name: "a", Seeds: 3, Peers: 1, SwarmSeeds: -1, SwarmPeers: -1},
		{Name: "b", Seeds: 3, Peers: 0, SwarmSeeds: 50, SwarmPeers: 9},
		{Name: "c", Seeds: 1, Peers: 9, SwarmSeeds: 900, SwarmPeers: 900},
		{Name: "d", Seeds: 3, Peers: 0, SwarmSeeds: 50, SwarmPeers: 10},
	}
	for i := range rows {
		rows[i].ID[0] = byte(i + 1)
	}
	m := newListModel()
	m.SetRows(rows)
	m.sort, m.desc = colSeedsPeers, false
	m.rebuild()
	var got []string
	for i := range m.Len() {
		got = append(got, m.Row(i).Name)
	}
	if !equalStrings(got, []string{"c", "a", "b", "d"}) {
		t.Errorf("ascending by seeds / peers: %v, want [c a b d]", got)
	}
}
