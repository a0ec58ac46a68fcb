package metainfo

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCheckComponent(t *testing.T) {
	for _, ok := range []string{"a", ".hidden", "...", "a b", "ünïcødé", "CON", "a:b"} {
		if err := checkComponent(ok); err != nil {
			t.Errorf("checkComponent(%q) = %v, want ok", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`, "/", "a\x00"} {
		if err := checkComponent(bad); err == nil {
			t.Errorf("checkComponent(%q) accepted a hostile component", bad)
		}
	}
}

func TestMapComponentWindows(t *testing.T) {
	cases := map[string]string{
		"plain.txt":   "plain.txt",
		`a<b>c:d"e|f`: "a_b_c_d_e_f",
		"what?*":      "what__",
		"tab\there":   "tab_here",
		"CON":         "_CON",
		"con.txt":     "_con.txt",
		"lpt9.tar.gz": "_lpt9.tar.gz",
		"CONSOLE":     "CONSOLE",
		"trailing.":   "trailing._",
		"space ":      "space _",
	}
	for in, want := range cases {
		if got := mapComponent(in, "windows"); got != want {
			t.Errorf("mapComponent(%q, windows) = %q, want %q", in, got, want)
		}
		if got := mapComponent(in, "linux"); got != in {
			t.Errorf("mapComponent(%q, linux) = %q, want it unchanged", in, got)
		}
	}
}

func multiInfo(paths ...[]string) *Info {
	i := &Info{Name: "top", MultiFile: true}
	for _, p := range paths {
		i.Files = append(i.Files, File{Path: p, Length: 1})
	}
	return i
}

func TestRelativePathsCollisions(t *testing.T) {
	// Distinct on Linux, the same file once mapped for Windows.
	i := multiInfo([]string{"a:b"}, []string{"a_b"})
	if _, err := i.relativePaths("linux"); err != nil {
		t.Errorf("linux: %v", err)
	}
	if _, err := i.relativePaths("windows"); err == nil || !strings.Contains(err.Error(), "would both be written to top/a_b") {
		t.Errorf("windows: err = %v, want a collision", err)
	}
	// Case-only differences collide where file systems fold case.
	i = multiInfo([]string{"Readme"}, []string{"README"})
	if _, err := i.relativePaths("linux"); err != nil {
		t.Errorf("linux: %v", err)
	}
	for _, goos := range []string{"windows", "darwin"} {
		if _, err := i.relativePaths(goos); err == nil {
			t.Errorf("%s: Readme and README did not collide", goos)
		}
	}
	// Folder vs file, case-insensitively.
	i = multiInfo([]string{"Dir", "x"}, []string{"dir"})
	if _, err := i.relativePaths("darwin"); err == nil {
		t.Error("darwin: file dir and folder Dir did not collide")
	}
	// Padding files may repeat their path.
	i = multiInfo([]string{"a"}, []string{".pad", "1"}, []string{"b"}, []string{".pad", "1"})
	i.Files[1].Padding, i.Files[3].Padding = true, true
	rel, err := i.relativePaths("linux")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"top/a", "", "top/b", ""}; !reflect.DeepEqual(rel, want) {
		t.Errorf("relativePaths = %q, want %q", rel, want)
	}
}

func TestFilePathsSingleFile(t *testing.T) {
	i := &Info{Name: "movie.mkv", Files: []File{{Path: []string{"movie.mkv"}, Length: 5}}}
	root := t.TempDir()
	got, err := i.FilePaths(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(root, "movie.mkv")}; !reflect.DeepEqual(got, want) {
		t.Errorf("FilePaths = %q, want %q", got, want)
	}
	// A hostile Info built in memory (not through Parse) is still caught.
	for _, name := range []string{"..", "", "a/../../b", "/etc/passwd"} {
		i := &Info{Name: name, Files: []File{{Path: []string{name}, Length: 5}}}
		if p, err := i.FilePaths(root); err == nil {
			t.Errorf("name %q: FilePaths = %q, want an error", name, p)
		}
	}
	i = multiInfo([]string{"ok"}, []string{"..", "x"})
	if p, err := i.FilePaths(root); err == nil {
		t.Errorf("multi with ..: FilePaths = %q, want an error", p)
	}
}
