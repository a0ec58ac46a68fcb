package piecehash

import (
	"crypto/sha1"
	"math/rand/v2"
	"testing"
)

// forEachPath runs f with the vector path (when the CPU has it) and with
// the crypto/sha1 fallback.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if !haveBlocks16 {
		t.Log("this CPU has no AVX-512: only the fallback is tested")
	}
	saved := haveBlocks16
	defer func() { haveBlocks16 = saved }()
	for _, vector := range []bool{true, false} {
		if vector && !saved {
			continue
		}
		haveBlocks16 = vector
		name := "fallback"
		if vector {
			name = "avx512"
		}
		t.Run(name, f)
	}
}

func randomLanes(rng *rand.Rand, n int) *[Lanes][]byte {
	var p [Lanes][]byte
	for i := range p {
		p[i] = make([]byte, n)
		for j := range p[i] {
			p[i][j] = byte(rng.Uint32())
		}
	}
	return &p
}

// Every length around the padding's edges, written whole and in uneven
// parts, gives crypto/sha1's answer in every lane.
func TestDigestMatchesCryptoSHA1(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, n := range []int{0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 16 << 10, 1<<16 + 7} {
			p := randomLanes(rng, n)
			for _, split := range []int{n, 1, 13, 64, 100} {
				d := New()
				for off := 0; off < n || off == 0; off += max(split, 1) {
					var part [Lanes][]byte
					for i := range p {
						part[i] = p[i][off:min(n, off+max(split, 1))]
					}
					d.Write(&part)
					if n == 0 {
						break
					}
				}
				var sums [Lanes][sha1.Size]byte
				d.Sum(&sums)
				for i := range p {
					if want := sha1.Sum(p[i]); sums[i] != want {
						t.Fatalf("length %d written in parts of %d: lane %d = %x, want %x", n, split, i, sums[i], want)
					}
				}
			}
		}
	})
}

// Sum does not disturb the running hash, and Reset starts afresh.
func TestSumThenWriteAndReset(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		p := randomLanes(rng, 300)
		d := New()
		var first, sums [Lanes][sha1.Size]byte
		half := [Lanes][]byte{}
		rest := [Lanes][]byte{}
		for i := range p {
			half[i], rest[i] = p[i][:150], p[i][150:]
		}
		d.Write(&half)
		d.Sum(&first)
		d.Write(&rest)
		d.Sum(&sums)
		for i := range p {
			if first[i] != sha1.Sum(half[i]) || sums[i] != sha1.Sum(p[i]) {
				t.Fatalf("lane %d: after a Sum mid-stream the hashes went wrong", i)
			}
		}
		d.Reset()
		d.Write(&rest)
		d.Sum(&sums)
		for i := range p {
			if sums[i] != sha1.Sum(rest[i]) {
				t.Fatalf("lane %d: Reset left state behind", i)
			}
		}
	})
}

func TestUnequalLanesPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("lanes of different lengths were accepted")
		}
	}()
	var p [Lanes][]byte
	for i := range p {
		p[i] = make([]byte, 64)
	}
	p[7] = p[7][:63]
	New().Write(&p)
}

// BenchmarkDigest hashes 16 pieces of 1 MiB; BenchmarkCryptoSHA1 one, for
// the per-byte comparison.
func BenchmarkDigest(b *testing.B) {
	p := randomLanes(rand.New(rand.NewPCG(5, 6)), 1<<20)
	var sums [Lanes][sha1.Size]byte
	d := New()
	b.SetBytes(Lanes << 20)
	for b.Loop() {
		d.Reset()
		d.Write(p)
		d.Sum(&sums)
	}
}

func BenchmarkCryptoSHA1(b *testing.B) {
	p := make([]byte, 1<<20)
	b.SetBytes(1 << 20)
	for b.Loop() {
		sha1.Sum(p)
	}
}

// SumPieces reads 16 consecutive pieces from a stream — whole, in strips,
// and in strips with a shorter last one — and hashes each as crypto/sha1.
func TestSumPiecesReadsConsecutivePieces(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, tc := range []struct{ pieceLength, bufPerLane int64 }{{64, 64}, {4096, 1024}, {5000, 1024}, {100, 4096}} {
			stream := make([]byte, 3*tc.pieceLength+Lanes*tc.pieceLength+17)
			for i := range stream {
				stream[i] = byte(rng.Uint32())
			}
			readAt := func(p []byte, off int64) error { copy(p, stream[off:]); return nil }
			start := 3 * tc.pieceLength
			var sums [Lanes][sha1.Size]byte
			if err := New().SumPieces(readAt, start, tc.pieceLength, make([]byte, Lanes*tc.bufPerLane), &sums); err != nil {
				t.Fatal(err)
			}
			for i := range Lanes {
				p := start + int64(i)*tc.pieceLength
				if want := sha1.Sum(stream[p : p+tc.pieceLength]); sums[i] != want {
					t.Fatalf("piece length %d, %d bytes a lane: piece %d hashed wrong", tc.pieceLength, tc.bufPerLane, i)
				}
			}
		}
	})
}
