package metainfo

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// pieceHashes hashes data piece by piece, independently of Create.
func pieceHashes(data []byte, pieceLength int) [][20]byte {
	var out [][20]byte
	for off := 0; off < len(data); off += pieceLength {
		out = append(out, sha1.Sum(data[off:min(off+pieceLength, len(data))]))
	}
	return out
}

func TestAutoPieceLength(t *testing.T) {
	for _, tc := range []struct{ total, want int64 }{
		{0, 16 << 10},
		{1, 16 << 10},
		{2000 * 16 << 10, 16 << 10},
		{2000*16<<10 + 1, 32 << 10},
		{1 << 30, 1 << 20},
		{4 << 30, 4 << 20},
		{1 << 50, 16 << 20},
	} {
		if got := AutoPieceLength(tc.total); got != tc.want {
			t.Errorf("AutoPieceLength(%d) = %d, want %d", tc.total, got, tc.want)
		}
	}
	// Between the clamps: a power of two giving 1000..2000 pieces.
	for total := int64(64 << 20); total < 30<<30; total = total*3/2 + 12345 {
		pl := AutoPieceLength(total)
		n := (total + pl - 1) / pl
		if pl&(pl-1) != 0 || n < 1000 || n > 2000 {
			t.Errorf("AutoPieceLength(%d) = %d: %d pieces", total, pl, n)
		}
	}
}

func TestCreateSingleFile(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(1, 300_000)
	path := filepath.Join(dir, "data.bin")
	writeFile(t, path, data)
	var calls []int64
	date := time.Unix(1700000000, 0)
	m, err := Create(context.Background(), path, CreateOptions{
		PieceLength: 32 << 10,
		Trackers:    []string{"http://127.0.0.1:1/announce", "udp://127.0.0.1:2"},
		WebSeeds:    []string{"http://127.0.0.1:3/"},
		Private:     true,
		Comment:     "c", Source: "S", CreatedBy: "Swarmscope test",
		Workers:      3,
		Progress:     func(done, total int64) { calls = append(calls, done); _ = total },
		CreationDate: date,
	})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	i := back.Info
	if i.Name != "data.bin" || i.MultiFile || i.Length != 300_000 || i.PieceLength != 32<<10 || !i.Private || i.Source != "S" {
		t.Errorf("info = %+v", i)
	}
	if !reflect.DeepEqual(i.Pieces, pieceHashes(data, 32<<10)) {
		t.Error("piece hashes differ from an independent computation")
	}
	if back.Announce != "http://127.0.0.1:1/announce" ||
		!reflect.DeepEqual(back.AnnounceList, [][]string{{"http://127.0.0.1:1/announce"}, {"udp://127.0.0.1:2"}}) ||
		!reflect.DeepEqual(back.WebSeeds, []string{"http://127.0.0.1:3/"}) ||
		back.Comment != "c" || back.CreatedBy != "Swarmscope test" || !back.CreationDate.Equal(date) {
		t.Errorf("metadata = %+v", back)
	}
	if back.InfoHash != m.InfoHash || back.InfoHash != Hash(sha1.Sum(i.Raw)) {
		t.Error("info hash mismatch")
	}
	if len(calls) == 0 || calls[len(calls)-1] != 300_000 {
		t.Errorf("progress calls %v, want ending at 300000", calls)
	}
	for k := 1; k < len(calls); k++ {
		if calls[k] <= calls[k-1] {
			t.Errorf("progress went backwards: %v", calls)
		}
	}
	// Keys come out sorted: re-encoding the info dict gives the same bytes.
	if !bytes.Equal(i.Raw, encode(t, map[string]any{"name": "data.bin", "length": int64(300_000), "piece length": int64(32 << 10), "pieces": string(flatten(i.Pieces)), "private": int64(1), "source": "S"})) {
		t.Error("info dict is not in canonical (sorted) form")
	}
	// Same input, same options: same torrent bytes.
	m2, err := Create(context.Background(), path, CreateOptions{
		PieceLength: 32 << 10, Trackers: []string{"http://127.0.0.1:1/announce", "udp://127.0.0.1:2"},
		WebSeeds: []string{"http://127.0.0.1:3/"}, Private: true, Comment: "c", Source: "S",
		CreatedBy: "Swarmscope test", Workers: 1, CreationDate: date,
	})
	if err != nil || !bytes.Equal(m2.Raw, m.Raw) {
		t.Errorf("second Create with 1 worker gave different bytes (err %v)", err)
	}
}

func flatten(p [][20]byte) []byte {
	var b []byte
	for _, h := range p {
		b = append(b, h[:]...)
	}
	return b
}

func TestCreateFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "share")
	contents := map[string][]byte{
		"b.txt":          randomBytes(2, 40_000),
		"a/z.bin":        randomBytes(3, 70_001),
		"a/.hidden":      randomBytes(4, 5),
		"a.txt":          randomBytes(5, 16_384),
		"empty":          nil,
		"c/d/e/deep.dat": randomBytes(6, 100_000),
	}
	for p, d := range contents {
		writeFile(t, filepath.Join(root, p), d)
	}
	// Links are skipped, whether they point inside or outside the folder.
	outside := filepath.Join(t.TempDir(), "secret")
	writeFile(t, outside, []byte("do not share"))
	if err := os.Symlink(outside, filepath.Join(root, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "b.txt"), filepath.Join(root, "link-in")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "c"), filepath.Join(root, "link-dir")); err != nil {
		t.Fatal(err)
	}

	m, err := Create(context.Background(), root, CreateOptions{PieceLength: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// Component order, bytewise: "a" < "a.txt" because "a" is a prefix.
	order := []string{"a/.hidden", "a/z.bin", "a.txt", "b.txt", "c/d/e/deep.dat", "empty"}
	var got []string
	var all []byte
	for _, f := range m.Info.Files {
		got = append(got, strings.Join(f.Path, "/"))
	}
	if !reflect.DeepEqual(got, order) {
		t.Fatalf("files = %q, want %q", got, order)
	}
	for _, p := range order {
		all = append(all, contents[p]...)
	}
	if !m.Info.MultiFile || m.Info.Name != "share" || m.Info.Length != int64(len(all)) {
		t.Errorf("info = %+v", m.Info)
	}
	if !reflect.DeepEqual(m.Info.Pieces, pieceHashes(all, 16<<10)) {
		t.Error("piece hashes differ from an independent computation over the concatenated files")
	}
	if m.CreatedBy != "" || m.Announce != "" || m.AnnounceList != nil {
		t.Errorf("unexpected metadata %+v", m)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), empty, CreateOptions{}); err == nil || !strings.Contains(err.Error(), "has no files to share") {
		t.Errorf("empty folder: err = %v", err)
	}
	zero := filepath.Join(dir, "zero")
	writeFile(t, filepath.Join(zero, "a"), nil)
	if _, err := Create(context.Background(), zero, CreateOptions{}); err == nil || !strings.Contains(err.Error(), "holds no data") {
		t.Errorf("only empty files: err = %v", err)
	}
	if _, err := Create(context.Background(), filepath.Join(dir, "missing"), CreateOptions{}); err == nil {
		t.Error("missing path: no error")
	}
	f := filepath.Join(dir, "f")
	writeFile(t, f, []byte("x"))
	for _, pl := range []int64{1000, 8 << 10, 32 << 20} {
		if _, err := Create(context.Background(), f, CreateOptions{PieceLength: pl}); err == nil || !strings.Contains(err.Error(), "not a power of two") {
			t.Errorf("piece length %d: err = %v", pl, err)
		}
	}
	big := filepath.Join(dir, "big")
	writeFile(t, big, randomBytes(7, 1<<20))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Create(ctx, big, CreateOptions{PieceLength: 16 << 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// A file that is shorter than when it was listed (changed while hashing)
// gives an error naming it, not wrong hashes.
func TestHashFilesShrunkFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeFile(t, a, randomBytes(20, 100_000))
	writeFile(t, b, randomBytes(21, 50_000))
	files := []sourceFile{{osPath: a, length: 100_000}, {osPath: b, length: 60_000}}
	_, err := hashFiles(context.Background(), files, 16<<10, 160_000, 2, nil)
	if err == nil || !strings.Contains(err.Error(), b+" shrank while it was being hashed") {
		t.Errorf("err = %v", err)
	}
	// Many small and empty files, pieces spanning them, more workers than chunks.
	var all []byte
	files = nil
	for i := range 50 {
		p := filepath.Join(dir, "many", strings.Repeat("x", i+1))
		data := randomBytes(uint64(100+i), (i%7)*3000)
		writeFile(t, p, data)
		files = append(files, sourceFile{osPath: p, length: int64(len(data))})
		all = append(all, data...)
	}
	hashes, err := hashFiles(context.Background(), files, 16<<10, int64(len(all)), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hashes, flatten(pieceHashes(all, 16<<10))) {
		t.Error("hashes over many small files differ from an independent computation")
	}
}

// Pieces hashed in groups side by side (piecehash) match pieces hashed one
// by one, for piece lengths read whole and read in strips, with file
// boundaries inside pieces and a short last group.
func TestHashFilesGroupsMatchOneByOne(t *testing.T) {
	dir := t.TempDir()
	for _, pieceLength := range []int64{16 << 10, 64 << 10, 256 << 10} {
		var all []byte
		var files []sourceFile
		// 2 full groups and 5 more pieces, the last one short.
		sizes := []int{int(pieceLength)*7 + 1234, int(pieceLength) * 20, int(pieceLength)*10 - 1234 + 999}
		for i, size := range sizes {
			p := filepath.Join(dir, fmt.Sprintf("%d-%d", pieceLength, i))
			data := randomBytes(uint64(pieceLength)+uint64(i), size)
			writeFile(t, p, data)
			files = append(files, sourceFile{osPath: p, length: int64(size)})
			all = append(all, data...)
		}
		for _, workers := range []int{1, 3} {
			hashes, err := hashFiles(context.Background(), files, pieceLength, int64(len(all)), workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(hashes, flatten(pieceHashes(all, int(pieceLength)))) {
				t.Errorf("piece length %d, %d workers: hashes differ from one-by-one SHA-1", pieceLength, workers)
			}
		}
	}
}
