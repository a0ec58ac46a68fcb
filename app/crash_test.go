package app

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/storage"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

// The crash test re-runs this test binary as a child downloader (see
// TestMain) and kills it with SIGKILL.
const (
	childEnv        = "SWARMSCOPE_APP_CRASH_CHILD"
	childDBEnv      = "SWARMSCOPE_APP_CRASH_DB"
	childTorrentEnv = "SWARMSCOPE_APP_CRASH_TORRENT"
	childDirEnv     = "SWARMSCOPE_APP_CRASH_DIR"
	childPeerEnv    = "SWARMSCOPE_APP_CRASH_PEER"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(crashChild())
	}
	code := m.Run()
	cleanupBenchFixture()
	os.Exit(code)
}

// crashChild downloads one torrent on the application core until it is
// complete (exit 0) or 60 s pass (exit 1), printing the resume figures.
func crashChild() int {
	c, err := New(Config{
		StatePath:    os.Getenv(childDBEnv),
		ListenAddr:   "127.0.0.1:0",
		DefaultDir:   os.Getenv(childDirEnv),
		NoTrackers:   true,
		SaveInterval: 250 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Println("child: new:", err)
		return 1
	}
	defer c.Close()
	peer := os.Getenv(childPeerEnv)
	id, err := c.AddTorrentFile(os.Getenv(childTorrentEnv), AddOptions{Peers: []string{peer}})
	if errors.Is(err, ErrDuplicate) {
		err = c.AddPeers(id, []string{peer})
	}
	if err != nil {
		fmt.Println("child: add:", err)
		return 1
	}
	reported := false
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s, _ := summaryOf(c, id)
		if !reported && s.State != Checking && s.State != Queued {
			fmt.Printf("resume: restored %d hashed %d\n", s.RestoredPieces, s.HashedPieces)
			reported = true
		}
		if s.State == Seeding {
			fmt.Println("complete")
			return 0
		}
		if s.State == Error {
			fmt.Println("child: error:", s.Message)
			return 1
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println("child: not complete in 60 s")
	return 1
}

// TestCrashResume kills a downloading client with SIGKILL at random
// moments; after each kill every piece the database calls verified must
// verify, and the last run finishes the download.
func TestCrashResume(t *testing.T) {
	const (
		size  = 6<<20 + 777
		pl    = 64 << 10
		kills = 4
	)
	seedDir, leechDir := t.TempDir(), t.TempDir()
	db := filepath.Join(t.TempDir(), "state.db")
	data := filepath.Join(seedDir, "crash.bin")
	writeRandom(t, data, size)
	mi := makeTorrent(t, data, pl)
	torrentFile := filepath.Join(t.TempDir(), "crash.torrent")
	if err := os.WriteFile(torrentFile, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}

	// Our seeder, rate-limited so the download takes several seconds.
	seedSession, err := torrent.NewSession(torrent.Config{ListenAddr: "127.0.0.1:0", UploadLimit: 1 << 20, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer seedSession.Close()
	seeder, err := seedSession.Add(mi, torrent.AddOptions{Dir: seedDir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-seeder.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("seeder did not finish checking its data")
	}
	peer := fmt.Sprintf("127.0.0.1:%d", seedSession.Port())

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	lastCount := -1
	for run := 0; run <= kills; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", childDBEnv+"="+db, childTorrentEnv+"="+torrentFile,
			childDirEnv+"="+leechDir, childPeerEnv+"="+peer)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// A hard deadline for every child, killed by its own PID.
		hard := time.AfterFunc(70*time.Second, func() { cmd.Process.Kill() })

		var logged []string
		if run < kills {
			delay := time.Duration(800+rng.IntN(1200)) * time.Millisecond
			select {
			case err := <-exited:
				hard.Stop()
				t.Fatalf("run %d: child exited before the kill (%v): %s", run, err, drain(lines, logged))
			case <-time.After(delay):
			}
			cmd.Process.Kill() // SIGKILL
			<-exited
			hard.Stop()
			logged = drainLines(lines)
			n := checkVerifiedOnDisk(t, db, mi, leechDir)
			t.Logf("run %d: killed after %v; %d of %d pieces recorded as verified, all verify on disk; child said %q",
				run, delay, n, mi.Info.NumPieces(), logged)
			if n < lastCount {
				t.Errorf("run %d: verified pieces went down from %d to %d", run, lastCount, n)
			}
			lastCount = n
			continue
		}
		err = <-exited
		hard.Stop()
		logged = drainLines(lines)
		if err != nil {
			t.Fatalf("final run: child failed: %v; it said %q", err, logged)
		}
		n := checkVerifiedOnDisk(t, db, mi, leechDir)
		t.Logf("final run: %q; %d of %d pieces recorded", logged, n, mi.Info.NumPieces())
		if n != mi.Info.NumPieces() {
			t.Fatalf("final run completed but the database records %d of %d pieces", n, mi.Info.NumPieces())
		}
	}
}

func drainLines(lines <-chan string) []string {
	var out []string
	for l := range lines {
		out = append(out, l)
	}
	return out
}

func drain(lines <-chan string, prefix []string) string {
	return strings.Join(append(prefix, drainLines(lines)...), "; ")
}

// checkVerifiedOnDisk opens the database the child left and hashes every
// piece it records as verified; it returns how many there are.
func checkVerifiedOnDisk(t *testing.T, db string, mi *metainfo.MetaInfo, dir string) int {
	t.Helper()
	store, err := persist.Open(db, persist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := store.GetTorrent(mi.InfoHash)
	if errors.Is(err, persist.ErrNotFound) {
		return 0 // killed before the torrent was stored
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Bitfield) == 0 {
		return 0
	}
	have, err := bitfield.FromBytes(rec.Bitfield, mi.Info.NumPieces())
	if err != nil {
		t.Fatal(err)
	}
	paths, err := mi.Info.FilePaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	specs := make([]storage.FileSpec, len(paths))
	for i, f := range mi.Info.Files {
		specs[i] = storage.FileSpec{Path: paths[i], Length: f.Length}
	}
	st, err := storage.New(specs, mi.Info.PieceLength, mi.Info.Pieces)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, p := range have.Indexes() {
		ok, err := st.VerifyPiece(p)
		if err != nil || !ok {
			t.Fatalf("piece %d is recorded as verified but does not verify on disk (err %v)", p, err)
		}
	}
	return have.Count()
}
