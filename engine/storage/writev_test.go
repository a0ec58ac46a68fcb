package storage

import (
	"errors"
	"testing"
)

// WriteBlocks writes the concatenation of its buffers across files and
// padding, whatever the buffers' sizes, and checks the range like
// WriteBlock.
func TestWriteBlocks(t *testing.T) {
	fx := newFixture(t, 32<<10, layoutFile{"a.bin", 50 << 10}, layoutFile{"", 14 << 10}, layoutFile{"b/c.bin", 40 << 10}, layoutFile{"d.bin", 3})
	sizes := []int{16 << 10, 1, 0, 7 << 10, 4096, 100}
	for p := range fx.s.NumPieces() {
		data := fx.piece(p)
		var bufs [][]byte
		for i := 0; len(data) > 0; i++ {
			n := min(sizes[i%len(sizes)], len(data))
			bufs = append(bufs, append([]byte(nil), data[:n]...))
			data = data[n:]
		}
		if err := fx.s.WriteBlocks(p, 0, bufs); err != nil {
			t.Fatalf("WriteBlocks(%d): %v", p, err)
		}
	}
	fx.checkFiles(t)
	fx.verifyAll(t)

	// A range in the middle of a piece.
	if err := fx.s.WriteBlocks(1, 100, [][]byte{fx.piece(1)[100:200], fx.piece(1)[200:300]}); err != nil {
		t.Fatalf("WriteBlocks in the middle of a piece: %v", err)
	}
	fx.checkFiles(t)
	if err := fx.s.WriteBlocks(0, 32<<10-1, [][]byte{{1}, {2}}); err == nil {
		t.Fatal("WriteBlocks past the end of a piece succeeded")
	}
	fx.s.Close()
	if err := fx.s.WriteBlocks(0, 0, [][]byte{{1}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteBlocks after Close = %v, want ErrClosed", err)
	}
}

func TestSliceRange(t *testing.T) {
	bufs := [][]byte{[]byte("abc"), nil, []byte("de"), []byte("fghi")}
	for _, c := range []struct {
		lo, hi int64
		want   string
	}{{0, 9, "abc|de|fghi"}, {1, 4, "bc|d"}, {3, 5, "de"}, {4, 6, "e|f"}, {8, 9, "i"}, {2, 3, "c"}} {
		got := ""
		for i, b := range sliceRange(nil, bufs, c.lo, c.hi) {
			if i > 0 {
				got += "|"
			}
			got += string(b)
		}
		if got != c.want {
			t.Errorf("sliceRange(%d, %d) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}
