package peertest

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/anacrolix/torrent/bencode"
)

// RequireBinary returns the absolute path of the program name, or fails the
// test with a message naming the Debian package that provides it.
func RequireBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("peertest: %s not found in PATH: install Debian package %s (make test does this): %v", name, debianPackage, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatalf("peertest: resolving path of %s: %v", name, err)
	}
	return abs
}

// handedOut remembers the ports FreePort has returned in this test binary,
// so two clients started back to back never get the same one.
var handedOut struct {
	sync.Mutex
	ports map[int]bool
}

// FreePort returns a port that is free for both TCP and UDP on 127.0.0.1
// (trackers and uTP-capable clients use both) and that FreePort has not
// returned before in this process. Another program may still take it before
// the caller binds it; on a test machine that is rare.
func FreePort(t testing.TB) int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	if handedOut.ports == nil {
		handedOut.ports = make(map[int]bool)
	}
	var lastErr error
	for range 100 {
		tcp, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("peertest: finding a free TCP port on 127.0.0.1: %v", err)
		}
		port := tcp.Addr().(*net.TCPAddr).Port
		udp, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", port))
		tcp.Close()
		if err != nil {
			lastErr = err
			continue
		}
		udp.Close()
		if handedOut.ports[port] {
			continue
		}
		handedOut.ports[port] = true
		return port
	}
	t.Fatalf("peertest: no port free for both TCP and UDP on 127.0.0.1 after 100 tries (last error: %v)", lastErr)
	return 0
}

// RandomFile writes size bytes of pseudo-random content to dir/name and
// returns the path. The content depends only on name and size, so a test
// that fails can be rerun on the same bytes.
func RandomFile(t testing.TB, dir, name string, size int64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("peertest: creating folder for %s: %v", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("peertest: creating %s: %v", path, err)
	}
	seed := sha1.Sum(fmt.Appendf(nil, "%s/%d", name, size))
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[0:8]), binary.LittleEndian.Uint64(seed[8:16])))
	w := bufio.NewWriterSize(f, 1<<16)
	var word [8]byte
	for written := int64(0); written < size; written += 8 {
		binary.LittleEndian.PutUint64(word[:], rng.Uint64())
		n := min(int64(8), size-written)
		if _, err := w.Write(word[:n]); err != nil {
			f.Close()
			t.Fatalf("peertest: writing %s: %v", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		t.Fatalf("peertest: writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("peertest: closing %s: %v", path, err)
	}
	return path
}

// SameFile fails the test unless gotPath has exactly the bytes of wantPath.
// The message names the first differing offset, or the shorter file.
func SameFile(t testing.TB, wantPath, gotPath string) {
	t.Helper()
	want, err := os.Open(wantPath)
	if err != nil {
		t.Fatalf("peertest: SameFile: opening expected file: %v", err)
	}
	defer want.Close()
	got, err := os.Open(gotPath)
	if err != nil {
		t.Fatalf("peertest: SameFile: opening downloaded file: %v", err)
	}
	defer got.Close()

	wantBuf := make([]byte, 1<<16)
	gotBuf := make([]byte, 1<<16)
	var offset int64
	for {
		wn, werr := io.ReadFull(want, wantBuf)
		gn, gerr := io.ReadFull(got, gotBuf)
		if werr != nil && werr != io.EOF && werr != io.ErrUnexpectedEOF {
			t.Fatalf("peertest: SameFile: reading %s at offset %d: %v", wantPath, offset, werr)
		}
		if gerr != nil && gerr != io.EOF && gerr != io.ErrUnexpectedEOF {
			t.Fatalf("peertest: SameFile: reading %s at offset %d: %v", gotPath, offset, gerr)
		}
		n := min(wn, gn)
		if i := firstDifference(wantBuf[:n], gotBuf[:n]); i >= 0 {
			at := offset + int64(i)
			t.Fatalf("peertest: %s differs from %s at byte %d: got %#02x, want %#02x", gotPath, wantPath, at, gotBuf[i], wantBuf[i])
		}
		if gn < wn {
			t.Fatalf("peertest: %s is shorter than %s: it ends at byte %d (the bytes up to there match)", gotPath, wantPath, offset+int64(gn))
		}
		if gn > wn {
			t.Fatalf("peertest: %s is longer than %s, which ends at byte %d (the bytes up to there match)", gotPath, wantPath, offset+int64(wn))
		}
		if wn < len(wantBuf) {
			return
		}
		offset += int64(wn)
	}
}

// firstDifference returns the first index where a and b (of equal length)
// differ, or -1.
func firstDifference(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// MakeTorrent creates a .torrent for the file or folder at dataPath with
// mktorrent and returns its path (in a fresh temporary folder). announce
// may be empty for a trackerless torrent; pieceLength must be a power of
// two from 32 KiB to 256 MiB (mktorrent refuses 16 KiB). Creation dates are left out, so the same data
// and options always give the same info hash.
func MakeTorrent(t testing.TB, dataPath, announce string, pieceLength int) string {
	t.Helper()
	if pieceLength < 32<<10 || pieceLength > 256<<20 || bits.OnesCount(uint(pieceLength)) != 1 {
		t.Fatalf("peertest: MakeTorrent: piece length %d is not a power of two from 32 KiB to 256 MiB", pieceLength)
	}
	mktorrent := RequireBinary(t, "mktorrent", "mktorrent")
	out := filepath.Join(t.TempDir(), filepath.Base(dataPath)+".torrent")
	args := []string{"-d", "-t", "1", "-l", fmt.Sprint(bits.TrailingZeros(uint(pieceLength))), "-o", out}
	if announce != "" {
		args = append(args, "-a", announce)
	}
	args = append(args, dataPath)
	cmd := exec.Command(mktorrent, args...)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("peertest: mktorrent %s: %v\n%s", strings.Join(args, " "), err, output)
	}
	return out
}

// InfoHash returns the info hash of the .torrent file at path: the SHA-1 of
// the bencoded "info" dictionary exactly as it appears in the file.
func InfoHash(t testing.TB, torrentPath string) [20]byte {
	t.Helper()
	data, err := os.ReadFile(torrentPath)
	if err != nil {
		t.Fatalf("peertest: reading torrent: %v", err)
	}
	var top map[string]bencode.Bytes
	if err := bencode.Unmarshal(data, &top); err != nil {
		t.Fatalf("peertest: decoding %s: %v", torrentPath, err)
	}
	info, ok := top["info"]
	if !ok {
		t.Fatalf("peertest: %s has no info dictionary", torrentPath)
	}
	return sha1.Sum(info)
}
