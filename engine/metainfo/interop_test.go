package metainfo

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests check our parser and creator against real tools. A missing
// tool fails the test and names the Debian package that provides it.

var debianPackage = map[string]string{
	"mktorrent":           "mktorrent",
	"transmission-create": "transmission-cli",
	"transmission-show":   "transmission-cli",
	"aria2c":              "aria2",
}

// runTool runs a command-line tool in its own process group, killed as a
// group if it takes longer than 60 seconds, and returns its stdout.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (install the Debian package %s): %v", name, debianPackage[name], err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = t.TempDir()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("%s %q timed out after 60s", name, args)
		}
		t.Fatalf("%s %q: %v\nstdout:\n%s\nstderr:\n%s", name, args, err, out, stderr.String())
	}
	return string(out)
}

var transmissionHash = regexp.MustCompile(`(?m)^\s*Hash(?: v1)?:\s*([0-9a-f]{40})\s*$`)

// transmissionShow returns the info hash and file paths transmission-show
// reports. It lists files as "  path (size)" after a FILES heading.
func transmissionShow(t *testing.T, torrent string) (string, []string) {
	t.Helper()
	out := runTool(t, "transmission-show", torrent)
	m := transmissionHash.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("transmission-show printed no info hash:\n%s", out)
	}
	_, filesPart, ok := strings.Cut(out, "\nFILES\n")
	if !ok {
		t.Fatalf("transmission-show printed no FILES section:\n%s", out)
	}
	var files []string
	for _, line := range strings.Split(filesPart, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if i := strings.LastIndex(line, " ("); i > 0 {
			line = line[:i]
		}
		files = append(files, line)
	}
	return m[1], files
}

var (
	aria2Hash = regexp.MustCompile(`(?m)^Info Hash: ([0-9a-f]{40})$`)
	aria2File = regexp.MustCompile(`(?m)^\s*\d+\|\./(.*)\n\s*\|.*\(([\d,]+)\)$`)
)

// aria2Show returns the info hash and "path length" lines aria2c -S prints.
func aria2Show(t *testing.T, torrent string) (string, []string) {
	t.Helper()
	out := runTool(t, "aria2c", "--no-conf", "-S", torrent)
	m := aria2Hash.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("aria2c -S printed no info hash:\n%s", out)
	}
	var files []string
	for _, f := range aria2File.FindAllStringSubmatch(out, -1) {
		files = append(files, f[1]+" "+strings.ReplaceAll(f[2], ",", ""))
	}
	return m[1], files
}

// interopData makes a single file and a folder of a few MiB in total.
func interopData(t *testing.T) (file, folder string) {
	dir := t.TempDir()
	file = filepath.Join(dir, "single.bin")
	writeFile(t, file, randomBytes(10, 3<<20+12345))
	folder = filepath.Join(dir, "folder")
	writeFile(t, filepath.Join(folder, "one.bin"), randomBytes(11, 1<<20+7))
	writeFile(t, filepath.Join(folder, "sub", "two.bin"), randomBytes(12, 600_000))
	writeFile(t, filepath.Join(folder, "sub", "deeper", "three.txt"), []byte("three\n"))
	writeFile(t, filepath.Join(folder, "z.bin"), randomBytes(13, 300_001))
	return file, folder
}

// torrentPaths lists m's files as transmission-show does: Name/path...
func torrentPaths(m *MetaInfo) []string {
	var out []string
	for _, f := range m.Info.Files {
		if m.Info.MultiFile {
			out = append(out, m.Info.Name+"/"+strings.Join(f.Path, "/"))
		} else {
			out = append(out, m.Info.Name)
		}
	}
	return out
}

func TestInteropParseToolTorrents(t *testing.T) {
	file, folder := interopData(t)
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		tool string
		args func(src, dst string) []string
	}{
		{"mktorrent", "mktorrent", func(src, dst string) []string {
			return []string{"-a", "http://127.0.0.1:6969/announce", "-a", "udp://127.0.0.1:6970", "-w", "http://127.0.0.1:8080/", "-c", "made by mktorrent", "-l", "16", "-p", "-o", dst, src}
		}},
		{"transmission-create", "transmission-create", func(src, dst string) []string {
			return []string{"-o", dst, "-t", "http://127.0.0.1:6969/announce", "-s", "32", "-c", "made by transmission", src}
		}},
	} {
		for _, src := range []string{file, folder} {
			t.Run(tc.name+"/"+filepath.Base(src), func(t *testing.T) {
				dst := filepath.Join(out, tc.name+"-"+filepath.Base(src)+".torrent")
				runTool(t, tc.tool, tc.args(src, dst)...)
				m, err := Load(dst)
				if err != nil {
					t.Fatal(err)
				}
				hash, files := transmissionShow(t, dst)
				if m.InfoHash.Hex() != hash {
					t.Errorf("info hash %s, transmission-show says %s", m.InfoHash, hash)
				}
				if got := torrentPaths(m); !reflect.DeepEqual(got, files) {
					t.Errorf("files %q, transmission-show says %q", got, files)
				}
				if m.Announce != "http://127.0.0.1:6969/announce" {
					t.Errorf("announce %q", m.Announce)
				}
				if tc.tool == "mktorrent" {
					if !m.Info.Private || len(m.AnnounceList) != 2 || !reflect.DeepEqual(m.WebSeeds, []string{"http://127.0.0.1:8080/"}) || m.Comment != "made by mktorrent" {
						t.Errorf("mktorrent metadata: private %v tiers %q webseeds %q comment %q", m.Info.Private, m.AnnounceList, m.WebSeeds, m.Comment)
					}
				}
				// And the piece hashes are right: hash the data ourselves.
				ours, err := Create(context.Background(), src, CreateOptions{PieceLength: m.Info.PieceLength})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ours.Info.Pieces, m.Info.Pieces) {
					t.Errorf("%s's piece hashes differ from ours", tc.tool)
				}
			})
		}
	}
}

func TestInteropToolsReadOurTorrents(t *testing.T) {
	file, folder := interopData(t)
	out := t.TempDir()
	for _, src := range []string{file, folder} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			m, err := Create(context.Background(), src, CreateOptions{
				Trackers:  []string{"http://127.0.0.1:6969/announce", "udp://127.0.0.1:6970"},
				WebSeeds:  []string{"http://127.0.0.1:8080/"},
				CreatedBy: "Swarmscope test", Comment: "interop", Private: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(out, filepath.Base(src)+".torrent")
			writeFile(t, dst, m.Raw)

			hash, files := transmissionShow(t, dst)
			if m.InfoHash.Hex() != hash {
				t.Errorf("transmission-show: info hash %s, ours %s", hash, m.InfoHash)
			}
			if want := torrentPaths(m); !reflect.DeepEqual(files, want) {
				t.Errorf("transmission-show: files %q, ours %q", files, want)
			}

			hash, files = aria2Show(t, dst)
			if m.InfoHash.Hex() != hash {
				t.Errorf("aria2c: info hash %s, ours %s", hash, m.InfoHash)
			}
			var want []string
			for i, p := range torrentPaths(m) {
				want = append(want, p+" "+strconv.FormatInt(m.Info.Files[i].Length, 10))
			}
			if !reflect.DeepEqual(files, want) {
				t.Errorf("aria2c: files %q, ours %q", files, want)
			}
		})
	}
}
