//go:build linux && (amd64 || arm64)

package storage

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// evict drops a file's pages from the page cache (after writing them back),
// so the next read comes from the disk. It affects only this file.
func evict(b *testing.B, path string) {
	b.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	const fadvDontNeed = 4 // POSIX_FADV_DONTNEED
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		b.Fatalf("fadvise %s: %v", path, errno)
	}
}

// BenchmarkRecheckCold is BenchmarkRecheck with the files evicted from the
// page cache before each run: the figure includes reading from the disk.
func BenchmarkRecheckCold(b *testing.B) {
	specs, hashes := benchTorrent(b)
	s, err := New(specs, benchPieceLength, hashes)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.SetBytes(int64(benchFiles) * benchFileSize)
	for b.Loop() {
		b.StopTimer()
		for _, spec := range specs {
			evict(b, spec.Path)
		}
		b.StartTimer()
		have, err := s.Recheck(context.Background(), 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !have.All() {
			b.Fatalf("Recheck found %d of %d pieces", have.Count(), have.Len())
		}
	}
}
