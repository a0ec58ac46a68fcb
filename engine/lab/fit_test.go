package lab

import (
	"strings"
	"testing"
)

// The default rates fit 20 peers on two cores and are left alone; 100
// peers would move 86 MiB/s, so every rate is scaled by one factor to the
// budget, unlimited downloads stay unlimited, and the bound grows by the
// same factor.
func TestFitToMachine(t *testing.T) {
	c := DefaultConfig()
	if got, note := c.FitToMachine(20, 2); note != "" || got.SeedUpload != c.SeedUpload || got.PeerUpload != c.PeerUpload {
		t.Fatalf("20 peers at the defaults were scaled: %q", note)
	}
	c.Peers = 100
	c.PeerDownloads = []int64{8000 << 10, 0}
	fit, note := c.FitToMachine(100, 2)
	if !strings.Contains(note, "scaled by 0.28") || !strings.Contains(note, "-u, -us or -d") {
		t.Errorf("note %q", note)
	}
	total := fit.SeedUpload
	for i := range 100 {
		total += fit.PeerUploadRate(i)
	}
	if budget := int64(2 * TransferBudgetPerCore); total > budget || total < budget*9/10 {
		t.Errorf("scaled uploads total %d B/s, want just under the budget %d", total, budget)
	}
	if fit.PeerDownloads[1] != 0 || fit.PeerDownloads[0] >= c.PeerDownloads[0] || fit.PeerDownloads[0]%1024 != 0 {
		t.Errorf("downloads %v: want the limited one scaled to whole KiB/s and the unlimited one kept", fit.PeerDownloads)
	}
	if c.PeerDownloads[0] != 8000<<10 {
		t.Error("FitToMachine changed the caller's rate list")
	}
	ratio := fit.Bound().Seconds() / c.Bound().Seconds()
	if ratio < 3.4 || ratio > 3.8 {
		t.Errorf("the bound grew %.2f×, want about 1/0.28", ratio)
	}
}
