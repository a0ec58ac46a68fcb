package lab

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/torrent"
)

// smallConfig is a lab that runs in a few seconds: F = 2 MiB in 64 KiB
// chunks (32 pieces), u = 400 KiB/s (F/u ≈ 5 s), u_s = 10u, d = u_s.
func smallConfig(n int, mode Mode) Config {
	return Config{
		Peers:        n,
		FileSize:     2 << 20,
		PieceLength:  64 << 10,
		PeerUpload:   400 << 10,
		SeedUpload:   4000 << 10,
		PeerDownload: 4000 << 10,
		Mode:         mode,
		Timeout:      60 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// The heart of the lab: real engines, rate-limited, can never beat the
// textbook bound (less the limiters' initial burst), and a healthy engine
// lands within a few times of it.
func TestRunMeetsTheBound(t *testing.T) {
	for _, mode := range []Mode{PeerToPeer, ClientServer} {
		t.Run(mode.String(), func(t *testing.T) {
			res, err := Run(context.Background(), smallConfig(5, mode), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s; floor %v; %s; notes %q", res.Summary(), res.Floor, res.CPU, res.Notes)
			checkFinishedWithinBound(t, res)
			if len(res.Nodes) != 6 || !res.Nodes[0].Server {
				t.Fatalf("got %d nodes (server first?), want the server and 5 peers", len(res.Nodes))
			}
			var peerUploads int64
			for _, n := range res.Nodes[1:] {
				if !n.Complete || n.Downloaded < res.Config.FileSize {
					t.Errorf("%s: complete %v, downloaded %d of %d bytes", n.Name, n.Complete, n.Downloaded, res.Config.FileSize)
				}
				if n.CompletedAt > res.D {
					t.Errorf("%s completed at %v, after D = %v", n.Name, n.CompletedAt, res.D)
				}
				peerUploads += n.Uploaded
			}
			server := res.Nodes[0]
			switch mode {
			case ClientServer:
				// Peers never serve, so the server sends every copy.
				if peerUploads != 0 {
					t.Errorf("client-server: peers uploaded %d bytes, want 0", peerUploads)
				}
				if server.Uploaded < 5*res.Config.FileSize {
					t.Errorf("client-server: the server uploaded %d bytes, want at least 5 copies (%d)", server.Uploaded, 5*res.Config.FileSize)
				}
			case PeerToPeer:
				if peerUploads < res.Config.FileSize {
					t.Errorf("peer-to-peer: peers uploaded only %d bytes in all, want at least one copy", peerUploads)
				}
			}
			// A run may take up to 3 times the bound on a busy machine (see
			// above), so the server may use as little as a third of its rate.
			if server.Utilisation < 0.3 || server.Utilisation > 1.2 {
				t.Errorf("the server used %.0f%% of its upload rate, want 30%% to 120%%", 100*server.Utilisation)
			}
			if len(res.Timeline) < 2 || res.Timeline[len(res.Timeline)-1].Complete != 5 {
				t.Errorf("the timeline (%d samples) does not end with 5 complete peers", len(res.Timeline))
			}
			if res.CPU.Cores < 1 || res.CPU.Process <= 0 {
				t.Errorf("CPU use not measured: %+v", res.CPU)
			}
		})
	}
}

// Free riders upload nothing and peers that leave on completion are gone;
// the server stays, so the distribution must still end.
func TestRunFreeRidersAndLeavers(t *testing.T) {
	cfg := smallConfig(5, PeerToPeer)
	cfg.FreeRiders = 0.4
	cfg.LeaveOnComplete = true
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; notes %q", res.Summary(), res.Notes)
	if !res.Finished {
		t.Fatalf("not every peer completed: %q", res.Notes)
	}
	free := 0
	for _, n := range res.Nodes[1:] {
		if n.FreeRider {
			free++
			if n.Uploaded != 0 || n.Utilisation != -1 {
				t.Errorf("free rider %s uploaded %d bytes (utilisation %v), want 0 and n/a", n.Name, n.Uploaded, n.Utilisation)
			}
		}
		if n.CompletedAt < res.D && !n.Left {
			t.Errorf("%s completed at %v, before the last peer, but did not leave", n.Name, n.CompletedAt)
		}
	}
	if free != 2 {
		t.Errorf("%d free riders, want 40%% of 5 = 2", free)
	}
}

// A server that leaves once the peers hold a full copy does not stop the
// distribution while the peers stay.
func TestRunServerLeavesEarly(t *testing.T) {
	cfg := smallConfig(5, PeerToPeer)
	cfg.SeedLeaves = true
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s; notes %q", res.Summary(), res.Notes)
	if !res.Finished {
		t.Fatalf("not every peer completed: %q", res.Notes)
	}
	server := res.Nodes[0]
	if !server.Left || server.LeftAt >= res.D {
		t.Errorf("the server left: %v at %v, want it gone before D = %v", server.Left, server.LeftAt, res.D)
	}
	if server.Uploaded < cfg.FileSize {
		t.Errorf("the server left after uploading %d bytes, less than one copy (%d)", server.Uploaded, cfg.FileSize)
	}
	if last := res.Timeline[len(res.Timeline)-1]; last.Nodes != 5 {
		t.Errorf("%d nodes in the swarm at the end, want the 5 peers", last.Nodes)
	}
}

// A piece that only free riders hold, with the server gone, is lost.
func TestLostPieceIsDetected(t *testing.T) {
	have, missing := torrent.PieceHave, torrent.PieceMissing
	snap := func(p ...torrent.PieceState) *torrent.Snapshot { return &torrent.Snapshot{Pieces: p} }
	joined := new(torrent.Torrent) // inSwarm only asks whether the node joined
	r := &run{cfg: Config{Mode: PeerToPeer}, res: &Result{Pieces: 2}}
	r.nodes = []*node{
		{NodeResult: NodeResult{Server: true, Left: true}, t: joined, last: snap(have, have)},
		{NodeResult: NodeResult{}, t: joined, last: snap(have, missing)},
		{NodeResult: NodeResult{FreeRider: true}, t: joined, last: snap(missing, have)},
	}
	if piece, lost := r.lostPiece(); !lost || piece != 1 {
		t.Errorf("lostPiece() = %d, %v; want piece 1 lost (only a free rider holds it)", piece, lost)
	}
	r.nodes[2].FreeRider = false
	if piece, lost := r.lostPiece(); lost {
		t.Errorf("lostPiece() = %d, true; want nothing lost when the holder uploads", piece)
	}
	r.nodes[2].FreeRider = true
	r.nodes[0].Left = false
	if piece, lost := r.lostPiece(); lost {
		t.Errorf("lostPiece() = %d, true; want nothing lost while the server stays", piece)
	}
}

func TestRunRefusesABadConfig(t *testing.T) {
	cfg := smallConfig(0, PeerToPeer)
	if _, err := Run(context.Background(), cfg, nil); err == nil {
		t.Fatal("Run with no peers succeeded, want an error")
	}
}

// checkFinishedWithinBound fails the test unless every peer completed, D is
// not below the floor (the rate limits held) and D is at most three times
// the bound (a healthy engine on a busy machine).
func checkFinishedWithinBound(t *testing.T, res *Result) {
	t.Helper()
	if !res.Finished {
		t.Fatalf("not every peer completed: %q", res.Notes)
	}
	if res.D < res.Floor {
		t.Errorf("D = %v is below the floor %v: the rate limits were not enforced", res.D, res.Floor)
	}
	if res.Ratio > 3 {
		t.Errorf("D/bound = %.2f, want at most 3", res.Ratio)
	}
}
