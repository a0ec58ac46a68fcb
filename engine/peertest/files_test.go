package peertest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recordingTB stands in for a test so the helpers' failure messages can be
// checked. Fatalf records the message and ends the calling goroutine, as
// testing.T does.
type recordingTB struct {
	*testing.T
	fatal string
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalMessage runs f with a recordingTB in its own goroutine and returns
// the Fatalf message, or "" when f finished without one.
func fatalMessage(t *testing.T, f func(tb testing.TB)) string {
	r := &recordingTB{T: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.fatal
}

func TestRequireBinaryNamesTheDebianPackage(t *testing.T) {
	msg := fatalMessage(t, func(tb testing.TB) {
		RequireBinary(tb, "swarmscope-no-such-client", "swarmscope-fake-package")
	})
	if !strings.Contains(msg, "install Debian package swarmscope-fake-package") {
		t.Errorf("message for a missing binary = %q; want it to name the Debian package", msg)
	}
	if path := RequireBinary(t, "sh", "dash"); !filepath.IsAbs(path) {
		t.Errorf("RequireBinary(sh) = %q; want an absolute path", path)
	}
}

func TestSameFileReportsFirstDifference(t *testing.T) {
	dir := t.TempDir()
	want := RandomFile(t, dir, "want.bin", 200_000)
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if again := RandomFile(t, t.TempDir(), "want.bin", 200_000); fatalMessage(t, func(tb testing.TB) { SameFile(tb, want, again) }) != "" {
		t.Fatalf("RandomFile is not deterministic for the same name and size")
	}

	changed := append([]byte(nil), data...)
	changed[150_001] ^= 0xff
	writeFile(t, filepath.Join(dir, "changed.bin"), changed)
	writeFile(t, filepath.Join(dir, "short.bin"), data[:70_000])

	for _, tc := range []struct {
		got, wantMessage string
	}{
		{"changed.bin", "at byte 150001"},
		{"short.bin", "ends at byte 70000"},
	} {
		msg := fatalMessage(t, func(tb testing.TB) { SameFile(tb, want, filepath.Join(dir, tc.got)) })
		if !strings.Contains(msg, tc.wantMessage) {
			t.Errorf("SameFile(%s) failure = %q; want it to contain %q", tc.got, msg, tc.wantMessage)
		}
	}
	if msg := fatalMessage(t, func(tb testing.TB) { SameFile(tb, want, want) }); msg != "" {
		t.Errorf("SameFile of a file with itself failed: %s", msg)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMakeTorrentInfoHashIgnoresAnnounce(t *testing.T) {
	data := RandomFile(t, t.TempDir(), "x.bin", 100_000)
	plain := InfoHash(t, MakeTorrent(t, data, "", 32<<10))
	tracked := InfoHash(t, MakeTorrent(t, data, "http://127.0.0.1:1/announce", 32<<10))
	if plain != tracked {
		t.Errorf("info hash changed with the announce URL: %x vs %x; StartOpentracker-then-Allow relies on it not changing", plain, tracked)
	}
	if other := InfoHash(t, MakeTorrent(t, data, "", 64<<10)); other == plain {
		t.Errorf("info hash %x did not change with the piece length", plain)
	}
}
