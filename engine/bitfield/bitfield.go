// Package bitfield is the set-of-pieces type shared by the engine: which
// pieces we have, which a peer has, which are wanted. Bit i is piece i, in the
// BitTorrent wire order (high bit of the first byte is piece 0), so the bytes
// can be sent and received as a bitfield message unchanged.
package bitfield

import (
	"errors"
	"fmt"
	"math/bits"
)

// Bitfield is a fixed-length set of piece indexes. The zero value is an
// empty bitfield of length 0. A Bitfield is not safe for concurrent use;
// callers that share one hand out a Clone.
type Bitfield struct {
	bits []byte
	n    int
}

// ErrSpareBits is returned by FromBytes when bits past the last piece are set,
// which BEP 3 requires peers to leave clear.
var ErrSpareBits = errors.New("bitfield: spare bits past the last piece are set")

// New returns an empty bitfield for n pieces.
func New(n int) *Bitfield {
	if n < 0 {
		n = 0
	}
	return &Bitfield{bits: make([]byte, (n+7)/8), n: n}
}

// FromBytes builds a bitfield for n pieces from wire bytes. The length must
// be exactly ceil(n/8) bytes and the spare bits must be zero.
func FromBytes(b []byte, n int) (*Bitfield, error) {
	if n < 0 {
		return nil, fmt.Errorf("bitfield: negative piece count %d", n)
	}
	want := (n + 7) / 8
	if len(b) != want {
		return nil, fmt.Errorf("bitfield: got %d bytes for %d pieces, want %d", len(b), n, want)
	}
	if n%8 != 0 && b[len(b)-1]&(0xff>>(n%8)) != 0 {
		return nil, ErrSpareBits
	}
	c := make([]byte, len(b))
	copy(c, b)
	return &Bitfield{bits: c, n: n}, nil
}

// Len is the number of pieces the bitfield covers.
func (b *Bitfield) Len() int { return b.n }

// Has reports whether piece i is in the set; out-of-range indexes are not.
func (b *Bitfield) Has(i int) bool {
	if i < 0 || i >= b.n {
		return false
	}
	return b.bits[i>>3]&(0x80>>(i&7)) != 0
}

// Set adds piece i; out-of-range indexes are ignored.
func (b *Bitfield) Set(i int) {
	if i < 0 || i >= b.n {
		return
	}
	b.bits[i>>3] |= 0x80 >> (i & 7)
}

// Clear removes piece i; out-of-range indexes are ignored.
func (b *Bitfield) Clear(i int) {
	if i < 0 || i >= b.n {
		return
	}
	b.bits[i>>3] &^= 0x80 >> (i & 7)
}

// SetAll adds every piece.
func (b *Bitfield) SetAll() {
	for i := range b.bits {
		b.bits[i] = 0xff
	}
	if b.n%8 != 0 {
		b.bits[len(b.bits)-1] = 0xff << (8 - b.n%8)
	}
}

// ClearAll removes every piece.
func (b *Bitfield) ClearAll() { clear(b.bits) }

// Count is the number of pieces in the set.
func (b *Bitfield) Count() int {
	c := 0
	for _, x := range b.bits {
		c += bits.OnesCount8(x)
	}
	return c
}

// All reports whether every piece is in the set.
func (b *Bitfield) All() bool { return b.Count() == b.n }

// None reports whether the set is empty.
func (b *Bitfield) None() bool {
	for _, x := range b.bits {
		if x != 0 {
			return false
		}
	}
	return true
}

// Bytes returns a copy of the wire form.
func (b *Bitfield) Bytes() []byte {
	c := make([]byte, len(b.bits))
	copy(c, b.bits)
	return c
}

// Clone returns an independent copy.
func (b *Bitfield) Clone() *Bitfield {
	return &Bitfield{bits: b.Bytes(), n: b.n}
}

// HasAnyNotIn reports whether b has some piece that other lacks: used to
// decide whether we are interested in a peer (b = theirs, other = ours).
func (b *Bitfield) HasAnyNotIn(other *Bitfield) bool {
	for i, x := range b.bits {
		var y byte
		if i < len(other.bits) {
			y = other.bits[i]
		}
		if x&^y != 0 {
			return true
		}
	}
	return false
}

// Indexes lists the pieces in the set in ascending order.
func (b *Bitfield) Indexes() []int {
	out := make([]int, 0, b.Count())
	for i := 0; i < b.n; i++ {
		if b.Has(i) {
			out = append(out, i)
		}
	}
	return out
}
