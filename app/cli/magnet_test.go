package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// TestDownloadMagnetWithoutTracker: "swarmscope download MAGNET -no-dht
// -peer 127.0.0.1:PORT" — no tracker, no DHT: the metadata and then the
// data come from the one peer given.
func TestDownloadMagnetWithoutTracker(t *testing.T) {
	seedDir, leechDir := t.TempDir(), t.TempDir()
	dataPath, torrentPath := writeTestTorrent(t, seedDir, "magnet.bin", 1<<20+4321)
	mi, err := metainfo.Load(torrentPath)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	seedCtx, stopSeed := context.WithCancel(context.Background())
	defer stopSeed()
	var seedOut, seedErr lockedBuffer
	seedDone := make(chan error, 1)
	go func() {
		seedDone <- Seed(seedCtx, &seedOut, &seedErr, SeedOptions{Torrent: torrentPath, Dir: seedDir, Port: port, ListenHost: "127.0.0.1", NoDHT: true})
	}()

	link := mi.Magnet()
	link.Trackers = nil
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	var out, errOut lockedBuffer
	err = Download(ctx, &out, &errOut, DownloadOptions{Torrent: link.String(), Dir: leechDir, ListenHost: "127.0.0.1", NoDHT: true,
		Peers: []string{"127.0.0.1:" + strconv.Itoa(port)}})
	if err != nil {
		t.Fatalf("download: %v\nstderr:\n%s", err, errOut.String())
	}
	want, _ := os.ReadFile(dataPath)
	got, err := os.ReadFile(filepath.Join(leechDir, "magnet.bin"))
	if err != nil || !bytes.Equal(want, got) {
		t.Fatalf("downloaded file differs (err %v)", err)
	}
	if !strings.Contains(errOut.String(), "fetching metadata") {
		t.Errorf("stderr does not show the metadata exchange: %q", errOut.String())
	}
	if !strings.Contains(out.String(), "complete, all 17 pieces verified") {
		t.Errorf("stdout %q lacks the completion line", out.String())
	}
	stopSeed()
	waitSeedStopped(t, seedDone)
}
