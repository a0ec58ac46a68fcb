package bitfield

import (
	"bytes"
	"errors"
	"testing"
)

func TestSetHasClearCount(t *testing.T) {
	b := New(10)
	for _, i := range []int{0, 3, 9} {
		b.Set(i)
	}
	b.Set(10) // out of range: ignored
	b.Set(-1)
	if got := b.Count(); got != 3 {
		t.Fatalf("Count = %d, want 3", got)
	}
	if !b.Has(0) || !b.Has(3) || !b.Has(9) || b.Has(1) || b.Has(10) {
		t.Fatalf("Has mismatch: %08b", b.Bytes())
	}
	if want := []byte{0x90, 0x40}; !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("Bytes = %08b, want %08b", b.Bytes(), want)
	}
	b.Clear(3)
	if b.Has(3) || b.Count() != 2 {
		t.Fatalf("Clear(3) failed: %08b", b.Bytes())
	}
	if got := b.Indexes(); len(got) != 2 || got[0] != 0 || got[1] != 9 {
		t.Fatalf("Indexes = %v", got)
	}
}

func TestSetAllLeavesSpareBitsClear(t *testing.T) {
	b := New(10)
	b.SetAll()
	if !b.All() || b.Count() != 10 {
		t.Fatalf("SetAll: count %d", b.Count())
	}
	if _, err := FromBytes(b.Bytes(), 10); err != nil {
		t.Fatalf("SetAll produced invalid wire bytes: %v", err)
	}
	b.ClearAll()
	if !b.None() {
		t.Fatal("ClearAll left bits set")
	}
}

func TestFromBytesValidates(t *testing.T) {
	if _, err := FromBytes([]byte{0xff}, 10); err == nil {
		t.Fatal("short bitfield accepted")
	}
	if _, err := FromBytes([]byte{0xff, 0xc0, 0}, 10); err == nil {
		t.Fatal("long bitfield accepted")
	}
	if _, err := FromBytes([]byte{0xff, 0xe0}, 10); !errors.Is(err, ErrSpareBits) {
		t.Fatalf("spare bit: err = %v, want ErrSpareBits", err)
	}
	b, err := FromBytes([]byte{0xff, 0xc0}, 10)
	if err != nil || !b.All() {
		t.Fatalf("valid full bitfield: %v", err)
	}
}

func TestHasAnyNotIn(t *testing.T) {
	ours, theirs := New(9), New(9)
	if theirs.HasAnyNotIn(ours) {
		t.Fatal("empty peer is interesting")
	}
	theirs.Set(8)
	if !theirs.HasAnyNotIn(ours) {
		t.Fatal("peer with piece 8 is not interesting")
	}
	ours.Set(8)
	if theirs.HasAnyNotIn(ours) {
		t.Fatal("peer with nothing new is interesting")
	}
}

func TestCloneIsIndependent(t *testing.T) {
	a := New(4)
	c := a.Clone()
	c.Set(1)
	if a.Has(1) {
		t.Fatal("Clone shares storage")
	}
}
