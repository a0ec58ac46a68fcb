package storage

import (
	"bytes"
	"testing"
)

// FuzzBlockArgs feeds block requests as a hostile peer could send them
// (any piece, offset and length) to WriteBlock and ReadBlock. Requests
// inside a piece must succeed and read back what was written; all others
// must fail cleanly, without a panic and without touching the data.
func FuzzBlockArgs(f *testing.F) {
	f.Add(0, int64(0), []byte("0123456789"))
	f.Add(1, int64(5), []byte("across two.bin, three.bin and four"))
	f.Add(0, int64(10), []byte("padding"))
	f.Add(4, int64(2), []byte("xy"))
	f.Add(5, int64(0), []byte("x"))
	f.Add(-1, int64(0), []byte{})
	f.Add(2, int64(-3), []byte("negative"))
	f.Add(3, int64(1)<<62, []byte("far"))
	fx := newFixture(f, 16, multiLayout...)
	fx.writeAll(f, 16)

	f.Fuzz(func(t *testing.T, piece int, begin int64, data []byte) {
		valid := piece >= 0 && piece < fx.s.NumPieces() &&
			begin >= 0 && begin <= fx.s.PieceSize(piece) &&
			int64(len(data)) <= fx.s.PieceSize(piece)-begin

		buf := make([]byte, len(data))
		err := fx.s.ReadBlock(piece, begin, buf)
		if (err == nil) != valid {
			t.Fatalf("ReadBlock(%d, %d, %d bytes) error = %v, request valid = %v", piece, begin, len(data), err, valid)
		}
		err = fx.s.WriteBlock(piece, begin, data)
		if (err == nil) != valid {
			t.Fatalf("WriteBlock(%d, %d, %d bytes) error = %v, request valid = %v", piece, begin, len(data), err, valid)
		}
		if !valid {
			return
		}
		// Read back what was written; padding bytes stay zero.
		got := make([]byte, len(data))
		if err := fx.s.ReadBlock(piece, begin, got); err != nil {
			t.Fatal(err)
		}
		want := bytes.Clone(data)
		for _, r := range fx.s.FileRanges(piece) {
			if r.Padding {
				lo := max(r.PieceOffset-begin, 0)
				hi := min(r.PieceOffset+r.Length-begin, int64(len(want)))
				if lo < hi {
					clear(want[lo:hi])
				}
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("after WriteBlock(%d, %d, %x), ReadBlock = %x, want %x", piece, begin, data, got, want)
		}
		// Put the original bytes back.
		if err := fx.s.WriteBlock(piece, begin, buf); err != nil {
			t.Fatal(err)
		}
	})
}
