package storage

import (
	"errors"
	"os"
	"testing"
)

// StartWriteback leaves the data as written, creates nothing, keeps the
// files dirty for Sync (it promises no durability) and refuses after Close.
func TestStartWriteback(t *testing.T) {
	fx := newFixture(t, 32<<10, layoutFile{"a.bin", 50 << 10}, layoutFile{"", 14 << 10}, layoutFile{"b/c.bin", 40 << 10})
	if err := fx.s.StartWriteback(); err != nil {
		t.Fatalf("StartWriteback before any write: %v", err)
	}
	for _, p := range fx.paths {
		if p != "" {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("StartWriteback before any write touched %s: %v", p, err)
			}
		}
	}
	fx.writeAll(t, 16<<10)
	if err := fx.s.StartWriteback(); err != nil {
		t.Fatalf("StartWriteback: %v", err)
	}
	for _, f := range fx.s.files {
		if !f.padding() && !f.dirty.Load() {
			t.Errorf("%s is no longer marked dirty after StartWriteback: Sync would skip it", f.path)
		}
	}
	fx.checkFiles(t)
	fx.verifyAll(t)
	if err := fx.s.Sync(); err != nil {
		t.Fatalf("Sync after StartWriteback: %v", err)
	}
	fx.s.Close()
	if err := fx.s.StartWriteback(); !errors.Is(err, ErrClosed) {
		t.Fatalf("StartWriteback after Close = %v, want ErrClosed", err)
	}
}
