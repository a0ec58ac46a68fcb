package storage

import (
	"context"
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

const (
	benchPieceLength = 256 << 10
	benchFiles       = 4
	benchFileSize    = 64 << 20 // 256 MiB in all
)

// benchTorrent writes a torrent of benchFiles files of pseudo-random data
// straight to disk and returns their specs and piece hashes.
func benchTorrent(b *testing.B) ([]FileSpec, [][20]byte) {
	b.Helper()
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	chunk := make([]byte, benchPieceLength)
	var specs []FileSpec
	var hashes [][20]byte
	for i := range benchFiles {
		path := filepath.Join(dir, fmt.Sprintf("f%d.bin", i))
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		// benchFileSize is a multiple of the piece length, so pieces line
		// up with files and can be hashed as they are written.
		for range benchFileSize / benchPieceLength {
			for j := 0; j < len(chunk); j += 8 {
				v := rng.Uint64()
				for k := range 8 {
					chunk[j+k] = byte(v >> (8 * k))
				}
			}
			if _, err := f.Write(chunk); err != nil {
				b.Fatal(err)
			}
			hashes = append(hashes, sha1.Sum(chunk))
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		specs = append(specs, FileSpec{Path: path, Length: benchFileSize})
	}
	return specs, hashes
}

// BenchmarkRecheck measures a full recheck of 256 MiB in four files, with
// the data in the page cache: the figure is the hashing throughput.
func BenchmarkRecheck(b *testing.B) {
	specs, hashes := benchTorrent(b)
	for _, workers := range []int{1, 0} {
		name := fmt.Sprintf("workers=%d", workers)
		if workers == 0 {
			name = "workers=all"
		}
		b.Run(name, func(b *testing.B) {
			s, err := New(specs, benchPieceLength, hashes)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.SetBytes(int64(benchFiles) * benchFileSize)
			for b.Loop() {
				have, err := s.Recheck(context.Background(), workers, nil)
				if err != nil {
					b.Fatal(err)
				}
				if !have.All() {
					b.Fatalf("Recheck found %d of %d pieces", have.Count(), have.Len())
				}
			}
		})
	}
}

// BenchmarkWriteBlocks measures writing 16 KiB blocks in order into a
// 64 MiB torrent of two files, as a download does.
func BenchmarkWriteBlocks(b *testing.B) {
	const blockSize = 16 << 10
	const pieceLength = 256 << 10
	dir := b.TempDir()
	specs := []FileSpec{{filepath.Join(dir, "a.bin"), 40 << 20}, {filepath.Join(dir, "b/b.bin"), 24 << 20}}
	s, err := New(specs, pieceLength, make([][20]byte, (64<<20)/pieceLength))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	block := make([]byte, blockSize)
	for i := range block {
		block[i] = byte(i * 7)
	}
	blocksPerPiece := pieceLength / blockSize
	b.SetBytes(blockSize)
	i := 0
	for b.Loop() {
		piece := (i / blocksPerPiece) % s.NumPieces()
		if err := s.WriteBlock(piece, int64(i%blocksPerPiece)*blockSize, block); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkVerifyPiece measures verifying one 1 MiB piece from the page
// cache.
func BenchmarkVerifyPiece(b *testing.B) {
	const pieceLength = 1 << 20
	fx := newFixture(b, pieceLength, layoutFile{"v.bin", 4 * pieceLength})
	fx.writeAll(b, 1<<20)
	b.SetBytes(pieceLength)
	p := 0
	for b.Loop() {
		if ok, err := fx.s.VerifyPiece(p % 4); !ok || err != nil {
			b.Fatalf("VerifyPiece = %v, %v", ok, err)
		}
		p++
	}
}
