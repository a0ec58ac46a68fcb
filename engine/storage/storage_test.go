package storage

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// layoutFile is one file of a test torrent: a path relative to the download
// folder, or "" for a padding file.
type layoutFile struct {
	name   string
	length int64
}

// fixture is a test torrent: its storage, its content and its file paths.
type fixture struct {
	dir   string
	s     *Storage
	data  []byte   // the torrent's data, padding as zeros
	paths []string // absolute paths, "" for padding
	specs []FileSpec
}

// newFixture builds a storage in a fresh folder for files with random
// content, and the matching piece hashes. Nothing is written to disk.
func newFixture(t testing.TB, pieceLength int64, files ...layoutFile) *fixture {
	t.Helper()
	fx := &fixture{dir: t.TempDir()}
	var seed [32]byte
	seed[0], seed[1] = byte(pieceLength), byte(len(files))
	rng := rand.NewChaCha8(seed)
	for _, lf := range files {
		part := make([]byte, lf.length)
		path := ""
		if lf.name != "" {
			rng.Read(part)
			path = filepath.Join(fx.dir, filepath.FromSlash(lf.name))
		}
		fx.data = append(fx.data, part...)
		fx.paths = append(fx.paths, path)
		fx.specs = append(fx.specs, FileSpec{Path: path, Length: lf.length})
	}
	var hashes [][20]byte
	for off := int64(0); off < int64(len(fx.data)); off += pieceLength {
		hashes = append(hashes, sha1.Sum(fx.data[off:min(off+pieceLength, int64(len(fx.data)))]))
	}
	s, err := New(fx.specs, pieceLength, hashes)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	fx.s = s
	return fx
}

// piece returns the expected content of a piece.
func (fx *fixture) piece(p int) []byte {
	start := int64(p) * fx.s.pieceLength
	return fx.data[start : start+fx.s.PieceSize(p)]
}

// writeAll writes every piece in blocks of blockSize, in a shuffled order.
func (fx *fixture) writeAll(t testing.TB, blockSize int64) {
	t.Helper()
	type block struct {
		piece int
		begin int64
	}
	var blocks []block
	for p := range fx.s.NumPieces() {
		for b := int64(0); b < fx.s.PieceSize(p); b += blockSize {
			blocks = append(blocks, block{p, b})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	for _, b := range blocks {
		content := fx.piece(b.piece)
		end := min(b.begin+blockSize, int64(len(content)))
		if err := fx.s.WriteBlock(b.piece, b.begin, content[b.begin:end]); err != nil {
			t.Fatalf("WriteBlock(%d, %d): %v", b.piece, b.begin, err)
		}
	}
}

// verifyAll checks that VerifyPiece accepts every piece.
func (fx *fixture) verifyAll(t *testing.T) {
	t.Helper()
	for p := range fx.s.NumPieces() {
		ok, err := fx.s.VerifyPiece(p)
		if err != nil || !ok {
			t.Fatalf("VerifyPiece(%d) = %v, %v; want true, nil", p, ok, err)
		}
	}
}

// checkFiles compares every non-padding file on disk with its expected
// content, and checks that padding files left nothing behind.
func (fx *fixture) checkFiles(t *testing.T) {
	t.Helper()
	off := int64(0)
	for i, spec := range fx.specs {
		want := fx.data[off : off+spec.Length]
		off += spec.Length
		if spec.Path == "" {
			continue
		}
		got, err := os.ReadFile(spec.Path)
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("file %d (%s): content differs from the torrent's (%d bytes, want %d)", i, spec.Path, len(got), len(want))
		}
	}
}

// listFiles returns the relative paths of every file and folder under dir.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSingleFileWriteVerifyRead(t *testing.T) {
	fx := newFixture(t, 64, layoutFile{"only.bin", 64*5 + 40})
	if got := fx.s.NumPieces(); got != 6 {
		t.Fatalf("NumPieces = %d, want 6", got)
	}
	if got := fx.s.PieceSize(5); got != 40 {
		t.Fatalf("PieceSize(5) = %d, want 40", got)
	}
	fx.writeAll(t, 16)
	fx.verifyAll(t)
	fx.checkFiles(t)
	buf := make([]byte, 30)
	if err := fx.s.ReadBlock(2, 20, buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, fx.data[2*64+20:2*64+50]) {
		t.Fatal("ReadBlock(2, 20, 30 bytes) returned the wrong bytes")
	}
}

// multiLayout has pieces of 16 bytes spanning up to three files, zero-length
// files in the middle and at the end, and a padding file:
//
//	piece 0 [0,16):  one.bin[0,10) + padding[0,6)
//	piece 1 [16,32): two.bin[0,5) + three.bin[0,4) + four.bin[0,7)
//	piece 2 [32,48): four.bin[7,23)
//	piece 3 [48,64): four.bin[23,30) + last.bin[0,9)
//	piece 4 [64,67): last.bin[9,12)
var multiLayout = []layoutFile{
	{"a/one.bin", 10},
	{"a/empty.txt", 0},
	{"", 6},
	{"b/two.bin", 5},
	{"b/c/three.bin", 4},
	{"four.bin", 30},
	{"d/empty-too", 0},
	{"last.bin", 12},
	{"z/empty-at-end", 0},
}

func TestMultiFileSpanningPieces(t *testing.T) {
	fx := newFixture(t, 16, multiLayout...)
	if got := fx.s.NumPieces(); got != 5 {
		t.Fatalf("NumPieces = %d, want 5", got)
	}
	wantRanges := [][]FileRange{
		{{File: 0, FileOffset: 0, PieceOffset: 0, Length: 10}, {File: 2, FileOffset: 0, PieceOffset: 10, Length: 6, Padding: true}},
		{{File: 3, FileOffset: 0, PieceOffset: 0, Length: 5}, {File: 4, FileOffset: 0, PieceOffset: 5, Length: 4}, {File: 5, FileOffset: 0, PieceOffset: 9, Length: 7}},
		{{File: 5, FileOffset: 7, PieceOffset: 0, Length: 16}},
		{{File: 5, FileOffset: 23, PieceOffset: 0, Length: 7}, {File: 7, FileOffset: 0, PieceOffset: 7, Length: 9}},
		{{File: 7, FileOffset: 9, PieceOffset: 0, Length: 3}},
	}
	for p, want := range wantRanges {
		if got := fx.s.FileRanges(p); !slices.Equal(got, want) {
			t.Errorf("FileRanges(%d) = %+v, want %+v", p, got, want)
		}
	}

	if files := listFiles(t, fx.dir); len(files) != 0 {
		t.Fatalf("New created files before any write: %v", files)
	}
	fx.writeAll(t, 3) // odd block size: blocks straddle every file boundary
	fx.verifyAll(t)
	fx.checkFiles(t)
	for _, name := range []string{"a/empty.txt", "d/empty-too", "z/empty-at-end"} {
		info, err := os.Stat(filepath.Join(fx.dir, name))
		if err != nil || info.Size() != 0 {
			t.Errorf("zero-length file %s: stat = %v, %v; want an empty file", name, info, err)
		}
	}
	want := []string{"a", "a/empty.txt", "a/one.bin", "b", "b/c", "b/c/three.bin", "b/two.bin", "d", "d/empty-too", "four.bin", "last.bin", "z", "z/empty-at-end"}
	if got := listFiles(t, fx.dir); !slices.Equal(got, want) {
		t.Errorf("download folder holds %v, want %v (no padding file)", got, want)
	}

	// Every range of every piece reads back exactly, across boundaries and
	// through the padding file.
	for p := range fx.s.NumPieces() {
		content := fx.piece(p)
		for begin := range len(content) + 1 {
			for end := begin; end <= len(content); end++ {
				buf := make([]byte, end-begin)
				if err := fx.s.ReadBlock(p, int64(begin), buf); err != nil {
					t.Fatalf("ReadBlock(%d, %d, %d bytes): %v", p, begin, len(buf), err)
				}
				if !bytes.Equal(buf, content[begin:end]) {
					t.Fatalf("ReadBlock(%d, %d, %d bytes) = %x, want %x", p, begin, len(buf), buf, content[begin:end])
				}
			}
		}
	}
}

func TestPaddingWritesAreDiscarded(t *testing.T) {
	fx := newFixture(t, 16, multiLayout...)
	fx.writeAll(t, 16)
	// Garbage over the padding part of piece 0 goes nowhere: the piece still
	// reads back with zeros there and verifies.
	if err := fx.s.WriteBlock(0, 10, bytes.Repeat([]byte{0xff}, 6)); err != nil {
		t.Fatal(err)
	}
	fx.verifyAll(t)
	buf := make([]byte, 6)
	if err := fx.s.ReadBlock(0, 10, buf); err != nil || !bytes.Equal(buf, make([]byte, 6)) {
		t.Fatalf("padding read back as %x, %v; want zeros", buf, err)
	}
}

func TestCorruptByteFailsExactlyThatPiece(t *testing.T) {
	fx := newFixture(t, 16, multiLayout...)
	fx.writeAll(t, 16)
	if err := fx.s.Sync(); err != nil {
		t.Fatal(err)
	}
	// Byte 3 of three.bin is byte 8 of piece 1.
	path := filepath.Join(fx.dir, "b/c/three.bin")
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	content[3] ^= 0x01
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for p := range fx.s.NumPieces() {
		ok, err := fx.s.VerifyPiece(p)
		if err != nil {
			t.Fatalf("VerifyPiece(%d): %v", p, err)
		}
		if ok != (p != 1) {
			t.Errorf("VerifyPiece(%d) = %v after corrupting piece 1", p, ok)
		}
	}
	for _, workers := range []int{1, 3, 0} {
		have, err := fx.s.Recheck(context.Background(), workers, nil)
		if err != nil {
			t.Fatalf("Recheck(%d workers): %v", workers, err)
		}
		if got := have.Indexes(); !slices.Equal(got, []int{0, 2, 3, 4}) {
			t.Errorf("Recheck(%d workers) = %v, want [0 2 3 4]", workers, got)
		}
	}
}

func TestRecheckMissingFilesCreatesNothing(t *testing.T) {
	fx := newFixture(t, 16, multiLayout...)
	have, err := fx.s.Recheck(context.Background(), 2, nil)
	if err != nil {
		t.Fatalf("Recheck of an empty folder: %v", err)
	}
	if !have.None() {
		t.Errorf("Recheck of an empty folder found pieces %v", have.Indexes())
	}
	if files := listFiles(t, fx.dir); len(files) != 0 {
		t.Errorf("Recheck created %v", files)
	}
	err = fx.s.ReadBlock(1, 0, make([]byte, 4))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadBlock of a missing file: %v, want an error wrapping fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "two.bin") {
		t.Errorf("ReadBlock error %q does not name the missing file", err)
	}
	if _, err := fx.s.VerifyPiece(1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("VerifyPiece of a missing file: %v, want an error wrapping fs.ErrNotExist", err)
	}
	if files := listFiles(t, fx.dir); len(files) != 0 {
		t.Errorf("reads created %v", files)
	}
}

func TestRecheckPartialData(t *testing.T) {
	// Small pieces, so that Recheck reads runs of many pieces at once and
	// has to fall back to piece by piece around the missing data.
	fx := newFixture(t, 16, layoutFile{"first.bin", 16 * 40}, layoutFile{"gone.bin", 16*10 + 8}, layoutFile{"short.bin", 16 * 30}, layoutFile{"whole.bin", 16 * 20})
	fx.writeAll(t, 16)
	if err := fx.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(fx.paths[1]); err != nil {
		t.Fatal(err)
	}
	// short.bin loses its last 5 pieces and a half (it starts 8 bytes into
	// piece 50).
	if err := os.Truncate(fx.paths[2], 16*24); err != nil {
		t.Fatal(err)
	}
	s, err := New(fx.specs, 16, fx.s.hashes)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	have, err := s.Recheck(context.Background(), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for p := range s.NumPieces() {
		// gone.bin covers bytes [640, 808): pieces 40-50; short.bin keeps
		// [808, 1192) of its [808, 1288): pieces 51-73 are whole, and piece
		// 80 [1280, 1296) straddles the lost end and whole.bin.
		if p < 40 || (p > 50 && p < 74) || p > 80 {
			want = append(want, p)
		}
	}
	if got := have.Indexes(); !slices.Equal(got, want) {
		t.Errorf("Recheck = %v\nwant %v", got, want)
	}
	if _, err := os.Stat(fx.paths[1]); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Recheck re-created the deleted file: %v", err)
	}
	err = s.ReadBlock(79, 0, make([]byte, 16))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadBlock past the end of a short file: %v, want an error wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestLargePiecesAreStreamed(t *testing.T) {
	// Pieces longer than the read buffer go through it in chunks.
	const pieceLength = chunkSize*2 + 4096
	fx := newFixture(t, pieceLength, layoutFile{"x/big.bin", pieceLength + 1000}, layoutFile{"y/tail.bin", pieceLength / 2})
	fx.writeAll(t, 1<<16)
	fx.verifyAll(t)
	have, err := fx.s.Recheck(context.Background(), 0, nil)
	if err != nil || !have.All() {
		t.Fatalf("Recheck = %v, %v; want all pieces", have.Indexes(), err)
	}
	// Corrupt the second chunk of piece 0.
	if err := fx.s.WriteBlock(0, chunkSize+10, []byte{^fx.data[chunkSize+10]}); err != nil {
		t.Fatal(err)
	}
	if ok, err := fx.s.VerifyPiece(0); ok || err != nil {
		t.Fatalf("VerifyPiece(0) after corruption = %v, %v; want false, nil", ok, err)
	}
	have, err = fx.s.Recheck(context.Background(), 2, nil)
	if err != nil || !slices.Equal(have.Indexes(), []int{1}) {
		t.Fatalf("Recheck after corruption = %v, %v; want [1]", have.Indexes(), err)
	}
}

func TestOutOfRangeArguments(t *testing.T) {
	fx := newFixture(t, 16, layoutFile{"f.bin", 40}) // pieces of 16, 16, 8
	tests := []struct {
		piece int
		begin int64
		n     int
	}{
		{-1, 0, 1},
		{3, 0, 1},
		{1 << 40, 0, 1},
		{0, -1, 1},
		{0, 17, 0},
		{0, 0, 17},
		{0, 15, 2},
		{2, 0, 9},
		{2, 8, 1},
		{2, 1 << 62, 1},
	}
	for _, tt := range tests {
		buf := make([]byte, tt.n)
		if err := fx.s.ReadBlock(tt.piece, tt.begin, buf); err == nil {
			t.Errorf("ReadBlock(%d, %d, %d bytes) succeeded", tt.piece, tt.begin, tt.n)
		}
		if err := fx.s.WriteBlock(tt.piece, tt.begin, buf); err == nil {
			t.Errorf("WriteBlock(%d, %d, %d bytes) succeeded", tt.piece, tt.begin, tt.n)
		}
	}
	for _, p := range []int{-1, 3} {
		if _, err := fx.s.VerifyPiece(p); err == nil {
			t.Errorf("VerifyPiece(%d) succeeded", p)
		}
		if got := fx.s.PieceSize(p); got != 0 {
			t.Errorf("PieceSize(%d) = %d, want 0", p, got)
		}
		if got := fx.s.FileRanges(p); got != nil {
			t.Errorf("FileRanges(%d) = %v, want nil", p, got)
		}
	}
	err := fx.s.WriteBlock(2, 4, make([]byte, 5))
	if want := "storage: write piece 2 at 4: 5 bytes overrun the piece of 8 bytes"; err == nil || err.Error() != want {
		t.Errorf("WriteBlock(2, 4, 5 bytes) = %v, want %q", err, want)
	}
	if files := listFiles(t, fx.dir); len(files) != 0 {
		t.Errorf("rejected writes created %v", files)
	}
}

func TestNewRejectsBadLayouts(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "f")
	h := [][20]byte{{}}
	tests := []struct {
		name        string
		files       []FileSpec
		pieceLength int64
		hashes      [][20]byte
		wantErr     string
	}{
		{"relative path", []FileSpec{{"dl/f", 10}}, 16, h, `path "dl/f" is not absolute`},
		{"zero piece length", []FileSpec{{abs, 10}}, 0, h, "piece length 0 is not positive"},
		{"no files", nil, 16, nil, "no files"},
		{"negative length", []FileSpec{{abs, -1}}, 16, h, "negative length -1"},
		{"too few hashes", []FileSpec{{abs, 17}}, 16, h, "1 piece hashes for 17 bytes in pieces of 16 (want 2)"},
		{"too many hashes", []FileSpec{{abs, 16}}, 16, [][20]byte{{}, {}}, "want 1"},
		{"duplicate path", []FileSpec{{abs, 8}, {abs + "/.", 8}}, 16, h, "both map to"},
		{"overflow", []FileSpec{{abs, 1 << 62}, {abs + "2", 1 << 62}}, 16, h, "overflows"},
	}
	for _, tt := range tests {
		_, err := New(tt.files, tt.pieceLength, tt.hashes)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "storage: ") {
			t.Errorf("%s: New = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestWriteErrorsNameTheFileAndWrapTheCause(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A folder that is a regular file: ENOTDIR, which root cannot bypass
	// (unlike permission bits, which tests running as root in CI ignore).
	path := filepath.Join(blocker, "sub", "f.bin")
	data := []byte("0123456789abcdef")
	s, err := New([]FileSpec{{path, 16}}, 16, [][20]byte{sha1.Sum(data)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.WriteBlock(0, 0, data)
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("WriteBlock under a regular file: %v, want an error wrapping ENOTDIR", err)
	}
	if want := "storage: write piece 0 at 0 to " + path + ": create folder: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	// Recheck counts such a path as missing data rather than failing.
	have, err := s.Recheck(context.Background(), 1, nil)
	if err != nil || !have.None() {
		t.Errorf("Recheck = %v, %v; want no pieces and no error", have, err)
	}

	if os.Geteuid() != 0 {
		// Not root: permission bits are enforced, so a read-only folder
		// gives fs.ErrPermission.
		ro := filepath.Join(dir, "readonly")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		s2, err := New([]FileSpec{{filepath.Join(ro, "f.bin"), 16}}, 16, [][20]byte{sha1.Sum(data)})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if err := s2.WriteBlock(0, 0, data); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("WriteBlock in a read-only folder: %v, want an error wrapping fs.ErrPermission", err)
		}
	}
}

func TestCloseAndSync(t *testing.T) {
	fx := newFixture(t, 16, multiLayout...)
	if err := fx.s.Sync(); err != nil {
		t.Fatalf("Sync with nothing written: %v", err)
	}
	fx.writeAll(t, 16)
	if err := fx.s.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	for _, f := range fx.s.files {
		if f.dirty.Load() {
			t.Errorf("file %d still dirty after Sync", f.index)
		}
	}
	if err := fx.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := fx.s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	buf := make([]byte, 4)
	checks := map[string]error{
		"ReadBlock":  fx.s.ReadBlock(0, 0, buf),
		"WriteBlock": fx.s.WriteBlock(0, 0, buf),
		"Sync":       fx.s.Sync(),
	}
	_, checks["VerifyPiece"] = fx.s.VerifyPiece(0)
	_, checks["Recheck"] = fx.s.Recheck(context.Background(), 1, nil)
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestConcurrentReadsWritesAndVerifies(t *testing.T) {
	fx := newFixture(t, 64, layoutFile{"a.bin", 1000}, layoutFile{"", 24}, layoutFile{"b/b.bin", 777}, layoutFile{"c.bin", 1300})
	// Even pieces are written first; odd pieces are written while other
	// goroutines read and verify the even ones.
	n := fx.s.NumPieces()
	for p := 0; p < n; p += 2 {
		if err := fx.s.WriteBlock(p, 0, fx.piece(p)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Go(func() {
		for p := 1; p < n; p += 2 {
			for b := int64(0); b < fx.s.PieceSize(p); b += 16 {
				content := fx.piece(p)
				if err := fx.s.WriteBlock(p, b, content[b:min(b+16, int64(len(content)))]); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	for g := range 6 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 300 {
				p := rng.IntN((n+1)/2) * 2
				size := fx.s.PieceSize(p)
				begin := rng.Int64N(size)
				buf := make([]byte, rng.Int64N(size-begin)+1)
				if err := fx.s.ReadBlock(p, begin, buf); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(buf, fx.piece(p)[begin:begin+int64(len(buf))]) {
					errs <- fmt.Errorf("ReadBlock(%d, %d, %d bytes) returned the wrong bytes", p, begin, len(buf))
					return
				}
				if ok, err := fx.s.VerifyPiece(p); !ok || err != nil {
					errs <- fmt.Errorf("VerifyPiece(%d) = %v, %v", p, ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	fx.verifyAll(t)
	fx.checkFiles(t)
}

func TestRecheckProgressAndCancellation(t *testing.T) {
	// Runs of two pieces, so progress comes in twelve steps (without the
	// larger runs of side-by-side hashing).
	defer func(grouped bool) { recheckInGroups = grouped }(recheckInGroups)
	recheckInGroups = false
	const pieceLength = chunkSize / 2
	fx := newFixture(t, pieceLength, layoutFile{"a.bin", pieceLength * 24})
	fx.writeAll(t, 1<<16)

	var calls, last int
	inCall := false
	have, err := fx.s.Recheck(context.Background(), 4, func(done, total int) {
		if inCall {
			t.Error("progress calls overlap")
		}
		inCall = true
		defer func() { inCall = false }()
		calls++
		if total != 24 || done <= last || done > total {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	})
	if err != nil || !have.All() {
		t.Fatalf("Recheck = %d pieces, %v; want all 24", have.Count(), err)
	}
	if calls != 12 || last != 24 {
		t.Errorf("progress called %d times, last done = %d; want 12 calls ending with 24", calls, last)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fx.s.Recheck(ctx, 2, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Recheck with a cancelled context: %v, want context.Canceled", err)
	}

	// Cancel from the first progress call: the workers stop soon after,
	// long before the end.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	last = 0
	_, err = fx.s.Recheck(ctx, 2, func(done, total int) {
		last = done
		cancel()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Recheck cancelled midway: %v, want context.Canceled", err)
	}
	if last > 8 {
		t.Errorf("Recheck went on to piece %d after being cancelled", last)
	}
}

func TestRecheckEmptyTorrent(t *testing.T) {
	s, err := New([]FileSpec{{filepath.Join(t.TempDir(), "empty"), 0}}, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	have, err := s.Recheck(context.Background(), 0, nil)
	if err != nil || have.Len() != 0 {
		t.Fatalf("Recheck of a torrent with no pieces = %v, %v", have, err)
	}
}

func TestOpenFilesAreBounded(t *testing.T) {
	var files []layoutFile
	for i := range 12 {
		files = append(files, layoutFile{fmt.Sprintf("many/%02d.bin", i), int64(10 + i*3)})
	}
	fx := newFixture(t, 32, files...)
	fx.s.maxOpen = 2
	openFiles := func() int {
		fx.s.handleMu.Lock()
		defer fx.s.handleMu.Unlock()
		return fx.s.lru.Len()
	}

	// Writers and readers race over all files while at most two stay open
	// beyond those in use.
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for p := g; p < fx.s.NumPieces(); p += 3 {
				if err := fx.s.WriteBlock(p, 0, fx.piece(p)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := openFiles(); n > 2 {
		t.Errorf("%d files open after writing, limit 2", n)
	}
	// Every file was written but most handles were evicted: Sync must still
	// fsync them all.
	if err := fx.s.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, f := range fx.s.files {
		if f.dirty.Load() {
			t.Errorf("file %d still dirty after Sync", f.index)
		}
	}
	for range 2 {
		wg.Go(func() {
			have, err := fx.s.Recheck(context.Background(), 2, nil)
			if err != nil || !have.All() {
				t.Errorf("Recheck = %v, %v; want all pieces", have.Indexes(), err)
			}
		})
	}
	wg.Wait()
	if n := openFiles(); n > 2 {
		t.Errorf("%d files open after rechecking, limit 2", n)
	}
	fx.checkFiles(t)
}

// Pieces hashed side by side (piecehash groups of full-length pieces) are
// judged one by one: a bad piece in a group fails alone, and the short last
// piece is checked too.
func TestRecheckGroupsJudgeEachPiece(t *testing.T) {
	for _, pieceLength := range []int64{16, 128 << 10, chunkSize + 4096} {
		// 2 full groups, 3 more pieces and a short one, across two files.
		total := pieceLength*35 + pieceLength/2
		fx := newFixture(t, pieceLength, layoutFile{"a.bin", pieceLength*9 + 5}, layoutFile{"b/c.bin", total - pieceLength*9 - 5})
		fx.writeAll(t, min(pieceLength, 1<<14))
		bad := []int{3, 17, 35}
		for _, p := range bad {
			off := int64(p)*pieceLength + 1
			if err := fx.s.WriteBlock(p, 1, []byte{^fx.data[off]}); err != nil {
				t.Fatal(err)
			}
		}
		for _, workers := range []int{1, 2} {
			have, err := fx.s.Recheck(context.Background(), workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			for p := range fx.s.NumPieces() {
				if have.Has(p) == slices.Contains(bad, p) {
					t.Errorf("piece length %d, %d workers: piece %d judged %v", pieceLength, workers, p, have.Has(p))
				}
			}
		}
		// The data now ends 7 bytes into piece 20, in the second group:
		// the group's whole pieces still count.
		if err := os.Truncate(fx.paths[1], pieceLength*20+7-(pieceLength*9+5)); err != nil {
			t.Fatal(err)
		}
		have, err := fx.s.Recheck(context.Background(), 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		for p := range fx.s.NumPieces() {
			if want := p < 20 && !slices.Contains(bad, p); have.Has(p) != want {
				t.Errorf("piece length %d, data cut in piece 20: piece %d judged %v", pieceLength, p, have.Has(p))
			}
		}
	}
}
