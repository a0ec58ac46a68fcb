package storage

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFilesAreSparse(t *testing.T) {
	const size = 64 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	s, err := New([]FileSpec{{path, size}}, 1<<20, make([][20]byte, 64))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteBlock(10, 0, bytes.Repeat([]byte{7}, 16384)); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != size {
		t.Fatalf("file size after the first write = %d, want the full %d", info.Size(), size)
	}
	allocated := info.Sys().(*syscall.Stat_t).Blocks * 512
	if allocated > 4<<20 {
		t.Errorf("%d bytes allocated on disk for one 16 KiB block: the file is not sparse", allocated)
	}
}

func TestWriteErrorWrapsNoSpace(t *testing.T) {
	// /dev/full fails every write with ENOSPC, a disk-full error we can
	// provoke without filling a disk.
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs /dev/full (standard on Linux): %v", err)
	}
	data := make([]byte, 32)
	s, err := New([]FileSpec{{"/dev/full", 32}}, 16, [][20]byte{sha1.Sum(data[:16]), sha1.Sum(data[16:])})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.WriteBlock(1, 4, data[:8])
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("WriteBlock to /dev/full: %v, want an error wrapping ENOSPC", err)
	}
	if want := "storage: write piece 1 at 4 to /dev/full: no space left on device"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}
