// Command dlbench is bench/download.sh's helper. It runs Swarmscope's
// engine as a leecher with nothing else around it, and an embedded tracker
// for the reference clients that can only meet peers through one. It
// depends on engine packages only, so it builds while the application is
// being worked on. Everything listens on 127.0.0.1 and stops by itself.
//
//	dlbench download -torrent T -dir D -peer 127.0.0.1:PORT [-timeout 5m] [-cpuprofile F]
//	dlbench tracker -addr 127.0.0.1:PORT [-for 30m]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/engine/tracker"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dlbench download|tracker [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "download":
		err = download(os.Args[2:])
	case "tracker":
		err = runTracker(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q (want download or tracker)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dlbench:", err)
		os.Exit(1)
	}
}

// download fetches the torrent from one peer, without trackers, and exits
// once every piece is verified and the files are closed.
func download(args []string) error {
	fs := flag.NewFlagSet("download", flag.ExitOnError)
	torrentPath := fs.String("torrent", "", ".torrent file")
	dir := fs.String("dir", "", "download folder")
	peer := fs.String("peer", "", "seeder address, 127.0.0.1:PORT")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the download (and the closing sync) to this file")
	fs.Parse(args)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *torrentPath == "" || *dir == "" || *peer == "" {
		return errors.New("download: -torrent, -dir and -peer are required")
	}
	mi, err := metainfo.Load(*torrentPath)
	if err != nil {
		return err
	}
	s, err := torrent.NewSession(torrent.Config{
		ListenAddr: "127.0.0.1:0",
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	start := time.Now()
	t, err := s.Add(mi, torrent.AddOptions{Dir: *dir, Peers: []string{*peer}, NoTrackers: true})
	if err != nil {
		s.Close()
		return err
	}
	select {
	case <-t.Done():
	case <-time.After(*timeout):
		snap := t.Snapshot()
		s.Close()
		return fmt.Errorf("download: %s not complete after %v: %d/%d pieces, state %v %s",
			mi.Info.Name, *timeout, snap.HaveCount, snap.NumPieces, snap.State, snap.Err)
	}
	elapsed := time.Since(start)
	closeStart := time.Now()
	if err := s.Close(); err != nil {
		return err
	}
	closing := time.Since(closeStart)
	// The CPU split tells the engine's own work (user) from the kernel's
	// (system: sockets, page cache, write-back).
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("complete %s %d bytes in %.3f s, closing (sync) %.3f s, CPU user %.2f s system %.2f s\n",
		mi.Info.Name, mi.Info.Length, elapsed.Seconds(), closing.Seconds(),
		time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds())
	return nil
}

// runTracker serves announces until -for passes or it is signalled. It asks
// clients to re-announce every few seconds, so a seeder soon learns about a
// leecher that cannot dial it (transmission-cli on loopback).
func runTracker(args []string) error {
	fs := flag.NewFlagSet("tracker", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback)")
	lifetime := fs.Duration("for", 30*time.Minute, "exit after this long")
	fs.Parse(args)
	srv, err := tracker.Listen(*addr, tracker.ServerConfig{Interval: 2 * time.Second, MinInterval: time.Second})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println("tracker", srv.HTTPAnnounceURL())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(*lifetime):
	}
	return nil
}
