package lab

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int64
	}{
		{"1MiB/s", []int64{1 << 20}},
		{"512KiB/s,1MiB/s,2MiB/s", []int64{512 << 10, 1 << 20, 2 << 20}},
		{" 800 KiB , 8 MiB/s ", []int64{800 << 10, 8 << 20}},
		{"0", []int64{0}},
	} {
		got, err := ParseRates(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRates(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, err := ParseRates(RatesText(got)); err != nil || !slices.Equal(back, got) && tc.in != " 800 KiB , 8 MiB/s " {
			t.Errorf("ParseRates(RatesText(%v)) = %v, %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "fast", "1MiB/s,", "1MiB/s,,2MiB/s", "1MiB/s,lots"} {
		if got, err := ParseRates(bad); err == nil {
			t.Errorf("ParseRates(%q) = %v, want an error", bad, got)
		}
	}
	if _, err := ParseRates("1MiB/s,lots"); err == nil || !strings.Contains(err.Error(), `"lots"`) {
		t.Errorf("the error %v does not name the bad entry", err)
	}
}

// Rates given as lists go round-robin to the peers, and the bounds use
// every peer's own rate: Σu_i over the actual uploads, d_min the slowest
// limited download.
func TestPerPeerRatesFeedTheBounds(t *testing.T) {
	c := Config{Peers: 5, FileSize: 10 << 20, PieceLength: 256 << 10, SeedUpload: 4 << 20, PeerUpload: 1 << 20,
		PeerUploads: []int64{1 << 20, 2 << 20, 3 << 20}, PeerDownloads: []int64{0, 8 << 20, 5 << 20}}
	ups, downs := make([]int64, 5), make([]int64, 5)
	for i := range 5 {
		ups[i], downs[i] = c.PeerUploadRate(i), c.PeerDownloadRate(i)
	}
	if want := []int64{1 << 20, 2 << 20, 3 << 20, 1 << 20, 2 << 20}; !slices.Equal(ups, want) {
		t.Errorf("uploads %v, want %v", ups, want)
	}
	if want := []int64{0, 8 << 20, 5 << 20, 0, 8 << 20}; !slices.Equal(downs, want) {
		t.Errorf("downloads %v, want %v", downs, want)
	}
	if d := c.MinDownload(); d != 5<<20 {
		t.Errorf("d_min = %d, want 5 MiB/s (0 is unlimited and does not bind)", d)
	}
	// N·F/(u_s + Σu_i) = 50 MiB / (4 + 9) MiB/s.
	b := c.Bound()
	if want := 50.0 / 13; b.Limited != termTotalUpload || b.Seconds() < want-1e-6 || b.Seconds() > want+1e-6 {
		t.Errorf("bound %v, want %.3f s set by the total upload", b, want)
	}
	// A free rider's rate drops out of Σu_i: peer 3 (2 MiB/s) with 20 % free riders... whichever
	// peer it is, its own rate is what is taken away.
	c.FreeRiders = 0.2
	var sum float64
	for i := range 5 {
		if !c.isFreeRider(i) {
			sum += float64(c.PeerUploadRate(i))
		}
	}
	if want := 50.0 * (1 << 20) / (4<<20 + sum); c.Bound().Seconds() < want-1e-6 || c.Bound().Seconds() > want+1e-6 {
		t.Errorf("with a free rider: bound %v, want %.3f s", c.Bound(), want)
	}
	// Client-server: F/d_min with the slowest download.
	cs := Config{Peers: 1, FileSize: 10 << 20, SeedUpload: 100 << 20, PeerDownloads: []int64{1 << 20, 2 << 20}, Mode: ClientServer}
	if b := cs.Bound(); b.Limited != termDownload || b.Seconds() < 9.999 || b.Seconds() > 10.001 {
		t.Errorf("client-server bound %v, want 10 s set by the slowest download", b)
	}
	if d := (&Config{PeerDownloads: []int64{0, 0}, Peers: 2}).MinDownload(); d != 0 {
		t.Errorf("all unlimited: d_min = %d, want 0", d)
	}
	if f := c.Floor(); f <= 0 || f > c.Bound().Time {
		t.Errorf("floor %v, want between 0 and the bound %v", f, c.Bound().Time)
	}
}

func TestValidatePerPeerRates(t *testing.T) {
	for _, tc := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.PeerUploads = []int64{1 << 20, 0} }, "every peer"},
		{func(c *Config) { c.PeerUploads = []int64{1 << 20, -1} }, "negative"},
		{func(c *Config) { c.PeerDownloads = []int64{-5} }, "negative"},
	} {
		c := DefaultConfig()
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v / %v: %v, want an error about %q", c.PeerUploads, c.PeerDownloads, err, tc.want)
		}
	}
	c := DefaultConfig()
	c.PeerUploads, c.PeerDownloads = []int64{1 << 20, 2 << 20}, []int64{0, 4 << 20}
	if err := c.Validate(); err != nil {
		t.Errorf("mixed rates: %v", err)
	}
	c.PeerUploads, c.FreeRiders = []int64{0}, 1
	if err := c.Validate(); err != nil {
		t.Errorf("all free riders with u = 0: %v", err)
	}
}

// A real peer-to-peer run with peers of mixed upload and download rates:
// every peer is limited to its own rates, the bound comes from them, and
// the run meets it.
func TestRunWithMixedRatesMeetsTheirBound(t *testing.T) {
	cfg := smallConfig(4, PeerToPeer)
	cfg.PeerUploads = []int64{100 << 10, 800 << 10, 1600 << 10}
	cfg.PeerDownloads = []int64{4000 << 10, 2000 << 10}
	// u_s = 4000 KiB/s, Σu_i = 100 + 800 + 1600 + 100 KiB/s, N·F = 8 MiB: the bound is
	// 8192/6600 s, set by the total upload (one rate for all would give 8192/5600 s).
	want := seconds(8192.0 / 6600)
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; floor %v; %s; notes %q", res.Summary(), res.Floor, res.CPU, res.Notes)
	if d := res.Bound.Time - want; d < -time.Millisecond || d > time.Millisecond || res.Bound.Limited != termTotalUpload {
		t.Errorf("bound %v, want %v from the peers' own upload rates", res.Bound, want)
	}
	checkFinishedWithinBound(t, res)
	wantUp := []int64{100 << 10, 800 << 10, 1600 << 10, 100 << 10}
	wantDown := []int64{4000 << 10, 2000 << 10, 4000 << 10, 2000 << 10}
	for i, n := range res.Nodes[1:] {
		if n.UploadRate != wantUp[i] || n.DownloadRate != wantDown[i] {
			t.Errorf("%s: rates u %d, d %d; want %d, %d", n.Name, n.UploadRate, n.DownloadRate, wantUp[i], wantDown[i])
		}
		// Nobody may move more than its own limit allows (plus the bucket's initial burst and
		// half a second for blocks in flight when the last peer completed).
		if active := (res.D - n.JoinedAt).Seconds(); float64(n.Uploaded) > float64(n.UploadRate)*(active+0.5)+limiterBurst(float64(n.UploadRate))+64<<10 {
			t.Errorf("%s uploaded %d bytes in %.2f s at %d B/s: over its own limit", n.Name, n.Uploaded, active, n.UploadRate)
		}
	}
}
