package metainfo

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// hostOS is the OS whose file-name rules Parse and FilePaths apply.
var hostOS = runtime.GOOS

// checkComponent rejects a path component that could name something other
// than a plain entry inside its folder, on any OS.
func checkComponent(c string) error {
	switch {
	case c == "":
		return errors.New("empty path component")
	case c == "." || c == "..":
		return fmt.Errorf("path component %q is not allowed", c)
	case strings.ContainsAny(c, "/\\"):
		return fmt.Errorf("path component %q contains a path separator", c)
	case strings.IndexByte(c, 0) >= 0:
		return fmt.Errorf("path component %q contains a NUL byte", c)
	}
	return nil
}

// windowsReserved are device names Windows resolves in every folder, with or
// without an extension ("CON.txt" is the console too).
var windowsReserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true,
	"COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true,
	"LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// mapComponent turns a checked component into a name that is valid on goos.
// Only Windows needs changes: its forbidden characters and control bytes
// become "_", trailing dots and spaces (which Windows strips silently) get a
// "_" after them, and reserved device names get a "_" prefix.
func mapComponent(c, goos string) string {
	if goos != "windows" {
		return c
	}
	b := []byte(c)
	for i, ch := range b {
		if ch < 0x20 || strings.IndexByte(`<>:"|?*`, ch) >= 0 {
			b[i] = '_'
		}
	}
	c = string(b)
	if strings.HasSuffix(c, ".") || strings.HasSuffix(c, " ") {
		c += "_"
	}
	base, _, _ := strings.Cut(c, ".")
	if windowsReserved[strings.ToUpper(strings.TrimRight(base, " "))] {
		c = "_" + c
	}
	return c
}

// caseInsensitive reports whether goos's usual file systems fold case, so
// that "A.txt" and "a.txt" would be the same file.
func caseInsensitive(goos string) bool {
	return goos == "windows" || goos == "darwin" || goos == "ios"
}

// relativePaths returns each file's path relative to the download folder,
// mapped for goos and joined with "/"; padding files get "". It rejects
// torrents whose files would collide with each other after mapping,
// including a file standing where another file needs a folder.
func (i *Info) relativePaths(goos string) ([]string, error) {
	out := make([]string, len(i.Files))
	fileAt := make(map[string]int, len(i.Files))
	dirs := make(map[string]bool)
	key := func(p string) string {
		if caseInsensitive(goos) {
			return strings.ToLower(p)
		}
		return p
	}
	name := mapComponent(i.Name, goos)
	for n, f := range i.Files {
		if f.Padding {
			continue
		}
		comps := f.Path
		prefix := ""
		if i.MultiFile {
			prefix = name + "/"
		} else {
			comps = []string{i.Name}
		}
		var sb strings.Builder
		sb.WriteString(prefix)
		for j, c := range comps {
			if err := checkComponent(c); err != nil {
				return nil, fmt.Errorf("metainfo: file %d: %w", n, err)
			}
			if j > 0 {
				// The folder so far must not be a file.
				dir := sb.String()
				if prev, ok := fileAt[key(dir)]; ok {
					return nil, fmt.Errorf("metainfo: file %d (%s) needs a folder where file %d is", n, strings.Join(comps, "/"), prev)
				}
				dirs[key(dir)] = true
				sb.WriteByte('/')
			}
			sb.WriteString(mapComponent(c, goos))
		}
		p := sb.String()
		if prev, ok := fileAt[key(p)]; ok {
			return nil, fmt.Errorf("metainfo: files %d and %d would both be written to %s", prev, n, p)
		}
		if dirs[key(p)] {
			return nil, fmt.Errorf("metainfo: file %d (%s) is also a folder of another file", n, p)
		}
		fileAt[key(p)] = n
		out[n] = p
	}
	return out, nil
}

// FilePaths returns the OS path under root for each of i.Files, in order,
// built only from validated components ("" for padding files, which are never
// written). A multi-file torrent's files live in root/Name/; a single file is
// root/Name. It fails if any path would escape root or collide with another.
func (i *Info) FilePaths(root string) ([]string, error) {
	rel, err := i.relativePaths(hostOS)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rel))
	for n, r := range rel {
		if r == "" {
			continue
		}
		local := filepath.FromSlash(r)
		if !filepath.IsLocal(local) {
			return nil, fmt.Errorf("metainfo: file %d: path %q would leave the download folder", n, r)
		}
		out[n] = filepath.Join(root, local)
	}
	return out, nil
}
