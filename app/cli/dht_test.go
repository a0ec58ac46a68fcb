package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/dht/dhttest"
	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// TestDHTFlagsMapToConfig: -no-dht, -dht-bootstrap and -dht-same-ip as
// parsed, and the DHT configuration each gives: AllowSameIP when asked,
// or when every bootstrap node is on loopback or a private network.
func TestDHTFlagsMapToConfig(t *testing.T) {
	cases := []struct {
		args      []string
		off       bool
		bootstrap []string // nil: the public routers
		sameIP    bool
	}{
		{args: nil},
		{args: []string{"-no-dht"}, off: true},
		{args: []string{"-dht-same-ip"}, sameIP: true},
		{args: []string{"-dht-bootstrap", "127.0.0.1:7000"}, bootstrap: []string{"127.0.0.1:7000"}, sameIP: true},
		{args: []string{"-dht-bootstrap", "localhost:7000", "-dht-bootstrap", "[::1]:7001"},
			bootstrap: []string{"localhost:7000", "[::1]:7001"}, sameIP: true},
		{args: []string{"-dht-bootstrap", "192.168.1.20:6881", "-dht-bootstrap", "10.0.0.5:6881"},
			bootstrap: []string{"192.168.1.20:6881", "10.0.0.5:6881"}, sameIP: true},
		// One public address (or a name we do not resolve) is the real
		// network: one node per IP, unless asked.
		{args: []string{"-dht-bootstrap", "127.0.0.1:7000", "-dht-bootstrap", "8.8.8.8:6881"},
			bootstrap: []string{"127.0.0.1:7000", "8.8.8.8:6881"}},
		{args: []string{"-dht-bootstrap", "router.example.org:6881"}, bootstrap: []string{"router.example.org:6881"}},
		{args: []string{"-dht-bootstrap", "router.example.org:6881", "-dht-same-ip"},
			bootstrap: []string{"router.example.org:6881"}, sameIP: true},
		{args: []string{"-dht-bootstrap", "no-port"}, bootstrap: []string{"no-port"}},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("download", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		v := DHTFlags(fs, "do not use the DHT")
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if v.NoDHT != c.off || !slices.Equal(v.Bootstrap, c.bootstrap) {
			t.Errorf("%q parsed as %+v", c.args, *v)
		}
		cfg := dhtConfig(v.NoDHT, v.Bootstrap, v.SameIP)
		if c.off {
			if cfg != nil {
				t.Errorf("%q: a DHT configuration with -no-dht: %+v", c.args, cfg)
			}
			continue
		}
		if cfg == nil {
			t.Fatalf("%q: no DHT configuration", c.args)
		}
		wantBoot := c.bootstrap
		if wantBoot == nil {
			wantBoot = dht.DefaultBootstrapNodes()
		}
		if !slices.Equal(cfg.BootstrapNodes, wantBoot) || cfg.AllowSameIP != c.sameIP || cfg.Addr != "" {
			t.Errorf("%q: config bootstrap %q, AllowSameIP %v, Addr %q; want %q, %v, \"\"",
				c.args, cfg.BootstrapNodes, cfg.AllowSameIP, cfg.Addr, wantBoot, c.sameIP)
		}
	}
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	DHTFlags(fs, "do not announce the torrent on the DHT")
	for _, name := range []string{"no-dht", "dht-bootstrap", "dht-same-ip"} {
		if f := fs.Lookup(name); f == nil || f.Usage == "" {
			t.Errorf("flag -%s missing or undocumented", name)
		}
	}
}

// TestDownloadMagnetThroughLoopbackDHT is the audit's case: a hub DHT node,
// "seed" and "download MAGNET" each given -dht-bootstrap HUB and started
// together, nothing else (no tracker, no -peer). The downloader's first
// lookup may run before the seeder announced; it retries within seconds
// (it used to wait a minute: 60.3 s for this file).
func TestDownloadMagnetThroughLoopbackDHT(t *testing.T) {
	hub := dhttest.Loopback(t, 1, false)[0]
	seedDir, leechDir := t.TempDir(), t.TempDir()
	dataPath, torrentPath := writeTestTorrent(t, seedDir, "dht.bin", 2900<<10)
	mi, err := metainfo.Load(torrentPath)
	if err != nil {
		t.Fatal(err)
	}
	boot := []string{hub.Addr().String()}
	seedCtx, stopSeed := context.WithCancel(context.Background())
	defer stopSeed()
	var seedOut, seedErr lockedBuffer
	seedDone := make(chan error, 1)
	go func() {
		seedDone <- Seed(seedCtx, &seedOut, &seedErr, SeedOptions{Torrent: torrentPath, Dir: seedDir,
			Port: freePort(t), ListenHost: "127.0.0.1", DHTBootstrap: boot})
	}()
	link := mi.Magnet()
	link.Trackers = nil
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut lockedBuffer
	start := time.Now()
	err = Download(ctx, &out, &errOut, DownloadOptions{Torrent: link.String(), Dir: leechDir,
		ListenHost: "127.0.0.1", DHTBootstrap: boot})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("download after %v: %v\nstderr:\n%s\nseeder stderr:\n%s", took.Round(time.Millisecond), err, errOut.String(), seedErr.String())
	}
	t.Logf("the magnet link downloaded through the DHT in %v", took.Round(time.Millisecond))
	want, _ := os.ReadFile(dataPath)
	got, err := os.ReadFile(filepath.Join(leechDir, "dht.bin"))
	if err != nil || !bytes.Equal(want, got) {
		t.Fatalf("downloaded file differs (err %v)", err)
	}
	stopSeed()
	waitSeedStopped(t, seedDone)
}
