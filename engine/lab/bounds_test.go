package lab

import (
	"math"
	"testing"
	"time"
)

// The textbook figure: F/u = 1 hour, u_s = 10u, d_min ≥ u_s.
func TestBoundsTextbookFigure(t *testing.T) {
	const u = 1000.0 // bytes/s; any unit works, only ratios matter
	const f = int64(3600 * u)
	for _, tc := range []struct {
		n          int
		p2p, cs    float64 // hours
		p2pLimited string
	}{
		{1, 0.1, 0.1, termServerOnce}, // F/u_s and N·F/(u_s+u) = 1/11 h: the server's copy binds
		{5, 1.0 / 3, 0.5, termTotalUpload},
		{10, 0.5, 1.0, termTotalUpload},
		{20, 2.0 / 3, 2.0, termTotalUpload},
		{30, 0.75, 3.0, termTotalUpload},
	} {
		uploads := make([]float64, tc.n)
		for i := range uploads {
			uploads[i] = u
		}
		p2p := PeerToPeerBound(f, 10*u, 10*u, uploads)
		if got := p2p.Time.Hours(); math.Abs(got-tc.p2p) > 1e-6 {
			t.Errorf("N=%d: D_p2p = %.4f h, want %.4f h", tc.n, got, tc.p2p)
		}
		if p2p.Limited != tc.p2pLimited {
			t.Errorf("N=%d: D_p2p set by %q, want %q", tc.n, p2p.Limited, tc.p2pLimited)
		}
		cs := ClientServerBound(f, tc.n, 10*u, 10*u)
		if got := cs.Time.Hours(); math.Abs(got-tc.cs) > 1e-6 {
			t.Errorf("N=%d: D_cs = %.4f h, want N/10 = %.4f h", tc.n, got, tc.cs)
		}
	}
}

func TestBoundsSlowestDownloadBinds(t *testing.T) {
	// One copy through a 100 B/s download takes 100 s, longer than the
	// server needs for 3 copies at 1000 B/s (30 s).
	cs := ClientServerBound(10_000, 3, 1000, 100)
	if cs.Time != 100*time.Second || cs.Limited != termDownload {
		t.Errorf("client-server bound = %v, want 100 s set by the download", cs)
	}
	p2p := PeerToPeerBound(10_000, 1000, 100, []float64{1000, 1000, 1000})
	if p2p.Time != 100*time.Second || p2p.Limited != termDownload {
		t.Errorf("peer-to-peer bound = %v, want 100 s set by the download", p2p)
	}
	// Unlimited downloads (0) never bind.
	if b := ClientServerBound(10_000, 1, 1000, 0); b.Time != 10*time.Second {
		t.Errorf("unlimited download: bound %v, want 10 s", b)
	}
}

func TestBoundsFreeRidersAddNoCapacity(t *testing.T) {
	cfg := Config{Peers: 10, FileSize: 8000, SeedUpload: 1000, PeerUpload: 100, PeerDownload: 0}
	all := cfg.Bound()
	cfg.FreeRiders = 0.5
	half := cfg.Bound()
	// 10 copies of 8000 B over 1000 + 10·100 B/s = 40 s; with 5 free riders
	// over 1000 + 5·100 B/s = 53.3 s.
	if all.Time != 40*time.Second {
		t.Errorf("no free riders: bound %v, want 40 s", all.Time)
	}
	if want := seconds(80000.0 / 1500); half.Time != want {
		t.Errorf("half free riders: bound %v, want %v", half.Time, want)
	}
	cfg.Mode = ClientServer
	if cs := cfg.Bound(); cs.Time != 80*time.Second {
		t.Errorf("client-server: bound %v, want N·F/u_s = 80 s", cs.Time)
	}
}

func TestFloorIsTheBoundLessTheBurst(t *testing.T) {
	cfg := DefaultConfig()
	for _, m := range []Mode{PeerToPeer, ClientServer} {
		cfg.Mode = m
		b, floor := cfg.Bound().Time, cfg.Floor()
		// Every token bucket holds a tenth of a second of its rate.
		if want := b - 100*time.Millisecond; floor < want-time.Millisecond || floor > want+time.Millisecond {
			t.Errorf("%s: floor %v, want the bound %v less 0.1 s", m, floor, b)
		}
	}
}

func TestFreeRidersAndLateJoinersAreCounted(t *testing.T) {
	for _, tc := range []struct {
		n        int
		fraction float64
		want     int
	}{{10, 0.2, 2}, {10, 0, 0}, {10, 1, 10}, {5, 0.5, 3}, {3, 0.1, 0}, {100, 0.25, 25}} {
		cfg := Config{Peers: tc.n, FreeRiders: tc.fraction, LateJoiners: tc.fraction}
		free, late := 0, 0
		for i := range tc.n {
			if cfg.isFreeRider(i) {
				free++
			}
			if cfg.isLateJoiner(i) {
				late++
			}
		}
		if free != tc.want || late != tc.want {
			t.Errorf("N=%d, fraction %g: %d free riders and %d late joiners, want %d of each", tc.n, tc.fraction, free, late, tc.want)
		}
	}
}

func TestWastedShare(t *testing.T) {
	r := &Result{Nodes: []NodeResult{{Uploaded: 300, Wasted: 0}, {Uploaded: 100, Wasted: 40}}}
	if got := r.WastedShare(); got != 0.1 {
		t.Errorf("WastedShare = %v, want 0.1 (40 of 400 bytes)", got)
	}
	if got := (&Result{}).WastedShare(); got != 0 {
		t.Errorf("WastedShare with nothing uploaded = %v, want 0", got)
	}
}
