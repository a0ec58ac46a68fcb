package persist

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesFolderAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "swarmscope.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open in a missing folder: %v", err)
	}
	if s.Path() != path || s.Recovered() != nil {
		t.Errorf("Path = %q, Recovered = %+v", s.Path(), s.Recovered())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s.Close()
}

func TestDefaultPath(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config) // what os.UserConfigDir reads on Linux and BSD
	t.Setenv("HOME", config)            // what it reads on macOS
	path, err := DefaultPath()
	if err != nil {
		t.Fatalf("DefaultPath: %v", err)
	}
	if filepath.Base(path) != "swarmscope.db" || filepath.Base(filepath.Dir(path)) != "swarmscope" {
		t.Errorf("DefaultPath = %q", path)
	}
	info, err := os.Stat(filepath.Dir(path))
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("DefaultPath folder: %v, mode %v; want it created with 0700", err, info.Mode())
	}
}

// bbolt's flock belongs to the open file description, so a second Open in the same process
// conflicts exactly like a second Swarmscope would.
func TestSecondOpenIsLocked(t *testing.T) {
	s, path := openTemp(t)
	start := time.Now()
	second, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil {
		second.Close()
		t.Fatal("second Open of the same database succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if want := "persist: database " + path + " is in use by another Swarmscope"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("second Open took %v to give up", waited)
	}
	// Being locked is not damage: the file stays where it is and keeps working.
	if err := s.SaveDHTNodes([]byte("still mine")); err != nil {
		t.Errorf("first store after a locked second Open: %v", err)
	}
	if matches, _ := filepath.Glob(path + ".corrupt-*"); len(matches) != 0 {
		t.Errorf("locked database was moved aside: %v", matches)
	}
}

var corruptName = regexp.MustCompile(`\.db\.corrupt-\d{8}-\d{6}$`)

// assertRecovered opens path, expects it to be moved aside and replaced, and returns the damage
// reason.
func assertRecovered(t *testing.T, path string) string {
	t.Helper()
	damaged, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a damaged database: %v", err)
	}
	defer s.Close()
	note := s.Recovered()
	if note == nil {
		t.Fatal("Open of a damaged database did not report Recovered")
	}
	if note.Path != path || !corruptName.MatchString(note.MovedTo) || note.Reason == nil || note.At.IsZero() {
		t.Errorf("Recovered = %+v", note)
	}
	if msg := note.Message(); !strings.Contains(msg, note.MovedTo) || !strings.Contains(msg, path) {
		t.Errorf("Message %q does not say where the file went", msg)
	}
	moved, err := os.ReadFile(note.MovedTo)
	if err != nil || string(moved) != string(damaged) {
		t.Errorf("damaged file not kept intact at %s: %v", note.MovedTo, err)
	}
	// The fresh database works and is empty.
	if list, err := s.ListTorrents(); err != nil || len(list) != 0 {
		t.Errorf("fresh database: %d torrents, err %v", len(list), err)
	}
	if err := s.PutTorrent(fullRecord(hashOf(1))); err != nil {
		t.Errorf("PutTorrent on the fresh database: %v", err)
	}
	return note.Reason.Error()
}

func TestGarbageFileIsMovedAside(t *testing.T) {
	for _, size := range []int{1, 100, 5000, 64 << 10} {
		path := filepath.Join(t.TempDir(), "swarmscope.db")
		garbage := make([]byte, size)
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		reason := assertRecovered(t, path)
		t.Logf("%d garbage bytes: %s", size, reason)
	}
}

// writeRealDatabase fills a database with enough torrents to span many pages and returns its
// bytes.
func writeRealDatabase(t *testing.T, path string) []byte {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		rec := fullRecord(hashOf(byte(i + 1)))
		rec.MetaInfo = make([]byte, 20_000)
		rec.NumPieces = 8000
		rec.Bitfield = make([]byte, 1000)
		if err := s.PutTorrent(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSettings(DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// highWaterMark returns how many bytes of the database file bbolt's pages use; bbolt grows files
// ahead of need, so the file may be longer.
func highWaterMark(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return int(size)
}

func TestTruncatedDatabaseIsMovedAside(t *testing.T) {
	realPath := filepath.Join(t.TempDir(), "full.db")
	full := writeRealDatabase(t, realPath)
	used := highWaterMark(t, realPath)
	// bbolt maps the file in powers of two, so cutting just past half of the next power of two
	// leaves the lost pages inside the mapping: reading them raises SIGBUS, not a Go panic.
	pastMappedHalf := 1<<bits.Len(uint(used))/2 + 4096
	for _, keep := range []int{4096, 3 * 4096, used / 4, pastMappedHalf, used - 4096} {
		path := filepath.Join(t.TempDir(), "swarmscope.db")
		if err := os.WriteFile(path, full[:keep], 0o600); err != nil {
			t.Fatal(err)
		}
		reason := assertRecovered(t, path)
		t.Logf("kept %d of %d used bytes: %s", keep, used, reason)
	}
}

// Cutting only the space bbolt allocated ahead of need loses nothing, so it is not damage.
func TestTruncatingUnusedTailIsHarmless(t *testing.T) {
	realPath := filepath.Join(t.TempDir(), "full.db")
	full := writeRealDatabase(t, realPath)
	used := highWaterMark(t, realPath)
	if used >= len(full) {
		t.Fatalf("the test database has no unused tail (%d of %d bytes used)", used, len(full))
	}
	path := filepath.Join(t.TempDir(), "swarmscope.db")
	if err := os.WriteFile(path, full[:used], 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Recovered() != nil {
		t.Fatalf("intact database treated as damaged: %v", s.Recovered().Reason)
	}
	if list, err := s.ListTorrents(); err != nil || len(list) != 60 {
		t.Errorf("after cutting the unused tail: %d torrents, err %v", len(list), err)
	}
}

func TestDamagedPagesAreMovedAside(t *testing.T) {
	dir := t.TempDir()
	full := writeRealDatabase(t, filepath.Join(dir, "full.db"))
	// Overwrite the data pages (keeping both meta pages valid) with garbage in a few patterns.
	for seed := range uint64(4) {
		damaged := append([]byte(nil), full...)
		rng := rand.New(rand.NewPCG(seed, 2))
		for i := 2 * 4096; i < len(damaged); i++ {
			damaged[i] = byte(rng.Uint32())
		}
		path := filepath.Join(t.TempDir(), "swarmscope.db")
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		reason := assertRecovered(t, path)
		t.Logf("seed %d: %s", seed, reason)
	}
}

func TestMoveAsideAvoidsTakenNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "swarmscope.db")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.Local)
	var targets []string
	for range 3 {
		if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
		note, err := moveAside(path, errors.New("test"), now)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, filepath.Base(note.MovedTo))
	}
	want := []string{"swarmscope.db.corrupt-20250102-030405", "swarmscope.db.corrupt-20250102-030405-2",
		"swarmscope.db.corrupt-20250102-030405-3"}
	if strings.Join(targets, " ") != strings.Join(want, " ") {
		t.Errorf("targets %v, want %v", targets, want)
	}
}

// Failures that are not about the file's contents must not move the user's database away.
func TestEnvironmentalErrorIsNotDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "swarmscope.db")
	if err := os.Mkdir(path, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "persist: database "+path+": open: ") {
		t.Fatalf("Open of a folder = %v", err)
	}
	if info, statErr := os.Stat(path); statErr != nil || !info.IsDir() {
		t.Errorf("the folder was moved: %v", statErr)
	}
}
