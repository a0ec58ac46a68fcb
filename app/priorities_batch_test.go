package app

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Several files get one priority in one call; a wrong index changes
// nothing.
func TestSetFilePrioritiesSetsSeveralAtOnce(t *testing.T) {
	src := t.TempDir()
	for _, name := range []string{"a.bin", "b.bin", "c.bin"} {
		writeRandom(t, filepath.Join(src, "folder", name), 40<<10)
	}
	mi := makeTorrent(t, filepath.Join(src, "folder"), 16<<10)
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), t.TempDir()))
	id, err := c.AddTorrentBytes(mi.Raw, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, c, id, Downloading, 10*time.Second)
	prios := func() []FilePriority {
		d, ok := c.Details(id)
		if !ok {
			t.Fatal("no details")
		}
		var out []FilePriority
		for _, f := range d.Files {
			out = append(out, f.Priority)
		}
		return out
	}
	if err := c.SetFilePriorities(id, []int{0, 2}, Skip); err != nil {
		t.Fatal(err)
	}
	if got, want := prios(), []FilePriority{Skip, Normal, Skip}; !slices.Equal(got, want) {
		t.Fatalf("priorities %v, want %v", got, want)
	}
	if err := c.SetFilePriorities(id, []int{1, 3}, High); err == nil {
		t.Fatal("file 3 of 3 accepted")
	}
	if got, want := prios(), []FilePriority{Skip, Normal, Skip}; !slices.Equal(got, want) {
		t.Errorf("a refused call changed the priorities to %v", got)
	}
}
