package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestAddMagnetFetchesAndRestores: a client adds a magnet link whose only
// peer (x.pe) is another client seeding it. The list shows "fetching
// metadata", then the download completes; the record now holds the
// .torrent, so a restart brings the torrent back as a normal one.
func TestAddMagnetFetchesAndRestores(t *testing.T) {
	seedDir := t.TempDir()
	data := writeRandom(t, filepath.Join(seedDir, "shared.bin"), 300<<10)
	mi := makeTorrent(t, filepath.Join(seedDir, "shared.bin"), 16<<10)
	seeder := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "seed.db"), seedDir))
	if _, err := seeder.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: seedDir}); err != nil {
		t.Fatal(err)
	}
	waitState(t, seeder, mi.InfoHash, Seeding, 20*time.Second)

	leechDir := t.TempDir()
	state := filepath.Join(t.TempDir(), "leech.db")
	leecher := openClient(t, testConfig(t, state, leechDir))
	link := mi.Magnet()
	link.Peers = []string{fmt.Sprintf("127.0.0.1:%d", seeder.Status().ListenPort)}
	id, err := leecher.AddMagnet(link.String(), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if id != mi.InfoHash {
		t.Fatalf("AddMagnet returned %s, want %s", id.Hex(), mi.InfoHash.Hex())
	}
	if s, _ := summaryOf(leecher, id); s.State != FetchingMetadata && s.State != Seeding && s.State != Downloading && s.State != Queued {
		t.Fatalf("just added: state %v", s.State)
	}
	waitState(t, leecher, id, Seeding, 30*time.Second)
	got, err := os.ReadFile(filepath.Join(leechDir, "shared.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs (%v)", err)
	}
	if d, ok := leecher.Details(id); !ok || d.Magnet == "" {
		t.Fatalf("details after the metadata: %+v", d)
	}
	if err := leecher.Close(); err != nil {
		t.Fatal(err)
	}

	again := openClient(t, testConfig(t, state, leechDir))
	s := waitState(t, again, id, Seeding, 20*time.Second)
	if s.Name != mi.Info.Name || s.Size != mi.Info.Length {
		t.Fatalf("restored magnet torrent: name %q size %d, want %q %d", s.Name, s.Size, mi.Info.Name, mi.Info.Length)
	}
}

// TestMagnetWithoutPeersShowsFetchingMetadata: with nobody to ask, a
// magnet link stays in "fetching metadata", survives a restart as a
// magnet link, and can be removed.
func TestMagnetWithoutPeersShowsFetchingMetadata(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state.db")
	c := openClient(t, testConfig(t, state, dir))
	const link = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=lonely"
	id, err := c.AddMagnet(link, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := waitState(t, c, id, FetchingMetadata, 10*time.Second)
	if s.Name != "lonely" || s.State.String() != "fetching metadata" {
		t.Fatalf("summary %q %q", s.Name, s.State)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := openClient(t, testConfig(t, state, dir))
	waitState(t, c2, id, FetchingMetadata, 10*time.Second)
	if err := c2.Remove(id, false); err != nil {
		t.Fatal(err)
	}
}

// TestMoveMagnetWhileFetchingMetadata: a magnet link with nobody to ask
// can be given another folder; it waits there, keeps the folder across a
// restart, and once a seeder is added the file lands in the new folder.
func TestMoveMagnetWhileFetchingMetadata(t *testing.T) {
	seedDir := t.TempDir()
	data := writeRandom(t, filepath.Join(seedDir, "moved.bin"), 200<<10)
	mi := makeTorrent(t, filepath.Join(seedDir, "moved.bin"), 16<<10)

	oldDir, newDir := t.TempDir(), t.TempDir()
	state := filepath.Join(t.TempDir(), "state.db")
	c := openClient(t, testConfig(t, state, oldDir))
	link := mi.Magnet()
	link.Trackers = nil
	id, err := c.AddMagnet(link.String(), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, FetchingMetadata, 10*time.Second)
	if err := c.SetSaveDir(id, newDir); err != nil {
		t.Fatalf("moving a magnet that is fetching its metadata: %v", err)
	}
	waitFor(t, 10*time.Second, "the magnet fetching again in the new folder", func() bool {
		s, _ := summaryOf(c, id)
		return s.SaveDir == newDir && s.State == FetchingMetadata
	})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c = openClient(t, testConfig(t, state, oldDir))
	s := waitState(t, c, id, FetchingMetadata, 10*time.Second)
	if s.SaveDir != newDir {
		t.Fatalf("after a restart the magnet saves to %s, want %s", s.SaveDir, newDir)
	}
	seeder := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "seed.db"), seedDir))
	if _, err := seeder.AddTorrentBytes(mi.Raw, AddOptions{SaveDir: seedDir}); err != nil {
		t.Fatal(err)
	}
	waitState(t, seeder, mi.InfoHash, Seeding, 20*time.Second)
	if err := c.AddPeers(id, []string{fmt.Sprintf("127.0.0.1:%d", seeder.Status().ListenPort)}); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Seeding, 30*time.Second)
	got, err := os.ReadFile(filepath.Join(newDir, "moved.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file in the new folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(oldDir, "moved.bin")); !os.IsNotExist(err) {
		t.Errorf("something was written to the old folder (%v)", err)
	}
}
