package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// CreateOptions are the settings of `swarmscope create`.
type CreateOptions struct {
	Path        string // file or folder to share
	Output      string // .torrent to write; "" = NAME.torrent in the current folder
	PieceLength int64  // 0 = automatic
	Trackers    []string
	WebSeeds    []string
	Private     bool
	Comment     string
	Source      string
}

// Create hashes opts.Path into a new .torrent at opts.Output, showing
// progress on stderr, and prints the file written, the info hash and the
// magnet link on stdout. It never overwrites an existing file.
func Create(ctx context.Context, stdout, stderr io.Writer, opts CreateOptions) error {
	abs, err := filepath.Abs(opts.Path)
	if err != nil {
		return err
	}
	out := opts.Output
	if out == "" {
		out = filepath.Base(abs) + ".torrent"
	}
	// Check before hashing, which can take minutes; O_EXCL below closes the
	// race with anything that creates the file meanwhile.
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists; refusing to overwrite it (remove it or choose another name with -o)", out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	bar := NewProgressBar(stderr, "hashing", 0)
	m, err := metainfo.Create(ctx, abs, metainfo.CreateOptions{
		PieceLength: opts.PieceLength,
		Trackers:    opts.Trackers,
		WebSeeds:    opts.WebSeeds,
		Private:     opts.Private,
		Comment:     opts.Comment,
		Source:      opts.Source,
		CreatedBy:   "Swarmscope " + Version,
		Progress: func(hashed, total int64) {
			bar.SetTotal(total)
			bar.Update(hashed)
		},
	})
	if err != nil {
		bar.Stop()
		return err
	}
	bar.Finish()

	if err := writeNewFile(out, m.Raw); err != nil {
		return err
	}
	i := m.Info
	fmt.Fprintf(stdout, "Wrote %s: %s, %d file(s), %d pieces of %s\n", out,
		humanize.IBytes(uint64(i.Length)), len(i.Files), i.NumPieces(), humanize.IBytes(uint64(i.PieceLength)))
	fmt.Fprintf(stdout, "Info hash: %s\n", m.InfoHash.Hex())
	_, err = fmt.Fprintf(stdout, "Magnet: %s\n", m.Magnet())
	return err
}

// writeNewFile writes data to a file that must not exist yet, and removes
// what it wrote if anything fails.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite it", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
