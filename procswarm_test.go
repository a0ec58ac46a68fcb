package main

// Our own binary as separate OS processes on loopback: "swarmscope tracker"
// on 127.0.0.1, torrents made by "swarmscope create", "seed" and "download"
// finding each other through that tracker. Every download and seed runs
// with -no-dht; nothing leaves 127.0.0.1.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/dustin/go-humanize"
)

// completeLine is what download prints on stdout once every piece is verified.
var completeLine = regexp.MustCompile(`: complete, all (?:[0-9]+ )?pieces verified`)

// TestProcSwarmSeederAndLeechersThenLateLeecher: a seeder and three leechers
// limited to 1 MiB/s each complete a 3 MiB torrent and hold it byte for byte;
// then the seeder leaves (Ctrl-C) and a fourth leecher that joins late
// completes from the three, which keep seeding (download -seed).
func TestProcSwarmSeederAndLeechersThenLateLeecher(t *testing.T) {
	t.Parallel()
	bin := procBinary(t)
	start := time.Now()
	tr, announce := startTracker(t, bin)

	srcDir := t.TempDir()
	dataPath, data := randomFile(t, srcDir, "lecture.bin", 3<<20)
	torrentPath, mi := createTorrent(t, bin, announce, dataPath)

	seeder := startProc(t, "seeder", bin, "seed", "-dir", srcDir, "-port", "0", "-no-dht", "-listen", "127.0.0.1", torrentPath)
	seeder.waitStdout(t, regexp.MustCompile(fmt.Sprintf(`all %d pieces verified; seeding on port [0-9]+`, mi.Info.NumPieces())))
	waitScrape(t, announce, mi.InfoHash, "the seeder", func(s, _ int) bool { return s == 1 })

	leecher := func(name string) (*proc, string) {
		dir := t.TempDir()
		return startProc(t, name, bin, "download", "-seed", "-down-limit", "1MiB/s", "-no-dht", "-listen", "127.0.0.1", "-port", "0",
			"-dir", dir, torrentPath), filepath.Join(dir, mi.Info.Name)
	}
	var leechers []*proc
	var files []string
	for i := 1; i <= 3; i++ {
		p, f := leecher(fmt.Sprintf("leecher %d", i))
		leechers, files = append(leechers, p), append(files, f)
	}
	for i, p := range leechers {
		p.waitStdout(t, completeLine)
		sameFile(t, p.name, files[i], data)
	}
	t.Logf("seeder and 3 leechers: all complete after %v", time.Since(start).Round(time.Millisecond))

	// The seeder leaves; the three keep seeding.
	if code, took := seeder.interrupt(t, 20*time.Second); code != 0 {
		t.Fatalf("seeder: exit %d after SIGINT (%v); %s", code, took, seeder.output())
	}
	for _, p := range leechers {
		if p.exited() {
			t.Fatalf("%s stopped seeding (%v); %s", p.name, p.waitErr, p.output())
		}
	}
	waitScrape(t, announce, mi.InfoHash, "the three leechers seeding and the seeder gone",
		func(s, l int) bool { return s == 3 && l == 0 })

	lateDir := t.TempDir()
	late := startProc(t, "late leecher", bin, "download", "-down-limit", "1MiB/s", "-no-dht", "-listen", "127.0.0.1", "-port", "0",
		"-dir", lateDir, torrentPath)
	if code := late.wait(t, procDeadline); code != 0 {
		t.Fatalf("late leecher: exit %d, want 0; %s", code, late.output())
	}
	if !completeLine.MatchString(late.stdout.String()) {
		t.Errorf("late leecher exited 0 without saying it is complete; %s", late.output())
	}
	sameFile(t, late.name, filepath.Join(lateDir, mi.Info.Name), data)
	t.Logf("late leecher complete from the other leechers after %v", time.Since(late.started).Round(time.Millisecond))

	for _, p := range leechers {
		if code, took := p.interrupt(t, 20*time.Second); code != 0 {
			t.Errorf("%s: exit %d after SIGINT while seeding (%v), want 0; %s", p.name, code, took, p.output())
		}
	}
	stopTracker(t, tr)
	t.Logf("whole swarm test: %v", time.Since(start).Round(time.Millisecond))
}

// TestProcSeedCtrlCAnnouncesStopped: Ctrl-C on "seed" tells the tracker
// "stopped" (its count of seeders drops to 0 at once, where a silent peer
// would be kept for an hour) and the process exits 0 promptly.
func TestProcSeedCtrlCAnnouncesStopped(t *testing.T) {
	t.Parallel()
	bin := procBinary(t)
	tr, announce := startTracker(t, bin)
	srcDir := t.TempDir()
	dataPath, _ := randomFile(t, srcDir, "notes.bin", 1<<20)
	torrentPath, mi := createTorrent(t, bin, announce, dataPath)

	seeder := startProc(t, "seeder", bin, "seed", "-dir", srcDir, "-port", "0", "-no-dht", "-listen", "127.0.0.1", torrentPath)
	seeder.waitStdout(t, regexp.MustCompile(`seeding on port [0-9]+ until interrupted`))
	waitScrape(t, announce, mi.InfoHash, "the seeder", func(s, l int) bool { return s == 1 && l == 0 })

	code, took := seeder.interrupt(t, 15*time.Second)
	if code != 0 {
		t.Errorf("seed: exit %d after SIGINT, want 0; %s", code, seeder.output())
	}
	if took > 10*time.Second {
		t.Errorf("seed took %v to stop after SIGINT", took)
	}
	// Asked right after the exit: the "stopped" announce was sent before it.
	if s, l := scrapeSeeders(t, announce, mi.InfoHash); s != 0 || l != 0 {
		t.Errorf("after seed exited on SIGINT the tracker still counts %d seeders, %d leechers; want 0, 0 (no \"stopped\" announce)", s, l)
	}
	t.Logf("seed stopped %v after SIGINT", took.Round(time.Millisecond))
	stopTracker(t, tr)
}

// restoredLine is what download -state and seed -state print once the
// existing data is checked.
var restoredLine = regexp.MustCompile(`: ([0-9]+) of ([0-9]+) pieces restored from resume data, ([0-9]+) re-hashed`)

// uploadedLine is what seed prints on stderr when it stops.
var uploadedLine = regexp.MustCompile(`seeding, uploaded: ([0-9.]+ [KMGT]?i?B) in `)

// restored waits for p's resume line and returns its three numbers.
func restored(t *testing.T, p *proc) (restored, total, hashed int) {
	t.Helper()
	var m []string
	p.waitFor(t, "the resume line on stderr", func() bool {
		m = restoredLine.FindStringSubmatch(p.stderr.String())
		return m != nil
	})
	restored, _ = strconv.Atoi(m[1])
	total, _ = strconv.Atoi(m[2])
	hashed, _ = strconv.Atoi(m[3])
	return restored, total, hashed
}

// TestProcDownloadStateResumesAfterKill9: a rate-limited download -state is
// killed with SIGKILL midway; the same command again says how many pieces
// came from resume data and how many were re-hashed, fetches only what was
// missing (the seeder of the second run uploads no more than that) and ends
// with the file byte for byte. Then seed -state, run twice on the same
// database, hashes the unchanged file only the first time, and again after
// the file's modification time changes.
func TestProcDownloadStateResumesAfterKill9(t *testing.T) {
	t.Parallel()
	bin := procBinary(t)
	start := time.Now()
	tr, announce := startTracker(t, bin)
	srcDir := t.TempDir()
	dataPath, data := randomFile(t, srcDir, "video.bin", 4<<20)
	torrentPath, mi := createTorrent(t, bin, announce, dataPath)
	info := mi.Info
	n := info.NumPieces()

	seedFrom := func(name string) *proc {
		p := startProc(t, name, bin, "seed", "-dir", srcDir, "-port", "0", "-no-dht", "-listen", "127.0.0.1", torrentPath)
		p.waitStdout(t, regexp.MustCompile(`seeding on port [0-9]+ until interrupted`))
		return p
	}
	stopSeeder := func(p *proc) int64 {
		t.Helper()
		code, took := p.interrupt(t, 20*time.Second)
		if code != 0 {
			t.Fatalf("%s: exit %d after SIGINT (%v); %s", p.name, code, took, p.output())
		}
		m := uploadedLine.FindStringSubmatch(p.stderr.String())
		if m == nil {
			t.Fatalf("%s did not say how much it uploaded; %s", p.name, p.output())
		}
		up, err := humanize.ParseBytes(m[1])
		if err != nil {
			t.Fatalf("%s: uploaded %q: %v", p.name, m[1], err)
		}
		return int64(up)
	}

	dlDir := filepath.Join(t.TempDir(), "dl")
	dlFile := filepath.Join(dlDir, info.Name)
	db := filepath.Join(t.TempDir(), "download.db")
	download := func(name string) *proc {
		return startProc(t, name, bin, "download", "-state", db, "-dir", dlDir, "-down-limit", "256KiB/s",
			"-no-dht", "-listen", "127.0.0.1", "-port", "0", torrentPath)
	}

	first := seedFrom("seeder 1")
	run1 := download("download run 1")
	// Midway: kill -9 once at least a third of the pieces are on disk and good.
	var good int
	run1.waitFor(t, "a third of the pieces on disk", func() bool {
		var err error
		good, err = goodPieces(info, dlFile)
		if err != nil {
			t.Fatal(err)
		}
		return good >= n/3
	})
	run1.kill9(t)
	good, err := goodPieces(info, dlFile)
	if err != nil {
		t.Fatal(err)
	}
	if good >= n {
		t.Fatalf("download run 1 had every piece (%d) when killed; the rate limit did not hold", good)
	}
	t.Logf("download run 1 killed with SIGKILL after %v with %d of %d pieces good on disk",
		time.Since(run1.started).Round(time.Millisecond), good, n)
	stopSeeder(first)

	// The second run meets only a fresh seeder, which counts what it sends.
	second := seedFrom("seeder 2")
	run2 := download("download run 2")
	r, total, hashed := restored(t, run2)
	if total != n || r > n || hashed > n {
		t.Errorf("download run 2: %d of %d pieces restored, %d re-hashed; want counts of the %d pieces", r, total, hashed, n)
	}
	if r+hashed < good {
		t.Errorf("download run 2: %d restored + %d re-hashed pieces cannot account for the %d good pieces on disk", r, hashed, good)
	}
	if code := run2.wait(t, procDeadline); code != 0 {
		t.Fatalf("download run 2: exit %d, want 0; %s", code, run2.output())
	}
	if !completeLine.MatchString(run2.stdout.String()) {
		t.Errorf("download run 2 exited 0 without saying it is complete; %s", run2.output())
	}
	sameFile(t, run2.name, dlFile, data)
	uploaded := stopSeeder(second)
	missing := info.Length - int64(good)*info.PieceLength
	// The seeder's figure is rounded to about 3 digits; allow 128 KiB besides.
	const slack = 128 << 10
	if uploaded > missing+slack {
		t.Errorf("seeder 2 uploaded %s to download run 2, but only %s were missing: the download started over",
			humanize.IBytes(uint64(uploaded)), humanize.IBytes(uint64(missing)))
	}
	if uploaded < missing-slack {
		t.Errorf("seeder 2 uploaded only %s, but %s were missing after the kill", humanize.IBytes(uint64(uploaded)), humanize.IBytes(uint64(missing)))
	}
	t.Logf("download run 2: %d of %d restored, %d re-hashed, complete %v after its start; seeder 2 sent %s of the %s missing",
		r, total, hashed, time.Since(run2.started).Round(time.Millisecond), humanize.IBytes(uint64(uploaded)), humanize.IBytes(uint64(missing)))

	// seed -state: the second run trusts the resume data for the unchanged file.
	seedDB := filepath.Join(t.TempDir(), "seed.db")
	seedState := func(name string) (restoredN, hashedN int) {
		t.Helper()
		p := startProc(t, name, bin, "seed", "-state", seedDB, "-dir", srcDir, "-port", "0", "-no-dht", "-listen", "127.0.0.1", torrentPath)
		r, total, hashed := restored(t, p)
		if total != n {
			t.Errorf("%s: %d pieces in its resume line, want %d", name, total, n)
		}
		p.waitStdout(t, regexp.MustCompile(`all pieces verified; seeding until interrupted`))
		if code, took := p.interrupt(t, 20*time.Second); code != 0 {
			t.Fatalf("%s: exit %d after SIGINT (%v); %s", name, code, took, p.output())
		}
		return r, hashed
	}
	if r, h := seedState("seed -state run 1"); r != 0 || h != n {
		t.Errorf("seed -state run 1: %d restored, %d re-hashed; want 0 and %d (nothing to resume from)", r, h, n)
	}
	if r, h := seedState("seed -state run 2"); r != n || h != 0 {
		t.Errorf("seed -state run 2: %d restored, %d re-hashed; want %d and 0 (the file did not change)", r, h, n)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(dataPath, later, later); err != nil {
		t.Fatal(err)
	}
	if r, h := seedState("seed -state run 3"); r != 0 || h != n {
		t.Errorf("seed -state run 3 after the file's time changed: %d restored, %d re-hashed; want 0 and %d", r, h, n)
	}
	stopTracker(t, tr)
	t.Logf("resume test: %v", time.Since(start).Round(time.Millisecond))
}
