package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
)

// startSeeder seeds mi from dir on a session of its own on loopback and
// returns its address.
func startSeeder(t *testing.T, mi *metainfo.MetaInfo, dir string) string {
	t.Helper()
	s, err := torrent.NewSession(torrent.Config{ListenAddr: "127.0.0.1:0", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tr, err := s.Add(mi, torrent.AddOptions{Dir: dir, NoTrackers: true})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-tr.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("seeder did not finish checking")
	}
	return fmt.Sprintf("127.0.0.1:%d", s.Port())
}

// mount runs mount(8) and unmounts in Cleanup. Tests run as root in CI;
// anywhere mounting is impossible the test fails and says why.
func mount(t *testing.T, args ...string) {
	t.Helper()
	remount(t, args...)
	target := args[len(args)-1]
	t.Cleanup(func() {
		if out, err := exec.Command("umount", target).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", target, err, out)
		}
	})
}

// remount runs mount(8) on something mount already mounted.
func remount(t *testing.T, args ...string) {
	t.Helper()
	target := args[len(args)-1]
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Fatalf("mount %s on %s: %v: %s (this test needs root and mount(8))", strings.Join(args, " "), target, err, out)
	}
}

// faultFixture is a client with one healthy seeding torrent, to prove a
// fault in another torrent leaves it running.
type faultFixture struct {
	c       *Client
	healthy ID
	srcDir  string
}

func newFaultFixture(t *testing.T) *faultFixture {
	dir := t.TempDir()
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), dir))
	writeRandom(t, filepath.Join(dir, "healthy.bin"), 256<<10)
	id, err := c.AddTorrentBytes(makeTorrent(t, filepath.Join(dir, "healthy.bin"), 32<<10).Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
	return &faultFixture{c: c, healthy: id, srcDir: t.TempDir()}
}

// downloadInto adds a 1 MiB torrent seeded on loopback, saved in saveDir.
func (f *faultFixture) downloadInto(t *testing.T, saveDir string) ID {
	t.Helper()
	writeRandom(t, filepath.Join(f.srcDir, "payload.bin"), 1<<20)
	mi := makeTorrent(t, filepath.Join(f.srcDir, "payload.bin"), 32<<10)
	peer := startSeeder(t, mi, f.srcDir)
	id, err := f.c.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: saveDir, Peers: []string{peer}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// expectError waits for id's Error state, checks its message, and checks
// the healthy torrent still seeds.
func (f *faultFixture) expectError(t *testing.T, id ID, wantWords ...string) {
	t.Helper()
	s := waitState(t, f.c, id, Error, 20*time.Second)
	for _, w := range wantWords {
		if !strings.Contains(s.Message, w) {
			t.Errorf("error message %q does not say %q", s.Message, w)
		}
	}
	t.Logf("error shown: %s", s.Message)
	time.Sleep(2 * refreshInterval)
	if h, _ := summaryOf(f.c, f.healthy); h.State != Seeding {
		t.Errorf("the healthy torrent is %v (%s), want it still seeding", h.State, h.Message)
	}
}

func TestDiskFullIsAnErrorForThatTorrentOnly(t *testing.T) {
	f := newFaultFixture(t)
	small := t.TempDir()
	mount(t, "-t", "tmpfs", "-o", "size=256k", "tmpfs", small)
	id := f.downloadInto(t, small)
	f.expectError(t, id, "disk full", "no space left on device")
}

// TestReadOnlyFolderIsAnErrorForThatTorrentOnly uses a read-only bind mount:
// as root, permission bits would not stop the writes.
func TestReadOnlyFolderIsAnErrorForThatTorrentOnly(t *testing.T) {
	f := newFaultFixture(t)
	ro := t.TempDir()
	mount(t, "--bind", ro, ro)
	remount(t, "-o", "remount,ro,bind", ro)
	id := f.downloadInto(t, ro)
	f.expectError(t, id, "read-only", ro)
}

func TestFileDeletedUnderSeedingTorrent(t *testing.T) {
	f := newFaultFixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "victim.bin")
	writeRandom(t, path, 512<<10)
	id, err := f.c.AddTorrentBytes(makeTorrent(t, path, 32<<10).Raw, AddOptions{SaveDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, f.c, id, Seeding, 10*time.Second)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	f.expectError(t, id, "file "+path+" is missing")

	// A forced recheck accepts the loss: the torrent downloads it again.
	if err := f.c.Recheck(id); err != nil {
		t.Fatal(err)
	}
	s := waitState(t, f.c, id, Downloading, 10*time.Second)
	if s.Progress != 0 {
		t.Errorf("after the recheck %.0f%% is verified, want 0", 100*s.Progress)
	}
}

// TestMissingFileFoundAtStart: a file deleted while Swarmscope was not
// running is an error on the next start, not a silent re-download.
func TestMissingFileFoundAtStart(t *testing.T) {
	db, dir := filepath.Join(t.TempDir(), "state.db"), t.TempDir()
	c := openClient(t, testConfig(t, db, dir))
	for _, name := range []string{"keep.bin", "lose.bin"} {
		writeRandom(t, filepath.Join(dir, "pair", name), 200<<10)
	}
	id, err := c.AddTorrentBytes(makeTorrent(t, filepath.Join(dir, "pair"), 32<<10).Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 10*time.Second)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	lost := filepath.Join(dir, "pair", "lose.bin")
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	c = openClient(t, testConfig(t, db, dir))
	s := waitState(t, c, id, Error, 10*time.Second)
	if !strings.Contains(s.Message, "file "+lost+" is missing") {
		t.Errorf("message %q does not name the missing file", s.Message)
	}
	if s.Progress < 0.99 {
		t.Errorf("the list shows %.0f%% for a torrent whose record holds everything", 100*s.Progress)
	}
}
