package metainfo

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anacrolix/torrent/bencode"
	"github.com/swarmscope/swarmscope/engine/piecehash"
)

// laneStrip is how much of each piece a hashing worker reads at a time:
// piecehash.Lanes strips make its buffer.
const laneStrip = 64 << 10

// Piece lengths Create picks or accepts.
const (
	MinCreatePieceLength = 16 << 10
	MaxCreatePieceLength = 16 << 20
)

// CreateOptions says how to make a torrent.
type CreateOptions struct {
	PieceLength int64    // 0 = automatic (AutoPieceLength); else a power of two, 16 KiB .. 16 MiB
	Trackers    []string // each its own tier
	WebSeeds    []string
	Private     bool
	Comment     string
	Source      string
	CreatedBy   string                    // "created by"; empty leaves it out
	Workers     int                       // hashing goroutines; 0 = runtime.NumCPU()
	Progress    func(hashed, total int64) // may be nil; called from one goroutine
	// CreationDate is stored as "creation date"; zero means now. Fixing it
	// makes the .torrent bytes reproducible (the info hash never depends on it).
	CreationDate time.Time
}

// AutoPieceLength picks a piece length for total bytes: the smallest power of
// two, from 16 KiB up to 16 MiB, that needs at most 2000 pieces. Away from
// the clamps that lands between 1000 and 2000 pieces: enough to trade
// pieces early, few enough to keep the .torrent and bitfields small.
func AutoPieceLength(total int64) int64 {
	pl := int64(MinCreatePieceLength)
	for pl < MaxCreatePieceLength && (total+pl-1)/pl > 2000 {
		pl *= 2
	}
	return pl
}

// sourceFile is a file to hash: where it is on disk and where in the torrent.
type sourceFile struct {
	osPath string
	path   []string // components inside the torrent's folder
	length int64
}

// Create makes a torrent of the file or folder at path. Folder contents are
// ordered by path components, compared bytewise, so the same folder always
// gives the same torrent. Hidden files are included. Symbolic links inside
// a folder are skipped, never followed (a link could point anywhere on the
// machine); path itself may be a link. Files are hashed on opts.Workers
// goroutines. The returned MetaInfo's Raw holds the .torrent bytes.
func Create(ctx context.Context, path string, opts CreateOptions) (*MetaInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("metainfo: create: %w", err)
	}
	name := filepath.Base(abs)
	if err := checkComponent(name); err != nil {
		return nil, fmt.Errorf("metainfo: create: cannot name a torrent after %s: %w", abs, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("metainfo: create: %w", err)
	}
	var files []sourceFile
	multi := st.IsDir()
	switch {
	case multi:
		if files, err = listFolder(abs); err != nil {
			return nil, err
		}
	case st.Mode().IsRegular():
		files = []sourceFile{{osPath: abs, path: []string{name}, length: st.Size()}}
	default:
		return nil, fmt.Errorf("metainfo: create: %s is neither a regular file nor a folder", abs)
	}
	var total int64
	for _, f := range files {
		total += f.length
	}
	if total == 0 {
		return nil, fmt.Errorf("metainfo: create: %s holds no data (every file is empty)", abs)
	}

	pieceLength := opts.PieceLength
	if pieceLength == 0 {
		pieceLength = AutoPieceLength(total)
	}
	if pieceLength < MinCreatePieceLength || pieceLength > MaxCreatePieceLength || pieceLength&(pieceLength-1) != 0 {
		return nil, fmt.Errorf("metainfo: create: piece length %d is not a power of two from %d to %d", pieceLength, MinCreatePieceLength, MaxCreatePieceLength)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}

	pieces, err := hashFiles(ctx, files, pieceLength, total, workers, opts.Progress)
	if err != nil {
		return nil, err
	}

	info := map[string]any{
		"name":         name,
		"piece length": pieceLength,
		"pieces":       pieces,
	}
	if multi {
		list := make([]map[string]any, len(files))
		for i, f := range files {
			list[i] = map[string]any{"length": f.length, "path": f.path}
		}
		info["files"] = list
	} else {
		info["length"] = total
	}
	if opts.Private {
		info["private"] = 1
	}
	if opts.Source != "" {
		info["source"] = opts.Source
	}
	date := opts.CreationDate
	if date.IsZero() {
		date = time.Now()
	}
	top := map[string]any{"info": info, "creation date": date.Unix()}
	if len(opts.Trackers) > 0 {
		top["announce"] = opts.Trackers[0]
	}
	if len(opts.Trackers) > 1 {
		tiers := make([][]string, len(opts.Trackers))
		for i, t := range opts.Trackers {
			tiers[i] = []string{t}
		}
		top["announce-list"] = tiers
	}
	if len(opts.WebSeeds) > 0 {
		top["url-list"] = opts.WebSeeds
	}
	if opts.Comment != "" {
		top["comment"] = opts.Comment
	}
	if opts.CreatedBy != "" {
		top["created by"] = opts.CreatedBy
	}
	raw, err := bencode.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("metainfo: create: encoding the torrent: %w", err)
	}
	// Parsing our own output checks it against every rule a loader applies.
	m, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("metainfo: create: the torrent made from %s does not load: %w", abs, err)
	}
	return m, nil
}

// listFolder returns the regular files under root (skipping symbolic links
// and special files), sorted by path components.
func listFolder(root string) ([]sourceFile, error) {
	var files []sourceFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("metainfo: create: %w", err)
		}
		if !d.Type().IsRegular() {
			return nil // folders are walked; links, sockets, devices skipped
		}
		st, err := d.Info()
		if err != nil {
			return fmt.Errorf("metainfo: create: %w", err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("metainfo: create: %w", err)
		}
		comps := strings.Split(filepath.ToSlash(rel), "/")
		for _, c := range comps {
			if err := checkComponent(c); err != nil {
				return fmt.Errorf("metainfo: create: %s: %w", p, err)
			}
		}
		if len(files) >= MaxFiles {
			return fmt.Errorf("metainfo: create: %s has more than %d files", root, MaxFiles)
		}
		files = append(files, sourceFile{osPath: p, path: comps, length: st.Size()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("metainfo: create: folder %s has no files to share", root)
	}
	slices.SortFunc(files, func(a, b sourceFile) int { return slices.Compare(a.path, b.path) })
	return files, nil
}

// hashFiles returns the concatenated SHA-1 hashes of the pieces of files.
// The files are one stream (pieces span file boundaries) cut into groups of
// piecehash.Lanes consecutive pieces. Each worker claims the next group in
// stream order and hashes its pieces side by side (piecehash's vector
// path), reading them with positioned reads into its own buffer, so reading
// (a memory copy when the data is cached) is spread over all cores while
// the file is still read roughly front to back. The last, short group goes
// piece by piece through crypto/sha1.
func hashFiles(ctx context.Context, files []sourceFile, pieceLength, total int64, workers int, progress func(int64, int64)) ([]byte, error) {
	numPieces := (total + pieceLength - 1) / pieceLength
	hashes := make([]byte, numPieces*sha1.Size)
	groupSize := piecehash.Lanes * pieceLength
	numGroups := (total + groupSize - 1) / groupSize
	workers = int(min(int64(workers), numGroups))

	// starts[i] is the stream offset where files[i] begins.
	starts := make([]int64, len(files))
	var off int64
	for i, f := range files {
		starts[i] = off
		off += f.length
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		nextGroup atomic.Int64
		errOnce   sync.Once
		firstErr  error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	done := make(chan int64, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			g := groupHasher{r: &streamReader{files: files, starts: starts}, pieceLength: pieceLength, digest: piecehash.New()}
			defer g.r.close()
			for {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				group := nextGroup.Add(1) - 1
				if group >= numGroups {
					return
				}
				start := group * groupSize
				n := min(groupSize, total-start)
				var err error
				if n == groupSize {
					err = g.hashGroup(start, hashes[start/pieceLength*sha1.Size:])
				} else {
					err = g.hashPieces(start, start+n, hashes[start/pieceLength*sha1.Size:])
				}
				if err != nil {
					fail(err)
					return
				}
				done <- n
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	var hashed int64
	for n := range done {
		hashed += n
		if progress != nil {
			progress(hashed, total)
		}
	}
	// done is closed after every worker returned, so firstErr is settled.
	if firstErr != nil {
		return nil, firstErr
	}
	if hashed != total {
		return nil, fmt.Errorf("metainfo: create: hashed %d bytes, expected %d", hashed, total)
	}
	return hashes, nil
}

// groupHasher is one hashing worker's reader, buffer and digest.
type groupHasher struct {
	r           *streamReader
	pieceLength int64
	digest      *piecehash.Digest
	buf         []byte
}

// hashGroup hashes the piecehash.Lanes whole pieces from stream offset start
// and writes their hashes to out. Each lane is read in strips of at most
// laneStrip bytes, so the buffer (Lanes strips) stays in the core's cache
// between the copy that fills it and the hashing that reads it; pieces no
// longer than a strip are all read with one call, as they lie end to end.
func (g *groupHasher) hashGroup(start int64, out []byte) error {
	strip := min(g.pieceLength, laneStrip)
	if cap(g.buf) < int(piecehash.Lanes*strip) {
		g.buf = make([]byte, piecehash.Lanes*strip)
	}
	buf := g.buf[:piecehash.Lanes*strip]
	var sums [piecehash.Lanes][sha1.Size]byte
	if err := g.digest.SumPieces(g.r.readAt, start, g.pieceLength, buf, &sums); err != nil {
		return err
	}
	for i := range sums {
		copy(out[i*sha1.Size:], sums[i][:])
	}
	return nil
}

// hashPieces hashes the pieces between stream offsets start and end (the
// last may be short) one at a time and writes their hashes to out.
func (g *groupHasher) hashPieces(start, end int64, out []byte) error {
	block := min(laneStrip, g.pieceLength)
	if cap(g.buf) < int(block) {
		g.buf = make([]byte, block)
	}
	buf := g.buf[:block]
	h := sha1.New()
	for p := start; p < end; p += g.pieceLength {
		h.Reset()
		pieceEnd := min(p+g.pieceLength, end)
		for b := p; b < pieceEnd; b += block {
			part := buf[:min(block, pieceEnd-b)]
			if err := g.r.readAt(part, b); err != nil {
				return err
			}
			h.Write(part)
		}
		copy(out[(p-start)/g.pieceLength*sha1.Size:], h.Sum(nil))
	}
	return nil
}

// streamReader reads ranges of a list of files laid end to end, each for
// exactly the length it had when listed. It keeps the last file it used open,
// since consecutive chunks mostly fall in the same file.
type streamReader struct {
	files  []sourceFile
	starts []int64
	open   int // index of the open file, valid when f != nil
	f      *os.File
}

// readAt fills buf with the stream's bytes from offset on.
func (r *streamReader) readAt(buf []byte, offset int64) error {
	// The last file starting at or before offset (empty files share starts).
	i := sort.Search(len(r.starts), func(i int) bool { return r.starts[i] > offset }) - 1
	for len(buf) > 0 {
		if i >= len(r.files) {
			return errors.New("metainfo: create: ran out of files before the expected total")
		}
		sf := r.files[i]
		within := offset - r.starts[i]
		if within >= sf.length {
			i++
			continue
		}
		if r.f == nil || r.open != i {
			r.close()
			f, err := os.Open(sf.osPath)
			if err != nil {
				return fmt.Errorf("metainfo: create: %w", err)
			}
			r.f, r.open = f, i
		}
		want := min(int64(len(buf)), sf.length-within)
		n, err := r.f.ReadAt(buf[:want], within)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("metainfo: create: %s shrank while it was being hashed", sf.osPath)
		}
		if err != nil {
			return fmt.Errorf("metainfo: create: reading %s: %w", sf.osPath, err)
		}
		buf = buf[n:]
		offset += int64(n)
		i++
	}
	return nil
}

func (r *streamReader) close() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}
