package ui

import (
	"path/filepath"
	"testing"
)

func TestFreeSpaceOfNotYetCreatedFolder(t *testing.T) {
	dir := t.TempDir()
	if got := existingParent(filepath.Join(dir, "a", "b")); got != dir {
		t.Errorf("existingParent = %q, want %q", got, dir)
	}
	if n := freeSpace(filepath.Join(dir, "a", "b")); n <= 0 {
		t.Errorf("free space %d in a temp folder", n)
	}
}
