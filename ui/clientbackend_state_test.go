package ui

import (
	"testing"

	"github.com/swarmscope/swarmscope/app"
)

// TestRowFetchingMetadata: a magnet link still fetching its metadata is
// listed with the downloads and says so.
func TestRowFetchingMetadata(t *testing.T) {
	r := rowFromSummary(app.Summary{Name: "magnet", State: app.FetchingMetadata})
	if r.Group != groupDownloading || r.Status != "fetching metadata" {
		t.Fatalf("fetching metadata row: group %v, status %q; want the downloading group and \"fetching metadata\"", r.Group, r.Status)
	}
	if r := rowFromSummary(app.Summary{State: app.Seeding}); r.Group == groupDownloading {
		t.Fatalf("a seeding row is in the downloading group")
	}
}
